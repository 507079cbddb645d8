"""The Spark evaluator: every rule type passes on good data and fails on bad data."""

from __future__ import annotations

import pytest
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from finlake.quality.dqdl import parse
from finlake.quality.evaluate import Appended, evaluate

SCHEMA = "id int, code string, amount double, parent int"
GOOD = [(1, "A", 10.0, 1), (2, "B", 20.0, 2), (3, "A", None, 2)]
PARENTS = [(1,), (2,), (5,)]


def _outcome(spark, rule: str, rows, history=None, references=None) -> tuple[str, float | None, str]:
    df = spark.createDataFrame(rows, SCHEMA)
    refs = references or {"parents": spark.createDataFrame(PARENTS, "pid int")}
    result = evaluate(df, parse(f"Rules = [ {rule} ]", "t.x"), references=refs, history=history or {}).results[0]
    return result.outcome, result.value, result.message


# (rule, bad rows): each rule passes on GOOD and fails on its bad rows
CASES = [
    ("RowCount = 3", GOOD[:2]),
    ("RowCount between 2 and 4", GOOD + [(4, "A", 1.0, 1)]),  # exclusive: 4 is out
    ('IsComplete "id"', GOOD + [(None, "A", 1.0, 1)]),
    ('Completeness "amount" > 0.5', [(1, "A", None, 1), (2, "A", None, 1), (3, "A", 1.0, 1)]),
    ('IsUnique "id"', GOOD + [(1, "B", 5.0, 1)]),
    ('IsPrimaryKey "id" "code"', GOOD + [(None, "B", 5.0, 1)]),
    ('ColumnValues "code" in ["A", "B"]', GOOD + [(4, "C", 1.0, 1)]),
    ('ColumnValues "code" in ["A", "B"]', GOOD + [(4, None, 1.0, 1)]),  # NULL fails unless listed
    ('ColumnValues "code" not in ["C"]', GOOD + [(4, "C", 1.0, 1)]),
    ('ColumnValues "amount" >= 10 where "amount is not null"', GOOD + [(4, "A", 9.99, 1)]),
    ('ColumnValues "amount" between 0 and 100 where "amount is not null"', GOOD + [(4, "A", 100.0, 1)]),
    ('ColumnValues "code" matches "[AB]"', GOOD + [(4, "AB", 1.0, 1)]),  # whole value must match
    ('ColumnValues "code" = "A" with threshold >= 0.6', [(1, "A", 1.0, 1), (2, "B", 1.0, 1), (3, "B", 1.0, 1)]),
    ('ReferentialIntegrity "parent" "parents.{pid}" = 1.0', GOOD + [(4, "A", 1.0, 9)]),
    ('RowCountMatch "parents" = 1.0', GOOD[:2]),
    ('CustomSql "select count(*) from primary where amount > 50" = 0', GOOD + [(4, "A", 51.0, 1)]),
    ('CustomSql "select max(id) - min(id) from primary" < 3', GOOD + [(9, "A", 1.0, 1)]),  # its own query
]


@pytest.mark.parametrize(("rule", "bad"), CASES, ids=[c[0] for c in CASES])
def test_rule_passes_on_good_and_fails_on_bad_data(spark, rule, bad):
    assert _outcome(spark, rule, GOOD)[0] == "passed"
    assert _outcome(spark, rule, bad)[0] == "failed"


def test_values_and_messages_say_what_is_wrong(spark):
    assert _outcome(spark, 'ColumnValues "code" in ["A"]', GOOD) == (
        "failed", 2 / 3, '1 of 3 rows do not satisfy `in ["A"]`'
    )  # fmt: skip
    assert _outcome(spark, 'ReferentialIntegrity "parent" "parents.{pid}" >= 0.5', GOOD + [(4, "A", 1.0, 9)])[1] == 0.75
    assert _outcome(spark, 'IsUnique "code"', GOOD)[2] == "1 rows repeat a value"


def test_missing_column_and_bad_sql_fail_the_rule_not_the_run(spark):
    outcome, _, message = _outcome(spark, 'IsComplete "nope"', GOOD)
    assert outcome == "failed" and message == "column nope not found in t.x"
    outcome, _, message = _outcome(spark, 'ColumnValues "id" > 0 where "nope > 1"', GOOD)
    assert outcome == "failed" and message.startswith("invalid SQL 'nope > 1'")
    outcome, _, message = _outcome(spark, 'RowCountMatch "other" = 1.0', GOOD)
    assert outcome == "failed" and "reference dataset 'other' was not provided" in message


