from datetime import datetime
from decimal import Decimal as D

from chispa import assert_df_equality

from finlake.gold.account_monthly_activity import account_monthly_activity


def test_monthly_sums_counts_cash_and_end_balance(silver_df, gold_df):
    accounts = silver_df("accounts", [{"account_id": "A1", "customer_id": "C1"}])
    same_time = datetime(2024, 1, 20, 12, 0)
    transactions = silver_df(
        "transactions",
        [
            {"transaction_id": "T1", "account_id": "A1", "booked_at": datetime(2024, 1, 5, 9), "amount": D("100.00"), "direction": "CREDIT", "balance_after": D("100.00")},
            {"transaction_id": "T2", "account_id": "A1", "booked_at": same_time, "amount": D("30.00"), "direction": "DEBIT", "channel": "ATM", "balance_after": D("70.00")},
            # same booked_at as T2: the higher transaction_id is the later one
            {"transaction_id": "T3", "account_id": "A1", "booked_at": same_time, "amount": D("5.00"), "direction": "DEBIT", "channel": "CARD", "balance_after": D("65.00")},
            {"transaction_id": "T5", "account_id": "A1", "booked_at": datetime(2024, 2, 1, 8), "amount": D("5.00"), "direction": "DEBIT", "channel": "CARD", "balance_after": D("75.00")},
            # the month's last transaction has no balance: end_balance is unknown, not the earlier one
            {"transaction_id": "T4", "account_id": "A1", "booked_at": datetime(2024, 2, 1, 9), "amount": D("10.00"), "direction": "CREDIT", "channel": "ATM"},
            {"transaction_id": "T6", "account_id": "A9", "booked_at": datetime(2024, 1, 2), "amount": D("1.00"), "balance_after": D("1.00")},
        ],
    )  # fmt: skip
    expected = gold_df(
        "account_monthly_activity",
        [
            ("A1", "C1", D("100.00"), D("35.00"), 1, 2, D("30.00"), D("65.00"), D("65.00"), "2024-01"),
            ("A1", "C1", D("10.00"), D("5.00"), 1, 1, D("10.00"), D("5.00"), None, "2024-02"),
            ("A9", None, D("1.00"), D("0.00"), 1, 0, D("0.00"), D("1.00"), D("1.00"), "2024-01"),
        ],
    )
    actual = account_monthly_activity(transactions, accounts)
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)
