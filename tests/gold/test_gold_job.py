"""The Silver -> Gold job end to end on a tiny Silver published by the test."""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from decimal import Decimal as D
from pathlib import Path

import pytest
from chispa import assert_df_equality
from lake_tables import publish_silver as write_silver
from pyspark.sql import functions as F

from finlake import storage
from finlake.cli import main as cli_main
from finlake.contracts.gold import GOLD_TABLES
from finlake.gold import incremental, job
from finlake.gold.job import GoldParams, build_gold, run_silver_to_gold
from finlake.lake import Lake
from finlake.quality import QualityGateError
from finlake.quality.history import metric_history
from finlake.report import RunReport
from finlake.silver.state import load_state, save_state

BUILT = (
    "customer_loan_summary",
    "loan_features",
    "account_monthly_activity",
    "compliance_cash_alerts",
    "product_recommendations",
    "loan_monthly_snapshots",
)


def _tx(tid, account, when, amount, direction="CREDIT", channel="TRANSFER", balance="100.00"):
    return {"transaction_id": tid, "account_id": account, "booked_at": when, "amount": D(amount),
            "direction": direction, "channel": channel, "balance_after": D(balance)}  # fmt: skip


def silver_rows():
    return {
        "customers": [{"customer_id": c} for c in ("C1", "C2", "C3")],
        "accounts": [
            {"account_id": "A1", "customer_id": "C1"},
            {"account_id": "A2", "customer_id": "C2"},
            {"account_id": "A3", "customer_id": "C3", "account_type": "SAVINGS"},
        ],
        "loans": [
            {"loan_id": "L1", "customer_id": "C1", "account_id": "A1", "status": "DEFAULT"},
            {"loan_id": "L2", "customer_id": "C2", "account_id": "A2"},
        ],
        "transactions": [
            _tx("T1", "A1", datetime(2024, 5, 2, 9), "1000.00", balance="1000.00"),
            _tx("T2", "A1", datetime(2024, 5, 3, 9), "12000.00", "DEBIT", "ATM", balance="-11000.00"),
            _tx("T3", "A2", datetime(2024, 5, 10), "9000.00", "CREDIT", "BRANCH"),
            _tx("T4", "A2", datetime(2024, 5, 11), "9100.00", "CREDIT", "BRANCH"),
            _tx("T5", "A2", datetime(2024, 5, 12), "9200.00", "CREDIT", "ATM"),
            _tx("T6", "A2", datetime(2024, 6, 2), "5.00", "DEBIT", "CARD"),
            _tx("T7", "A3", datetime(2024, 4, 30), "50.00"),
        ],
        "fx_rates": [],  # every account is in EUR (published empty, as Silver does with no rates delivered)
        "dispositions": [],  # published empty, as Silver does with none delivered
        "cards": [],
    }


def publish_silver(lake, silver_df, rows):
    frames = {name: silver_df(name, table_rows) for name, table_rows in rows.items()}
    write_silver(next(iter(frames.values())).sparkSession, lake, frames)
    return frames


def read_gold(spark, lake, name):
    return storage.read_table(spark, lake, f"gold.{name}")


@pytest.fixture(scope="module")
def two_runs(spark, silver_df, tmp_path_factory):
    lake = Lake.local(tmp_path_factory.mktemp("lake"))
    frames = publish_silver(lake, silver_df, silver_rows())
    first = run_silver_to_gold(spark, lake, GoldParams(), run_id="20260101T000000Z-first")
    snapshot = {n: read_gold(spark, lake, n).collect() for n in BUILT}
    versions = {n: storage.current_snapshot_id(spark, lake, f"gold.{n}") for n in BUILT}
    second = run_silver_to_gold(spark, lake, GoldParams(), run_id="20260101T000100Z-second")
    return lake, frames, first, second, snapshot, versions


def test_publishes_every_gold_table_as_built(spark, two_runs):
    lake, frames, first, _, _, _ = two_runs
    built = build_gold(frames, GoldParams())
    for name in BUILT:
        assert_df_equality(read_gold(spark, lake, name), built[name], ignore_row_order=True, ignore_nullable=True)
    # counted by hand from silver_rows(): 2 borrowers, 2 loans, (A1,05) (A2,05) (A2,06) (A3,04),
    # T2 large cash + T3..T5 structuring, 3 customers
    rows = {n: first.tables[f"gold.{n}"].rows for n in BUILT}
    assert rows == {
        "customer_loan_summary": 2,
        "loan_features": 2,
        "account_monthly_activity": 4,
        "compliance_cash_alerts": 2,
        "product_recommendations": 3,
        # both loans are granted on 2024-06-01 and the data ends 2024-06-02: no complete month end yet
        "loan_monthly_snapshots": 0,
    }


