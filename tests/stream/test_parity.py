"""The stream gives exactly the batch builder's LARGE_CASH and STRUCTURING alert ids for the same data.

Both judge in EUR with the same rates (the ECB's real rates, as `finlake generate` writes them): accounts in
EUR, USD, GBP, CHF (whose rates start mid-period: earlier dates use its first rate) and JPY (no rate: no
EUR amount, so no compliance alert on either side)."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from generated import encoded, lambda_records, shuffled, transactions
from pyspark.sql import functions as F
from pyspark.sql import types as T

from finlake.contracts.bronze import CASH_CHANNELS
from finlake.contracts.compliance_rules import ALLOWED_LATENESS_SECONDS, LARGE_CASH, STRUCTURING
from finlake.contracts.fx_rates import RateBook
from finlake.contracts.silver import SILVER_FX_RATES
from finlake.fxrates import rate_rows
from finlake.gold.compliance import compliance_cash_alerts
from finlake.stream.handler import Deps, handle
from finlake.stream.memory import MemoryOutputs, MemoryPublisher, MemoryState
from finlake.stream.monitor import Rules

CURRENCIES = ("EUR", "USD", "GBP", "CHF", "JPY")
SERIES_START = {"CHF": "2024-01-10"}  # CHF's rates begin here: its earlier amounts use this first rate


def fx_rows() -> list[dict[str, str]]:
    """Bronze/Silver fx_rates rows as `finlake generate` writes them, with CHF's first days left out."""
    rows = rate_rows(["USD", "GBP", "CHF"], dt.date(2024, 1, 1), dt.date(2024, 2, 15))
    return [r for r in rows if r["rate_date"] >= SERIES_START.get(r["currency"], "")]


def book_rows(rows: list[dict[str, str]]) -> list[tuple]:
    return [
        (r["currency"], dt.date.fromisoformat(r["rate_date"]), Decimal(r["rate_per_eur"]), r["published_at"])
        for r in rows
    ]


def in_currencies(rows: list[dict[str, str]], fx: list[dict[str, str]]) -> list[dict[str, str]]:
    """Each account in one of CURRENCIES, its (EUR) amounts scaled by a rate of the period, so they stay
    near the thresholds once converted back at each booking day's own rate (and some cross them)."""
    scale = {r["currency"]: Decimal(r["rate_per_eur"]) for r in fx if r["rate_date"] == "2024-01-15"}
    scale |= {"EUR": Decimal(1), "JPY": Decimal(160)}
    out = []
    for row in rows:
        currency = CURRENCIES[int(row["account_id"][1:]) % len(CURRENCIES)]
        amount = (Decimal(row["amount"]) * scale[currency]).quantize(Decimal("0.01"), ROUND_HALF_UP)
        out.append({**row, "currency": currency, "amount": f"{amount:.2f}"})
    return out


TX_SCHEMA = T.StructType(
    [
        T.StructField("transaction_id", T.StringType()),
        T.StructField("account_id", T.StringType()),
        T.StructField("booked_at", T.TimestampType()),
        T.StructField("amount", T.DecimalType(18, 2)),
        T.StructField("direction", T.StringType()),
        T.StructField("channel", T.StringType()),
        T.StructField("is_cash", T.BooleanType()),
        T.StructField("currency", T.StringType()),
    ]
)


