"""loan_features, with the point-in-time rule: nothing booked on or after origination may count."""

import math
from datetime import date, datetime
from decimal import Decimal as D
from statistics import stdev

from chispa import assert_approx_df_equality

from finlake.gold.loan_features import loan_features

ORIGINATION = date(2024, 6, 1)
WINDOW_DAYS = 30  # window: 2024-05-02 .. 2024-05-31
LAST_BOOKING = date(2024, 6, 3)  # P2, the lake's latest date: observed_until of every loan


def _t(tid, when, amount, direction, channel="TRANSFER", balance=None, category=None):
    return {
        "merchant_category": category,
        "transaction_id": tid,
        "account_id": "A1",
        "booked_at": when,
        "amount": D(amount),
        "direction": direction,
        "channel": channel,
        "balance_after": None if balance is None else D(balance),
    }


BEFORE_WINDOW = [  # outside the window, but in the account's history before the loan
    _t("T00", datetime(2024, 4, 20, 10), "12.00", "DEBIT", "SYSTEM", "-5999.00", "SANKC. UROK"),  # penalty interest
    _t("T0", datetime(2024, 5, 1, 10), "999.00", "CREDIT", balance="-5000.00"),  # origination - 31 days
]
IN_WINDOW = [
    _t("T1", datetime(2024, 5, 2, 9), "1000.00", "CREDIT", balance="1000.00"),  # origination - 30 days: in
    _t("T2", datetime(2024, 5, 10, 12), "1200.00", "DEBIT", "ATM", balance="-200.00"),
    _t("T3", datetime(2024, 5, 10, 18), "50.00", "DEBIT", "CARD", balance="-250.00"),  # day ends at -250
    _t("T4", datetime(2024, 5, 15, 10), "300.00", "CREDIT", balance="50.00"),  # overdrawn 05-10..05-14: 5 days
    _t("T5", datetime(2024, 5, 28, 10), "100.00", "DEBIT", "BRANCH", balance="-50.00"),  # 05-28..05-31: 4 days
    _t("T6", datetime(2024, 5, 29, 10), "10.00", "DEBIT", "CARD"),  # no balance: does not end the overdraft
]
ON_OR_AFTER_ORIGINATION = [
    _t("P1", datetime(2024, 6, 1, 8), "5000.00", "DEBIT", "ATM", balance="-5050.00"),
    _t("P2", datetime(2024, 6, 3, 9), "100000.00", "CREDIT", balance="94950.00"),
    _t("P3", datetime(2024, 6, 2, 23), "40.00", "DEBIT", "SYSTEM", "-9000.00", "SANKC. UROK"),
]


def _inputs(silver_df, transactions):
    customers = silver_df(
        "customers",
        [
            {"customer_id": "C1", "date_of_birth": date(1980, 6, 1), "customer_since": date(2020, 3, 1),
             "annual_income": D("54000.00"), "segment": "MASS", "employment_status": "EMPLOYED", "gender": "M", "district": "D1"},
            {"customer_id": "C2", "annual_income": None, "segment": "YOUTH", "gender": "F", "district": "D2",
             "employment_status": "STUDENT", "date_of_birth": date(2000, 1, 15), "customer_since": date(2023, 1, 15)},
        ],
    )  # fmt: skip
    loans = silver_df(
        "loans",
        [
            {"loan_id": "L1", "customer_id": "C1", "account_id": "A1", "origination_date": ORIGINATION,
             "monthly_payment": D("90.00"), "principal": D("1000.00"), "status": "DEFAULT"},
            {"loan_id": "L2", "customer_id": "C2", "account_id": "A2", "origination_date": date(2024, 3, 15),
             "monthly_payment": D("50.00"), "principal": D("500.00"), "status": "CURRENT"},
        ],
    )  # fmt: skip
    return loans, customers, silver_df("transactions", transactions)


