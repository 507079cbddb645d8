from datetime import date
from decimal import Decimal as D

from chispa import assert_df_equality

from finlake.gold.customer_loan_summary import customer_loan_summary


def test_counts_amounts_and_statuses_per_customer(silver_df, gold_df):
    customers = silver_df(
        "customers",
        [
            {"customer_id": "C1", "segment": "MASS", "district": "D1"},
            {"customer_id": "C2", "segment": "AFFLUENT", "district": "D2"},
            {"customer_id": "C3"},  # no loans: not in the summary
        ],
    )
    loans = silver_df(
        "loans",
        [
            {"loan_id": "L1", "customer_id": "C1", "account_id": "A1", "principal": D("1000.00"), "status": "CURRENT", "origination_date": date(2020, 1, 10)},
            {"loan_id": "L2", "customer_id": "C1", "account_id": "A1", "principal": D("2000.01"), "status": "DEFAULT", "origination_date": date(2021, 5, 5)},
            {"loan_id": "L3", "customer_id": "C1", "account_id": "A1", "principal": D("500.00"), "status": "PAID_OFF", "origination_date": date(2019, 3, 3)},
            {"loan_id": "L4", "customer_id": "C2", "account_id": "A2", "principal": D("100.00"), "status": "CHARGED_OFF", "origination_date": date(2022, 2, 2)},
            {"loan_id": "L5", "customer_id": "C2", "account_id": "A2", "principal": D("100.01"), "status": "LATE", "origination_date": date(2022, 3, 3)},
            # a customer missing from Silver still counts, with unknown segment and district
            {"loan_id": "L6", "customer_id": "C9", "account_id": "A9", "principal": D("50.00"), "status": "PAID_OFF", "origination_date": date(2023, 1, 1)},
        ],
    )  # fmt: skip
    expected = gold_df(
        "customer_loan_summary",
        [
            # open: CURRENT + DEFAULT; defaulted: DEFAULT; avg 3500.01 / 3 = 1166.67
            ("C1", "MASS", "D1", 3, 2, 1, D("3500.01"), D("1166.67"), D("2000.01"), D("3000.01"), date(2019, 3, 3), date(2021, 5, 5)),
            # avg 200.01 / 2 = 100.005, rounded half-up to 100.01
            ("C2", "AFFLUENT", "D2", 2, 1, 1, D("200.01"), D("100.01"), D("100.01"), D("100.01"), date(2022, 2, 2), date(2022, 3, 3)),
            ("C9", None, None, 1, 0, 0, D("50.00"), D("50.00"), D("50.00"), D("0.00"), date(2023, 1, 1), date(2023, 1, 1)),
        ],
    )  # fmt: skip
    assert_df_equality(customer_loan_summary(loans, customers), expected, ignore_row_order=True, ignore_nullable=True)
