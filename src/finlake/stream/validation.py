"""Silver's row validation, in pure Python, for one streamed record: the same reasons, in the same order.

Reads the contract (`finlake.contracts.bronze`: columns, types, required, codes, ranges) and the format
patterns (`finlake.contracts.formats`) that Silver's Spark validation reads, and mirrors Spark's casts:
strings trimmed of spaces (an empty field is null), codes upper-cased, a value must match its type's
pattern before it is cast, decimals widened to decimal(38,10) then rounded HALF_UP to the column's scale,
timestamps without an offset are UTC. ORPHAN_FK needs the accounts table and stays Silver's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from finlake.contracts.bronze import REASONS
from finlake.contracts.formats import (
    DATE_FORMAT,
    DECIMAL_FORMAT,
    INTEGER_FORMAT,
    REPLACEMENT_CHAR,
    TIMESTAMP_FORMAT,
    WIDE_NUMBER,
)
from finlake.contracts.model import Column, Entity

_DATE = re.compile(DATE_FORMAT, re.ASCII)
_TIMESTAMP = re.compile(TIMESTAMP_FORMAT, re.ASCII)
_DECIMAL = re.compile(DECIMAL_FORMAT, re.ASCII)
_INTEGER = re.compile(INTEGER_FORMAT, re.ASCII)
_TIMESTAMP_PARTS = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):?(\d{2})?)?", re.ASCII
)
_DECIMAL_TYPE = re.compile(r"decimal\((\d+),\s*(\d+)\)")
MAX_OFFSET = timedelta(hours=18)  # java.time.ZoneOffset's range, which Spark's cast uses


@dataclass(frozen=True)
class Checked:
    values: dict[str, Any]  # typed values (None where empty or unparseable)
    reasons: tuple[str, ...]  # REASONS codes, in catalogue order; empty when valid


def clean(raw: object) -> str | None:
    """Spark's trim (spaces only), empty -> null."""
    if raw is None:
        return None
    text = str(raw).strip(" ")
    return text or None


def parse_timestamp(text: str) -> datetime | None:
    """An ISO-8601 timestamp as Spark casts it (UTC when no offset), or None."""
    m = _TIMESTAMP_PARTS.fullmatch(text)
    if not m:
        return None
    year, month, day, hour, minute = (int(g) for g in m.group(1, 2, 3, 4, 5))
    second = int(m[6] or 0)
    micros = int((m[7] or "").ljust(6, "0")[:6] or 0)  # Spark keeps microseconds, drops the rest
    tz: timezone = UTC
    if m[9]:
        offset = timedelta(hours=int(m[10]), minutes=int(m[11] or 0))
        if int(m[11] or 0) > 59 or offset > MAX_OFFSET:
            return None
        tz = timezone(offset if m[9] == "+" else -offset)
    try:
        return datetime(year, month, day, hour, minute, second, micros, tzinfo=tz).astimezone(UTC)
    except ValueError:
        return None


def _fit(value: Decimal, precision: int, scale: int) -> Decimal | None:
    """Spark's decimal cast: round HALF_UP to the scale; null when the integer part does not fit."""
    rounded = value.quantize(Decimal(1).scaleb(-scale), ROUND_HALF_UP)
    return rounded if abs(rounded) < Decimal(10) ** (precision - scale) else None


def _precision(type_string: str) -> tuple[int, int]:
    m = _DECIMAL_TYPE.fullmatch(type_string)
    return (int(m[1]), int(m[2])) if m else (38, 0)


def _number(column: Column, text: str, reasons: set[str]) -> Any:
    integral = column.type in {"int", "bigint"}
    if not (_INTEGER if integral else _DECIMAL).match(text):
        reasons.add("BAD_NUMBER")
        return None
    try:
        wide = _fit(Decimal(text), *_precision(WIDE_NUMBER))
    except InvalidOperation:
        wide = None
    target = (19, 0) if integral else (38, 10) if column.type == "double" else _precision(column.type)
    value = None if wide is None else _fit(wide, *target)
    low, high = column.decimal_range
    too_big = value is None or (low is not None and wide < low) or (high is not None and wide > high)  # type: ignore[operator]
    if too_big:
        reasons.add("OUT_OF_RANGE")
        return None
    if column.type == "double":
        return float(wide)  # type: ignore[arg-type]
    return int(value) if integral else value  # type: ignore[arg-type]


def _bad(reasons: set[str], code: str) -> None:
    reasons.add(code)


def _field(column: Column, text: str | None, reasons: set[str]) -> Any:
    if text is None:
        if column.required:
            reasons.add("MISSING_REQUIRED")
        return None
    if column.type == "timestamp":
        ts = parse_timestamp(text) if _TIMESTAMP.match(text) else None
        if ts is None:
            reasons.add("BAD_DATE")
        return ts
    if column.type == "date":
        try:
            return date.fromisoformat(text) if _DATE.match(text) else _bad(reasons, "BAD_DATE")
        except ValueError:
            return _bad(reasons, "BAD_DATE")
    if column.type in {"int", "bigint", "double"} or column.type.startswith("decimal"):
        return _number(column, text, reasons)
    if column.codes:
        code = text.upper()
        if code not in column.codes:
            reasons.add("UNKNOWN_CODE")
        return code
    return text


def check(entity: Entity, raw: dict[str, object]) -> Checked:
    """Raw field values (strings, as in a Bronze row) -> typed values and every reason that applies."""
    missing = [name for name in entity.column_names if name not in raw]
    if missing:
        return Checked({}, ("MISSING_COLUMN",))
    reasons: set[str] = set()
    if any(REPLACEMENT_CHAR in str(raw[name]) for name in entity.column_names if raw[name] is not None):
        reasons.add("BAD_ENCODING")
    values = {c.name: _field(c, clean(raw[c.name]), reasons) for c in entity.columns}
    return Checked(values, tuple(code for code in REASONS.codes if code in reasons))
