"""The two kinds of DQDL condition: row-level predicates (a Spark column, for ColumnValues) and
metric-level checks (a number against a condition, with earlier runs' values for dynamic rules).

Semantics, matching Glue where it documents them: `between` is exclusive; ColumnValues fails NULL
rows unless the condition is negated (`!=`, `not in`, `not between`, `not matches`) or lists NULL;
`matches` must match the whole value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pyspark.sql import Column
from pyspark.sql import functions as F

from finlake.quality.dqdl import BinOp, Call, Condition, DqdlError, Num, NumberExpr, Special, Value

# --- row-level predicates (ColumnValues) ----------------------------------------------------------


def _static(value: Value) -> float:
    assert isinstance(value, Num | BinOp)
    return _scalar(number(value, ()))


def _literal(value: Value) -> Any:
    return value if isinstance(value, str) else _static(value)


def _membership(col: Column, cond: Condition) -> Column:
    """`in [...]`: plain values, plus the special NULL, EMPTY and WHITESPACES_ONLY members."""
    ops = cond.operands
    plain = [_literal(v) for v in ops if not isinstance(v, Special)]
    member = F.coalesce(col.isin(*plain), F.lit(False)) if plain else F.lit(False)
    if Special.NULL in ops:
        member = member | col.isNull()
    if Special.EMPTY in ops:
        member = member | F.coalesce(col == "", F.lit(False))
    if Special.WHITESPACES_ONLY in ops:
        member = member | F.coalesce((F.trim(col) == "") & (F.length(col) > 0), F.lit(False))
    return ~member if cond.negated else member


def _comparison(col: Column, op: str, operands: Sequence[Value]) -> Column:
    if op == "between":
        return (col > F.lit(_static(operands[0]))) & (col < F.lit(_static(operands[1])))
    if op == "matches":
        return col.rlike(f"^(?:{operands[0]})$")
    value = F.lit(_literal(operands[0]))
    return {
        ">": col > value,
        ">=": col >= value,
        "<": col < value,
        "<=": col <= value,
        "=": col == value,
        "!=": col != value,
    }[op]


def row_predicate(col: Column, cond: Condition) -> Column:
    """True where the row satisfies the condition; NULL rows fail unless the condition is negated."""
    op, ops = cond.op, cond.operands
    if op == "in":
        return _membership(col, cond)
    if op in ("=", "!=") and ops[0] is Special.NULL:
        return col.isNull() if op == "=" else col.isNotNull()
    test = _comparison(col, op, ops)
    negated = cond.negated or op == "!="
    if cond.negated:
        test = ~test
    return F.coalesce(test, F.lit(negated))


# --- metric-level conditions (with history for dynamic rules) -------------------------------------


class NoHistory(Exception):
    """A dynamic rule (`last()`) on the first run: there is nothing to compare with yet."""


_AGGREGATES: dict[str, Callable[[list[float]], float]] = {
    "avg": lambda xs: sum(xs) / len(xs),
    "min": min,
    "max": max,
}


def number(expr: NumberExpr, history: Sequence[float]) -> float | list[float]:
    """The value of a number expression; `last(k)` reads the newest k values of `history`."""
    if isinstance(expr, Num):
        return expr.value
    if isinstance(expr, BinOp):
        left, right = _scalar(number(expr.left, history)), _scalar(number(expr.right, history))
        return {"+": left + right, "-": left - right, "*": left * right, "/": left / right}[expr.op]
    assert isinstance(expr, Call)
    if expr.name == "last":
        k = int(_scalar(number(expr.args[0], history))) if expr.args else 1
        if not history:
            raise NoHistory
        return list(history[:k])
    values: list[float] = []
    for arg in expr.args:
        v = number(arg, history)
        values.extend(v if isinstance(v, list) else [v])
    if expr.name not in _AGGREGATES:
        raise DqdlError(f"function {expr.name}() is not supported (use last, avg, min, max)")
    return _AGGREGATES[expr.name](values)


def _scalar(value: float | list[float]) -> float:
    if isinstance(value, list):
        if len(value) != 1:
            raise DqdlError("last(k) with k > 1 must be wrapped in avg(), min() or max()")
        return value[0]
    return value


def holds(cond: Condition, value: float, history: Sequence[float]) -> bool:
    """Whether a rule's metric `value` satisfies `cond`; raises NoHistory for a first dynamic run."""
    ops = [_scalar(number(v, history)) for v in cond.operands]  # type: ignore[arg-type]
    result = {
        "between": lambda: ops[0] < value < ops[1],
        ">": lambda: value > ops[0],
        ">=": lambda: value >= ops[0],
        "<": lambda: value < ops[0],
        "<=": lambda: value <= ops[0],
        "=": lambda: value == ops[0],
        "!=": lambda: value != ops[0],
        "in": lambda: value in ops,
    }[cond.op]()
    return not result if cond.negated else result
