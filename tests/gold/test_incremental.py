"""The incremental Gold rebuild equals a full rebuild: compliance alerts rebuilt from each account's
structuring scope, monthly activity from the touched months, and loan features with the transaction
columns of unchanged loans reused (whole tables compared)."""

import random
from datetime import date, datetime, timedelta
from decimal import Decimal as D

import pytest
from pyspark.sql import functions as F

from finlake.gold import incremental
from finlake.gold.account_monthly_activity import account_monthly_activity
from finlake.gold.compliance import ComplianceRules, compliance_cash_alerts
from finlake.gold.loan_features import loan_features

RULES = ComplianceRules(threshold=10_000.0, window_days=7, min_count=3, lower_fraction=0.8)


def _t(tid, account, when, amount, direction="CREDIT", channel="BRANCH"):
    return {"transaction_id": tid, "account_id": account, "booked_at": when, "amount": D(amount),
            "direction": direction, "channel": channel}  # fmt: skip


def _same(actual, expected):
    assert actual.count() == expected.count()
    assert actual.exceptAll(expected).count() == 0 and expected.exceptAll(actual).count() == 0


def _incremental_alerts(spark, old, new, accounts_df, silver_df):
    """What the Gold job publishes after the increment: the untouched months as they were, plus the
    rebuilt rows from the first month the increment can change."""
    everything = silver_df("transactions", old + new)
    new_df = silver_df("transactions", new)
    rates = silver_df("fx_rates", [])  # every transaction in EUR
    published = compliance_cash_alerts(silver_df("transactions", old), accounts_df, rates, RULES)
    months = sorted({t["booked_at"].strftime("%Y-%m") for t in new})
    since = incremental.structuring_scope(everything, new_df, RULES)
    first = incremental.scope_first_month(incremental.Increment(new_df, months), since)
    rebuilt = incremental.compliance_rows(everything, new_df, accounts_df, published, RULES, since, first, rates)
    return published.where(published.alert_month < first).unionByName(rebuilt), everything


def test_a_new_deposit_completes_a_burst_that_began_last_month(spark, silver_df):
    # two deposits at the end of January make no alert; a third on 2 February (within 7 days of the
    # first) makes one STRUCTURING alert that starts in January: the rebuild must reach back into it
    old = [
        _t("J1", "A1", datetime(2024, 1, 27, 9), "9000.00"),
        _t("J2", "A1", datetime(2024, 1, 30, 9), "9100.00"),
        _t("J0", "A1", datetime(2024, 1, 10, 9), "9200.00"),  # a window and more before: separate
        _t("B1", "A2", datetime(2024, 1, 5, 9), "12000.00", "DEBIT", "ATM"),  # an old LARGE_CASH alert
    ]
    new = [_t("F1", "A1", datetime(2024, 2, 2, 8), "9300.00")]
    accounts = silver_df("accounts", [{"account_id": a, "customer_id": "C" + a} for a in ("A1", "A2")])
    result, everything = _incremental_alerts(spark, old, new, accounts, silver_df)
    alerts = {r.alert_id: r for r in result.collect()}
    assert set(alerts) == {"STRUCTURING:A1:J1", "LARGE_CASH:A2:B1"}
    assert alerts["STRUCTURING:A1:J1"].transaction_ids == ["J1", "J2", "F1"]
    _same(result, compliance_cash_alerts(everything, accounts, silver_df("fx_rates", []), RULES))


def _random_history(rng, accounts, months=4):
    """Cash deposits just below the threshold clustered around month ends (bursts that cross them),
    some above it, withdrawals, and transfers, over `months` months."""
    rows, start = [], datetime(2024, 1, 1)
    for n in range(900):
        account = rng.choice(accounts)
        month_end = datetime(2024, 2 + rng.randrange(months - 1), 1) - timedelta(days=rng.uniform(-4, 6))
        when = month_end if rng.random() < 0.7 else start + timedelta(days=rng.uniform(0, 30 * months))
        kind = rng.random()
        if kind < 0.7:
            rows.append(_t(f"T{n}", account, when.replace(microsecond=0), f"{rng.uniform(8000, 9999):.2f}"))
        elif kind < 0.8:
            rows.append(_t(f"T{n}", account, when.replace(microsecond=0), "15000.00", "DEBIT", "ATM"))
        else:
            rows.append(_t(f"T{n}", account, when.replace(microsecond=0), "500.00", "CREDIT", "TRANSFER"))
    return rows


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_increments_equal_a_full_rebuild(spark, silver_df, seed):
    rng = random.Random(seed)
    names = [f"A{i}" for i in range(12)]
    history = _random_history(rng, names)
    cut = max(t["booked_at"] for t in history) - timedelta(days=rng.choice([3, 20, 45]))
    old = [t for t in history if t["booked_at"] < cut]
    late = [t for t in old if rng.random() < 0.05]  # some of the day's rows were booked long ago
    new = [t for t in history if t["booked_at"] >= cut] + late
    old = [t for t in old if t not in late]
    accounts = silver_df("accounts", [{"account_id": a, "customer_id": "C" + a} for a in names])
    result, everything = _incremental_alerts(spark, old, new, accounts, silver_df)
    _same(result, compliance_cash_alerts(everything, accounts, silver_df("fx_rates", []), RULES))

    months = sorted({t["booked_at"].strftime("%Y-%m") for t in new})
    published = account_monthly_activity(silver_df("transactions", old), accounts)
    monthly = published.where(~published.month.isin(*months)).unionByName(
        incremental.monthly_activity_rows(everything, accounts, months)
    )
    _same(monthly, account_monthly_activity(everything, accounts))


