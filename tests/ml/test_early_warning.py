"""The early-warning model: out-of-time split, lead time and alert precision, the scored rows
("risk rose"), and (slow) train -> register -> score on a generated lake."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
from pyspark.ml import PipelineModel
from pyspark.ml.feature import SQLTransformer
from pyspark.sql import functions as F

from finlake.contracts.gold import GOLD_TABLES
from finlake.ml.calibration import PROBABILITY
from finlake.ml.early_warning import alert_precision, lead_times, out_of_time_split
from finlake.ml.early_warning_scoring import RISE_ALERT, early_warning_rows
from finlake.ml.features import LABEL


def test_the_latest_months_holding_the_test_share_are_the_test_set(spark):
    # 40 rows in 2024-01, 30 in 2024-02, 20 in 2024-03, 10 in 2024-04: from 2024-03 on is 30% of the rows
    rows = [(m, i) for m, n in (("2024-01", 40), ("2024-02", 30), ("2024-03", 20), ("2024-04", 10)) for i in range(n)]
    labelled = spark.createDataFrame(rows, "snapshot_month string, i int")
    train, test, first = out_of_time_split(labelled, 0.3)
    assert first == "2024-03"
    assert (train.count(), test.count()) == (70, 30)
    assert train.agg(F.max("snapshot_month")).first()[0] < test.agg(F.min("snapshot_month")).first()[0]


def test_lead_time_is_measured_from_the_first_month_end_over_the_threshold():
    scored = pd.DataFrame(
        {
            "loan_id": ["A", "A", "A", "B", "B", "C"],
            "month_end": [
                date(2024, 1, 31),
                date(2024, 2, 29),
                date(2024, 3, 31),
                date(2024, 1, 31),
                date(2024, 2, 29),
                date(2024, 1, 31),
            ],
            "default_date": [date(2024, 4, 30)] * 3 + [date(2024, 3, 10)] * 2 + [None],
            PROBABILITY: [0.1, 0.6, 0.9, 0.2, 0.3, 0.9],
        }
    )
    result = lead_times(scored, threshold=0.5)
    # A crosses at 2024-02-29, 61 days (2.0 months) before its default; B never does; C never defaults
    assert result["defaulted_loans"] == 2 and result["caught"] == 1 and result["share_caught"] == 0.5
    assert result["median_lead_months"] == pytest.approx(61 / 30.44)


def test_alert_precision_counts_each_loan_at_its_first_alert():
    on_test = pd.DataFrame(
        {
            "loan_id": ["A", "A", "B", "C", "D"],
            "month_end": [
                date(2024, 1, 31),
                date(2024, 2, 29),
                date(2024, 1, 31),
                date(2024, 2, 29),
                date(2024, 1, 31),
            ],
            LABEL: [0.0, 1.0, 1.0, 0.0, 1.0],
            PROBABILITY: [0.7, 0.8, 0.9, 0.6, 0.1],
        }
    )
    # first alerts: A in January (label 0), B (1), C (0); D is never alerted
    assert alert_precision(on_test, 0.5) == {
        "alerted_loans": 3,
        "alerted_loans_defaulting_within_6m": 1,
        "loan_alert_precision": pytest.approx(1 / 3),
    }


def test_risk_rose_when_the_threshold_is_crossed_or_the_probability_jumps(spark):
    columns = GOLD_TABLES["loan_monthly_snapshots"].spark_schema()
    base = {c.name: None for c in columns}
    # a stand-in model: the probability is the arrears column itself
    model = PipelineModel(
        stages=[SQLTransformer(statement=f"SELECT *, arrears_instalments AS {PROBABILITY} FROM __THIS__")]
    )
    rows = [
        ("L1", "2024-01", 0.05), ("L1", "2024-02", 0.30), ("L1", "2024-03", 0.35), ("L1", "2024-04", 0.10),
        ("L2", "2024-01", 0.20), ("L2", "2024-02", 0.20 + RISE_ALERT),
    ]  # fmt: skip
    data = [
        tuple({**base, "loan_id": loan, "customer_id": "C" + loan, "snapshot_month": m,
               "month_end": date(2024, int(m[-2:]), 28), "arrears_instalments": p}[c.name] for c in columns)
        for loan, m, p in rows
    ]  # fmt: skip
    out = early_warning_rows(spark.createDataFrame(data, columns), model, 0.25, ("ew", "3"), datetime(2024, 5, 1))
    got = {(r.loan_id, r.snapshot_month): (r.alert, r.risk_rose, r.risk_band) for r in out.collect()}
    assert got == {
        ("L1", "2024-01"): (False, False, "LOW"),
        ("L1", "2024-02"): (True, True, "HIGH"),  # crossed 0.25
        ("L1", "2024-03"): (True, False, "HIGH"),  # still over it, rose by 0.05 only
        ("L1", "2024-04"): (False, False, "MEDIUM"),
        ("L2", "2024-01"): (False, False, "MEDIUM"),
        ("L2", "2024-02"): (True, True, "HIGH"),  # crossed, and rose by RISE_ALERT
    }
    assert {r.previous_probability for r in out.where("loan_id = 'L1' and snapshot_month = '2024-02'").collect()} == {
        0.05
    }


@pytest.mark.slow
def test_train_register_and_score_on_a_generated_lake(spark, tmp_path, capsys):
    """generate (400 customers) -> Silver -> Gold -> train (MLflow, alias) -> score -> alerts and dashboard."""
    from finlake.commands import alerts
    from finlake.dashboard.build import build_page
    from finlake.generate import GeneratorConfig, generate
    from finlake.gold.job import GoldParams, run_silver_to_gold
    from finlake.lake import Lake
    from finlake.ml.early_warning import log_early_warning, train_early_warning
    from finlake.ml.early_warning_scoring import TABLE, score_early_warning
    from finlake.silver.job import run_bronze_to_silver
    from finlake.storage import read_table

    root = tmp_path / "lake"
    lake = Lake.local(root)
    generate(str(root), GeneratorConfig.resolve(customers=400, days=2, seed=3, dirty_rate=0.0), log=lambda _: None)
    run_bronze_to_silver(spark, lake, full_refresh=False, run_id="20260101T000000Z-silver")
    run_silver_to_gold(spark, lake, GoldParams(), run_id="20260101T000100Z-gold")
    run = train_early_warning(spark, lake)
    report = run.report
    assert 0.5 < report["test"]["roc_auc"] <= 1.0
    assert report["test"]["roc_auc_ci95_low"] < report["test"]["roc_auc"] < report["test"]["roc_auc_ci95_high"]
    assert 0.5 < report["truth"]["best_possible_roc_auc"] <= 1.0
    assert report["lead_time"]["defaulted_loans"] > 0
    _, version = log_early_warning(lake, run)
    done = score_early_warning(spark, lake)
    assert done.model_version == version and done.threshold == pytest.approx(run.threshold)
    snapshots = read_table(spark, lake, "gold.loan_monthly_snapshots").count()
    scored = read_table(spark, lake, TABLE)
    assert scored.count() == snapshots == done.rows
    assert scored.where(F.col("alert") != (F.col("probability") >= done.threshold)).count() == 0
    alerts.execute(str(root))
    assert f"{done.loans_risk_rose_latest} loan(s) whose risk rose at the latest month end" in capsys.readouterr().out
    # The dashboard's "Customers whose risk rose" table (view dash_risk_rose) lists the same loans.
    shown = f'data-visual-id="table-risk-rose" data-visual-type="table" data-rows="{done.loans_risk_rose_latest}"'
    assert shown in build_page(lake)
