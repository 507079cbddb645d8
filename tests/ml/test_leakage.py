"""Look-ahead leakage is caught: by the point-in-time audit of a feature builder, and by the screen
that runs before every training."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from pyspark.sql import functions as F
from synthetic_loans import FAST, loan_features_frame, to_spark

from finlake.contracts.silver import (
    SILVER_CARDS,
    SILVER_CUSTOMERS,
    SILVER_DISPOSITIONS,
    SILVER_LOANS,
    SILVER_TRANSACTIONS,
)
from finlake.errors import FinlakeError
from finlake.gold.loan_accounts import account_relations
from finlake.gold.loan_features import loan_features, transaction_features
from finlake.lake import Lake
from finlake.ml.leakage import assert_accounts_point_in_time, assert_point_in_time
from finlake.ml.training import TrainingSettings, train_default_model


def _frame(spark, table, rows):
    names = table.column_names
    return spark.createDataFrame([tuple(r.get(n) for n in names) for r in rows], table.spark_schema())


@pytest.fixture
def silver(spark):
    loans = _frame(
        spark,
        SILVER_LOANS,
        [
            {"loan_id": "L1", "customer_id": "C1", "account_id": "A1", "loan_type": "PERSONAL",
             "principal": Decimal("5000.00"), "interest_rate": Decimal("5.0000"), "term_months": 24,
             "origination_date": date(2024, 3, 1), "monthly_payment": Decimal("220.00"), "status": "DEFAULT",
             "is_default": True},
            {"loan_id": "L2", "customer_id": "C2", "account_id": "A2", "loan_type": "AUTO",
             "principal": Decimal("9000.00"), "interest_rate": Decimal("4.0000"), "term_months": 36,
             "origination_date": date(2024, 2, 1), "monthly_payment": Decimal("270.00"), "status": "CURRENT",
             "is_default": False},
        ],
    )  # fmt: skip
    customers = _frame(
        spark,
        SILVER_CUSTOMERS,
        [
            {"customer_id": c, "gender": "F", "district": "NORTH", "annual_income": Decimal("40000.00"),
             "employment_status": "EMPLOYED", "segment": "MASS", "date_of_birth": date(1980, 1, 1),
             "customer_since": date(2015, 1, 1)}
            for c in ("C1", "C2")
        ],
    )  # fmt: skip

    def txn(tid, account, day, amount, direction, balance, channel="ATM"):
        return {"transaction_id": tid, "account_id": account, "booked_at": datetime.combine(day, datetime.min.time()),
                "amount": Decimal(amount), "currency": "EUR", "direction": direction, "channel": channel,
                "balance_after": Decimal(balance), "booked_date": day,
                "signed_amount": Decimal(amount) * (1 if direction == "CREDIT" else -1),
                "is_cash": channel == "ATM", "booked_month": day.strftime("%Y-%m")}  # fmt: skip

    transactions = _frame(
        spark,
        SILVER_TRANSACTIONS,
        [
            txn("T1", "A1", date(2024, 1, 10), "1500.00", "CREDIT", "1500.00", "TRANSFER"),
            txn("T2", "A1", date(2024, 2, 15), "400.00", "DEBIT", "1100.00"),
            txn("T3", "A2", date(2024, 1, 5), "2500.00", "CREDIT", "2500.00", "TRANSFER"),
            # after origination: must never reach a feature
            txn("T4", "A1", date(2024, 4, 1), "3000.00", "DEBIT", "-1900.00"),
        ],
    )
    return loans, customers, transactions


def test_gold_loan_features_is_point_in_time(silver):
    loans, customers, transactions = silver
    assert_point_in_time(lambda t: loan_features(loans, customers, t), transactions, loans)


def test_a_feature_computed_after_origination_is_detected(silver):
    loans, _, transactions = silver

    def leaky(t):
        # Looks 30 days past origination: a typical mistake (an "as of report date" join).
        keys = loans.select("loan_id", F.col("account_id").alias("loan_account"), "origination_date")
        window = (F.col("account_id") == F.col("loan_account")) & (
            F.col("booked_date") < F.date_add("origination_date", 30)
        )
        return transaction_features(t.join(keys, on=window, how="inner")).drop("first_booked_date")

    with pytest.raises(FinlakeError, match=r"look-ahead leakage: features .*min_balance \(2 loans\)"):
        assert_point_in_time(leaky, transactions, loans)


def _account_records(spark, loans):
    """An owner on each loan's account (undated, as PKDD'99's) with a CLASSIC card issued before its loan."""
    dispositions = loans.select(
        F.concat(F.lit("D-"), "account_id").alias("disposition_id"),
        "account_id",
        "customer_id",
        F.lit("OWNER").alias("role"),
    )
    cards = loans.select(
        F.concat(F.lit("K-"), "account_id").alias("card_id"),
        F.concat(F.lit("D-"), "account_id").alias("disposition_id"),
        F.lit("CLASSIC").alias("card_type"),
        F.date_sub("origination_date", 10).alias("issued_date"),
    )

    def shaped(df, table):
        return df.select(*[(F.col(f.name) if f.name in df.columns else F.lit(None)).cast(f.dataType).alias(f.name)
                           for f in table.spark_schema().fields])  # fmt: skip

    return shaped(dispositions, SILVER_DISPOSITIONS), shaped(cards, SILVER_CARDS)


def test_gold_account_features_are_point_in_time(spark, silver):
    loans, customers, transactions = silver
    dispositions, cards = _account_records(spark, loans)
    assert_accounts_point_in_time(
        lambda d, c: loan_features(loans, customers, transactions, dispositions=d, cards=c), dispositions, cards, loans
    )


def test_a_card_counted_after_origination_is_detected(spark, silver):
    loans, _, _ = silver
    dispositions, cards = _account_records(spark, loans)

    def leaky(d, c):
        # the card class as of today, not as of origination: every card of the account counts
        today = loans.withColumn("origination_date", F.lit(date(2099, 1, 1)))
        return account_relations(today, d, c)

    with pytest.raises(FinlakeError, match=r"features has_second_authorised_user \(2 loans\), .*card_class \(2"):
        assert_accounts_point_in_time(leaky, dispositions, cards, loans)


def test_training_refuses_a_feature_that_encodes_the_outcome(spark, tmp_path):
    # overdraft_days measured over the life of the loan: defaulters pile up overdrafts after origination.
    frame = loan_features_frame(300, 5)
    frame["overdraft_days"] = frame["is_default"] * 40 + (frame.index % 3)
    with pytest.raises(FinlakeError, match="feature overdraft_days alone separates defaults"):
        train_default_model(spark, Lake.local(tmp_path), TrainingSettings(**FAST), features=to_spark(spark, frame))
