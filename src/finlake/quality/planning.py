"""Planning a table's single pass: what a rule adds to the one aggregation (`Plan`), and the state the
rules of one table share while they are planned (`Planner`: aggregate names, reference joins, checks
of columns and SQL). Which plan each rule type makes is in `rule_types`."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from finlake.quality.dqdl import Rule


@dataclass
class Plan:
    """What one rule adds to the single pass, and how to turn the collected values into a result."""

    metric: str
    aggregates: dict[str, Column] = field(default_factory=dict)
    judge: Callable[[Mapping[str, Any]], tuple[float | None, str]] | None = None
    default_pass: Callable[[float], bool] | None = None  # for rules without a condition
    error: str = ""  # the rule cannot be evaluated (unknown column, bad SQL): it fails with this
    standalone: Callable[[], float | None] | None = None  # CustomSql that needs its own query
    # Distinct counts are aggregated apart from the rest: mixed with other aggregates Spark expands
    # every row once per distinct group (Expand), which made the silver.transactions gate 2-3x slower.
    distinct_aggregates: dict[str, Column] = field(default_factory=dict)
    # The columns each distinct aggregate counts: a count over appended rows is merged with the
    # earlier one through them (evaluate.Appended). Every other aggregate is a count, so it adds up.
    distinct_keys: dict[str, tuple[str, ...]] = field(default_factory=dict)


def ratio(part: Any, whole: Any) -> float:
    """part / whole, and 1.0 over zero rows (nothing violates)."""
    return 1.0 if not whole else float(part) / float(whole)


def rule_columns(rule: Rule) -> list[str]:
    """The columns a rule names, whether as several parameters or one comma-separated list."""
    return [c.strip() for p in rule.parameters for c in p.split(",") if c.strip()]


def all_present(columns: Sequence[str]) -> Column:
    """True where none of `columns` is NULL."""
    complete = F.lit(True)
    for c in columns:
        complete = complete & F.col(c).isNotNull()
    return complete


class Planner:
    """One table's planning state: the frame the pass aggregates (it grows a left join per
    ReferentialIntegrity rule), the reference datasets, and unique names for the aggregates."""

    def __init__(self, df: DataFrame, table: str, references: Mapping[str, DataFrame]):
        self.df = df
        self.source = df
        self.table = table
        self.references = references
        self.ref_counts: dict[str, str] = {}  # alias -> aggregate name of its row count
        self._named = 0

    def name(self, suffix: str) -> str:
        self._named += 1
        return f"__dq{self._named}_{suffix}"

    def missing(self, columns: Sequence[str]) -> str:
        unknown = [c for c in columns if c not in self.df.columns]
        return f"column {', '.join(unknown)} not found in {self.table}" if unknown else ""

    def sql_error(self, expression: str) -> str:
        from pyspark.errors import AnalysisException

        try:
            self.df.select(F.expr(expression))  # analysed now, evaluated never
        except AnalysisException as exc:
            return f"invalid SQL {expression!r}: {str(exc).strip().splitlines()[0]}"
        return ""

    def scope(self, rule: Rule) -> Column:
        return F.expr(rule.where) if rule.where else F.lit(True)


_PRIMARY_VIEW = threading.Lock()  # one session-wide view name: tables evaluated concurrently take turns


def run_sql(df: DataFrame, sql: str) -> float | None:
    """A CustomSql that cannot be folded: its own query, over a temporary view named `primary`."""
    with _PRIMARY_VIEW:
        df.createOrReplaceTempView("primary")
        try:
            row = df.sparkSession.sql(sql).first()
        finally:
            df.sparkSession.catalog.dropTempView("primary")
    return None if row is None or row[0] is None else float(row[0])
