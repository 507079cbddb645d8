"""Typing and validation of raw Bronze rows: every reason a row cannot be made valid, in one array.

Strings are trimmed (an empty field is null), codes upper-cased, dates/timestamps/numbers parsed
with Spark built-ins guarded by a format check (Spark's casts are lenient: `CAST('12.5' AS INT)` is
12, `CAST('2024' AS DATE)` is 2024-01-01, so a value must first look like its type). Reason codes are
listed in `REASONS` order; see its comment for precedence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pyspark.sql import Column as SparkColumn
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from finlake.contracts.bronze import REASONS
from finlake.contracts.formats import (  # declared once; the stream monitor checks the same formats
    DATE_FORMAT,
    DECIMAL_FORMAT,
    INTEGER_FORMAT,
    REPLACEMENT_CHAR,
    TIMESTAMP_FORMAT,
    WIDE_NUMBER,
)
from finlake.contracts.model import Column, Entity

STRUCTURAL = ("MISSING_COLUMN", "MALFORMED_ROW")


@dataclass(frozen=True)
class _Parsed:
    value: SparkColumn  # the typed value (null if empty or unparseable)
    checks: dict[str, SparkColumn]  # reason code -> condition that is true when the reason applies
    # Parses computed once in a first projection: `value` and `checks` refer to them by name, so a
    # format regex or a decimal cast runs once per field instead of once per check that needs it.
    staged: dict[str, SparkColumn] = field(default_factory=dict)
    # What is computed from the staged parses, in a second projection: a number's value and range
    # check read its wide decimal once there (the final projection, which builds the reasons array,
    # runs outside whole-stage code generation and decoded the wide decimal once per reference).
    checked: dict[str, SparkColumn] = field(default_factory=dict)


def clean(raw: SparkColumn) -> SparkColumn:
    """Trimmed; empty becomes null."""
    trimmed = F.trim(raw)
    return F.when(trimmed != "", trimmed)


def _text(column: Column) -> str:
    return f"_text_{column.name}"


def _is_numeric(column: Column) -> bool:
    return column.type in {"int", "bigint", "double"} or column.type.startswith("decimal")


def _parse(column: Column, text: SparkColumn) -> _Parsed:
    present = text.isNotNull()
    checks: dict[str, SparkColumn] = {}
    staged: dict[str, SparkColumn] = {}
    checked: dict[str, SparkColumn] = {}
    if column.type in {"date", "timestamp"}:
        pattern = DATE_FORMAT if column.type == "date" else TIMESTAMP_FORMAT
        typed = f"_typed_{column.name}"
        staged[typed] = F.when(text.rlike(pattern), text.cast(column.type))
        value = F.col(typed)
        checks["BAD_DATE"] = present & value.isNull()
    elif _is_numeric(column):
        looks, wide = f"_looks_numeric_{column.name}", f"_wide_{column.name}"
        staged[looks] = text.rlike(INTEGER_FORMAT if column.type in {"int", "bigint"} else DECIMAL_FORMAT)
        staged[wide] = F.when(F.col(looks), text.cast(WIDE_NUMBER))
        looks_numeric, wide_value = F.col(looks), F.col(wide)
        typed, out_of_range = f"_typed_{column.name}", f"_out_of_range_{column.name}"
        checked[typed] = wide_value.cast(column.type)
        too_big = wide_value.isNull() | F.col(typed).isNull()  # more digits than even the wide type holds
        low, high = column.decimal_range  # compared as decimals, exactly as the stream monitor does
        if low is not None:
            too_big = too_big | (wide_value < F.lit(low).cast(WIDE_NUMBER))
        if high is not None:
            too_big = too_big | (wide_value > F.lit(high).cast(WIDE_NUMBER))
        checked[out_of_range] = present & looks_numeric & too_big
        value = F.col(typed)
        checks["BAD_NUMBER"] = present & ~looks_numeric
        checks["OUT_OF_RANGE"] = F.col(out_of_range)
    elif column.codes:
        value = F.upper(text)
        checks["UNKNOWN_CODE"] = present & ~value.isin(*column.codes)
    else:
        value = text
    if column.required:
        checks["MISSING_REQUIRED"] = ~present
    return _Parsed(value.cast(column.type), checks, staged, checked)


def _reasons(parsed: dict[str, _Parsed], entity: Entity) -> SparkColumn:
    has_bad_bytes = F.lit(False)
    for name in entity.column_names:
        has_bad_bytes = has_bad_bytes | F.col(name).contains(REPLACEMENT_CHAR)
    per_code: list[SparkColumn] = []
    any_fired: SparkColumn = F.lit(False)
    for code in REASONS.codes:
        conditions = [p.checks[code] for p in parsed.values() if code in p.checks]
        if code == "BAD_ENCODING":
            conditions = [has_bad_bytes]
        if conditions:
            fired = conditions[0]
            for c in conditions[1:]:
                fired = fired | c
            per_code.append(F.when(fired, F.lit(code)))
            any_fired = any_fired | fired
    # The array is built (and its nulls filtered, which Spark runs interpreted) only for a row that
    # has a reason; a valid row gets the empty array straight away: ~25-30% of the validation's CPU
    # at 1M rows (docs/benchmarks.md, session 7).
    no_reasons = F.array().cast("array<string>")
    field_reasons = F.when(any_fired, F.array_compact(F.array(*per_code))).otherwise(no_reasons)
    structural = F.col("structural_reason")
    return F.when(structural.isNotNull(), F.array(structural)).otherwise(field_reasons)


def validate(entity: Entity) -> Callable[[DataFrame], DataFrame]:
    """Raw frame (see reader.py) -> typed contract columns, `raw` (the values as read), `raw_line`,
    `reasons` (array of codes, empty when the row is valid), `source_file`, `ingest_date`.

    Grain: one row per Bronze row, unchanged.
    """

    def transform(raw: DataFrame) -> DataFrame:
        # Each field is trimmed once, in a projection of its own: every parse and check reads it.
        texts = [clean(F.col(c.name)).alias(_text(c)) for c in entity.columns]
        parsed = {c.name: _parse(c, F.col(_text(c))) for c in entity.columns}
        staged = [expr.alias(name) for p in parsed.values() for name, expr in p.staged.items()]
        checked = [expr.alias(name) for p in parsed.values() for name, expr in p.checked.items()]
        return (
            raw.select("*", *texts)
            .select("*", *staged)
            .select("*", *checked)
            .select(
                *[parsed[c.name].value.alias(c.name) for c in entity.columns],
                F.struct(*[F.col(c) for c in entity.column_names]).alias("raw"),
                "raw_line",
                _reasons(parsed, entity).alias("reasons"),
                "source_file",
                "ingest_date",
            )
        )

    return transform


def is_valid() -> SparkColumn:
    return F.size("reasons") == 0
