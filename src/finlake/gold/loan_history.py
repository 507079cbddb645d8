"""Pre-loan account history features for gold.loan_features (issue 20 item 2).

Two inputs, both strictly before origination_date (nothing booked on or after origination day is
joined in, so no aggregate can see it):

* the account's whole history (`transactions_before`): penalty interest charged, the lowest, the
  last and the average balance, and the days the balance stood below zero. The 180-day window of
  loan_features misses a borrower whose trouble was a year earlier; a lender sees the whole file.
* the feature window split in two halves (`window_trends`): how balance and inflow moved from the
  older half to the recent half (a salary that stopped, savings running down).
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from finlake.contracts.gold import PENALTY_INTEREST_CATEGORY, PENALTY_INTEREST_TEXT
from finlake.gold.amounts import exact_avg, exact_sum


def transactions_before(loans: DataFrame, transactions: DataFrame) -> DataFrame:
    """Each loan's account transactions booked before its origination day (one row per pair)."""
    keys = loans.select("loan_id", F.col("account_id").alias("loan_account_id"), "origination_date")
    before = (F.col("account_id") == F.col("loan_account_id")) & (F.col("booked_date") < F.col("origination_date"))
    return transactions.join(keys, on=before, how="inner")


def is_penalty_interest() -> Column:
    """A bank charge for a negative balance: PKDD's k_symbol 'SANKC. UROK' (kept as merchant_category)
    or a description naming penalty interest (the importer's text for it)."""
    category = F.upper(F.trim(F.col("merchant_category"))) == PENALTY_INTEREST_CATEGORY
    text = F.lower(F.col("description")).contains(PENALTY_INTEREST_TEXT)
    return F.coalesce(category, F.lit(False)) | F.coalesce(text, F.lit(False))


def history_features(before: DataFrame, negative_days: Column) -> DataFrame:
    """One row per loan with history; key `loan_id`. `negative_days` is loan_features' per-row count
    of days a balance stood below zero (evaluated over the whole history here)."""
    balance = F.col("balance_after")
    latest = F.struct(F.when(balance.isNotNull(), F.col("booked_at")), F.col("transaction_id"))
    return (
        before.withColumn("negative_days", negative_days)
        .withColumn("latest", F.when(balance.isNotNull(), latest))
        .groupBy("loan_id")
        .agg(
            F.count_if(is_penalty_interest()).alias("penalty_interest_count"),
            F.min(balance).cast("double").alias("pre_loan_min_balance"),
            exact_avg(balance).alias("pre_loan_avg_balance"),
            F.max_by(balance, F.col("latest")).cast("double").alias("last_balance"),
            F.sum("negative_days").alias("negative_balance_days"),
        )
    )


def window_trends(in_window: DataFrame, window_days: int) -> DataFrame:
    """One row per loan with transactions in its window: recent half minus older half."""
    recent = F.col("booked_date") >= F.date_sub(F.col("origination_date"), window_days // 2)
    balance = F.col("balance_after")
    credit = F.when(F.col("direction") == "CREDIT", F.col("amount"))
    return in_window.groupBy("loan_id").agg(
        (exact_avg(F.when(recent, balance)) - exact_avg(F.when(~recent, balance))).alias("balance_trend"),
        F.ln(
            (1 + F.coalesce(exact_sum(F.when(recent, credit)), F.lit(0.0)))
            / (1 + F.coalesce(exact_sum(F.when(~recent, credit)), F.lit(0.0)))
        ).alias("inflow_trend"),
    )