def test_report_has_quality_and_lineage(spark, two_runs):
    lake, _, first, _, _, _ = two_runs
    report = json.loads(Path(lake.run_report(first.run_id)).read_text())
    assert report["status"] == "succeeded" and report["job"] == "silver_to_gold"
    tables = {q["table"] for q in report["quality"]}
    silver = ("customers", "accounts", "loans", "transactions", "fx_rates", "dispositions", "cards")
    assert tables == {f"silver.{n}" for n in silver} | {f"gold.{n}" for n in BUILT}
    assert not [q for q in report["quality"] if q["outcome"] == "failed" and q["severity"] == "blocking"]
    features = report["tables"]["gold.loan_features"]
    assert features["upstream"] == [
        "silver.loans",
        "silver.customers",
        "silver.transactions",
        "silver.dispositions",
        "silver.cards",
    ]
    transactions = features["sources"]["silver.transactions"]
    assert transactions["version"] == str(storage.current_snapshot_id(spark, lake, "silver.transactions"))
    assert transactions["run_ids"] == ["r1"] and transactions["rows"] == 7
    assert transactions["ingest_dates"] == ["2024-01-01", "2024-01-01"]


def test_second_run_on_the_same_silver_gives_identical_gold(spark, two_runs):
    lake, _, _, second, snapshot, versions = two_runs
    for name in BUILT:
        republished = storage.current_snapshot_id(spark, lake, f"gold.{name}") != versions[name]
        # the history-sized tables are rebuilt only for new transactions: none here, so left as they were
        assert republished == (name not in incremental.INCREMENTAL_TABLES), name
        again = read_gold(spark, lake, name)
        assert_df_equality(again, spark.createDataFrame(snapshot[name], again.schema), ignore_row_order=True)
    # the second run compared its row counts with the first (dynamic rules had a history)
    dynamic = [q for q in second.quality if "last(" in q["rule"]]
    assert dynamic and all(q["outcome"] == "passed" for q in dynamic)


def _usd(day, value):
    return {"rate_id": f"USD:{day}", "rate_date": day, "currency": "USD", "rate_per_eur": D(value),
            "published_at": datetime(2024, 6, 5)}  # fmt: skip


def _append_transactions(spark, lake, silver_df, rows):
    """A day's Silver run that only appended transactions, as the Silver job commits it."""
    storage.merge_insert_new(spark, lake, "silver.transactions", silver_df("transactions", rows), "transaction_id")
    state = load_state(lake)
    state.snapshots["silver.transactions"] = storage.current_snapshot_id(spark, lake, "silver.transactions")
    save_state(lake, state)


