"""The one storage layer: Silver, Gold and quarantine tables are Iceberg tables, read and written by name.

`read_table(spark, lake, "silver.transactions")` returns the current rows (or those of an earlier
snapshot) with the declared schema; writers commit exactly one Iceberg snapshot per call:

- `merge_upsert`: MERGE INTO on the key (change records: the caller has already ranked the winners);
- `merge_insert_new`: insert-only MERGE (events: a key already present is never inserted twice);
- `overwrite_partitions`: dynamic partition overwrite (the partitions present in the frame);
- `replace_rows`: every row replaced in one commit (full refresh, small tables);
- `audited_publish`: write-audit-publish on an Iceberg branch (Gold's quality gate sees exactly the
  data about to be published; readers see it only after a fast-forward of `main`).

Table names are `<layer>.<table>`; `silver.customer_pii` lives in the `silver_restricted` namespace.
No caller builds a table's file path: locations are decided here, once, when a table is created.
"""

from __future__ import annotations

import os
import re
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from py4j.java_gateway import JavaObject
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from finlake import iceberg
from finlake.contracts.gold import GOLD_TABLES
from finlake.contracts.model import Table
from finlake.contracts.quarantine import QUARANTINE_TABLES
from finlake.contracts.silver import SILVER_TABLES
from finlake.errors import FinlakeError, UsageError
from finlake.lake import Lake

T = TypeVar("T")
AUDIT_BRANCH_PREFIX = "audit_"
_TABLE_PROPERTIES = {
    "format-version": "2",
    "write.parquet.compression-codec": "snappy",
    "write.merge.isolation-level": "serializable",
    "write.metadata.delete-after-commit.enabled": "true",  # bounded metadata/ on every table
    "write.metadata.previous-versions-max": "50",
}
_create_lock = threading.Lock()
_LAYERS = {"silver": SILVER_TABLES, "silver_restricted": SILVER_TABLES, "gold": GOLD_TABLES}


@dataclass(frozen=True)
class TableRef:
    """A table of the lake: its declared contract and where it is catalogued."""

    contract: Table
    namespace_layer: str  # silver | silver_restricted | quarantine | gold

    @property
    def name(self) -> str:
        return f"{self.contract.layer}.{self.contract.name}"

    def identifier(self, lake: Lake) -> str:
        return iceberg.identifier(lake, self.namespace_layer, self.contract.name)

    def location(self, lake: Lake) -> str:
        roots = {
            "silver": lake.silver,
            "silver_restricted": lake.silver_restricted,
            "quarantine": lake.quarantine,
            "gold": lake.gold,
        }
        return f"{roots[self.namespace_layer].rstrip('/')}/{self.contract.name}"


def ref(name: str) -> TableRef:
    """`silver.loans`, `silver.customer_pii` (or `silver_restricted.customer_pii`), `gold.x`, `quarantine.<entity>`."""
    layer, _, table = name.partition(".")
    if layer == "quarantine" and table in QUARANTINE_TABLES:
        return TableRef(QUARANTINE_TABLES[table], "quarantine")
    tables = _LAYERS.get(layer, {})
    if table not in tables:
        raise UsageError(f"unknown table {name!r}: expected silver.<table>, gold.<table> or quarantine.<entity>")
    contract = tables[table]
    return TableRef(contract, "silver_restricted" if contract.restricted else str(contract.layer))


def contract(name: str) -> Table:
    return ref(name).contract


def all_refs() -> list[TableRef]:
    names = [f"silver.{t}" for t in SILVER_TABLES] + [f"gold.{t}" for t in GOLD_TABLES]
    return [ref(n) for n in names] + [ref(f"quarantine.{e}") for e in QUARANTINE_TABLES]


# -- reading --------------------------------------------------------------------------------------


def check_lake_format(lake: Lake) -> None:
    """An old lake (Parquet folders + symlinks) is rebuilt from Bronze, not read half-understood."""
    if not lake.silver.startswith("s3://") and os.path.isdir(os.path.join(lake.silver, "_versions")):
        raise FinlakeError(
            f"{lake.silver} is in the previous (pre-Iceberg) layout: rebuild it from Bronze with "
            "`finlake bronze-to-silver --full-refresh` after removing silver/, silver_restricted/, gold/ and quarantine/"
        )


def _bound(spark: SparkSession, lake: Lake) -> None:
    check_lake_format(lake)
    iceberg.bind(spark, lake)


def table_exists(spark: SparkSession, lake: Lake, name: str) -> bool:
    table = ref(name)
    _bound(spark, lake)
    return bool(spark.catalog.tableExists(table.identifier(lake)))


