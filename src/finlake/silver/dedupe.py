"""Deduplication: latest change record per key wins; an event delivered twice is kept once.

Both rankings run over this run's rows *and* what Silver already holds (`_existing` true), so one
window decides merge and dedupe together. Ties are broken on lineage and a content hash, so the
same input always yields the same winner, whichever run processes it.

Events are mostly unique: `rank_events` given the keys that occur more than once ranks only their
rows (a shuffle and sort of the few) and gives every other valid row rank 1, instead of a window
over every row (at 5M transactions the window was ~1/6 of Silver's executor CPU and a 443 MiB shuffle).
"""

from __future__ import annotations

from collections.abc import Callable

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from finlake.silver.validation import is_valid

RANK = "_rank"


def _ranked(key: str, order: list[Column]) -> Callable[[DataFrame], DataFrame]:
    def transform(df: DataFrame) -> DataFrame:
        # Quarantined rows are ranked among themselves only, so they never beat a valid row.
        window = Window.partitionBy(key, is_valid()).orderBy(*order)
        return df.withColumn(RANK, F.when(is_valid(), F.row_number().over(window)))

    return transform


def rank_change_records(key: str, version_column: str) -> Callable[[DataFrame], DataFrame]:
    """Add `_rank`: 1 for the current version of each key among valid rows (latest `version_column`,
    then latest ingest_date, source_file, content hash; on a full tie the row of this run).
    Expects `_existing`, `_row_hash`, `ingest_date`, `source_file`, `reasons`."""
    return _ranked(
        key,
        [
            F.col(version_column).desc_nulls_last(),
            F.col("ingest_date").desc_nulls_last(),
            F.col("source_file").desc_nulls_last(),
            F.col("_row_hash").desc(),
            F.col("_existing").asc(),
        ],
    )


def rank_events(key: str, repeated: DataFrame | None = None) -> Callable[[DataFrame], DataFrame]:
    """Add `_rank`: 1 for the first delivery of each event key among valid rows (already in Silver
    first, then earliest ingest_date, source_file, content hash). `repeated`: every key that occurs
    more than once among the valid rows (`repeated_keys`), small enough to broadcast; only their rows
    are ranked by the window. The frame is then read twice: cache it."""
    ranked = _ranked(
        key,
        [
            F.col("_existing").desc(),
            F.col("ingest_date").asc_nulls_last(),
            F.col("source_file").asc_nulls_last(),
            F.col("_row_hash").asc(),
        ],
    )
    if repeated is None:
        return ranked

    def transform(df: DataFrame) -> DataFrame:
        keys = F.broadcast(repeated.select(key))
        once = df.join(keys, on=key, how="left_anti").withColumn(RANK, F.when(is_valid(), F.lit(1)))
        return once.unionByName(df.join(keys, on=key, how="left_semi").transform(ranked))

    return transform


def repeated_keys(rows: DataFrame, key: str) -> DataFrame:
    """The keys occurring more than once among the valid rows: one aggregate of the key column alone
    (a valid row's key is never null: keys are required)."""
    return rows.where(is_valid()).groupBy(key).count().where(F.col("count") > 1).select(key)


def classify(duplicate_kind: str) -> Callable[[DataFrame], DataFrame]:
    """Add `outcome`: QUARANTINED (has reasons), WRITTEN (rank 1) or `duplicate_kind`
    (SUPERSEDED / DUPLICATE_DELIVERY). Needs `_rank` and `reasons`."""

    def transform(df: DataFrame) -> DataFrame:
        outcome = (
            F.when(~is_valid(), F.lit("QUARANTINED"))
            .when(F.col(RANK) == 1, F.lit("WRITTEN"))
            .otherwise(F.lit(duplicate_kind))
        )
        return df.withColumn("outcome", outcome)

    return transform
