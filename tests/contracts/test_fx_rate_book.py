"""The pure-Python rate book converts exactly as Gold's Spark conversion (gold/fx.py) on the same rows."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal as D

import pytest

from finlake.contracts import bronze
from finlake.contracts.fx_rates import REPORTING_CURRENCY, RateBook
from finlake.contracts.silver import SILVER_FX_RATES
from finlake.gold.fx import in_reporting_currency

EARLY, LATE = datetime(2024, 1, 1, 16), datetime(2024, 1, 9, 9)
# (currency, rate_date, rate_per_eur, published_at): Friday 5 and Monday 8 January 2024, a corrected USD
# rate for the 5th published later, CZK whose series starts on the 8th; no rate at all for JPY.
ROWS = [
    ("USD", date(2024, 1, 5), D("1.094200"), EARLY),
    ("USD", date(2024, 1, 5), D("1.100000"), LATE),  # the correction wins
    ("USD", date(2024, 1, 8), D("1.092100"), EARLY),
    ("GBP", date(2024, 1, 5), D("0.860830"), EARLY),
    ("CZK", date(2024, 1, 8), D("24.633000"), EARLY),
]
DAYS = [date(2024, 1, 3), date(2024, 1, 5), date(2024, 1, 6), date(2024, 1, 7), date(2024, 1, 8), date(2025, 3, 1)]


def gold_conversions(spark, rows, amounts):
    """(amount_eur, fx_rate_date, fx_estimated) per (amount, currency, day), by gold/fx.py."""
    rates = spark.createDataFrame(
        [
            (f"{c}:{d}", d, c, r, p, "test", d, "run")
            for c, d, r, p in rows  # lineage columns filled with anything: the conversion ignores them
        ],
        SILVER_FX_RATES.spark_schema(),
    )
    tx = spark.createDataFrame(
        [(i, a, c, d) for i, (a, c, d) in enumerate(amounts)], "i int, amount decimal(18,2), currency string, day date"
    )
    out = tx.transform(in_reporting_currency(rates, day="day")).orderBy("i").collect()
    return [(r.amount_eur, r.fx_rate_date, r.fx_estimated) for r in out]


def test_reporting_currency_is_the_contracts():
    assert REPORTING_CURRENCY == bronze.REPORTING_CURRENCY


def test_same_as_gold_on_weekends_corrections_pre_series_eur_and_unknown(spark):
    amounts = [
        (a, c, d)
        for a in (D("100.00"), D("9999.99"), D("0.01"))
        for c in ("USD", "GBP", "CZK", "EUR", "JPY")
        for d in DAYS
    ]
    book = RateBook.from_rows(ROWS)
    got = [(v.amount_eur, v.rate_date, v.estimated) for v in (book.convert(a, c, d) for a, c, d in amounts)]
    assert got == gold_conversions(spark, ROWS, amounts)
    # and independently of Gold, the cases by hand
    assert book.to_eur(D("110.00"), "USD", date(2024, 1, 7)) == D("100.00")  # Sunday: Friday's corrected rate
    assert book.convert(D("246.33"), "CZK", date(2024, 1, 3)).estimated  # before the series: its first rate
    assert book.to_eur(D("246.33"), "CZK", date(2024, 1, 3)) == D("10.00")
    assert book.to_eur(D("5.00"), "JPY", date(2024, 1, 8)) is None
    assert RateBook().to_eur(D("5.00"), "EUR", date(2024, 1, 8)) == D("5.00")


def test_same_rounding_as_gold_on_random_amounts_and_rates(spark):
    rng = random.Random(7)
    rows = [
        ("CZK", date(1999, 1, 4) + timedelta(days=i), D(rng.randrange(1, 40_000_000)) / 1_000_000, EARLY)
        for i in range(40)
    ]
    amounts = [
        (D(rng.randrange(1, 10**9)) / 100, "CZK", date(1999, 1, 1) + timedelta(days=rng.randrange(50)))
        for _ in range(2000)
    ]
    book = RateBook.from_rows(rows)
    assert [book.to_eur(a, c, d) for a, c, d in amounts] == [g[0] for g in gold_conversions(spark, rows, amounts)]


def test_half_cent_rounds_up():
    book = RateBook.from_rows([("XXX", date(2024, 1, 1), D("2.000000"), EARLY)])
    assert book.to_eur(D("0.01"), "XXX", date(2024, 1, 1)) == D("0.01")  # 0.005 -> 0.01
    assert book.to_eur(D("-0.01"), "XXX", date(2024, 1, 1)) == D("-0.01")  # away from zero, as Spark


def test_json_snapshot_round_trips_and_rejects_garbage():
    book = RateBook.from_rows(ROWS)
    again = RateBook.from_json(book.to_json())
    assert (again.dates, again.rates) == (book.dates, book.rates)
    assert again.rates["USD"][0] == D("1.100000")
    for bad in (
        "[]",
        '{"USD": [["2024-13-01", "1.1"]]}',
        '{"USD": [["2024-01-01", "x"]]}',
        '{"USD": [["2024-01-01", "0"]]}',
    ):
        with pytest.raises(ValueError, match="not a rate snapshot"):
            RateBook.from_json(bad)
