"""Evaluate a DQDL ruleset on a Spark DataFrame: real Spark code, one aggregation pass per table.

Every rule contributes aggregate expressions to a single `agg` over the table (reference datasets
join in as left joins or cross-joined counts), so a table's whole ruleset costs ONE Spark action.
Only a `CustomSql` that is not of the form `select count(*) from primary [where ...]` needs a query
of its own; that form is folded into the same pass as a `count_if`.

Metric names follow Glue's (`Dataset.*.RowCount`, `Column.<c>.Completeness`, ...), so results read
the same as EvaluateDataQuality's; values of earlier runs (the `history`) feed dynamic rules such
as `RowCount >= last(1) * 0.9`.

Semantics, matching Glue where it documents them: `between` is exclusive; ColumnValues fails NULL
rows unless the condition is negated (`!=`, `not in`, `not between`, `not matches`) or lists NULL;
`matches` must match the whole value; ratios over zero rows count as 1.0 (nothing violates);
ReferentialIntegrity is the share of rows with all key columns present whose key exists in the
reference dataset.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from finlake.quality.dqdl import (
    BinOp,
    Call,
    Condition,
    DqdlError,
    Num,
    NumberExpr,
    Rule,
    Ruleset,
    Severity,
    Special,
    Value,
    is_static,
)

PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"

# rule type -> (needs a condition, accepts a where clause)
SUPPORTED_RULE_TYPES: dict[str, tuple[bool, bool]] = {
    "RowCount": (True, True),
    "IsComplete": (False, True),
    "Completeness": (True, True),
    "IsUnique": (False, False),
    "IsPrimaryKey": (False, False),
    "ColumnValues": (True, True),
    "ReferentialIntegrity": (True, False),
    "RowCountMatch": (True, False),
    "CustomSql": (True, False),
}

_COUNT_SQL = re.compile(
    r"^\s*select\s+count\(\s*\*\s*\)\s+from\s+primary(?:\s+where\s+(?P<cond>.+?))?\s*;?\s*$", re.I | re.S
)

History = Mapping[str, Sequence[float]]  # metric key (`table:metric`) -> values of earlier runs, newest first


@dataclass(frozen=True)
class RuleResult:
    table: str
    rule: str
    rule_type: str
    severity: str
    outcome: str  # passed | failed | skipped
    metric: str
    value: float | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def blocking_failure(self) -> bool:
        return self.outcome == FAILED and self.severity == Severity.BLOCKING

    def one_line(self) -> str:
        return f"{self.table} {self.rule} ({self.message})"


@dataclass(frozen=True)
class Evaluation:
    table: str
    results: tuple[RuleResult, ...]
    row_count: int
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def blocking_failures(self) -> list[RuleResult]:
        return [r for r in self.results if r.blocking_failure]

    @property
    def warnings(self) -> list[RuleResult]:
        return [r for r in self.results if r.outcome == FAILED and r.severity == Severity.WARNING]


def validate_ruleset(ruleset: Ruleset) -> None:
    """Reject rules this evaluator cannot run, when the rules are loaded rather than mid-job."""
    for rule in ruleset.rules:
        where = f"{ruleset.name}:{rule.line}"
        if rule.rule_type not in SUPPORTED_RULE_TYPES:
            supported = ", ".join(SUPPORTED_RULE_TYPES)
            raise DqdlError(f"{where}: rule type {rule.rule_type} is not supported here (supported: {supported})")
        needs_condition, takes_where = SUPPORTED_RULE_TYPES[rule.rule_type]
        if needs_condition and rule.condition is None:
            raise DqdlError(f"{where}: {rule.rule_type} needs a condition, e.g. `> 0`")
        if not needs_condition and rule.condition is not None:
            raise DqdlError(f"{where}: {rule.rule_type} takes no condition")
        if rule.where and not takes_where:
            raise DqdlError(f"{where}: {rule.rule_type} does not take a where clause here")
        if rule.threshold is not None and rule.rule_type != "ColumnValues":
            raise DqdlError(f"{where}: only ColumnValues takes `with threshold`")
        expected = {"RowCount": 0, "RowCountMatch": 1, "ReferentialIntegrity": 2, "CustomSql": 1}
        count = expected.get(rule.rule_type)
        if (count is not None and len(rule.parameters) != count) or (count is None and not rule.parameters):
            raise DqdlError(f"{where}: wrong number of parameters for {rule.rule_type}")
        if rule.rule_type == "ColumnValues" and rule.condition is not None:
            if not all(is_static(v) for v in rule.condition.operands):
                raise DqdlError(f"{where}: ColumnValues compares each row, so its values cannot use last()/avg()")
        elif rule.condition is not None and any(isinstance(v, str) for v in rule.condition.operands):
            raise DqdlError(f"{where}: {rule.rule_type} compares a number; strings are not allowed")


# --- row-level predicates (ColumnValues) ----------------------------------------------------------


def _static(value: Value) -> float:
    assert isinstance(value, Num | BinOp)
    return _number(value, ())  # type: ignore[return-value]


def _literal(value: Value) -> Any:
    return value if isinstance(value, str) else _static(value)


def _predicate(col: Column, cond: Condition) -> Column:
    """True where the row satisfies the condition; NULL rows fail unless the condition is negated."""
    op, ops = cond.op, cond.operands
    if op == "in":
        plain = [_literal(v) for v in ops if not isinstance(v, Special)]
        member = F.coalesce(col.isin(*plain), F.lit(False)) if plain else F.lit(False)
        if Special.NULL in ops:
            member = member | col.isNull()
        if Special.EMPTY in ops:
            member = member | F.coalesce(col == "", F.lit(False))
        if Special.WHITESPACES_ONLY in ops:
            member = member | F.coalesce((F.trim(col) == "") & (F.length(col) > 0), F.lit(False))
        return ~member if cond.negated else member
    if op in ("=", "!=") and ops[0] is Special.NULL:
        return col.isNull() if op == "=" else col.isNotNull()
    if op == "between":
        test = (col > F.lit(_static(ops[0]))) & (col < F.lit(_static(ops[1])))
    elif op == "matches":
        test = col.rlike(f"^(?:{ops[0]})$")
    else:
        value = F.lit(_literal(ops[0]))
        test = {
            ">": col > value,
            ">=": col >= value,
            "<": col < value,
            "<=": col <= value,
            "=": col == value,
            "!=": col != value,
        }[op]
    negated = cond.negated or op == "!="
    if cond.negated:
        test = ~test
    return F.coalesce(test, F.lit(negated))


# --- metric-level conditions (with history for dynamic rules) -------------------------------------


class _NoHistory(Exception):
    pass


def _number(expr: NumberExpr, history: Sequence[float]) -> float | list[float]:
    if isinstance(expr, Num):
        return expr.value
    if isinstance(expr, BinOp):
        left, right = _scalar(_number(expr.left, history)), _scalar(_number(expr.right, history))
        return {"+": left + right, "-": left - right, "*": left * right, "/": left / right}[expr.op]
    assert isinstance(expr, Call)
    if expr.name == "last":
        k = int(_scalar(_number(expr.args[0], history))) if expr.args else 1
        if not history:
            raise _NoHistory
        return list(history[:k])
    values: list[float] = []
    for arg in expr.args:
        v = _number(arg, history)
        values.extend(v if isinstance(v, list) else [v])
    functions: dict[str, Callable[[list[float]], float]] = {
        "avg": lambda xs: sum(xs) / len(xs),
        "min": min,
        "max": max,
    }
    if expr.name not in functions:
        raise DqdlError(f"function {expr.name}() is not supported (use last, avg, min, max)")
    return functions[expr.name](values)


def _scalar(value: float | list[float]) -> float:
    if isinstance(value, list):
        if len(value) != 1:
            raise DqdlError("last(k) with k > 1 must be wrapped in avg(), min() or max()")
        return value[0]
    return value


def _holds(cond: Condition, value: float, history: Sequence[float]) -> bool:
    ops = [_scalar(_number(v, history)) for v in cond.operands]  # type: ignore[arg-type]
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


# --- planning: each rule's aggregates and how to judge them ---------------------------------------


@dataclass
class _Plan:
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


def _ratio(part: Any, whole: Any) -> float:
    return 1.0 if not whole else float(part) / float(whole)


def _columns(rule: Rule) -> list[str]:
    return [c.strip() for p in rule.parameters for c in p.split(",") if c.strip()]


class _Planner:
    def __init__(self, df: DataFrame, table: str, references: Mapping[str, DataFrame]):
        self.df = df  # grows a left join per ReferentialIntegrity rule
        self.source = df
        self.table = table
        self.references = references
        self.ref_counts: dict[str, str] = {}  # alias -> aggregate name of its row count
        self.n = 0

    def name(self, suffix: str) -> str:
        self.n += 1
        return f"__dq{self.n}_{suffix}"

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

    def plan(self, rule: Rule) -> _Plan:
        method = getattr(self, f"_plan_{rule.rule_type}")
        if rule.where and (error := self.sql_error(rule.where)):
            return _Plan(metric="", error=error)
        plan: _Plan = method(rule)
        return plan

    def _plan_RowCount(self, rule: Rule) -> _Plan:
        rows = self.name("rows")
        return _Plan(
            metric="Dataset.*.RowCount",
            aggregates={rows: F.count_if(self.scope(rule))},
            judge=lambda v: (float(v[rows]), f"{v[rows]:,} rows"),
        )

    def _completeness(self, rule: Rule, *, strict: bool) -> _Plan:
        col = rule.parameters[0]
        metric = f"Column.{col}.Completeness"
        if error := self.missing([col]):
            return _Plan(metric, error=error)
        scope, present, total = self.scope(rule), self.name("present"), self.name("total")
        plan = _Plan(
            metric,
            aggregates={present: F.count_if(scope & F.col(col).isNotNull()), total: F.count_if(scope)},
            judge=lambda v: (
                _ratio(v[present], v[total]),
                f"{v[total] - v[present]:,} of {v[total]:,} rows are null",
            ),
        )
        if strict:
            plan.default_pass = lambda value: value == 1.0
        return plan

    def _plan_IsComplete(self, rule: Rule) -> _Plan:
        return self._completeness(rule, strict=True)

    def _plan_Completeness(self, rule: Rule) -> _Plan:
        return self._completeness(rule, strict=False)

    def _uniqueness(self, rule: Rule, *, primary_key: bool) -> _Plan:
        cols = _columns(rule)
        metric = f"Column.{','.join(cols)}.{'PrimaryKeyViolations' if primary_key else 'DuplicateRows'}"
        if error := self.missing(cols):
            return _Plan(metric, error=error)
        complete = F.lit(True)
        for c in cols:
            complete = complete & F.col(c).isNotNull()
        keyed, distinct, total = self.name("keyed"), self.name("distinct"), self.name("total")
        aggregates = {keyed: F.count_if(complete), total: F.count(F.lit(1))}
        distinct_aggregates = {distinct: F.count_distinct(*[F.col(c) for c in cols])}

        def judge(v: Mapping[str, Any]) -> tuple[float, str]:
            duplicates = v[keyed] - v[distinct]
            nulls = v[total] - v[keyed]
            if primary_key:
                return float(duplicates + nulls), f"{duplicates:,} duplicate and {nulls:,} incomplete keys"
            return float(duplicates), f"{duplicates:,} rows repeat a value"

        return _Plan(
            metric, aggregates, judge, default_pass=lambda value: value == 0, distinct_aggregates=distinct_aggregates
        )

    def _plan_IsUnique(self, rule: Rule) -> _Plan:
        return self._uniqueness(rule, primary_key=False)

    def _plan_IsPrimaryKey(self, rule: Rule) -> _Plan:
        return self._uniqueness(rule, primary_key=True)

    def _plan_ColumnValues(self, rule: Rule) -> _Plan:
        col = rule.parameters[0]
        metric = f"Column.{col}.ColumnValues.Compliance"
        if error := self.missing([col]):
            return _Plan(metric, error=error)
        assert rule.condition is not None
        scope, ok, total = self.scope(rule), self.name("ok"), self.name("total")
        plan = _Plan(
            metric,
            aggregates={ok: F.count_if(scope & _predicate(F.col(col), rule.condition)), total: F.count_if(scope)},
            judge=lambda v: (
                _ratio(v[ok], v[total]),
                f"{v[total] - v[ok]:,} of {v[total]:,} rows do not satisfy `{rule.condition}`",
            ),
        )
        if rule.threshold is None:
            plan.default_pass = lambda value: value == 1.0
        return plan

    def _plan_ReferentialIntegrity(self, rule: Rule) -> _Plan:
        primary = [c.strip() for c in rule.parameters[0].split(",")]
        m = re.fullmatch(r"\s*([A-Za-z0-9_]+)\.\{?([^}]*)\}?\s*", rule.parameters[1])
        if not m:
            return _Plan("", error=f'reference must be "alias.{{col, ...}}", got {rule.parameters[1]!r}')
        alias, ref_cols = m[1], [c.strip() for c in m[2].split(",")]
        metric = f"Column.{alias}.ReferentialIntegrity"
        if error := self.missing(primary):
            return _Plan(metric, error=error)
        if alias not in self.references:
            return _Plan(metric, error=f"reference dataset {alias!r} was not provided")
        reference = self.references[alias]
        if unknown := [c for c in ref_cols if c not in reference.columns]:
            return _Plan(metric, error=f"column {', '.join(unknown)} not found in reference {alias}")
        if len(ref_cols) != len(primary):
            return _Plan(metric, error="primary and reference column lists differ in length")
        flag = self.name("found")
        keys = [self.name("key") for _ in ref_cols]
        found = reference.select(*[F.col(c).alias(k) for c, k in zip(ref_cols, keys, strict=True)]).distinct()
        cond = [self.df[p] == found[k] for p, k in zip(primary, keys, strict=True)]
        self.df = self.df.join(found.withColumn(flag, F.lit(True)), on=cond, how="left").drop(*keys)
        complete = F.lit(True)
        for c in primary:
            complete = complete & F.col(c).isNotNull()
        keyed, matched = self.name("keyed"), self.name("matched")
        return _Plan(
            metric,
            aggregates={keyed: F.count_if(complete), matched: F.count_if(complete & F.col(flag).isNotNull())},
            judge=lambda v: (
                _ratio(v[matched], v[keyed]),
                f"{v[keyed] - v[matched]:,} of {v[keyed]:,} keys not found in {alias}",
            ),
        )

    def _plan_RowCountMatch(self, rule: Rule) -> _Plan:
        alias = rule.parameters[0]
        metric = f"Dataset.{alias}.RowCountMatch"
        if alias not in self.references:
            return _Plan(metric, error=f"reference dataset {alias!r} was not provided")
        ref = self.ref_counts.setdefault(alias, self.name("refrows"))
        rows = self.name("rows")
        return _Plan(
            metric,
            aggregates={rows: F.count(F.lit(1))},
            judge=lambda v: (
                None if not v[ref] else v[rows] / v[ref],
                f"{v[rows]:,} rows vs {v[ref]:,} in {alias}",
            ),
        )

    def _plan_CustomSql(self, rule: Rule) -> _Plan:
        sql = rule.parameters[0]
        metric = "Dataset.*.CustomSQL"
        m = _COUNT_SQL.match(sql)
        if m:  # folded into the single pass
            cond = m["cond"] or "true"
            if error := self.sql_error(cond):
                return _Plan(metric, error=error)
            hits = self.name("sql")
            return _Plan(
                metric, {hits: F.count_if(F.expr(cond))}, lambda v: (float(v[hits]), f"query returned {v[hits]:,}")
            )
        return _Plan(metric, standalone=lambda: _run_sql(self.source, sql))


_PRIMARY_VIEW = threading.Lock()  # one session-wide view name: tables evaluated concurrently take turns


def _run_sql(df: DataFrame, sql: str) -> float | None:
    """A CustomSql that cannot be folded: its own query, over a temporary view named `primary`."""
    with _PRIMARY_VIEW:
        df.createOrReplaceTempView("primary")
        try:
            row = df.sparkSession.sql(sql).first()
        finally:
            df.sparkSession.catalog.dropTempView("primary")
    return None if row is None or row[0] is None else float(row[0])


# --- the pass -------------------------------------------------------------------------------------


def evaluate(
    df: DataFrame,
    ruleset: Ruleset,
    *,
    references: Mapping[str, DataFrame] | None = None,
    history: History | None = None,
    extras: Mapping[str, Column] | None = None,
) -> Evaluation:
    """Evaluate every rule of `ruleset` on `df` in one aggregation pass.

    `references` maps the aliases used by ReferentialIntegrity/RowCountMatch to DataFrames;
    `history` gives earlier runs' metric values for dynamic rules; `extras` are further aggregate
    expressions to compute in the same pass (the Gold job collects lineage this way).
    """
    validate_ruleset(ruleset)
    planner = _Planner(df, ruleset.name, references or {})
    plans = [planner.plan(rule) for rule in ruleset.rules]
    aggregates: dict[str, Column] = {"__rows": F.count(F.lit(1))}
    distinct_aggregates: dict[str, Column] = {}
    for plan in plans:
        aggregates.update(plan.aggregates)
        distinct_aggregates.update(plan.distinct_aggregates)
    aggregates.update(extras or {})
    summary = planner.df.agg(*[expr.alias(name) for name, expr in aggregates.items()])
    if distinct_aggregates:  # a second scan of the source, in the same action (see _Plan)
        summary = summary.crossJoin(df.agg(*[expr.alias(name) for name, expr in distinct_aggregates.items()]))
    for alias, name in planner.ref_counts.items():
        summary = summary.crossJoin(planner.references[alias].agg(F.count(F.lit(1)).alias(name)))
    values = summary.collect()[0].asDict()  # the one action for this table

    results = tuple(
        _judge(ruleset.name, rule, plan, values, history or {}) for rule, plan in zip(ruleset.rules, plans, strict=True)
    )
    return Evaluation(
        table=ruleset.name,
        results=results,
        row_count=int(values["__rows"]),
        extras={name: values[name] for name in (extras or {})},
    )


def _judge(table: str, rule: Rule, plan: _Plan, values: Mapping[str, Any], history: History) -> RuleResult:
    def result(outcome: str, value: float | None, message: str) -> RuleResult:
        return RuleResult(table, rule.text, rule.rule_type, str(rule.severity), outcome, plan.metric, value, message)

    if plan.error:
        return result(FAILED, None, plan.error)
    if plan.standalone is not None:
        value, detail = plan.standalone(), ""
        detail = f"query returned {value:g}" if value is not None else "query returned no value"
    else:
        assert plan.judge is not None
        value, detail = plan.judge(values)
    if value is None:
        return result(FAILED, None, detail)
    condition = rule.threshold if rule.rule_type == "ColumnValues" else rule.condition
    if condition is None:
        assert plan.default_pass is not None
        ok = plan.default_pass(value)
    else:
        try:
            ok = _holds(condition, value, history.get(f"{table}:{plan.metric}", ()))
        except _NoHistory:
            return result(SKIPPED, value, f"{detail}; no earlier run to compare with")
    return result(PASSED if ok else FAILED, value, detail)
