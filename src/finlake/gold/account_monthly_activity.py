"""gold.account_monthly_activity: credits, debits, cash and end balance per account and month."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from finlake.contracts.bronze import MONEY
from finlake.contracts.gold import ACCOUNT_MONTHLY_ACTIVITY
from finlake.gold.conform import conform


def account_monthly_activity(transactions: DataFrame, accounts: DataFrame) -> DataFrame:
    """One row per account and booking month with at least one transaction; key (`account_id`, `month`).

    Amounts are summed in the account's currency (no conversion). `end_balance` is the balance_after
    of the month's last transaction (latest booked_at, ties broken by transaction_id), null if that
    transaction carries no balance.
    """
    credit = F.col("direction") == "CREDIT"
    debit = F.col("direction") == "DEBIT"
    zero = F.lit(0).cast(MONEY)
    monthly = transactions.groupBy("account_id", F.col("booked_month").alias("month")).agg(
        F.coalesce(F.sum(F.when(credit, F.col("amount"))), zero).alias("credit_amount"),
        F.coalesce(F.sum(F.when(debit, F.col("amount"))), zero).alias("debit_amount"),
        F.count_if(credit).alias("credit_count"),
        F.count_if(debit).alias("debit_count"),
        F.coalesce(F.sum(F.when(F.col("is_cash"), F.col("amount"))), zero).alias("cash_amount"),
        F.max_by("balance_after", F.struct("booked_at", "transaction_id")).alias("end_balance"),
    )
    return (
        monthly.withColumn("net_flow", F.col("credit_amount") - F.col("debit_amount"))
        .join(accounts.select("account_id", "customer_id"), on="account_id", how="left")
        .transform(conform(ACCOUNT_MONTHLY_ACTIVITY))
    )
