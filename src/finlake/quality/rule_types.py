"""The rule types this evaluator runs: one registry entry each, holding both what the rule accepts
(checked when rules are loaded, `evaluate.validate_ruleset`) and how it is planned into the table's
single pass. A new rule type is one decorated function here.

Metric names follow Glue's (`Dataset.*.RowCount`, `Column.<c>.Completeness`, ...), so results read
the same as EvaluateDataQuality's. ReferentialIntegrity is the share of rows with all key columns
present whose key exists in the reference dataset.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pyspark.sql import functions as F

from finlake.quality.dqdl import Rule
from finlake.quality.planning import Plan, Planner, all_present, ratio, rule_columns, run_sql
from finlake.quality.predicates import row_predicate

PlanFunction = Callable[[Planner, Rule], Plan]


@dataclass(frozen=True)
class RuleType:
    name: str
    plan: PlanFunction
    needs_condition: bool
    takes_where: bool
    parameters: int | None  # exactly this many; None: one or more
    # ColumnValues: the condition is tested on each row (so its values must be static, strings are
    # allowed), and the rule's `with threshold` condition judges the share of rows that pass.
    per_row: bool = False


RULE_TYPES: dict[str, RuleType] = {}


def rule_type(
    name: str, *, condition: bool, where: bool, parameters: int | None = None, per_row: bool = False
) -> Callable[[PlanFunction], PlanFunction]:
    """Register the decorated planning function as rule type `name`."""

    def register(plan: PlanFunction) -> PlanFunction:
        RULE_TYPES[name] = RuleType(name, plan, condition, where, parameters, per_row)
        return plan

    return register


def plan_rule(planner: Planner, rule: Rule) -> Plan:
    """The rule's plan; a where clause Spark cannot analyse makes it fail with that error."""
    spec = RULE_TYPES[rule.rule_type]
    if rule.where and (error := planner.sql_error(rule.where)):
        return Plan(metric="", error=error)
    return spec.plan(planner, rule)


@rule_type("RowCount", condition=True, where=True, parameters=0)
def _row_count(planner: Planner, rule: Rule) -> Plan:
    rows = planner.name("rows")
    return Plan(
        metric="Dataset.*.RowCount",
        aggregates={rows: F.count_if(planner.scope(rule))},
        judge=lambda v: (float(v[rows]), f"{v[rows]:,} rows"),
    )


def _completeness(planner: Planner, rule: Rule, *, strict: bool) -> Plan:
    col = rule.parameters[0]
    metric = f"Column.{col}.Completeness"
    if error := planner.missing([col]):
        return Plan(metric, error=error)
    scope, present, total = planner.scope(rule), planner.name("present"), planner.name("total")
    plan = Plan(
        metric,
        aggregates={present: F.count_if(scope & F.col(col).isNotNull()), total: F.count_if(scope)},
        judge=lambda v: (
            ratio(v[present], v[total]),
            f"{v[total] - v[present]:,} of {v[total]:,} rows are null",
        ),
    )
    if strict:
        plan.default_pass = lambda value: value == 1.0
    return plan


@rule_type("IsComplete", condition=False, where=True)
def _is_complete(planner: Planner, rule: Rule) -> Plan:
    return _completeness(planner, rule, strict=True)


@rule_type("Completeness", condition=True, where=True)
def _completeness_ratio(planner: Planner, rule: Rule) -> Plan:
    return _completeness(planner, rule, strict=False)


def _uniqueness(planner: Planner, rule: Rule, *, primary_key: bool) -> Plan:
    cols = rule_columns(rule)
    metric = f"Column.{','.join(cols)}.{'PrimaryKeyViolations' if primary_key else 'DuplicateRows'}"
    if error := planner.missing(cols):
        return Plan(metric, error=error)
    keyed, distinct, total = planner.name("keyed"), planner.name("distinct"), planner.name("total")
    aggregates = {keyed: F.count_if(all_present(cols)), total: F.count(F.lit(1))}
    distinct_aggregates = {distinct: F.count_distinct(*[F.col(c) for c in cols])}

    def judge(v: Mapping[str, Any]) -> tuple[float, str]:
        duplicates = v[keyed] - v[distinct]
        nulls = v[total] - v[keyed]
        if primary_key:
            return float(duplicates + nulls), f"{duplicates:,} duplicate and {nulls:,} incomplete keys"
        return float(duplicates), f"{duplicates:,} rows repeat a value"

    return Plan(
        metric,
        aggregates,
        judge,
        default_pass=lambda value: value == 0,
        distinct_aggregates=distinct_aggregates,
        distinct_keys={distinct: tuple(cols)},
    )


@rule_type("IsUnique", condition=False, where=False)
def _is_unique(planner: Planner, rule: Rule) -> Plan:
    return _uniqueness(planner, rule, primary_key=False)


@rule_type("IsPrimaryKey", condition=False, where=False)
def _is_primary_key(planner: Planner, rule: Rule) -> Plan:
    return _uniqueness(planner, rule, primary_key=True)