def _rate(day, value):
    return {"rate_id": f"CZK:{day}", "rate_date": day, "currency": "CZK", "rate_per_eur": D(value)}


def test_a_corrected_exchange_rate_rejudges_what_it_converts(spark, silver_df):
    # The rate of 1 February is corrected from 25 to 20 CZK per euro: amounts booked from then on are
    # worth more in EUR. A withdrawal becomes LARGE_CASH, three deposits become a STRUCTURING burst, a
    # LARGE_CASH alert's EUR amount changes; January (converted with the unchanged first rate) stays.
    accounts = silver_df("accounts", [{"account_id": "K1", "customer_id": "C1", "currency": "CZK"}])

    def czk(tid, when, amount, direction="DEBIT", channel="ATM"):
        return {**_t(tid, "K1", when, amount, direction, channel), "currency": "CZK"}

    history = [
        czk("X2", datetime(2024, 1, 15), "260000.00"),  # 10,400 EUR either way
        czk("X1", datetime(2024, 2, 10), "210000.00"),  # 8,400 -> 10,500 EUR
        czk("S1", datetime(2024, 2, 12), "190000.00", "CREDIT", "BRANCH"),  # 7,600 -> 9,500 EUR (just below)
        czk("S2", datetime(2024, 2, 14), "190000.00", "CREDIT", "BRANCH"),
        czk("S3", datetime(2024, 2, 16), "190000.00", "CREDIT", "BRANCH"),
        czk("X3", datetime(2024, 2, 20), "255000.00"),  # 10,200 -> 12,750 EUR
    ]
    everything = silver_df("transactions", history)
    before = silver_df("fx_rates", [_rate(date(2024, 1, 1), "25.000000"), _rate(date(2024, 2, 1), "25.000000")])
    after = silver_df("fx_rates", [_rate(date(2024, 1, 1), "25.000000"), _rate(date(2024, 2, 1), "20.000000")])
    published = compliance_cash_alerts(everything, accounts, before, RULES)

    increment = incremental.Increment(silver_df("transactions", []), [], rates_from=date(2024, 2, 1))
    judged = increment.judged_again(everything)
    since = incremental.structuring_scope(everything, judged, RULES)
    first = incremental.scope_first_month(increment, since)
    rebuilt = incremental.compliance_rows(
        everything, judged, accounts, published, RULES, since, first, after, date(2024, 2, 1)
    )
    result = published.where(published.alert_month < first).unionByName(rebuilt)

    expected = compliance_cash_alerts(everything, accounts, after, RULES)
    assert {r.alert_id for r in expected.collect()} == {
        "LARGE_CASH:K1:X2", "LARGE_CASH:K1:X1", "LARGE_CASH:K1:X3", "STRUCTURING:K1:S1",
    }  # fmt: skip
    _same(result, expected)


def _loan(loan_id, account, origination):
    return {"loan_id": loan_id, "customer_id": "C1", "account_id": account, "origination_date": origination,
            "monthly_payment": D("90.00"), "principal": D("1000.00")}  # fmt: skip


def test_loan_features_recompute_only_new_changed_and_late_booked_loans(spark, silver_df):
    """Only L2 (a late booking before its origination), L3 (origination moved) and L4 (new) get their
    transaction columns recomputed; L1's new booking is after its origination, so its published
    values are kept (a tampered published value shows it). Untampered, the whole table equals a rebuild."""
    old_loans = [
        _loan("L1", "A1", date(2024, 6, 1)),
        _loan("L2", "A2", date(2024, 3, 15)),
        _loan("L3", "A3", date(2024, 4, 1)),
    ]
    old = [
        _t(f"O{i}", a, datetime(2024, m, d, 9), f"{100 + i}.00")
        for i, (a, m, d) in enumerate(
            [("A1", 5, 10), ("A1", 5, 20), ("A2", 2, 20), ("A2", 3, 5), ("A3", 3, 10), ("A3", 3, 25), ("A3", 5, 2)]
        )
    ]
    new = [
        _t("N1", "A1", datetime(2024, 6, 10, 9), "500.00"),
        _t("N2", "A2", datetime(2024, 3, 1, 9), "700.00"),
        _t("N3", "A3", datetime(2024, 6, 10, 9), "800.00"),
    ]
    loans = [*old_loans[:2], _loan("L3", "A3", date(2024, 3, 20)), _loan("L4", "A3", date(2024, 6, 5))]
    customers = silver_df("customers", [{"customer_id": "C1"}])
    empty = {"dispositions": silver_df("dispositions", []), "cards": silver_df("cards", [])}

    def features(loan_rows, tx_rows):
        return loan_features(silver_df("loans", loan_rows), customers, silver_df("transactions", tx_rows),
                             window_days=30, **empty)  # fmt: skip

    published, rebuilt = features(old_loans, old), features(loans, old + new)
    frames = {"loans": silver_df("loans", loans), "customers": customers,
              "transactions": silver_df("transactions", old + new), **empty}  # fmt: skip
    increment = incremental.loan_features_rows(frames, silver_df("transactions", new), published, 30)
    _same(increment, rebuilt)

    tampered = published.withColumn("inflow", F.lit(12345.0))
    reused = incremental.loan_features_rows(frames, silver_df("transactions", new), tampered, 30)
    kept = {r.loan_id: r.inflow for r in reused.collect()}
    expected = {r.loan_id: r.inflow for r in rebuilt.collect()}
    assert kept == {**expected, "L1": 12345.0}
    assert expected["L1"] != 12345.0 and expected["L2"] > 0
