"""The rule-type registry is the one place a rule type is declared: validation and planning both read it."""

from __future__ import annotations

import pytest
from pyspark.sql import functions as F

from finlake.quality.dqdl import DqdlError, parse
from finlake.quality.evaluate import evaluate, validate_ruleset
from finlake.quality.planning import Plan
from finlake.quality.rule_types import RULE_TYPES, RuleType

GLUE_TYPES_SUPPORTED = [
    "RowCount", "IsComplete", "Completeness", "IsUnique", "IsPrimaryKey", "ColumnValues",
    "ReferentialIntegrity", "RowCountMatch", "CustomSql",
]  # fmt: skip


def test_the_registry_holds_the_supported_types_in_order():
    assert list(RULE_TYPES) == GLUE_TYPES_SUPPORTED
    assert [t.name for t in RULE_TYPES.values() if t.per_row] == ["ColumnValues"]


def test_an_unknown_type_is_refused_naming_the_registry():
    with pytest.raises(DqdlError, match=r"t\.x:1: rule type ColumnCount is not supported here \(supported: RowCount, "):
        validate_ruleset(parse("Rules = [ ColumnCount = 3 ]", "t.x"))


def test_registering_a_type_is_enough_to_validate_and_evaluate_it(spark, monkeypatch):
    def column_count(planner, rule):
        name = planner.name("columns")
        width = len(planner.source.columns)
        return Plan("Dataset.*.ColumnCount", {name: F.lit(width)}, lambda v: (float(v[name]), f"{v[name]} columns"))

    spec = RuleType("ColumnCount", column_count, needs_condition=True, takes_where=False, parameters=0)
    monkeypatch.setitem(RULE_TYPES, "ColumnCount", spec)
    df = spark.createDataFrame([(1, "a")], "id int, code string")
    passed = evaluate(df, parse("Rules = [ ColumnCount = 2 ]", "t.x")).results[0]
    failed = evaluate(df, parse("Rules = [ ColumnCount > 2 ]", "t.x")).results[0]
    assert (passed.outcome, passed.value, failed.outcome) == ("passed", 2.0, "failed")
    with pytest.raises(DqdlError, match="ColumnCount does not take a where clause"):
        validate_ruleset(parse('Rules = [ ColumnCount = 2 where "id > 0" ]', "t.x"))
