"""Evaluate a DQDL ruleset on a Spark DataFrame: real Spark code, one aggregation pass per table.

Every rule contributes aggregate expressions to a single `agg` over the table (reference datasets
join in as left joins or cross-joined counts), so a table's whole ruleset costs ONE Spark action.
Only a `CustomSql` that is not of the form `select count(*) from primary [where ...]` needs a query
of its own; that form is folded into the same pass as a `count_if`.

Where things are: `rule_types` (the registry: what each rule type accepts and how it is planned),
`planning` (the pass being planned), `predicates` (row predicates and metric conditions, with their
Glue semantics). Values of earlier runs (the `history`) feed dynamic rules such as
`RowCount >= last(1) * 0.9`; ratios over zero rows count as 1.0 (nothing violates).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from finlake.quality.dqdl import DqdlError, Rule, Ruleset, Severity, is_static
from finlake.quality.planning import Plan, Planner, all_present
from finlake.quality.predicates import NoHistory, holds
from finlake.quality.rule_types import RULE_TYPES, plan_rule

PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"

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
    values: dict[str, Any] = field(default_factory=dict)  # the pass's raw values: what `Appended` builds on

    @property
    def blocking_failures(self) -> list[RuleResult]:
        return [r for r in self.results if r.blocking_failure]

    @property
    def warnings(self) -> list[RuleResult]:
        return [r for r in self.results if r.outcome == FAILED and r.severity == Severity.WARNING]


@dataclass(frozen=True)
class Appended:
    """Rows appended to a table since an earlier evaluation of the same ruleset on it: `values` is that
    evaluation's `Evaluation.values`, `published` the table as it was then. Evaluating only `rows` and
    merging gives the whole table's results at the cost of the new rows (plus one column of
    `published` per key rule), as long as the earlier rows did not change (the caller's promise).

    Counts add up; a distinct count adds the new distinct keys not already published; the reference
    datasets' counts are taken anew; each extra needs a merge function (`merge_extras`). A ruleset
    with a CustomSql that runs its own query, or one that changed since `values`, is evaluated whole."""

    rows: DataFrame
    published: DataFrame
    values: Mapping[str, Any]


def _rule_error(rule: Rule) -> str:
    """Why this evaluator cannot run `rule` as written ("" if it can), by its registry entry."""
    spec = RULE_TYPES.get(rule.rule_type)
    if spec is None:
        return f"rule type {rule.rule_type} is not supported here (supported: {', '.join(RULE_TYPES)})"
    if spec.needs_condition and rule.condition is None:
        return f"{rule.rule_type} needs a condition, e.g. `> 0`"
    if not spec.needs_condition and rule.condition is not None:
        return f"{rule.rule_type} takes no condition"
    if rule.where and not spec.takes_where:
        return f"{rule.rule_type} does not take a where clause here"
    if rule.threshold is not None and not spec.per_row:
        return f"only {', '.join(t.name for t in RULE_TYPES.values() if t.per_row)} takes `with threshold`"
    count = spec.parameters
    if (count is not None and len(rule.parameters) != count) or (count is None and not rule.parameters):
        return f"wrong number of parameters for {rule.rule_type}"
    if spec.per_row and rule.condition is not None:
        if not all(is_static(v) for v in rule.condition.operands):
            return f"{rule.rule_type} compares each row, so its values cannot use last()/avg()"
    elif rule.condition is not None and any(isinstance(v, str) for v in rule.condition.operands):
        return f"{rule.rule_type} compares a number; strings are not allowed"
    return ""


def validate_ruleset(ruleset: Ruleset) -> None:
    """Reject rules this evaluator cannot run, when the rules are loaded rather than mid-job."""
    for rule in ruleset.rules:
        if error := _rule_error(rule):
            raise DqdlError(f"{ruleset.name}:{rule.line}: {error}")


def _collect(planner: Planner, plans: list[Plan], extras: Mapping[str, Column]) -> dict[str, Any]:
    """Every plan's aggregates (and the extras) in one Spark action: the table's single pass."""
    aggregates: dict[str, Column] = {"__rows": F.count(F.lit(1))}
    distinct_aggregates: dict[str, Column] = {}
    for plan in plans:
        aggregates.update(plan.aggregates)
        distinct_aggregates.update(plan.distinct_aggregates)
    aggregates.update(extras)
    summary = planner.df.agg(*[expr.alias(name) for name, expr in aggregates.items()])
    if distinct_aggregates:  # a second scan of the source, in the same action (see Plan)
        source = planner.source
        summary = summary.crossJoin(source.agg(*[expr.alias(name) for name, expr in distinct_aggregates.items()]))
    for alias, name in planner.ref_counts.items():
        summary = summary.crossJoin(planner.references[alias].agg(F.count(F.lit(1)).alias(name)))
    return summary.collect()[0].asDict()  # the one action for this table


def evaluate(
    df: DataFrame,
    ruleset: Ruleset,
    *,
    references: Mapping[str, DataFrame] | None = None,
    history: History | None = None,
    extras: Mapping[str, Column] | None = None,
    appended: Appended | None = None,
    merge_extras: Mapping[str, Callable[[Any, Any], Any]] | None = None,
) -> Evaluation:
    """Evaluate every rule of `ruleset` on `df` in one aggregation pass.

    `references` maps the aliases used by ReferentialIntegrity/RowCountMatch to DataFrames;
    `history` gives earlier runs' metric values for dynamic rules; `extras` are further aggregate
    expressions to compute in the same pass (the Gold job collects lineage this way). With
    `appended`, only its rows are read and merged with its earlier values (see Appended).
    """
    validate_ruleset(ruleset)
    extras = extras or {}
    merged = _appended_values(ruleset, references or {}, extras, appended, merge_extras or {}) if appended else None
    if merged is None:
        planner = Planner(df, ruleset.name, references or {})
        plans = [plan_rule(planner, rule) for rule in ruleset.rules]
        values = {**_collect(planner, plans, extras), FINGERPRINT: _fingerprint(ruleset)}
    else:
        plans, values = merged
    results = tuple(
        _judge(ruleset.name, rule, plan, values, history or {}) for rule, plan in zip(ruleset.rules, plans, strict=True)
    )
    return Evaluation(
        table=ruleset.name,
        results=results,
        row_count=int(values["__rows"]),
        extras={name: values[name] for name in extras},
        values=values,
    )


FINGERPRINT = "__ruleset"  # the rules the values were collected for: merged only under the same rules


def _fingerprint(ruleset: Ruleset) -> str:
    return hashlib.sha256("\n".join(rule.text for rule in ruleset.rules).encode()).hexdigest()


def _appended_values(
    ruleset: Ruleset,
    references: Mapping[str, DataFrame],
    extras: Mapping[str, Column],
    appended: Appended,
    merge_extras: Mapping[str, Callable[[Any, Any], Any]],
) -> tuple[list[Plan], dict[str, Any]] | None:
    """The plans and the whole table's values from the appended rows and the earlier values (see
    Appended), or None when they cannot be merged."""
    planner = Planner(appended.rows, ruleset.name, references)
    plans = [plan_rule(planner, rule) for rule in ruleset.rules]
    old = appended.values
    if old.get(FINGERPRINT) != _fingerprint(ruleset) or any(p.standalone for p in plans):
        return None
    if any(name not in merge_extras or name not in old for name in extras):
        return None
    counts = ["__rows", *(name for p in plans for name in p.aggregates)]
    distinct = {name: cols for p in plans for name, cols in p.distinct_keys.items()}
    if any(name not in old for name in [*counts, *distinct]):
        return None
    new = _collect(planner, plans, extras)
    merged = {**new, FINGERPRINT: old[FINGERPRINT]}  # the reference counts are the new ones
    for name in counts:
        merged[name] = old[name] + new[name]
    for name, cols in distinct.items():
        merged[name] = old[name] + new[name] - _published_keys(appended, cols)
    for name in extras:
        merged[name] = merge_extras[name](old[name], new[name])
    return plans, merged


def _published_keys(appended: Appended, columns: Sequence[str]) -> int:
    """How many distinct complete keys of the appended rows the published rows already hold. The
    published side only probes (the appended keys are the join's build side, small on a normal day),
    so the history is scanned, one column, but never shuffled."""
    keys = appended.rows.select(*columns).where(all_present(columns)).distinct()
    found = appended.published.select(*columns).join(keys, on=list(columns), how="left_semi")
    return found.distinct().count()


def _judge(table: str, rule: Rule, plan: Plan, values: Mapping[str, Any], history: History) -> RuleResult:
    def result(outcome: str, value: float | None, message: str) -> RuleResult:
        return RuleResult(table, rule.text, rule.rule_type, str(rule.severity), outcome, plan.metric, value, message)

    if plan.error:
        return result(FAILED, None, plan.error)
    if plan.standalone is not None:
        value = plan.standalone()
        detail = f"query returned {value:g}" if value is not None else "query returned no value"
    else:
        assert plan.judge is not None
        value, detail = plan.judge(values)
    if value is None:
        return result(FAILED, None, detail)
    # a per-row rule's own condition was applied to each row; its threshold judges the share that passed
    condition = rule.threshold if RULE_TYPES[rule.rule_type].per_row else rule.condition
    if condition is None:
        assert plan.default_pass is not None
        ok = plan.default_pass(value)
    else:
        try:
            ok = holds(condition, value, history.get(f"{table}:{plan.metric}", ()))
        except NoHistory:
            return result(SKIPPED, value, f"{detail}; no earlier run to compare with")
    return result(PASSED if ok else FAILED, value, detail)