def read_table(
    spark: SparkSession, lake: Lake, name: str, snapshot_id: int | None = None, as_of: datetime | None = None
) -> DataFrame:
    """The rows of `<layer>.<table>` now (or at a snapshot / a point in time), with the declared columns."""
    table = ref(name)
    if not table_exists(spark, lake, name):
        job = "silver-to-gold" if table.namespace_layer == "gold" else "bronze-to-silver"
        raise FinlakeError(f"{table.name} does not exist yet: run `finlake {job}` first")
    reader = spark.read
    if snapshot_id is not None:
        reader = reader.option("snapshot-id", str(snapshot_id))
    elif as_of is not None:
        reader = reader.option("as-of-timestamp", str(int(as_of.timestamp() * 1000)))
    return reader.table(table.identifier(lake)).select(*table.contract.column_names)


def read_or_empty(spark: SparkSession, lake: Lake, name: str) -> DataFrame:
    if table_exists(spark, lake, name):
        return read_table(spark, lake, name)
    return spark.createDataFrame([], contract(name).spark_schema())


def appended_only(spark: SparkSession, lake: Lake, name: str, after: int, upto: int) -> bool:
    """Whether `upto` descends from `after` through commits that only added rows (appends) or only
    rewrote files (compaction): then the rows appended between them are all that changed."""
    table = _iceberg_table(spark, lake, name)
    if table is None:
        return False
    snapshot = table.snapshot(upto)
    while snapshot is not None and snapshot.snapshotId() != after:
        if snapshot.operation() not in ("append", "replace") or snapshot.parentId() is None:
            return False  # rows deleted or rewritten, or `after` expired / not an ancestor
        snapshot = table.snapshot(snapshot.parentId())
    return snapshot is not None


def read_appended(spark: SparkSession, lake: Lake, name: str, after: int, upto: int) -> DataFrame:
    """The rows appended after snapshot `after` up to `upto` (only the files those commits added are read)."""
    table = ref(name)
    reader = spark.read.format("iceberg").option("start-snapshot-id", str(after)).option("end-snapshot-id", str(upto))
    return reader.load(table.identifier(lake)).select(*table.contract.column_names)


def _iceberg_table(spark: SparkSession, lake: Lake, name: str) -> JavaObject | None:
    """The Iceberg `Table` behind `name`, loaded fresh through the session's catalog (None if missing).
    Metadata questions go to it directly: a metadata-table query would run a Spark job each time."""
    if not table_exists(spark, lake, name):
        return None
    catalog_name, namespace_name, table_name = ref(name).identifier(lake).split(".")
    jvm = spark._jvm
    assert jvm is not None
    namespace = spark.sparkContext._gateway.new_array(jvm.java.lang.String, 1)  # type: ignore[union-attr]
    namespace[0] = namespace_name
    identifier = jvm.org.apache.spark.sql.connector.catalog.Identifier.of(namespace, table_name)
    catalog = spark._jsparkSession.sessionState().catalogManager().catalog(catalog_name)
    return catalog.loadTable(identifier).table()


def current_snapshot(spark: SparkSession, lake: Lake, name: str) -> tuple[int, int] | None:
    """(snapshot id, rows) of the snapshot `main` points at, from Iceberg's metadata (no data scan),
    or None for a missing table or one without a snapshot."""
    table = _iceberg_table(spark, lake, name)
    snapshot = table.currentSnapshot() if table is not None else None
    if snapshot is None:
        return None
    return int(snapshot.snapshotId()), int(snapshot.summary().get("total-records") or 0)


def current_snapshot_id(spark: SparkSession, lake: Lake, name: str) -> int | None:
    snapshot = current_snapshot(spark, lake, name)
    return snapshot[0] if snapshot else None


# -- creating -------------------------------------------------------------------------------------


def ensure_table(spark: SparkSession, lake: Lake, name: str) -> str:
    """Create the namespace and the table (declared schema, partitioning, location) if missing.

    A new table gets one empty commit, so it has a `main` snapshot from the start (readers see an
    empty table with its schema; branches can be made from it)."""
    table = ref(name)
    ident = table.identifier(lake)
    if table_exists(spark, lake, name):
        _add_declared_columns(spark, lake, table)
        return ident
    with _create_lock:  # jobs create tables from several threads; the catalog's inserts must not race
        _create(spark, lake, table)
    return ident


def _add_declared_columns(spark: SparkSession, lake: Lake, table: TableRef) -> None:
    """A table made by an earlier release whose contract has since gained columns is widened in
    place (an Iceberg metadata change: earlier rows read the new columns as null), so an upgrade
    needs no rebuild. Columns are never dropped or retyped here: that stays a deliberate migration."""
    existing = _iceberg_table(spark, lake, table.name)
    have = {str(c.name()) for c in existing.schema().columns()} if existing is not None else set()
    missing = [f for f in table.contract.spark_schema().fields if f.name not in have]
    if existing is None or not missing:
        return
    columns = ", ".join(f"`{f.name}` {f.dataType.simpleString()}" for f in missing)
    with _create_lock:
        spark.sql(f"ALTER TABLE {table.identifier(lake)} ADD COLUMNS ({columns})")


