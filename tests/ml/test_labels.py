"""Honest labels: loans too young for an observable outcome leave training, counted by status."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from finlake.errors import FinlakeError
from finlake.lake import Lake
from finlake.ml.labels import DEFAULT_MIN_LOAN_AGE_DAYS, LabelRule, label_rule, observable_loans

AS_OF = date(1998, 12, 31)
# (loan_id, age in days at AS_OF, status, is_default)
LOANS = [
    ("old-good", 800, "PAID_OFF", 0),
    ("old-bad", 500, "CHARGED_OFF", 1),
    ("year-running", 365, "CURRENT", 0),  # exactly the minimum age: kept
    ("young-running", 364, "CURRENT", 0),
    ("young-in-debt", 200, "DEFAULT", 1),  # a young default is left out too (no survivor bias)
    ("young-running-2", 10, "CURRENT", 0),
]


@pytest.fixture(scope="module")
def loans(spark):
    rows = [(i, AS_OF - timedelta(days=age), status, y, AS_OF) for i, age, status, y in LOANS]
    return spark.createDataFrame(
        rows, "loan_id string, origination_date date, status string, is_default int, observed_until date"
    )


def test_loans_younger_than_the_minimum_age_are_removed_and_counted(loans):
    kept, report = observable_loans(loans, LabelRule(365, "test"))
    expected_kept = {i for i, age, _, _ in LOANS if age >= 365}
    assert {r.loan_id for r in kept.collect()} == expected_kept
    assert report["removed"] == {"too_recent": {"loans": 3, "by_status": {"CURRENT": 2, "DEFAULT": 1}}}
    assert (report["loans_read"], report["loans_kept"], report["observed_until"]) == (6, 3, "1998-12-31")


def test_a_loan_without_as_of_date_or_label_is_counted_apart(spark, loans):
    extra = spark.createDataFrame(
        [("no-date", date(1995, 1, 1), "CURRENT", 0, None), ("no-label", date(1995, 1, 1), "CURRENT", None, AS_OF)],
        loans.schema,
    )
    kept, report = observable_loans(loans.unionByName(extra), LabelRule(0, "test"))
    assert kept.count() == len(LOANS)
    assert report["removed"] == {
        "no_as_of_date": {"loans": 1, "by_status": {"CURRENT": 1}},
        "no_label": {"loans": 1, "by_status": {"CURRENT": 1}},
    }


def test_the_rule_comes_from_the_setting_then_the_generator_then_one_year(tmp_path):
    lake = Lake.local(str(tmp_path))
    assert label_rule(lake).min_loan_age_days == DEFAULT_MIN_LOAN_AGE_DAYS == 365
    (tmp_path / "_generator").mkdir()
    (tmp_path / "_generator" / "manifest.json").write_text(json.dumps({"loans": {"label_min_loan_age_days": 29}}))
    assert label_rule(Lake.local(str(tmp_path))).min_loan_age_days == 29
    assert label_rule(lake, 90).min_loan_age_days == 90
    with pytest.raises(FinlakeError, match="0 days or more"):
        LabelRule(-1, "test")


def test_training_reports_the_removed_loans(trained):
    _, features, _, result = trained
    labels = result.report["labels"]
    assert labels["loans_read"] == features.count() and labels["removed"] == {}
    assert result.metrics["loans_without_observable_outcome"] == 0
