"""Late parents: children held as ORPHAN_FK are retried from the quarantine on later runs.

No second store: the quarantine table already holds every rejected row with its raw values. A row
whose only reason is ORPHAN_FK is *held*. Each run that processes new Bronze re-reads the held rows of
an entity (at the snapshot the run started from), puts them back through the same validation,
orphan check and ranking as the new rows, and then, per held row:

- its parent is known by its ingest_date + `orphan_retry_days`: it is loaded into Silver (with its
  original source_file and ingest_date) and leaves the quarantine;
- it is still an orphan and the run's clock (the latest ingest_date the run processes) is past its
  ingest_date + `orphan_retry_days`: it is *expired*, ORPHAN_FK_EXPIRED is added to its reasons and it
  is never retried again;
- otherwise it stays held (rewritten in place, with this run's run_id);
- it lost the ranking to another delivery of the same key (a re-delivery that loaded): it leaves the
  quarantine, counted as a duplicate.

The clock is made of ingest dates, not the wall clock, so a full refresh over the same Bronze expires
exactly the rows the day-by-day runs expired. The run report counts held rows under `orphans`
(retried = loaded + expired + held + duplicates), apart from the rows read from Bronze this run, so
each row is counted once as read (the run that delivered it) and once more only as retried.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from finlake.contracts.model import Entity

ORPHAN = "ORPHAN_FK"
EXPIRED = "ORPHAN_FK_EXPIRED"
RETRIED = "_retried"


def is_held() -> Column:
    """A quarantine row that is still waiting for its parent: its only reason is ORPHAN_FK."""
    return (F.size("reasons") == 1) & (F.col("reasons")[0] == F.lit(ORPHAN))


def held_rows(quarantine: DataFrame, entity: Entity, redone_files: Sequence[str]) -> DataFrame:
    """Held quarantine rows -> the raw all-string frame `reader.read_bronze` makes, so they are judged
    again exactly as new rows are. Rows of `redone_files` are left out: those files are read again."""
    rows = quarantine.where(is_held())
    if redone_files:
        rows = rows.where(~F.col("source_file").isin(*redone_files))
    raw = F.from_json("raw_record", entity.raw_spark_schema())
    return rows.select(
        *[raw[c].alias(c) for c in entity.column_names],
        F.lit(None).cast("string").alias("raw_line"),
        F.lit(None).cast("string").alias("structural_reason"),
        "source_file",
        "ingest_date",
    )


def mark_retried(batch_files: Sequence[str]) -> Callable[[DataFrame], DataFrame]:
    """Add `_retried`: the row came from the quarantine, not from this run's files."""

    def transform(df: DataFrame) -> DataFrame:
        from_batch = F.col("source_file").isin(*batch_files) if batch_files else F.lit(False)
        return df.withColumn(RETRIED, ~from_batch)

    return transform


def expire(clock: dt.date | None, retry_days: int) -> Callable[[DataFrame], DataFrame]:
    """Add ORPHAN_FK_EXPIRED to orphans whose parent is more than `retry_days` late at `clock`."""

    def transform(df: DataFrame) -> DataFrame:
        if clock is None:
            return df
        late = F.date_add(F.col("ingest_date"), retry_days) < F.lit(clock)
        expired = F.array_contains("reasons", ORPHAN) & late
        return df.withColumn(
            "reasons", F.when(expired, F.array_union("reasons", F.array(F.lit(EXPIRED)))).otherwise(F.col("reasons"))
        )

    return transform


def count_columns() -> list[Column]:
    """Aggregations for the report's `orphans` (over the ranked rows; see `EntityReport.orphans`)."""
    retried = F.col(RETRIED)

    def n(cond: Column) -> Column:
        return F.sum(F.when(retried & cond, 1).otherwise(0))

    reasons = F.col("reasons")
    return [
        n(F.lit(True)).alias("orphans_retried"),
        n(F.col("outcome") == "WRITTEN").alias("orphans_loaded"),
        n(F.array_contains(reasons, EXPIRED)).alias("orphans_expired"),
        n(is_held()).alias("orphans_held"),
        n((F.size(reasons) == 0) & (F.col("outcome") != "WRITTEN")).alias("orphans_duplicates"),
    ]


def orphan_counts(counts: dict[str, Any]) -> dict[str, int]:
    """The report's `orphans` entry from `count_columns`' results (empty when nothing was retried)."""
    out = {k.removeprefix("orphans_"): int(counts.get(k) or 0) for k in counts if k.startswith("orphans_")}
    return out if out.get("retried") else {}
