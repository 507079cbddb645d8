"""The circuit breaker: a delivery whose quarantine rate for an entity exceeds a declared threshold
fails the run *before* anything is published (so a feed that changed its codes overnight does not
quietly empty Silver into the quarantine).

`evaluate` is a pure function of the counts the job aggregates anyway (`_count` in job.py); only a
tripped breaker costs one more small Spark query, for the example values of the dominant reason.
An operator who has looked at the data can proceed with `--accept-quarantine-rate RATE`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pyspark.sql import Column as SparkColumn
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from finlake.contracts.bronze import ENTITIES
from finlake.contracts.model import Column, Entity
from finlake.errors import FinlakeError

# Declared: above this share of a delivery's rows quarantined, the run stops (a few percent of rows
# are expected to be bad; a tenth is a broken feed, not dirty data).
DEFAULT_MAX_QUARANTINE_RATE = 0.05
MIN_ROWS = 20  # below this a rate says little: three bad rows of ten are not a broken feed
EXAMPLES = 3


class QuarantineRateExceeded(FinlakeError):
    """The breaker tripped: too much of a delivery went to the quarantine."""


@dataclass(frozen=True)
class Trip:
    entity: str
    rows_read: int
    rows_quarantined: int
    threshold: float
    reason: str  # the dominant reason code
    reason_rows: int

    @property
    def rate(self) -> float:
        return self.rows_quarantined / self.rows_read

    def message(self, examples: list[str]) -> str:
        shown = f": e.g. {', '.join(examples)}" if examples else ""
        return (
            f"{self.entity}: {self.rate:.1%} of the delivery's rows quarantined ({self.rows_quarantined:,} of "
            f"{self.rows_read:,}), above the {self.threshold:.1%} threshold; mostly {self.reason} "
            f"({self.reason_rows:,} rows){shown}. Nothing was published; fix the feed, or rerun with "
            f"--accept-quarantine-rate {min(1.0, self.rate + 0.0005):.3f} to load it anyway"
        )


def evaluate(
    entity: str, counts: Mapping[str, Any], threshold: float = DEFAULT_MAX_QUARANTINE_RATE, min_rows: int = MIN_ROWS
) -> Trip | None:
    """The trip, if the delivery's quarantine rate is above `threshold` (rows_read >= min_rows)."""
    read, quarantined = int(counts.get("rows_read") or 0), int(counts.get("rows_quarantined") or 0)
    if read < min_rows or quarantined <= threshold * read:
        return None
    reasons = {k.removeprefix("reason_"): int(v or 0) for k, v in counts.items() if k.startswith("reason_")}
    reason, n = max(reasons.items(), key=lambda kv: kv[1], default=("UNKNOWN", 0))
    return Trip(entity, read, quarantined, threshold, reason, n)


def _failing(column: Column, reason: str) -> SparkColumn | None:
    """True where this column's raw value is what gave the row `reason` (None: not this column)."""
    raw = F.trim(F.col(f"raw.{column.name}"))
    present = raw.isNotNull() & (raw != "")
    if reason == "UNKNOWN_CODE" and column.codes:
        return present & ~F.upper(raw).isin(*column.codes)
    if reason == "MISSING_REQUIRED" and column.required:
        return ~present
    typed = F.col(column.name)  # after validation: the typed value, null where it did not parse
    numeric = column.type in ("int", "bigint", "double") or column.type.startswith("decimal")
    if (reason == "BAD_DATE" and column.type in ("date", "timestamp")) or (reason == "BAD_NUMBER" and numeric):
        return present & typed.isNull()
    if reason == "OUT_OF_RANGE" and numeric:
        outside = typed.isNull()
        if column.min_value is not None:
            outside = outside | (typed < F.lit(column.min_value))
        if column.max_value is not None:
            outside = outside | (typed > F.lit(column.max_value))
        return present & outside
    if reason == "BAD_ENCODING":
        return raw.contains("\ufffd")
    return None


def example_values(ranked: DataFrame, entity: Entity, reason: str, limit: int = EXAMPLES) -> list[str]:
    """The most frequent offending `column='value'` pairs among this batch's rows with `reason`.
    Personal data is never shown: for a PII column only its name is."""
    rows = ranked.where(~F.col("_existing") & F.array_contains("reasons", reason))
    fks = {fk.column for fk in entity.foreign_keys}
    parts = []
    for column in entity.columns:
        cond = F.lit(True) if reason == "ORPHAN_FK" and column.name in fks else _failing(column, reason)
        if cond is not None:
            value = F.lit("<personal data>") if column.pii else F.col(f"raw.{column.name}")
            parts.append(rows.where(cond).select(F.lit(column.name).alias("c"), value.cast("string").alias("v")))
    if not parts:  # structural reasons: the file is the example, its lines may hold anything
        parts.append(rows.select(F.lit("file").alias("c"), F.col("source_file").alias("v")))
    union = parts[0]
    for p in parts[1:]:
        union = union.unionByName(p)
    top = union.groupBy("c", "v").count().orderBy(F.desc("count"), "c", "v").limit(limit).collect()
    return [f"{r['c']}={r['v']!r} ({r['count']:,})" for r in top]


def check(entity: str, counts: Mapping[str, Any], ranked: DataFrame, accepted: float | None = None) -> None:
    """Raise QuarantineRateExceeded (one line) if the breaker trips; `accepted` overrides the threshold."""
    threshold = DEFAULT_MAX_QUARANTINE_RATE if accepted is None else accepted
    trip = evaluate(entity, counts, threshold)
    if trip is not None:
        raise QuarantineRateExceeded(trip.message(example_values(ranked, ENTITIES[entity], trip.reason)))
