"""Silver builders: validated, deduplicated rows -> the published table, with derived columns.

Each builder takes rows carrying the typed contract columns plus lineage (`source_file`,
`ingest_date`, `run_id`) and ends with one explicit select of its Table's columns.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from finlake.contracts.bronze import CASH_CHANNELS, DEFAULT_LOAN_STATUSES
from finlake.contracts.silver import (
    SILVER_ACCOUNTS,
    SILVER_CARDS,
    SILVER_DISPOSITIONS,
    SILVER_FX_RATES,
    SILVER_LOANS,
    SILVER_TRANSACTIONS,
)


def build_accounts(rows: DataFrame) -> DataFrame:
    """silver.accounts: one row per account (the latest change record), key account_id."""
    return rows.select(*SILVER_ACCOUNTS.column_names)


def build_fx_rates(rows: DataFrame) -> DataFrame:
    """silver.fx_rates: one row per currency and rate date (the latest published version), key rate_id."""
    return rows.select(*SILVER_FX_RATES.column_names)


def build_dispositions(rows: DataFrame) -> DataFrame:
    """silver.dispositions: one row per disposition (the latest change record), key disposition_id."""
    return rows.select(*SILVER_DISPOSITIONS.column_names)


def build_cards(rows: DataFrame) -> DataFrame:
    """silver.cards: one row per card (the latest change record), key card_id."""
    return rows.select(*SILVER_CARDS.column_names)


def build_loans(rows: DataFrame) -> DataFrame:
    """silver.loans: one row per loan (the latest change record), key loan_id; adds is_default."""
    return rows.withColumn("is_default", F.col("status").isin(*DEFAULT_LOAN_STATUSES)).select(
        *SILVER_LOANS.column_names
    )


def build_transactions(rows: DataFrame) -> DataFrame:
    """silver.transactions: one row per transaction (re-deliveries removed), key transaction_id;
    adds booked_date, signed_amount (negative for DEBIT), is_cash, and the partition booked_month."""
    return (
        rows.withColumn("booked_date", F.to_date("booked_at"))
        .withColumn(
            "signed_amount",
            F.when(F.col("direction") == "DEBIT", -F.col("amount")).otherwise(F.col("amount")).cast("decimal(18,2)"),
        )
        .withColumn("is_cash", F.col("channel").isin(*CASH_CHANNELS))
        .withColumn("booked_month", F.date_format("booked_at", "yyyy-MM"))
        .select(*SILVER_TRANSACTIONS.column_names)
    )
