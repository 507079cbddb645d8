"""gold.loan_monthly_snapshots: features as of each month end, the open-loan rule, the 6-month label,
and point-in-time correctness (a month's features on data cut at its end equal those on all data)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D

from chispa import assert_approx_df_equality
from pyspark.sql import functions as F

from finlake.gold.loan_monthly_snapshots import _loan_account_bookings, loan_monthly_snapshots

LOANS = [
    # defaults on 2024-06-20 (its DEFAULT status date)
    {"loan_id": "L1", "customer_id": "C1", "account_id": "A1", "origination_date": date(2024, 1, 15),
     "maturity_date": date(2025, 1, 15), "monthly_payment": D("100.00"), "term_months": 12,
     "status": "DEFAULT", "updated_at": datetime(2024, 6, 20, 9)},
    {"loan_id": "L2", "customer_id": "C2", "account_id": "A2", "origination_date": date(2024, 5, 10),
     "maturity_date": date(2026, 5, 10), "monthly_payment": D("50.00"), "term_months": 24},
    # charged off on 2024-11-01: defaulted CHARGE_OFF_DAYS (120) earlier, on 2024-07-04
    {"loan_id": "L3", "customer_id": "C3", "account_id": "A3", "origination_date": date(2024, 3, 1),
     "maturity_date": date(2025, 3, 1), "status": "CHARGED_OFF", "updated_at": datetime(2024, 11, 1)},
]  # fmt: skip
# (day, amount, direction, channel, description, balance after) on A1
A1 = [
    (date(2023, 10, 25), "1000", "CREDIT", "TRANSFER", "SALARY", "1000"),
    (date(2023, 11, 25), "1000", "CREDIT", "TRANSFER", "SALARY", "2000"),
    (date(2023, 12, 25), "1000", "CREDIT", "TRANSFER", "SALARY", "3000"),
    (date(2024, 1, 15), "500", "CREDIT", "SYSTEM", "LOAN DISBURSEMENT L1", "3500"),
    (date(2024, 1, 25), "1000", "CREDIT", "TRANSFER", "SALARY", "4500"),
    (date(2024, 2, 15), "100", "DEBIT", "DIRECT_DEBIT", "LOAN REPAYMENT L1", "4400"),
    (date(2024, 2, 25), "1000", "CREDIT", "TRANSFER", "SALARY", "5400"),
    (date(2024, 3, 15), "100", "DEBIT", "DIRECT_DEBIT", "LOAN REPAYMENT L1", "5300"),
    (date(2024, 3, 20), "5000", "DEBIT", "ONLINE", "TRANSFER TO X", "300"),
    (date(2024, 3, 25), "1000", "CREDIT", "TRANSFER", "SALARY", "1300"),
    (date(2024, 4, 20), "1500", "DEBIT", "CARD", "SHOP", "-200"),
    (date(2024, 4, 25), "400", "CREDIT", "TRANSFER", "SALARY", "200"),
    (date(2024, 4, 28), "300", "DEBIT", "ATM", "ATM WITHDRAWAL", "-100"),
    (date(2024, 5, 10), "100", "DEBIT", "ATM", "ATM WITHDRAWAL", "-200"),
]
LAST_DAY = (date(2024, 12, 31), "10", "CREDIT", "TRANSFER", "SALARY", "10")  # on A9: the data's as-of date


def _transactions(silver_df, until: date | None = None, last: tuple = LAST_DAY):
    rows = [("A1", *r) for r in A1] + [("A9", *last)]
    return silver_df(
        "transactions",
        [
            {"transaction_id": f"T{i:02d}", "account_id": a, "booked_at": datetime.combine(d, datetime.min.time()),
             "amount": D(amount), "direction": direction, "channel": channel, "description": text,
             "balance_after": D(balance)}
            for i, (a, d, amount, direction, channel, text, balance) in enumerate(rows)
            if until is None or d <= until
        ],
    )  # fmt: skip


def _accounts(silver_df):
    return silver_df(
        "accounts",
        [{"account_id": a, "customer_id": f"C{a[1]}", "credit_limit": D("1000.00")} for a in ("A1", "A2", "A3", "A9")],
    )


FEATURES = (
    "loan_id", "snapshot_month", "months_on_book", "instalments_due", "arrears_instalments", "missed_instalments_3m",
    "days_since_last_instalment", "end_balance", "balance_change_3m", "min_balance_1m", "overdraft_days_1m",
    "overdraft_days_3m", "inflow_1m", "inflow_prior_3m_avg", "inflow_change", "outflow_1m", "cash_withdrawal_1m",
    "cash_share_1m", "cash_share_change", "overdraft_utilisation", "payment_to_inflow_3m",
)  # fmt: skip


def test_features_as_of_each_month_end(spark, silver_df):
    actual = loan_monthly_snapshots(silver_df("loans", LOANS), _accounts(silver_df), _transactions(silver_df))
    # Worked by hand from A1's bookings (salary 1000 a month until April's 400; instalments paid in
    # February and March only; a disbursement that is not income; ATM cash in April and May).
    expected = spark.createDataFrame(
        [
            ("L1", "2024-01", 0, 0, 0.0, 0.0, 16, 4500.0, 3500.0, 3500.0, 0, 0, 1000.0, 1000.0, 0.0, 0.0, 0.0, None, None, 0.0, 0.1),
            ("L1", "2024-02", 1, 1, 0.0, 0.0, 14, 5400.0, 3400.0, 4400.0, 0, 0, 1000.0, 1000.0, 0.0, 100.0, 0.0, 0.0, None, 0.0, 0.1),
            ("L1", "2024-03", 2, 2, 0.0, 0.0, 16, 1300.0, -1700.0, 300.0, 0, 0, 1000.0, 1000.0, 0.0, 5100.0, 0.0, 0.0, 0.0, 0.0, 0.1),
            ("L1", "2024-04", 3, 3, 1.0, 1.0, 46, -100.0, -4600.0, -200.0, 2, 2, 400.0, 1000.0, 400 / 1000 - 1, 1800.0,
             300.0, 300 / 1800, 300 / 1800, 0.1, 100 / (2400 / 3)),
            ("L1", "2024-05", 4, 4, 2.0, 2.0, 77, -200.0, -5600.0, -200.0, 1, 3, 0.0, 2400 / 3, -1.0, 100.0,
             100.0, 1.0, 1.0 - 300 / 7000, 0.2, 100 / (1400 / 3)),
        ],
        actual.select(*FEATURES).schema,
    )  # fmt: skip
    assert_approx_df_equality(
        actual.where("loan_id = 'L1'").select(*FEATURES), expected, 1e-9, ignore_row_order=True, ignore_nullable=True
    )


def test_open_loans_and_the_six_month_label(silver_df):
    snapshots = loan_monthly_snapshots(silver_df("loans", LOANS), _accounts(silver_df), _transactions(silver_df))
    rows = {(r.loan_id, r.snapshot_month): (r.defaults_within_6m, r.default_date) for r in snapshots.collect()}
    # L1 defaults on 2024-06-20: open at the January..May month ends, each of them 6 months or less before it.
    assert [m for loan, m in sorted(rows) if loan == "L1"] == ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05"]
    assert {rows["L1", m] for m in ("2024-01", "2024-05")} == {(1, date(2024, 6, 20))}
    # L2 never defaults: 0 while the window ends by 2024-12-31 (the as-of date), unknown after that;
    # December's month end is the as-of date itself, so it is a complete month.
    assert [rows["L2", m][0] for m in ("2024-05", "2024-06", "2024-07", "2024-12")] == [0, 0, None, None]
    # L3 charged off on 2024-11-01 defaulted 120 days earlier (2024-07-04): open from March to June's
    # month end, and each of those is less than 6 months before the default.
    assert sorted(m for loan, m in rows if loan == "L3") == ["2024-03", "2024-04", "2024-05", "2024-06"]
    assert {rows["L3", m] for m in ("2024-03", "2024-06")} == {(1, date(2024, 7, 4))}


def test_a_months_features_do_not_change_with_later_data(silver_df):
    """Point in time: the lake cut at 2024-04-30 (bookings up to that day; L1 and L3 CURRENT as they were
    then, L2 not granted yet) gives the same features for every month up to April as the whole lake."""
    cut = date(2024, 4, 30)
    then = [
        {**row, "status": "CURRENT", "updated_at": datetime.combine(row["origination_date"], datetime.min.time())}
        for row in LOANS
        if row["origination_date"] <= cut
    ]
    last = (cut, "10", "CREDIT", "TRANSFER", "SALARY", "10")
    truncated = loan_monthly_snapshots(
        silver_df("loans", then), _accounts(silver_df), _transactions(silver_df, until=cut, last=last)
    )
    everything = loan_monthly_snapshots(silver_df("loans", LOANS), _accounts(silver_df), _transactions(silver_df))
    months = F.col("snapshot_month") <= "2024-04"
    assert truncated.count() == truncated.where(months).count() > 0
    assert_approx_df_equality(
        truncated.select(*FEATURES),
        everything.where(months).select(*FEATURES),
        1e-12,
        ignore_row_order=True,
        ignore_nullable=True,
    )
    assert {r.defaults_within_6m for r in truncated.collect()} == {None}  # nothing is observable yet


def test_only_loan_accounts_bookings_from_their_first_grid_month_are_aggregated(silver_df):
    """A1's first loan (L1, January 2024) has its grid from October 2023: a June 2023 booking is left out,
    so is every booking of A9, which has no loan; the snapshots stay the same without them."""
    old = (date(2023, 6, 30), "7777", "CREDIT", "TRANSFER", "OLD SALARY", "-9999")
    with_old = silver_df(
        "transactions",
        [
            {"transaction_id": f"T{i:02d}", "account_id": "A1", "booked_at": datetime.combine(d, datetime.min.time()),
             "amount": D(amount), "direction": direction, "channel": channel, "description": text,
             "balance_after": D(balance)}
            for i, (d, amount, direction, channel, text, balance) in enumerate([old, *A1])
        ] + [{"transaction_id": "T99", "account_id": "A9", "booked_at": datetime(2024, 12, 31), "amount": D("10"),
              "direction": "CREDIT", "channel": "TRANSFER", "description": "SALARY", "balance_after": D("10")}],
    )  # fmt: skip
    loans = silver_df("loans", LOANS)
    picked = _loan_account_bookings(loans, with_old)
    assert sorted(r.transaction_id for r in picked.collect()) == [f"T{i:02d}" for i in range(1, len(A1) + 1)]
    assert_approx_df_equality(
        loan_monthly_snapshots(loans, _accounts(silver_df), with_old).select(*FEATURES),
        loan_monthly_snapshots(loans, _accounts(silver_df), _transactions(silver_df)).select(*FEATURES),
        1e-12,
        ignore_row_order=True,
        ignore_nullable=True,
    )
