"""Issue 21 item 6: transactions in a currency with no ECB rate (no EUR amount, so no compliance rule can
judge them) are counted per currency in the Gold run report, with a WARN line in the job's summary."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal as D

from finlake.gold import fx_coverage, job
from finlake.report import RunReport


def _tx(tid: str, currency: str) -> dict:
    return {"transaction_id": tid, "account_id": "A1", "booked_at": datetime(2024, 5, 2, 9), "amount": D("10.00"),
            "currency": currency, "run_id": "r1"}  # fmt: skip


def _rate(currency: str) -> dict:
    day = date(2024, 1, 2)
    return {"rate_id": f"{currency}:{day}", "rate_date": day, "currency": currency, "rate_per_eur": D("25.0")}


def _inputs(silver_df, transactions: list[dict], rates: list[dict]) -> dict[str, job.SilverInput]:
    frames = {
        "customers": silver_df("customers", [{"customer_id": "C1", "run_id": "r1"}]),
        "accounts": silver_df("accounts", [{"account_id": "A1", "customer_id": "C1", "run_id": "r1"}]),
        "transactions": silver_df("transactions", transactions),
        "fx_rates": silver_df("fx_rates", rates),
    }
    return {n: job.SilverInput(n, df, f"silver.{n}", "1") for n, df in frames.items()}


def test_the_gate_pass_finds_unconvertible_currencies_and_the_report_counts_them(silver_df):
    rows = [_tx("T1", "EUR"), _tx("T2", "CZK"), _tx("T3", "JPY"), _tx("T4", "JPY"), _tx("T5", "KRW")]
    report = RunReport(run_id="r", job="silver_to_gold")
    job._silver_gate(_inputs(silver_df, rows, [_rate("CZK")]), {}, report)
    # EUR is itself and CZK has a rate: only JPY (2 rows) and KRW (1 row) have no EUR amount
    assert report.fx_unconverted == {"silver.transactions": {"JPY": 2, "KRW": 1}}
    assert report.to_dict()["fx_unconverted"] == {"silver.transactions": {"JPY": 2, "KRW": 1}}
    assert json.loads(json.dumps(report.to_dict(), default=str))["fx_unconverted"]["silver.transactions"]["JPY"] == 2
    warn = [line for line in job.summary(report).splitlines() if line.startswith("  WARN:")]
    assert warn == [
        "  WARN: 3 silver.transactions rows have no EUR amount (no ECB rate for JPY 2, KRW 1): "
        "no compliance threshold can judge them"
    ]


def test_nothing_to_report_when_every_currency_converts(silver_df):
    report = RunReport(run_id="r", job="silver_to_gold")
    job._silver_gate(_inputs(silver_df, [_tx("T1", "EUR"), _tx("T2", "CZK")], [_rate("CZK")]), {}, report)
    assert report.fx_unconverted == {} and "WARN:" not in job.summary(report)


def test_count_reads_only_the_currencies_found(silver_df):
    transactions = silver_df("transactions", [_tx("T1", "JPY"), _tx("T2", "USD"), _tx("T3", "JPY")])
    assert fx_coverage.count_unconverted(transactions, ["JPY"]) == {"JPY": 2}
    assert fx_coverage.count_unconverted(transactions, []) == {}
    assert fx_coverage.rate_currencies(silver_df("fx_rates", [_rate("USD"), _rate("CZK")])) == ["CZK", "EUR", "USD"]
