"""Deduplication: latest change record per key wins; an event delivered twice is kept once.

Both rankings run over this run's rows *and* what Silver already holds (`_existing` true), so one
window decides merge and dedupe together. Ties are broken on lineage and a content hash, so the
same input always yields the same winner, whichever run processes it.

Events are mostly unique: `split_repeated` parts the rows on the keys that occur more than once, so
the window (a shuffle and sort) ranks only their rows and every other valid row is rank 1, instead of
a window over every row (at 5M transactions the window was ~1/6 of Silver's executor CPU and a
443 MiB shuffle).
"""

from __future__ import annotations

from collections.abc import Callable

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from finlake.silver.validation import is_valid

RANK = "_rank"
KEY_HASH = "_key_hash"


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


def rank_unique() -> Callable[[DataFrame], DataFrame]:
    """Add `_rank` to rows whose key occurs once among the valid rows (`split_repeated`'s first part):
    1 if valid, what the window would give them without sorting anything."""

    def transform(df: DataFrame) -> DataFrame:
        return df.withColumn(RANK, F.when(is_valid(), F.lit(1)))

    return transform


def with_key_hash(key: str) -> Callable[[DataFrame], DataFrame]:
    """Add `_key_hash`, a 64-bit hash of the key: finding the repeated keys and splitting on them
    compares fixed-width longs instead of strings. A collision only sends a unique key's rows to the
    window, which ranks by the key itself, so it cannot change a rank."""

    def transform(df: DataFrame) -> DataFrame:
        return df.withColumn(KEY_HASH, F.xxhash64(F.col(key)))

    return transform


def repeated_keys(rows: DataFrame) -> DataFrame:
    """The `_key_hash` of every key occurring more than once among the valid rows: one aggregate of
    that column alone (a valid row's key is never null: keys are required)."""
    return rows.where(is_valid()).groupBy(KEY_HASH).count().where(F.col("count") > 1).select(KEY_HASH)


def split_repeated(rows: DataFrame, repeated: DataFrame) -> tuple[DataFrame, DataFrame]:
    """(rows whose key occurs once, rows of the `repeated` keys). Events are mostly unique: only the
    second part needs the window (`rank_events`), the first is `rank_unique`. `repeated` must be small
    enough to broadcast: both parts are a hash probe of every row, no shuffle."""
    hashes = F.broadcast(repeated.select(KEY_HASH))
    return rows.join(hashes, on=KEY_HASH, how="left_anti"), rows.join(hashes, on=KEY_HASH, how="left_semi")


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