def batch_ids(spark, rows, fx) -> set[str]:
    tx = spark.createDataFrame(
        [
            (
                r["transaction_id"],
                r["account_id"],
                datetime.fromisoformat(r["booked_at"]).replace(tzinfo=None),  # UTC session, naive UTC values
                Decimal(r["amount"]),
                r["direction"],
                r["channel"],
                r["channel"] in CASH_CHANNELS,
                r["currency"],
            )
            for r in rows
        ],
        TX_SCHEMA,
    )
    accounts = spark.createDataFrame(
        [(a, "C") for a in {r["account_id"] for r in rows}], "account_id string, customer_id string"
    )
    tx = tx.withColumn("booked_date", F.to_date("booked_at"))  # as Silver adds it (UTC session)
    rates = spark.createDataFrame(
        [
            (r["rate_id"], day, r["currency"], Decimal(r["rate_per_eur"]), datetime.fromisoformat(r["published_at"]))
            + ("fx.csv", day, "run")  # lineage: the conversion ignores it
            for r in fx
            for day in [dt.date.fromisoformat(r["rate_date"])]
        ],
        SILVER_FX_RATES.spark_schema(),
    )
    return {r.alert_id for r in compliance_cash_alerts(tx, accounts, rates).select("alert_id").collect()}


def stream_ids(payloads: list[bytes], rules: Rules, batch_size: int = 100) -> tuple[set[str], MemoryOutputs]:
    deps = Deps(MemoryState(), MemoryPublisher(), MemoryOutputs(), rules)
    records = lambda_records(payloads)
    for start in range(0, len(records), batch_size):
        response, _ = handle(records[start : start + batch_size], deps)
        assert response == {"batchItemFailures": []}
    flush = lambda_records([b'{"flush": true}'], start=len(records))  # a malformed record: watermark unchanged
    handle(flush, deps)
    return set(deps.publisher.sent), deps.outputs


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_shuffled_replay_with_duplicates_gives_the_batch_ids(spark, seed):
    fx = fx_rows()
    rows = in_currencies(transactions(seed), fx)
    # the last event far in the future closes every window, as time passing does on a live stream
    closing = {**rows[0], "transaction_id": "ZZ-END", "booked_at": "2030-01-01T00:00:00Z", "channel": "ONLINE"}
    delivered = shuffled(rows, within=ALLOWED_LATENESS_SECONDS, duplicate_rate=0.1, seed=seed) + [closing]
    expected = batch_ids(spark, rows, fx)
    got, outputs = stream_ids(encoded(delivered), Rules(rates=RateBook.from_rows(book_rows(fx))))
    assert {i for i in got if i.split(":")[0] in {LARGE_CASH, STRUCTURING}} == expected
    assert len([i for i in expected if i.startswith(STRUCTURING)]) >= 3  # the data does exercise the rule
    alerted = {i.split(":")[1] for i in expected}
    by_currency = {c: {r["account_id"] for r in rows if r["currency"] == c} for c in CURRENCIES}
    assert all(by_currency[c] & alerted for c in CURRENCIES[:-1]), "every converted currency raises alerts"
    assert not by_currency["JPY"] & alerted, "no rate, no EUR amount: no compliance alert"
    assert outputs.items["late"] == []


def test_the_default_rules_judge_only_eur_amounts():
    large = {**transactions(1)[0], "channel": "BRANCH", "direction": "DEBIT", "amount": "20000.00"}
    czk = {**large, "transaction_id": "T-CZK", "account_id": "A-CZK", "currency": "CZK"}
    book = RateBook.from_rows([("CZK", dt.date(2023, 12, 29), Decimal("24.724000"), "2023-12-29T15:00:00")])
    closing = {**large, "transaction_id": "ZZ-END", "booked_at": "2030-01-01T00:00:00Z", "channel": "ONLINE"}
    got_default, _ = stream_ids(encoded([large, czk, closing]), Rules())
    assert {i for i in got_default if i.startswith(LARGE_CASH)} == {f"{LARGE_CASH}:A000:{large['transaction_id']}"}
    czk_large = {**czk, "transaction_id": "T-CZK2", "amount": "247240.00"}  # 10,000.00 EUR at that rate
    got_rates, _ = stream_ids(encoded([large, czk, czk_large, closing]), Rules(rates=book))
    assert {i for i in got_rates if i.startswith(LARGE_CASH)} == {
        f"{LARGE_CASH}:A000:{large['transaction_id']}",
        f"{LARGE_CASH}:A-CZK:T-CZK2",
    }
