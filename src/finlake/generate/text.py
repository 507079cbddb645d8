"""Vectorised formatting of numbers, dates and ids into the strings Bronze CSV holds (pyarrow compute)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from finlake.generate.timeline import SECONDS_PER_DAY


def _with_nulls(values: pa.Array, missing: np.ndarray | None) -> pa.Array:
    if missing is None or not missing.any():
        return values
    return pc.if_else(pa.array(missing), pa.nulls(len(values), pa.string()), values)


def ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """`prefix` + zero-padded number, e.g. ids("C", [1], 7) -> C0000001."""
    digits = pc.utf8_lpad(pa.array(np.asarray(numbers, dtype=np.int64)).cast(pa.string()), width, "0")
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, "")


def money_cents(cents: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    """Exact decimal text from integer cents: -1234 -> '-12.34'."""
    cents = np.asarray(cents, dtype=np.int64)
    whole = pa.array(np.abs(cents) // 100).cast(pa.string())
    frac = pc.utf8_lpad(pa.array(np.abs(cents) % 100).cast(pa.string()), 2, "0")
    sign = pc.if_else(pa.array(cents < 0), pa.scalar("-"), pa.scalar(""))
    return _with_nulls(pc.binary_join_element_wise(sign, whole, ".", frac, ""), missing)


def money(values: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    values = np.nan_to_num(np.asarray(values, dtype=float))
    return money_cents(np.round(values * 100).astype(np.int64), missing)


def integers(values: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(values, dtype=np.int64)).cast(pa.string())


def dates(days: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    """Day numbers as YYYY-MM-DD."""
    values = pa.array(np.asarray(days, dtype=np.int64).astype(np.int32), type=pa.int32()).cast(pa.date32())
    return _with_nulls(values.cast(pa.string()), missing)


def timestamps(days: np.ndarray, seconds: np.ndarray) -> pa.Array:
    """ISO-8601 local timestamps without zone: YYYY-MM-DDTHH:MM:SS."""
    epoch_seconds = np.asarray(days, dtype=np.int64) * SECONDS_PER_DAY + np.asarray(seconds, dtype=np.int64)
    values = pa.array(epoch_seconds, type=pa.timestamp("s")).cast(pa.string())  # 'YYYY-MM-DD HH:MM:SS'
    return pc.replace_substring(values, " ", "T")  # much faster than pc.strftime


def take(strings: list[str] | tuple[str, ...] | np.ndarray, index: np.ndarray) -> pa.Array:
    return pa.array(list(strings), type=pa.string()).take(pa.array(np.asarray(index, dtype=np.int64)))


def strings(values: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    return _with_nulls(pa.array(np.asarray(values).astype(str), type=pa.string()), missing)
