"""Conflicting re-deliveries: the same transaction_id delivered again with different business fields.

A re-delivered event is normally an exact copy (a retried upload) and is dropped as DUPLICATE_DELIVERY.
When the copy's business fields differ from the first delivery's (another amount, account, time,
direction, ...), the source has changed its mind about a booked event, which an operator must see: the
run report lists it under `conflicts` (count and examples: the id, both values, both files).

It is *not* quarantined: the first delivery stays in Silver (events are immutable and first delivery
wins, so Silver and the compliance alerts built from it do not change with the order files are
re-sent in), the copy is counted once, as a duplicate, and its values stay in Bronze, which is kept
as delivered: the report names the file to look at. The free-text description is not compared (a
source may re-render it); every other contract column is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from finlake.contracts.model import Entity
from finlake.silver.dedupe import RANK

CONTENT_HASH = "_content_hash"
NOT_COMPARED = ("description",)
EXAMPLES = 5


def compared_columns(entity: Entity) -> list[str]:
    return [c for c in entity.column_names if c != entity.key and c not in NOT_COMPARED]


def with_content_hash(entity: Entity) -> Callable[[DataFrame], DataFrame]:
    """Add `_content_hash` over the typed business fields (the same on Bronze rows and Silver rows)."""

    def transform(df: DataFrame) -> DataFrame:
        return df.withColumn(CONTENT_HASH, F.xxhash64(*[F.col(c) for c in compared_columns(entity)]))

    return transform


def find_conflicts(
    ranked: DataFrame, entity: Entity, duplicate_kind: str, few_copies: bool = False, limit: int = EXAMPLES
) -> dict[str, Any]:
    """{"count": n, "examples": [...]}: this run's duplicates whose business fields differ from the
    delivery that won (in Silver already, or earlier in the batch). Empty when there are none.
    `few_copies`: the duplicates fit a broadcast, so the winners are probed, not shuffled (at 16M
    transactions that join shuffled ~0.5 GiB of winners for a few thousand copies)."""
    key = entity.key
    shown = ["amount", "account_id", "booked_at", "source_file"]
    copies = ranked.where(~F.col("_existing") & (F.col("outcome") == duplicate_kind)).select(
        key, CONTENT_HASH, *[F.col(c).alias(f"redelivered_{c}") for c in shown]
    )
    first = ranked.where(F.col(RANK) == 1).select(
        key, F.col(CONTENT_HASH).alias("_first_hash"), *[F.col(c).alias(f"first_{c}") for c in shown]
    )
    conflicting = (
        (F.broadcast(copies) if few_copies else copies)
        .join(first, on=key, how="inner")
        .where(F.col(CONTENT_HASH) != F.col("_first_hash"))
    )
    row = conflicting.agg(
        F.count(F.lit(1)).alias("n"),
        F.slice(
            F.array_sort(
                F.collect_list(F.struct(key, *[f"first_{c}" for c in shown], *[f"redelivered_{c}" for c in shown]))
            ),
            1,
            limit,
        ).alias("examples"),
    ).first()
    if not row or not row["n"]:
        return {}
    examples = [{k: (str(v) if v is not None else None) for k, v in e.asDict().items()} for e in row["examples"]]
    return {"count": int(row["n"]), "examples": examples}
