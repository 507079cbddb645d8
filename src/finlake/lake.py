"""The lake's layout, in one place.

Locally everything lives under one root (`--lake`, default ./lake or $FINLAKE_LAKE):

    bronze/<entity>/ingest_date=YYYY-MM-DD/*.csv     raw, immutable
    silver/<table>/{data,metadata}/                  Iceberg tables, one row per key
    silver_restricted/customer_pii/                  Iceberg, direct identifiers (restricted)
    gold/<table>/                                    Iceberg, business tables
    quarantine/<entity>/                             Iceberg, rejected rows with reasons
    _runs/<run_id>.json                              run reports
    _state/                                          incremental state (processed partitions)
    _catalog/iceberg.db                              Iceberg JDBC catalog (SQLite) of the tables above
    _catalog/<database>/                             local Data Catalog of Bronze (crawled)
    _mlflow/                                         MLflow tracking and model registry
    _generator/                                      generator manifest and true default probabilities

On AWS the same relative layout is spread over the layer buckets: each layer root below is then an
`s3://` URI passed to the Glue job as an argument.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from finlake.errors import UsageError

DEFAULT_LAKE = "./lake"
LAKE_ENV_VAR = "FINLAKE_LAKE"


def default_lake_root() -> str:
    return os.environ.get(LAKE_ENV_VAR) or DEFAULT_LAKE


def _join(root: str, *parts: str) -> str:
    return "/".join([root.rstrip("/"), *parts])


@dataclass(frozen=True)
class Lake:
    """Roots of each area of the lake. Locally they share one parent; on AWS each is its own bucket."""

    bronze: str
    silver: str
    silver_restricted: str
    gold: str
    quarantine: str
    runs: str
    state: str
    catalog: str
    mlflow: str
    generator: str
    # On AWS: the Glue databases' prefix (`finlake_dev` -> finlake_dev_silver) and the lake's KMS key.
    database_prefix: str = ""
    kms_key_id: str = ""

    @classmethod
    def local(cls, root: str | os.PathLike[str]) -> Lake:
        r = str(Path(root).expanduser().absolute())
        return cls(
            bronze=_join(r, "bronze"),
            silver=_join(r, "silver"),
            silver_restricted=_join(r, "silver_restricted"),
            gold=_join(r, "gold"),
            quarantine=_join(r, "quarantine"),
            runs=_join(r, "_runs"),
            state=_join(r, "_state"),
            catalog=_join(r, "_catalog"),
            mlflow=_join(r, "_mlflow"),
            generator=_join(r, "_generator"),
        )

    def bronze_entity(self, entity: str, ingest_date: str | None = None) -> str:
        base = _join(self.bronze, entity)
        return base if ingest_date is None else _join(base, f"ingest_date={ingest_date}")

    def silver_table(self, table: str) -> str:
        if table == "customer_pii":
            return _join(self.silver_restricted, table)
        return _join(self.silver, table)

    def gold_table(self, table: str) -> str:
        return _join(self.gold, table)

    def quarantine_entity(self, entity: str) -> str:
        return _join(self.quarantine, entity)

    def run_report(self, run_id: str) -> str:
        return _join(self.runs, f"{run_id}.json")


def lake_for(
    lake_root: str, silver_root: str = "", gold_root: str = "", database_prefix: str = "", kms_key_id: str = ""
) -> Lake:
    """The lake as the notebooks see it: a local root (tables in <lake>/_catalog/iceberg.db), or on
    AWS the layer buckets whose Iceberg tables the Glue Data Catalog holds (`<prefix>_gold`, ...),
    as the Glue jobs' --silver_root/--gold_root/--catalog_database_prefix/--lake_kms_key_id name them
    (every file scoring writes is encrypted under that key). MLflow and the generator's truth file
    stay under `lake_root` (on Databricks the workspace's MLflow is used)."""
    lake = Lake.local(lake_root)
    if not (silver_root or gold_root or database_prefix):
        return lake
    if not (silver_root.startswith("s3://") and gold_root.startswith("s3://") and database_prefix):
        raise UsageError(
            "the Glue catalog needs silver_root and gold_root as s3:// URIs and a database_prefix "
            f"(got {silver_root!r}, {gold_root!r}, {database_prefix!r}); leave all three empty for a local lake"
        )
    # silver_root is the Glue catalog's warehouse (finlake.iceberg picks Glue for an s3:// lake).
    roots = {"silver": silver_root.rstrip("/"), "gold": gold_root.rstrip("/")}
    return replace(lake, **roots, database_prefix=database_prefix, kms_key_id=kms_key_id)