def test_a_day_of_new_transactions_rebuilds_only_what_it_changed(spark, silver_df, tmp_path):
    lake = Lake.local(tmp_path / "lake")
    frames = publish_silver(lake, silver_df, silver_rows())
    run_silver_to_gold(spark, lake, GoldParams(), run_id="20260101T000000Z-day1")
    day2 = [
        _tx("T8", "A2", datetime(2024, 6, 3), "9300.00", "CREDIT", "BRANCH"),  # with T6: no burst
        _tx("T9", "A1", datetime(2024, 6, 4), "15000.00", "CREDIT", "BRANCH"),  # LARGE_CASH
        _tx("T10", "A3", datetime(2024, 5, 20), "70.00"),  # a late booking in May
    ]
    _append_transactions(spark, lake, silver_df, day2)
    report = run_silver_to_gold(spark, lake, GoldParams(), run_id="20260101T000100Z-day2")
    note = next(n for n in report.notes if n.startswith("incremental Gold: "))
    assert "account_monthly_activity months 2024-05, 2024-06" in note
    assert "loan_features transaction columns recomputed for new, changed or late-booked loans" in note
    everything = {**frames, "transactions": frames["transactions"].unionByName(silver_df("transactions", day2))}
    built = build_gold(everything, GoldParams())
    for name in BUILT:  # whole tables: the increment equals a full rebuild
        assert_df_equality(read_gold(spark, lake, name), built[name], ignore_row_order=True, ignore_nullable=True)

    # new exchange rates: a currency's first rate converts every earlier date (full rebuild); a later
    # rate corrected converts only from its date on (the alerts from that month are judged again)
    for day, (may_rate, expected) in enumerate(
        [("1.100000", "rebuilt in full: a currency's first exchange rate changed"),
         ("1.200000", "alert months from 2024-05 (rates changed from 2024-05-15)")], start=3,
    ):  # fmt: skip
        rates = [_usd(date(2024, 1, 2), "1.050000"), _usd(date(2024, 5, 15), may_rate)]
        everything["fx_rates"] = publish_silver(lake, silver_df, {"fx_rates": rates})["fx_rates"]
        report = run_silver_to_gold(spark, lake, GoldParams(), run_id=f"20260101T00{day}00Z-day{day}")
        assert any(expected in n for n in report.notes), report.notes
        built = build_gold(everything, GoldParams())
        for name in BUILT:
            assert_df_equality(read_gold(spark, lake, name), built[name], ignore_row_order=True, ignore_nullable=True)

    storage.replace_rows(spark, lake, "silver.transactions", everything["transactions"])  # e.g. a full refresh
    state = load_state(lake)
    state.snapshots["silver.transactions"] = storage.current_snapshot_id(spark, lake, "silver.transactions")
    save_state(lake, state)
    report = run_silver_to_gold(spark, lake, GoldParams(), run_id="20260101T000500Z-day5")
    assert any("rebuilt in full: silver.transactions was rewritten" in n for n in report.notes)
    for name in BUILT:
        assert_df_equality(read_gold(spark, lake, name), built[name], ignore_row_order=True, ignore_nullable=True)


def test_the_silver_gate_reads_only_the_appended_transactions_and_still_blocks(spark, silver_df, tmp_path):
    """Day 2's gate on silver.transactions evaluates the appended rows merged with day 1's values: the
    same metrics and lineage as a whole-table gate. A published id appended again (not something
    Silver does: a plain append here) is a primary-key violation the merged gate still blocks on."""
    lake = Lake.local(tmp_path / "lake")
    publish_silver(lake, silver_df, silver_rows())
    run_silver_to_gold(spark, lake, GoldParams(), run_id="20260101T000000Z-day1")
    _append_transactions(spark, lake, silver_df, [_tx("T8", "A2", datetime(2024, 6, 3), "10.00")])
    report = run_silver_to_gold(spark, lake, GoldParams(), run_id="20260101T000100Z-day2")
    assert "Silver gate on silver.transactions: the rows appended since the last run, merged" in report.notes
    history = metric_history(lake, job.JOB_NAME)
    whole = job._silver_gate(job.read_silver(spark, lake), history, RunReport(run_id="x", job="check"))["transactions"]
    gated = [(q["rule"], q["value"], q["message"]) for q in report.quality if q["table"] == "silver.transactions"]
    assert gated == [(r.rule, r.value, r.message) for r in whole.results]
    assert (
        report.tables["gold.account_monthly_activity"].sources["silver.transactions"]["run_ids"]
        == whole.extras["run_ids"]
    )

    storage.ensure_table(spark, lake, "silver.transactions")
    again = silver_df("transactions", [_tx("T1", "A1", datetime(2024, 6, 5), "1.00")])
    again.writeTo(storage.ref("silver.transactions").identifier(lake)).append()
    state = load_state(lake)
    state.snapshots["silver.transactions"] = storage.current_snapshot_id(spark, lake, "silver.transactions")
    save_state(lake, state)
    with pytest.raises(QualityGateError, match="IsPrimaryKey"):
        run_silver_to_gold(spark, lake, GoldParams(), run_id="20260101T000200Z-day3")


