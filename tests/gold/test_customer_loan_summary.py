from datetime import date
from decimal import Decimal as D

from chispa import assert_df_equality

from finlake.gold.customer_loan_summary import customer_loan_summary


def _rate(currency: str, day: date, value: str) -> dict:
    return {"rate_id": f"{currency}:{day}", "rate_date": day, "currency": currency, "rate_per_eur": D(value)}


def test_counts_amounts_and_statuses_per_customer(silver_df, gold_df):
    customers = silver_df(
        "customers",
        [
            {"customer_id": "C1", "segment": "MASS", "district": "D1"},
            {"customer_id": "C2", "segment": "AFFLUENT", "district": "D2"},
            {"customer_id": "C3"},  # no loans: not in the summary
        ],
    )
    accounts = silver_df("accounts", [{"account_id": a, "customer_id": "C1"} for a in ("A1", "A2", "A9")])  # EUR
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
            # open: CURRENT + DEFAULT; defaulted: DEFAULT; avg 3500.01 / 3 = 1166.67 (EUR: amounts as they are)
            ("C1", "MASS", "D1", 3, 2, 1, D("3500.01"), D("1166.67"), D("2000.01"), D("3000.01"), date(2019, 3, 3), date(2021, 5, 5), "EUR", D("3500.01"), False, 0),
            # avg 200.01 / 2 = 100.005, rounded half-up to 100.01
            ("C2", "AFFLUENT", "D2", 2, 1, 1, D("200.01"), D("100.01"), D("100.01"), D("100.01"), date(2022, 2, 2), date(2022, 3, 3), "EUR", D("200.01"), False, 0),
            ("C9", None, None, 1, 0, 0, D("50.00"), D("50.00"), D("50.00"), D("0.00"), date(2023, 1, 1), date(2023, 1, 1), "EUR", D("50.00"), False, 0),
        ],
    )  # fmt: skip
    got = customer_loan_summary(loans, customers, accounts, silver_df("fx_rates", []))
    assert_df_equality(got, expected, ignore_row_order=True, ignore_nullable=True)


def test_principals_are_summed_in_eur_at_each_origination_dates_rate(silver_df, gold_df):
    """Issue 21 item 6: a customer with CZK and EUR loans gets one EUR sum, not a mixed one; the booked
    currency is kept only for a single-currency customer; a currency without rates leaves the sums null."""
    customers = silver_df("customers", [{"customer_id": c, "segment": "MASS", "district": "D1"} for c in "MKJ"])
    accounts = silver_df(
        "accounts",
        [
            {"account_id": "E", "customer_id": "M"},  # EUR
            {"account_id": "K", "customer_id": "M", "currency": "CZK"},
            {"account_id": "K2", "customer_id": "K", "currency": "CZK"},
            {"account_id": "Y", "customer_id": "J", "currency": "JPY"},  # no rate at all
        ],
    )
    rates = silver_df(
        "fx_rates", [_rate("CZK", date(1999, 1, 4), "35.107000"), _rate("CZK", date(2024, 1, 5), "25.000000")]
    )
    loans = silver_df(
        "loans",
        [
            {"loan_id": "L1", "customer_id": "M", "account_id": "E", "principal": D("1000.00"), "origination_date": date(2024, 2, 1)},
            # a Saturday: Friday's 25.0 -> 2,000.00 EUR
            {"loan_id": "L2", "customer_id": "M", "account_id": "K", "principal": D("50000.00"), "origination_date": date(2024, 1, 6), "status": "PAID_OFF"},
            # before the series: the first rate, 351,070 / 35.107 = 10,000.00 EUR, flagged estimated
            {"loan_id": "L3", "customer_id": "K", "account_id": "K2", "principal": D("351070.00"), "origination_date": date(1996, 5, 1)},
            # between the two rates: 35.107 -> 1,000.00 EUR exactly
            {"loan_id": "L4", "customer_id": "K", "account_id": "K2", "principal": D("35107.00"), "origination_date": date(2010, 1, 1)},
            {"loan_id": "L5", "customer_id": "J", "account_id": "Y", "principal": D("100000.00"), "origination_date": date(2024, 1, 6)},
            {"loan_id": "L6", "customer_id": "J", "account_id": "E", "principal": D("10.00"), "origination_date": date(2024, 1, 6)},
        ],
    )  # fmt: skip
    june, jan6 = date(1996, 5, 1), date(2024, 1, 6)
    expected = gold_df(
        "customer_loan_summary",
        [
            # 1,000 EUR + 2,000 EUR (the CZK loan is paid off: not open); mixed: no booked currency or sum
            ("M", "MASS", "D1", 2, 1, 0, D("3000.00"), D("1500.00"), D("2000.00"), D("1000.00"), jan6, date(2024, 2, 1), None, None, False, 0),
            ("K", "MASS", "D1", 2, 2, 0, D("11000.00"), D("5500.00"), D("10000.00"), D("11000.00"), june, date(2010, 1, 1), "CZK", D("386177.00"), True, 0),
            # a JPY loan cannot be converted: the EUR sums are null, not the EUR loan's 10.00
            ("J", "MASS", "D1", 2, 2, 0, None, None, None, None, jan6, jan6, None, None, False, 1),
        ],
    )  # fmt: skip
    got = customer_loan_summary(loans, customers, accounts, rates)
    assert_df_equality(got, expected, ignore_row_order=True, ignore_nullable=True)
