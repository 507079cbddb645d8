"""The packaged rule files agree with the table declarations they check."""

from __future__ import annotations

import pytest

from finlake.contracts.gold import GOLD_TABLES, RECOMMENDABLE_PRODUCTS
from finlake.contracts.silver import SILVER_TABLES
from finlake.gold.job import SILVER_INPUTS, UPSTREAM
from finlake.quality import available_rulesets, evaluate, load_ruleset
from finlake.quality.dqdl import Special

TABLES = {**{f"silver.{n}": t for n, t in SILVER_TABLES.items()}, **{f"gold.{n}": t for n, t in GOLD_TABLES.items()}}
COLUMN_RULES = {"IsComplete", "Completeness", "IsUnique", "IsPrimaryKey", "ColumnValues"}


def test_every_table_the_gold_job_touches_has_rules():
    expected = {f"silver.{n}" for n in SILVER_INPUTS} | {f"gold.{n}" for n in UPSTREAM}
    assert expected <= set(available_rulesets())


@pytest.mark.parametrize("name", available_rulesets())
def test_rules_name_declared_columns_and_declared_codes(name):
    table = TABLES[name]
    for rule in load_ruleset(name).rules:
        if rule.rule_type in COLUMN_RULES:
            for column in rule.parameters:
                assert column in table.column_names, f"{name}:{rule.line} {column}"
        codes = table.column(rule.parameters[0]).codes if rule.rule_type == "ColumnValues" else ()
        if name == "gold.product_recommendations" and rule.parameters == ("recommended_product",):
            codes = RECOMMENDABLE_PRODUCTS
        if codes and rule.condition is not None and rule.condition.op == "in":
            listed = [v for v in rule.condition.operands if not isinstance(v, Special)]
            assert sorted(listed) == sorted(codes), f"{name}:{rule.line} lists other codes than the contract"


def test_every_rule_compiles_against_the_declared_schema(spark):
    """SQL in where clauses and CustomSql, and reference aliases, resolve on the declared columns."""
    empty = {n: spark.createDataFrame([], t.spark_schema()) for n, t in SILVER_TABLES.items()}
    for name in available_rulesets():
        df = spark.createDataFrame([], TABLES[name].spark_schema())
        for result in evaluate(df, load_ruleset(name), references=empty).results:
            # the evaluator's messages for a rule it could not evaluate
            assert not result.message.startswith(("invalid SQL", "column ", "reference")), result
