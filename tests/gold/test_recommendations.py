from datetime import date, datetime
from decimal import Decimal as D

from chispa import assert_df_equality

from finlake.gold.recommendations import RULES, product_recommendations


def test_one_customer_per_rule_first_match_wins(silver_df, gold_df):
    customers = silver_df(
        "customers",
        [
            # C1 is also PRIVATE (WEALTH), but arrears come first
            {"customer_id": "C1", "segment": "PRIVATE", "updated_at": datetime(2024, 6, 30)},  # as-of date
            {"customer_id": "C2", "annual_income": D("30000.00")},  # 12 x 1,100 = 13,200 > 40% of 30,000
            {"customer_id": "C3", "segment": "PRIVATE"},
            {"customer_id": "C4", "date_of_birth": date(1990, 1, 1), "annual_income": D("50000.00")},
            {"customer_id": "C5", "employment_status": "RETIRED", "date_of_birth": date(1950, 1, 1), "annual_income": D("20000.00")},
            {"customer_id": "C6", "employment_status": "RETIRED", "date_of_birth": date(1950, 1, 1), "annual_income": D("20000.00")},
            {"customer_id": "C7", "date_of_birth": date(1960, 1, 1), "annual_income": D("25000.00")},
            {"customer_id": "C8", "employment_status": "STUDENT", "segment": "YOUTH", "annual_income": None},
            # a closed card does not count as having a card
            {"customer_id": "C9", "employment_status": "RETIRED", "date_of_birth": date(1950, 1, 1), "annual_income": D("20000.00")},
        ],
    )  # fmt: skip
    accounts = silver_df(
        "accounts",
        [
            {"account_id": "A6", "customer_id": "C6", "account_type": "CREDIT_CARD"},
            {"account_id": "A7a", "customer_id": "C7", "account_type": "CREDIT_CARD"},
            {"account_id": "A7b", "customer_id": "C7", "account_type": "SAVINGS"},
            {"account_id": "A8", "customer_id": "C8", "account_type": "SAVINGS"},
            {"account_id": "A9a", "customer_id": "C9", "account_type": "CREDIT_CARD", "status": "CLOSED"},
            {"account_id": "A9b", "customer_id": "C9", "account_type": "SAVINGS"},
        ],
    )
    loans = silver_df(
        "loans",
        [
            {"loan_id": "L1", "customer_id": "C1", "account_id": "A1", "status": "LATE"},
            {"loan_id": "L2", "customer_id": "C2", "account_id": "A2", "monthly_payment": D("1100.00")},
        ],
    )
    reason = {r.rule_id: r.reason for r in RULES}

    def row(customer, segment, product, rule_id, priority):
        return (customer, segment, product, rule_id, reason[rule_id], priority)

    expected = gold_df(
        "product_recommendations",
        [
            row("C1", "PRIVATE", "DEBT_COUNSELLING", "ARREARS", 1),
            row("C2", "MASS", "DEBT_COUNSELLING", "HIGH_DEBT_SERVICE", 2),
            row("C3", "PRIVATE", "INVESTMENT_ADVISORY", "WEALTH", 3),
            row("C4", "MASS", "MORTGAGE", "FIRST_HOME", 4),  # 34 on 2024-06-30
            row("C5", "MASS", "CREDIT_CARD", "NO_CARD", 5),
            row("C6", "MASS", "SAVINGS_ACCOUNT", "NO_SAVINGS", 6),
            row("C7", "MASS", "PERSONAL_LOAN", "NO_LOAN", 7),  # 64: too old for FIRST_HOME
            row("C8", "YOUTH", "SAVINGS_ACCOUNT", "DEFAULT", 8),  # unknown income decides nothing
            row("C9", "MASS", "CREDIT_CARD", "NO_CARD", 5),
        ],
    )
    actual = product_recommendations(customers, accounts, loans)
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)