def test_loan_features_changed_outside_the_job_is_rebuilt_in_full(spark, silver_df, tmp_path):
    """A published loan_features value that no Gold run wrote (here: tampered) is not reused."""
    lake = Lake.local(tmp_path / "lake")
    frames = publish_silver(lake, silver_df, silver_rows())
    run_silver_to_gold(spark, lake, GoldParams(), run_id="20260101T000000Z-day1")
    storage.replace_rows(
        spark, lake, "gold.loan_features", read_gold(spark, lake, "loan_features").withColumn("inflow", F.lit(-1.0))
    )
    day2 = [_tx("T8", "A2", datetime(2024, 6, 3), "10.00")]
    _append_transactions(spark, lake, silver_df, day2)
    report = run_silver_to_gold(spark, lake, GoldParams(), run_id="20260101T000100Z-day2")
    assert "gold.loan_features rebuilt in full: it changed outside silver-to-gold since the last run" in report.notes
    everything = {**frames, "transactions": frames["transactions"].unionByName(silver_df("transactions", day2))}
    expected = build_gold(everything, GoldParams())["loan_features"]
    assert_df_equality(read_gold(spark, lake, "loan_features"), expected, ignore_row_order=True, ignore_nullable=True)


def test_risk_scores_reserved_empty_with_schema_and_never_overwritten(spark, two_runs):
    lake, _, first, second, _, _ = two_runs
    scores = read_gold(spark, lake, "customer_risk_scores")
    assert scores.count() == 0
    table_schema = spark.table(storage.ref("gold.customer_risk_scores").identifier(lake)).schema
    assert [(f.name, f.dataType) for f in table_schema] == [
        (f.name, f.dataType) for f in GOLD_TABLES["customer_risk_scores"].spark_schema()
    ]
    assert "gold.customer_risk_scores" in first.tables and "gold.customer_risk_scores" not in second.tables


def test_blocking_rule_stops_promotion_and_keeps_the_last_gold(spark, silver_df, tmp_path):
    lake = Lake.local(tmp_path)
    rows = silver_rows()
    publish_silver(lake, silver_df, rows)
    run_silver_to_gold(spark, lake, GoldParams(), run_id="20260101T000000Z-good")
    good = storage.current_snapshot_id(spark, lake, "gold.loan_features")
    # a loan whose account Silver does not know: ReferentialIntegrity (blocking) fails
    rows["loans"].append({"loan_id": "L3", "customer_id": "C3", "account_id": "A404"})
    publish_silver(lake, silver_df, {"loans": rows["loans"]})

    with pytest.raises(QualityGateError) as failure:
        run_silver_to_gold(spark, lake, GoldParams(), run_id="20260101T000100Z-bad")
    message = str(failure.value)
    assert "\n" not in message and "Silver not promoted to Gold" in message
    assert 'silver.loans ReferentialIntegrity "account_id" "accounts.{account_id}" = 1.0 (1 of 3 keys' in message
    assert storage.current_snapshot_id(spark, lake, "gold.loan_features") == good
    report = json.loads(Path(lake.run_report("20260101T000100Z-bad")).read_text())
    assert report["status"] == "failed" and report["message"] == message


def test_gold_that_breaks_a_blocking_rule_is_not_published(spark, silver_df, tmp_path, monkeypatch):
    lake = Lake.local(tmp_path)
    frames = publish_silver(lake, silver_df, silver_rows())
    built = build_gold(frames, GoldParams())
    duplicated = {**built, "loan_features": built["loan_features"].unionByName(built["loan_features"])}
    monkeypatch.setattr(job, "build_gold", lambda silver, params: duplicated)

    with pytest.raises(QualityGateError, match=r"Gold not published .*gold.loan_features IsPrimaryKey"):
        run_silver_to_gold(spark, lake, GoldParams(), run_id="20260101T000000Z-bad")
    for name in BUILT:  # nothing published, and every audit branch dropped
        assert read_gold(spark, lake, name).count() == 0
        refs = spark.sql(f"SELECT name FROM {storage.ref(f'gold.{name}').identifier(lake)}.refs").collect()
        assert [r.name for r in refs] == ["main"]
    report = json.loads(Path(lake.run_report("20260101T000000Z-bad")).read_text())
    assert report["status"] == "failed" and report["tables"] == {}


def test_cli_one_line_error_without_silver(tmp_path, capsys):
    code = cli_main(["--lake", str(tmp_path), "silver-to-gold", "--large-cash-threshold", "5000"])
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert err.count("\n") == 0 and "silver.customers is not published" in err
    assert not os.path.exists(tmp_path / "gold")


def test_params_are_checked():
    with pytest.raises(Exception, match="structuring lower fraction"):
        GoldParams(structuring_lower_fraction=1.5)
    assert GoldParams().large_cash_threshold == 10_000.0 and GoldParams().structuring_window_days == 7
