"""Compliance alerts: the edges (exactly at the threshold, exactly one window apart) decide the rules."""

from datetime import date, datetime
from decimal import Decimal as D

import pytest
from chispa import assert_df_equality

from finlake.gold.compliance import ComplianceRules, compliance_cash_alerts

RULES = ComplianceRules(threshold=10_000.0, window_days=7, min_count=3, lower_fraction=0.8)


def _t(tid, account, when, amount, direction="CREDIT", channel="BRANCH"):
    return {
        "transaction_id": tid,
        "account_id": account,
        "booked_at": when,
        "amount": D(amount),
        "direction": direction,
        "channel": channel,
    }


TRANSACTIONS = [
    # A1: a withdrawal exactly at the threshold is LARGE_CASH; just below is not; big transfers are not cash
    _t("X1", "A1", datetime(2024, 1, 1, 10), "10000.00", "DEBIT", "ATM"),
    _t("X2", "A1", datetime(2024, 1, 2, 10), "9999.99"),
    _t("X3", "A1", datetime(2024, 1, 3, 10), "50000.00", "CREDIT", "TRANSFER"),
    # A2: three deposits in [8,000.00, 10,000.00) within 7 days -> STRUCTURING (8,000.00 is in, the last is
    # 1 second inside the window); a deposit of 7,999.99 and a cash withdrawal do not count
    _t("S1", "A2", datetime(2024, 2, 1, 0, 0, 0), "8000.00"),
    _t("S0", "A2", datetime(2024, 2, 2), "7999.99"),
    _t("S2", "A2", datetime(2024, 2, 3), "9000.00", "CREDIT", "ATM"),
    _t("SW", "A2", datetime(2024, 2, 4), "9000.00", "DEBIT", "ATM"),
    _t("S3", "A2", datetime(2024, 2, 7, 23, 59, 59), "9500.00"),
    # A3: the third deposit is exactly 7 days after the first: outside the window, no alert
    _t("U1", "A3", datetime(2024, 3, 1), "9000.00"),
    _t("U2", "A3", datetime(2024, 3, 4), "9000.00"),
    _t("U3", "A3", datetime(2024, 3, 8), "9000.00"),
    # A4: a burst of three, then a fourth deposit that is in no window holding three: not part of the alert
    _t("V1", "A4", datetime(2024, 4, 1), "9000.00"),
    _t("V2", "A4", datetime(2024, 4, 2), "9000.00"),
    _t("V3", "A4", datetime(2024, 4, 3), "9000.00"),
    _t("V4", "A4", datetime(2024, 4, 9), "9000.00"),
]


@pytest.fixture
def inputs(silver_df):
    accounts = silver_df("accounts", [{"account_id": f"A{i}", "customer_id": f"C{i}"} for i in range(1, 5)])
    return silver_df("transactions", TRANSACTIONS), accounts, silver_df("fx_rates", [])  # all in EUR


def _alert(rule, account, first, last, ids, total, top, window):
    return (
        f"{rule}:{account}:{ids[0]}", rule, account, "C" + account[1:], first, last, len(ids),
        D(total), D(top), "EUR", D(total), D(top), False, D("10000.00"), window, ids, first.strftime("%Y-%m"),
    )  # fmt: skip


def test_large_cash_and_structuring_edges(inputs, gold_df):
    transactions, accounts, rates = inputs
    expected = gold_df(
        "compliance_cash_alerts",
        [
            _alert("LARGE_CASH", "A1", datetime(2024, 1, 1, 10), datetime(2024, 1, 1, 10), ["X1"], "10000.00", "10000.00", 0),
            _alert("STRUCTURING", "A2", datetime(2024, 2, 1), datetime(2024, 2, 7, 23, 59, 59), ["S1", "S2", "S3"], "26500.00", "9500.00", 7),
            _alert("STRUCTURING", "A4", datetime(2024, 4, 1), datetime(2024, 4, 3), ["V1", "V2", "V3"], "27000.00", "9000.00", 7),
        ],
    )  # fmt: skip
    actual = compliance_cash_alerts(transactions, accounts, rates, RULES)
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_window_and_threshold_are_parameters(inputs):
    transactions, accounts, rates = inputs
    # an 8-day window reaches A3's third deposit (and A4's fourth, which now extends that burst)
    wider = compliance_cash_alerts(transactions, accounts, rates, ComplianceRules(10_000.0, 8, 3, 0.8))
    structuring = {r.alert_id: r.transaction_ids for r in wider.where("rule = 'STRUCTURING'").collect()}
    assert structuring == {
        "STRUCTURING:A2:S1": ["S1", "S2", "S3"],
        "STRUCTURING:A3:U1": ["U1", "U2", "U3"],
        "STRUCTURING:A4:V1": ["V1", "V2", "V3", "V4"],
    }
    # a threshold of 9,999.99 makes X2 large cash; the just-below band becomes [7,999.99, 9,999.99)
    lower = compliance_cash_alerts(transactions, accounts, rates, ComplianceRules(9_999.99, 7, 3, 0.8))
    large = sorted(r.alert_id for r in lower.where("rule = 'LARGE_CASH'").collect())
    assert large == ["LARGE_CASH:A1:X1", "LARGE_CASH:A1:X2"]  # X3 is a transfer, not cash
    structuring = {r.alert_id: r.transaction_ids for r in lower.where("rule = 'STRUCTURING'").collect()}
    assert structuring["STRUCTURING:A2:S1"] == ["S1", "S0", "S2", "S3"]


def _rate(currency, day, value):
    return {"rate_id": f"{currency}:{day}", "rate_date": day, "currency": currency, "rate_per_eur": D(value)}


def test_thresholds_are_in_eur_at_the_booking_dates_rate(silver_df):
    """Issue 21 item 6: a CZK account is judged in EUR with the latest ECB rate on or before the booking
    date; before the first published rate, that first rate is used and the alert is flagged."""
    accounts = silver_df("accounts", [{"account_id": "K1", "customer_id": "C1", "currency": "CZK"}])
    rates = silver_df(
        "fx_rates",
        [_rate("CZK", date(1999, 1, 4), "35.107000"), _rate("CZK", date(2024, 1, 5), "25.000000")],
    )

    def czk(tid, when, amount, channel="ATM"):
        return {**_t(tid, "K1", when, amount, "DEBIT", channel), "currency": "CZK"}

    transactions = silver_df(
        "transactions",
        [
            czk("K0", datetime(1996, 5, 1), "10000.00"),  # 284.84 EUR: was LARGE_CASH when compared in CZK
            czk("K1", datetime(1996, 5, 2), "351070.00"),  # exactly 10,000.00 EUR at the 1999-01-04 rate
            czk("K2", datetime(2024, 1, 6), "249999.75"),  # a Saturday: Friday's 25.0 -> 9,999.99 EUR
            czk("K3", datetime(2024, 1, 7), "250000.00"),  # 10,000.00 EUR
        ],
    )
    alerts = compliance_cash_alerts(transactions, accounts, rates, RULES).collect()
    got = {r.alert_id: (r.max_amount, r.currency, r.max_amount_eur, r.fx_estimated) for r in alerts}
    assert got == {
        "LARGE_CASH:K1:K1": (D("351070.00"), "CZK", D("10000.00"), True),
        "LARGE_CASH:K1:K3": (D("250000.00"), "CZK", D("10000.00"), False),
    }
    assert {r.threshold for r in alerts} == {D("10000.00")}