def _expected(gold_df):
    balances = [1000.0, -200.0, -250.0, 50.0, -50.0]
    history_balances = [-5999.0, -5000.0, *balances]
    # negative days over the whole history: 04-20..04-30 (11), 05-01 (1), 05-10..05-14 (5), 05-28..05-31 (4)
    # trends: the recent half starts 2024-05-17 (T5 only); the older half holds T1..T4
    history = (1, -5999.0, sum(history_balances) / 7, -50.0, 11 + 1 + 5 + 4, -50.0 - (1000 - 200 - 250 + 50) / 4,
               math.log(1 / (1 + 1000.0 + 300.0)))  # fmt: skip
    inflow, outflow = 1000.0 + 300.0, 1200.0 + 50.0 + 100.0 + 10.0
    history_days = (ORIGINATION - date(2024, 5, 2)).days
    avg_monthly_inflow = inflow / history_days * 30
    common = (D("1000.00"), D("5.0000"), 12)
    return gold_df(
        "loan_features",
        [
            ("L1", "C1", "A1", ORIGINATION, "PERSONAL", *common, D("90.00"), "MASS", "EMPLOYED", "M", "D1",
             (ORIGINATION - date(1980, 6, 1)).days / 365.25, 51.0, D("54000.00"), 12 * 90 / 54000,
             history_days, 6, inflow, outflow, avg_monthly_inflow, sum(balances) / 5, -250.0, stdev(balances),
             5 + 4, (1200.0 + 100.0) / outflow, 2, 90 / avg_monthly_inflow, *history,
             None, None, None,  # account features: no dispositions or cards given (tests/gold/test_loan_accounts.py)
             "DEFAULT", 1, LAST_BOOKING),
            # no transactions, no income: counts are 0, ratios and balance statistics unknown
            ("L2", "C2", "A2", date(2024, 3, 15), "PERSONAL", D("500.00"), D("5.0000"), 12, D("50.00"), "YOUTH",
             "STUDENT", "F", "D2", (date(2024, 3, 15) - date(2000, 1, 15)).days / 365.25, 14.0, None, None,
             0, 0, 0.0, 0.0, None, None, None, None, 0, None, 0, None, 0, None, None, None, 0, None, None,
             None, None, None, "CURRENT", 0, LAST_BOOKING),
        ],
    )  # fmt: skip


def test_features_from_the_window_before_origination(silver_df, gold_df):
    loans, customers, transactions = _inputs(silver_df, BEFORE_WINDOW + IN_WINDOW + ON_OR_AFTER_ORIGINATION)
    actual = loan_features(loans, customers, transactions, window_days=WINDOW_DAYS)
    assert_approx_df_equality(actual, _expected(gold_df), 1e-9, ignore_row_order=True, ignore_nullable=True)


def test_point_in_time_transactions_on_or_after_origination_change_nothing(silver_df):
    loans, customers, only_before = _inputs(silver_df, IN_WINDOW)
    _, _, with_later = _inputs(silver_df, IN_WINDOW + ON_OR_AFTER_ORIGINATION)
    before = loan_features(loans, customers, only_before, window_days=WINDOW_DAYS)
    after = loan_features(loans, customers, with_later, window_days=WINDOW_DAYS)
    # observed_until (the data's end, not a feature) moves with the later bookings; nothing else may
    assert_approx_df_equality(after.drop("observed_until"), before.drop("observed_until"), 1e-9, ignore_row_order=True)

    # the later transactions are not inert: had the loan started after them, the features would differ
    later_loans = loans.withColumn("origination_date", loans.origination_date + 5)
    moved = loan_features(later_loans, customers, with_later, window_days=WINDOW_DAYS).where("loan_id = 'L1'").first()
    kept = before.where("loan_id = 'L1'").first()
    assert moved is not None and kept is not None
    assert (moved.inflow, moved.overdraft_days, moved.min_balance) != (
        kept.inflow,
        kept.overdraft_days,
        kept.min_balance,
    )


def test_point_in_time_every_feature_on_data_truncated_at_origination_equals_all_data(silver_df):
    """The whole history (penalty interest, balances, negative days, trends) included."""
    everything = BEFORE_WINDOW + IN_WINDOW + ON_OR_AFTER_ORIGINATION
    loans, customers, transactions = _inputs(silver_df, everything)
    truncated = [t for t in everything if t["booked_at"].date() < ORIGINATION]  # A1's loan starts at ORIGINATION
    _, _, before = _inputs(silver_df, truncated)
    on_all = loan_features(loans, customers, transactions, window_days=WINDOW_DAYS).drop("observed_until")
    on_truncated = loan_features(loans, customers, before, window_days=WINDOW_DAYS).drop("observed_until")
    assert_approx_df_equality(on_all, on_truncated, 1e-9, ignore_row_order=True)
    row = on_all.where("loan_id = 'L1'").first()
    assert row is not None and (row.penalty_interest_count, row.last_balance) == (1, -50.0)