def _create(spark: SparkSession, lake: Lake, table: TableRef) -> None:
    ident = table.identifier(lake)
    if not spark.catalog.tableExists(ident):
        spark.sql(f"CREATE NAMESPACE IF NOT EXISTS {iceberg.CATALOG}.{iceberg.namespace(lake, table.namespace_layer)}")
        columns = ", ".join(f"`{f.name}` {f.dataType.simpleString()}" for f in table.contract.spark_schema().fields)
        parts = table.contract.partition_by
        partitioned = f" PARTITIONED BY ({', '.join(parts)})" if parts else ""
        # No min/max of a direct identifier in the manifests: PII stays in data files, which erasure rewrites.
        no_stats = {f"write.metadata.metrics.column.{c.name}": "none" for c in table.contract.columns if c.pii}
        props = ", ".join(f"'{k}' = '{v}'" for k, v in (_TABLE_PROPERTIES | no_stats).items())
        spark.sql(
            f"CREATE TABLE IF NOT EXISTS {ident} ({columns}) USING iceberg{partitioned} "
            f"LOCATION '{table.location(lake)}' TBLPROPERTIES ({props})"
        )
    created = _iceberg_table(spark, lake, table.name)
    if created is not None and created.currentSnapshot() is None:  # also after a crash between the two steps
        created.newAppend().commit()  # an empty snapshot through Iceberg's API: no Spark job for no rows


# -- writing: one Iceberg commit each -------------------------------------------------------------


def _conformed(df: DataFrame, table: TableRef) -> DataFrame:
    """The frame in the table's column order and types (a wrong column set fails here, in one line)."""
    missing = [c for c in table.contract.column_names if c not in df.columns]
    if missing:
        raise FinlakeError(f"cannot write {table.name}: columns missing {missing}")
    schema = table.contract.spark_schema()
    return df.select(*[F.col(f.name).cast(f.dataType).alias(f.name) for f in schema.fields])


JOB_DESCRIPTION = "spark.job.description"
_CONFLICTS = ("ValidationException", "CommitFailedException", "CommitStateUnknownException")


@contextmanager
def _one_commit(spark: SparkSession, table: TableRef) -> Iterator[None]:
    """A lost race with another writer becomes one line; Iceberg already retried what it safely could
    (commit.retry.*): what is left is a real conflict, and nothing of this write became visible.
    The write's Spark jobs are described as `write <table>` (the UI, event logs, bench/spark_profile)."""
    context = spark.sparkContext
    described = context.getLocalProperty(JOB_DESCRIPTION)  # per thread: concurrent writes keep their own
    context.setJobDescription(f"write {table.name}")
    try:
        yield
    except Exception as exc:
        text = str(exc)
        if any(c in text for c in _CONFLICTS):
            first = next((line for line in text.splitlines() if any(c in line for c in _CONFLICTS)), text)
            raise FinlakeError(
                f"{table.name}: another writer committed a conflicting change first, this write was not applied "
                f"(rerun to apply it): {first.strip()[:300]}"
            ) from exc
        raise
    finally:
        context.setLocalProperty(JOB_DESCRIPTION, described)  # type: ignore[arg-type]  # None unsets it


@contextmanager
def _source_view(df: DataFrame) -> Iterator[str]:
    """A uniquely named temp view for a MERGE source (jobs merge several tables concurrently)."""
    view = f"_src_{secrets.token_hex(6)}"
    df.createOrReplaceTempView(view)
    try:
        yield view
    finally:
        df.sparkSession.catalog.dropTempView(view)


def _in_list(column: str, values: list[str]) -> str:
    quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return f"t.`{column}` IN ({quoted})"


def merge_upsert(spark: SparkSession, lake: Lake, name: str, rows: DataFrame, key: str) -> None:
    """MERGE the winning change records: matched keys updated, new keys inserted (one commit)."""
    table = ref(name)
    ident = ensure_table(spark, lake, name)
    with _source_view(_conformed(rows, table)) as view, _one_commit(spark, table):
        spark.sql(
            f"MERGE INTO {ident} t USING {view} s ON t.`{key}` = s.`{key}` "
            "WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *"
        )