def test_dynamic_rules_use_the_history_and_skip_without_one(spark):
    history = {"t.x:Dataset.*.RowCount": [3.0, 100.0]}  # newest first
    assert _outcome(spark, "RowCount >= last(1) * 0.9", GOOD, history)[0] == "passed"
    assert _outcome(spark, "RowCount >= avg(last(2)) * 0.9", GOOD, history)[0] == "failed"  # avg 51.5
    assert _outcome(spark, "RowCount >= last(1) * 0.9", GOOD[:2], history)[0] == "failed"  # 2 < 2.7
    assert _outcome(spark, "RowCount >= last(1) * 0.9", GOOD, {})[0] == "skipped"


def test_a_whole_ruleset_is_one_spark_action(spark, monkeypatch):
    df = spark.createDataFrame(GOOD, SCHEMA)
    parents = spark.createDataFrame(PARENTS, "pid int")
    ruleset = parse(
        """Rules = [ RowCount > 0, IsComplete "id", IsUnique "id", Completeness "amount" > 0.5,
        ColumnValues "code" in ["A", "B"], ReferentialIntegrity "parent" "parents.{pid}" = 1.0,
        RowCountMatch "parents" = 1.0, CustomSql "select count(*) from primary where amount < 0" = 0 ]""",
        "t.x",
    )
    actions = []
    for name in ("collect", "count", "first", "take", "toPandas", "head"):
        original = getattr(DataFrame, name)
        monkeypatch.setattr(
            DataFrame, name, lambda self, *a, _o=original, _n=name, **k: actions.append(_n) or _o(self, *a, **k)
        )
    evaluation = evaluate(df, ruleset, references={"parents": parents})
    assert actions == ["collect"]
    assert [r.outcome for r in evaluation.results] == ["passed"] * 8 and evaluation.row_count == 3


APPENDED_RULES = """Rules = [ RowCount > 0, IsComplete "id", IsPrimaryKey "id", Completeness "amount" > 0.5,
    ColumnValues "code" in ["A", "B"], ReferentialIntegrity "parent" "parents.{pid}" = 1.0,
    RowCountMatch "parents" = 1.0, CustomSql "select count(*) from primary where amount > 50" = 0 ]"""
APPENDED_EXTRAS = {"codes": lambda: F.sort_array(F.collect_set("code")), "top": lambda: F.max("amount")}
MERGES = {
    "codes": lambda old, new: sorted({*old, *new}),
    "top": lambda old, new: max(v for v in (old, new) if v is not None),
}


@pytest.mark.parametrize(
    "new",
    [
        [(4, "B", 30.0, 5), (5, "A", 40.0, 1)],  # all good
        [(2, "A", 1.0, 1), (6, "C", 60.0, 9), (None, "A", None, 1), (7, "A", None, 1)],  # a published id again, ...
        [],  # nothing appended
    ],
    ids=["good", "bad", "none"],
)
def test_appended_rows_merged_with_the_earlier_values_equal_the_whole_table(spark, new):
    """Evaluating only the appended rows against the earlier evaluation's values gives the whole
    table's results; the table itself is not read (a frame that would fail every rule stands in)."""
    ruleset = parse(APPENDED_RULES, "t.x")
    refs = {"parents": spark.createDataFrame(PARENTS, "pid int")}
    extras = {name: make() for name, make in APPENDED_EXTRAS.items()}
    old, rows = spark.createDataFrame(GOOD, SCHEMA), spark.createDataFrame(new, SCHEMA)
    earlier = evaluate(old, ruleset, references=refs, extras=extras)
    whole = evaluate(old.unionByName(rows), ruleset, references=refs, extras=extras)
    not_read = spark.createDataFrame([(None, "Z", 99.0, 9)], SCHEMA)
    merged = evaluate(
        not_read, ruleset, references=refs, extras=extras,
        appended=Appended(rows, old, earlier.values), merge_extras=MERGES,
    )  # fmt: skip
    assert merged.results == whole.results and merged.row_count == whole.row_count
    assert merged.extras == whole.extras and merged.values == whole.values
    if len(new) == 4:  # the bad day: key, completeness, values, reference and SQL rules all fail
        assert sum(r.outcome == "failed" for r in whole.results) >= 6


def test_appended_rows_under_changed_rules_evaluate_the_whole_table(spark):
    refs = {"parents": spark.createDataFrame(PARENTS, "pid int")}
    old = spark.createDataFrame(GOOD, SCHEMA)
    earlier = evaluate(old, parse('Rules = [ IsComplete "id" ]', "t.x"), references=refs)
    changed = parse('Rules = [ IsComplete "code" ]', "t.x")
    rows = spark.createDataFrame([(4, None, 1.0, 1)], SCHEMA)
    merged = evaluate(old.unionByName(rows), changed, references=refs, appended=Appended(rows, old, earlier.values))
    assert [r.outcome for r in merged.results] == ["failed"] and merged.row_count == 4