@rule_type("ColumnValues", condition=True, where=True, per_row=True)
def _column_values(planner: Planner, rule: Rule) -> Plan:
    col = rule.parameters[0]
    metric = f"Column.{col}.ColumnValues.Compliance"
    if error := planner.missing([col]):
        return Plan(metric, error=error)
    assert rule.condition is not None
    scope, ok, total = planner.scope(rule), planner.name("ok"), planner.name("total")
    plan = Plan(
        metric,
        aggregates={ok: F.count_if(scope & row_predicate(F.col(col), rule.condition)), total: F.count_if(scope)},
        judge=lambda v: (
            ratio(v[ok], v[total]),
            f"{v[total] - v[ok]:,} of {v[total]:,} rows do not satisfy `{rule.condition}`",
        ),
    )
    if rule.threshold is None:
        plan.default_pass = lambda value: value == 1.0
    return plan


_REFERENCE = re.compile(r"\s*([A-Za-z0-9_]+)\.\{?([^}]*)\}?\s*")  # alias.{col, ...} or alias.col


def _reference_error(planner: Planner, primary: list[str], alias: str, ref_cols: list[str]) -> str:
    if error := planner.missing(primary):
        return error
    if alias not in planner.references:
        return f"reference dataset {alias!r} was not provided"
    if unknown := [c for c in ref_cols if c not in planner.references[alias].columns]:
        return f"column {', '.join(unknown)} not found in reference {alias}"
    if len(ref_cols) != len(primary):
        return "primary and reference column lists differ in length"
    return ""


@rule_type("ReferentialIntegrity", condition=True, where=False, parameters=2)
def _referential_integrity(planner: Planner, rule: Rule) -> Plan:
    primary = [c.strip() for c in rule.parameters[0].split(",")]
    reference = _REFERENCE.fullmatch(rule.parameters[1])
    if not reference:
        return Plan("", error=f'reference must be "alias.{{col, ...}}", got {rule.parameters[1]!r}')
    alias, ref_cols = reference[1], [c.strip() for c in reference[2].split(",")]
    metric = f"Column.{alias}.ReferentialIntegrity"
    if error := _reference_error(planner, primary, alias, ref_cols):
        return Plan(metric, error=error)
    flag = planner.name("found")
    keys = [planner.name("key") for _ in ref_cols]
    found = planner.references[alias].select(*[F.col(c).alias(k) for c, k in zip(ref_cols, keys, strict=True)])
    found = found.distinct()
    cond = [planner.df[p] == found[k] for p, k in zip(primary, keys, strict=True)]
    planner.df = planner.df.join(found.withColumn(flag, F.lit(True)), on=cond, how="left").drop(*keys)
    complete = all_present(primary)
    keyed, matched = planner.name("keyed"), planner.name("matched")
    return Plan(
        metric,
        aggregates={keyed: F.count_if(complete), matched: F.count_if(complete & F.col(flag).isNotNull())},
        judge=lambda v: (
            ratio(v[matched], v[keyed]),
            f"{v[keyed] - v[matched]:,} of {v[keyed]:,} keys not found in {alias}",
        ),
    )


@rule_type("RowCountMatch", condition=True, where=False, parameters=1)
def _row_count_match(planner: Planner, rule: Rule) -> Plan:
    alias = rule.parameters[0]
    metric = f"Dataset.{alias}.RowCountMatch"
    if alias not in planner.references:
        return Plan(metric, error=f"reference dataset {alias!r} was not provided")
    ref = planner.ref_counts.setdefault(alias, planner.name("refrows"))
    rows = planner.name("rows")
    return Plan(
        metric,
        aggregates={rows: F.count(F.lit(1))},
        judge=lambda v: (
            None if not v[ref] else v[rows] / v[ref],
            f"{v[rows]:,} rows vs {v[ref]:,} in {alias}",
        ),
    )


_COUNT_SQL = re.compile(
    r"^\s*select\s+count\(\s*\*\s*\)\s+from\s+primary(?:\s+where\s+(?P<cond>.+?))?\s*;?\s*$", re.I | re.S
)


@rule_type("CustomSql", condition=True, where=False, parameters=1)
def _custom_sql(planner: Planner, rule: Rule) -> Plan:
    """`select count(*) from primary [where ...]` is folded into the single pass as a count_if; any
    other query runs on its own."""
    sql = rule.parameters[0]
    metric = "Dataset.*.CustomSQL"
    counted = _COUNT_SQL.match(sql)
    if counted:
        cond = counted["cond"] or "true"
        if error := planner.sql_error(cond):
            return Plan(metric, error=error)
        hits = planner.name("sql")
        return Plan(metric, {hits: F.count_if(F.expr(cond))}, lambda v: (float(v[hits]), f"query returned {v[hits]:,}"))
    source = planner.source
    return Plan(metric, standalone=lambda: run_sql(source, sql))