def merge_insert_new(
    spark: SparkSession, lake: Lake, name: str, rows: DataFrame, key: str, partitions: list[str] | None = None
) -> None:
    """Insert the rows whose key the table does not hold (one commit; an existing key is left alone).

    `partitions`: the values of the table's partition column these rows fall in, so the existence
    check reads only those partitions and a day's cost does not grow with the history."""
    table = ref(name)
    ident = ensure_table(spark, lake, name)
    on = f"t.`{key}` = s.`{key}`"
    if partitions is not None and table.contract.partition_by:
        if not partitions:
            return
        on += " AND " + _in_list(table.contract.partition_by[0], partitions)
    with _source_view(_conformed(rows, table)) as view, _one_commit(spark, table):
        # The never-true WHEN MATCHED clause keeps this a row-level MERGE: an insert-only one is planned
        # as a plain append, which Iceberg does not validate against concurrent commits (two writers
        # would both insert the same key). This way the loser of a race fails instead.
        spark.sql(
            f"MERGE INTO {ident} t USING {view} s ON {on} "
            f"WHEN MATCHED AND t.`{key}` IS NULL THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *"
        )


def overwrite_partitions(spark: SparkSession, lake: Lake, name: str, rows: DataFrame, branch: str = "") -> None:
    """Replace the partitions present in `rows`; every other partition is kept (one commit)."""
    table = ref(name)
    ident = ensure_table(spark, lake, name)
    target = f"{ident}.branch_{branch}" if branch else ident
    with _one_commit(spark, table):
        _conformed(rows, table).writeTo(target).overwritePartitions()


def replace_partition_values(
    spark: SparkSession, lake: Lake, name: str, rows: DataFrame, column: str, values: list[str], branch: str = ""
) -> None:
    """Replace every row whose `column` is in `values` with `rows` (one commit): unlike
    `overwrite_partitions`, a partition `rows` leaves empty is emptied, not kept."""
    field = ref(name).contract.column(column).spark_type
    condition = F.col(column).isin(*[F.lit(v).cast(field) for v in values]) if values else F.lit(False)
    replace_where(spark, lake, name, rows, condition, branch=branch)


def replace_where(
    spark: SparkSession, lake: Lake, name: str, rows: DataFrame, condition: Column, branch: str = ""
) -> None:
    """Replace every row matching `condition` with `rows` (one commit); every other row is kept."""
    table = ref(name)
    ident = ensure_table(spark, lake, name)
    target = f"{ident}.branch_{branch}" if branch else ident
    with _one_commit(spark, table):
        _conformed(rows, table).writeTo(target).overwrite(condition)


def replace_rows(spark: SparkSession, lake: Lake, name: str, rows: DataFrame, branch: str = "") -> None:
    """Replace every row of the table with `rows` (one commit; the schema and history stay)."""
    table = ref(name)
    ident = ensure_table(spark, lake, name)
    target = f"{ident}.branch_{branch}" if branch else ident
    with _one_commit(spark, table):
        _conformed(rows, table).writeTo(target).overwrite(F.lit(True))


# -- write-audit-publish ----------------------------------------------------------------------------


@dataclass
class Staged:
    """A table's new data, committed on an audit branch that readers of `main` do not see."""

    name: str
    identifier: str
    branch: str

    def read(self, spark: SparkSession) -> DataFrame:
        return spark.table(f"{self.identifier}.branch_{self.branch}")


def drop_stale_audit_branches(spark: SparkSession, lake: Lake, name: str) -> None:
    """Branches left by a run that died between staging and publishing (their data never went live)."""
    ident = ensure_table(spark, lake, name)
    table = _iceberg_table(spark, lake, name)
    refs = table.refs() if table is not None else {}  # from the table's metadata: no Spark job
    for branch in [str(n) for n, r in refs.items() if r.isBranch() and str(n).startswith(AUDIT_BRANCH_PREFIX)]:
        spark.sql(f"ALTER TABLE {ident} DROP BRANCH IF EXISTS `{branch}`")


def stage(
    spark: SparkSession, lake: Lake, name: str, rows: DataFrame, run_id: str, write: Callable[..., None]
) -> Staged:
    """Commit `rows` to a fresh audit branch of `name` with `write` (replace_rows / overwrite_partitions)."""
    ident = ensure_table(spark, lake, name)
    branch = AUDIT_BRANCH_PREFIX + re.sub(r"[^0-9A-Za-z]", "_", run_id)
    spark.sql(f"ALTER TABLE {ident} CREATE BRANCH `{branch}`")
    write(spark, lake, name, rows, branch=branch)
    return Staged(name, ident, branch)


def publish(spark: SparkSession, staged: Staged) -> None:
    """Make the audited branch current: fast-forward `main` to it (atomic), then drop the branch.

    Fails in one line if `main` moved meanwhile (another writer): nothing is published then."""
    table = staged.identifier.split(".", 1)[1]
    try:
        spark.sql(f"CALL {iceberg.CATALOG}.system.fast_forward('{table}', 'main', '{staged.branch}')")
    except Exception as exc:
        raise FinlakeError(f"{staged.name} changed while this run audited it (another writer?): not published") from exc
    discard(spark, staged)


def discard(spark: SparkSession, staged: Staged) -> None:
    spark.sql(f"ALTER TABLE {staged.identifier} DROP BRANCH IF EXISTS `{staged.branch}`")
