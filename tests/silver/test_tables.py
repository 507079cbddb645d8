"""Silver builders: derived columns and the exact output columns, PII split."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from chispa import assert_df_equality
from pyspark.sql import functions as F

from finlake.contracts.bronze import CUSTOMERS, LOANS, TRANSACTIONS
from finlake.contracts.silver import SILVER_CUSTOMER_PII, SILVER_CUSTOMERS, SILVER_LOANS, SILVER_TRANSACTIONS
from finlake.silver.pii import customer_pii, customers_without_pii
from finlake.silver.tables import build_loans, build_transactions

LINEAGE = "source_file string, ingest_date date, run_id string"


def _typed(spark, entity, rows):
    ddl = ", ".join(f"{c.name} {c.type}" for c in entity.columns) + ", " + LINEAGE
    return spark.createDataFrame(rows, ddl)


def test_transactions_derived_columns(spark):
    base = ("A1", dt.datetime(2024, 3, 31, 23, 59), Decimal("10.00"), "EUR")
    rows = [
        ("T1", *base, "DEBIT", "ATM", None, "cash", None, "f", dt.date(2024, 4, 1), "r"),
        ("T2", *base, "CREDIT", "CARD", "5411", "refund", None, "f", dt.date(2024, 4, 1), "r"),
    ]
    out = build_transactions(_typed(spark, TRANSACTIONS, rows))
    assert out.columns == SILVER_TRANSACTIONS.column_names
    expected = spark.createDataFrame(
        [
            ("T1", dt.date(2024, 3, 31), Decimal("-10.00"), True, "2024-03"),
            ("T2", dt.date(2024, 3, 31), Decimal("10.00"), False, "2024-03"),
        ],
        "transaction_id string, booked_date date, signed_amount decimal(18,2), is_cash boolean, booked_month string",
    )
    actual = out.select("transaction_id", "booked_date", "signed_amount", "is_cash", "booked_month")
    assert_df_equality(actual, expected, ignore_nullable=True)


def test_loans_is_default(spark):
    def loan(i, status):
        return (
            i,
            "C1",
            "A1",
            "AUTO",
            Decimal(1),
            Decimal(1),
            12,
            dt.date(2024, 1, 1),
            dt.date(2025, 1, 1),
            Decimal(1),
            status,
            dt.datetime(2024, 1, 1),
            "f",
            dt.date(2024, 1, 1),
            "r",
        )

    rows = [loan("L1", "CURRENT"), loan("L2", "DEFAULT"), loan("L3", "CHARGED_OFF"), loan("L4", "PAID_OFF")]
    out = build_loans(_typed(spark, LOANS, rows))
    assert out.columns == SILVER_LOANS.column_names
    expected = spark.createDataFrame(
        [("L1", False), ("L2", True), ("L3", True), ("L4", False)], "loan_id string, is_default boolean"
    )
    assert_df_equality(out.select("loan_id", "is_default"), expected, ignore_nullable=True)


def test_pii_is_split_out_of_customers(spark):
    values = {c.name: f"v_{c.name}" for c in CUSTOMERS.columns if c.type == "string"}
    df = spark.createDataFrame([values]).select(
        *[F.lit(values.get(c.name)).cast(c.type).alias(c.name) for c in CUSTOMERS.columns],
        F.lit("f").alias("source_file"),
        F.lit(None).cast("date").alias("ingest_date"),
        F.lit("r").alias("run_id"),
    )
    public, pii = customers_without_pii(df), customer_pii(df)
    assert public.columns == SILVER_CUSTOMERS.column_names
    assert pii.columns == SILVER_CUSTOMER_PII.column_names
    for name in ("first_name", "last_name", "email", "phone", "street_address"):
        assert name not in public.columns and name in pii.columns
    assert pii.first()["email"] == "v_email"
