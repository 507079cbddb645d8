"""Deduplication: latest change record per key wins; an event delivered twice is kept once.

Both rankings run over this run's rows *and* what Silver already holds (`_existing` true), so one
window decides merge and dedupe together. Ties are broken on lineage and a content hash, so the
same input always yields the same winner, whichever run processes it.
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


def rank_events(key: str) -> Callable[[DataFrame], DataFrame]:
    """Add `_rank`: 1 for the first delivery of each event key among valid rows (already in Silver
    first, then earliest ingest_date, source_file, content hash)."""
    return _ranked(
        key,
        [
            F.col("_existing").desc(),
            F.col("ingest_date").asc_nulls_last(),
            F.col("source_file").asc_nulls_last(),
            F.col("_row_hash").asc(),
        ],
    )


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
