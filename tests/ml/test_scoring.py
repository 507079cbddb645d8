"""Batch scoring writes gold.customer_risk_scores in its declared schema, every row naming the model
version that scored it; a run is one Iceberg commit, a rerun adds a new run."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pandas as pd
import pytest
from chispa import assert_df_equality
from pyspark.sql import functions as F

from finlake import storage
from finlake.contracts.bronze import OPEN_LOAN_STATUSES
from finlake.contracts.gold import CUSTOMER_RISK_SCORES, LOAN_FEATURES
from finlake.errors import FinlakeError
from finlake.ml.scoring import SCORES_TABLE, customer_scores, risk_band, run_batch_scoring

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def test_risk_bands_follow_the_documented_cut_offs(spark):
    df = spark.createDataFrame([(0.0,), (0.0999,), (0.1,), (0.2499,), (0.25,), (1.0,)], "p double")
    bands = [r[0] for r in df.select(risk_band(F.col("p"))).collect()]
    assert bands == ["LOW", "LOW", "MEDIUM", "MEDIUM", "HIGH", "HIGH"]


def test_customer_rows_take_the_riskiest_loan_and_sum_exposure(spark):
    scored = spark.createDataFrame(
        [
            ("C1", "L1", 0.05, Decimal("1000.00")),
            ("C1", "L2", 0.30, Decimal("500.00")),
            ("C2", "L3", 0.12, Decimal("2000.00")),
        ],
        "customer_id string, loan_id string, default_probability double, exposure decimal(18,2)",
    )
    actual = scored.transform(customer_scores("m", "7", "run-1", NOW))
    expected = spark.createDataFrame(
        [
            ("C1", 0.30, "HIGH", Decimal("1500.00"), 0.30 * 1500.0, "m", "7", "run-1", NOW, "2026-03-02"),
            ("C2", 0.12, "MEDIUM", Decimal("2000.00"), 0.12 * 2000.0, "m", "7", "run-1", NOW, "2026-03-02"),
        ],
        CUSTOMER_RISK_SCORES.spark_schema(),
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_scoring_publishes_a_run_traced_to_the_model_version(spark, trained):
    lake, features, _, result = trained
    first = run_batch_scoring(spark, lake, now=NOW)
    second = run_batch_scoring(spark, lake, now=NOW.replace(hour=10))  # same day: added beside the first
    table = storage.read_table(spark, lake, SCORES_TABLE)

    declared = {f.name: f.dataType for f in CUSTOMER_RISK_SCORES.spark_schema().fields}
    assert {f.name: f.dataType for f in table.schema.fields} == declared

    # Expected customers, independently: distinct customers holding an open loan in the input.
    rows = features.select("customer_id", "status").toPandas()
    open_customers = set(rows.loc[rows["status"].isin(OPEN_LOAN_STATUSES), "customer_id"])
    runs = table.groupBy("scoring_run_id", "model_name", "model_version").agg(F.count("*").alias("n")).toPandas()
    assert set(runs["scoring_run_id"]) == {first.run_id, second.run_id}
    assert (runs["model_version"] == result.model_version).all()
    assert (runs["model_name"] == result.model_name).all()
    assert (runs["n"] == len(open_customers)).all()
    scores: pd.DataFrame = table.where(F.col("scoring_run_id") == second.run_id).toPandas()
    assert set(scores["customer_id"]) == open_customers
    assert scores["default_probability"].between(0, 1).all()
    assert set(scores["risk_band"]) <= {"LOW", "MEDIUM", "HIGH"}


def test_features_of_closed_loans_are_not_scored(spark, trained):
    _, features, _, _ = trained
    assert "status" in LOAN_FEATURES.column_names
    closed = features.where(~F.col("status").isin(*OPEN_LOAN_STATUSES)).select("customer_id").distinct()
    assert closed.count() > 0  # the fixture does hold closed loans, so the filter is exercised


def _commits(spark, lake) -> list[int]:
    ident = storage.ref(SCORES_TABLE).identifier(lake)
    return [int(r[0]) for r in spark.sql(f"SELECT snapshot_id FROM {ident}.snapshots ORDER BY committed_at").collect()]


def test_a_run_is_one_commit_and_retrying_its_id_replaces_it(spark, trained):
    lake, _, _, _ = trained
    day = NOW.replace(day=9)
    run = run_batch_scoring(spark, lake, run_id="retry-me", now=day)
    before = _commits(spark, lake)
    assert before[-1] == run.snapshot_id and storage.current_snapshot_id(spark, lake, SCORES_TABLE) == run.snapshot_id
    assert run.features_snapshot_id == storage.current_snapshot_id(spark, lake, "gold.loan_features")

    again = run_batch_scoring(spark, lake, run_id="retry-me", now=day.replace(hour=11))  # e.g. a retried job
    assert _commits(spark, lake) == [*before, again.snapshot_id]  # exactly one more commit
    rows = storage.read_table(spark, lake, SCORES_TABLE).where(F.col("scoring_run_id") == "retry-me")
    assert rows.count() == run.customers == again.customers  # replaced, not doubled
    scored_at = [r[0] for r in rows.select(F.unix_timestamp("scored_at")).distinct().collect()]
    assert scored_at == [int(day.replace(hour=11).timestamp())]  # the retry's rows
    # each commit changed the run's partition only: no other day's files were rewritten
    changed = spark.sql(
        f"SELECT summary['changed-partition-count'] FROM {storage.ref(SCORES_TABLE).identifier(lake)}.snapshots "
        f"WHERE snapshot_id IN ({run.snapshot_id}, {again.snapshot_id})"
    ).collect()
    assert [r[0] for r in changed] == ["1", "1"]


def test_exposure_is_converted_to_eur_at_the_scoring_date(spark):
    from datetime import date

    from finlake.ml.scoring import EXPOSURE, _check_exposure, exposure_in_reporting_currency

    loans = spark.createDataFrame(
        [("L1", "A-EUR", Decimal("1000.00")), ("L2", "A-CZK", Decimal("250000.00")), ("L3", "A-JPY", Decimal("5.00"))],
        "loan_id string, account_id string, principal decimal(18,2)",
    )
    accounts = spark.createDataFrame(
        [("A-EUR", "EUR"), ("A-CZK", "CZK"), ("A-JPY", "JPY")], "account_id string, currency string"
    )
    rates = spark.createDataFrame(
        [("CZK:2026-01-02", date(2026, 1, 2), "CZK", Decimal("25.000000"), NOW),
         ("CZK:2026-03-03", date(2026, 3, 3), "CZK", Decimal("20.000000"), NOW)],  # after the scoring date: unused
        "rate_id string, rate_date date, currency string, rate_per_eur decimal(18,6), published_at timestamp",
    )  # fmt: skip
    converted = loans.transform(exposure_in_reporting_currency(accounts, rates, NOW.date()))
    got = {r.loan_id: r[EXPOSURE] for r in converted.collect()}
    assert got == {"L1": Decimal("1000.00"), "L2": Decimal("10000.00"), "L3": None}
    with pytest.raises(FinlakeError, match=r"open loans L3 .* no exposure in EUR"):
        _check_exposure(converted)
    _check_exposure(converted.where("loan_id <> 'L3'"))  # every loan converted: no complaint
