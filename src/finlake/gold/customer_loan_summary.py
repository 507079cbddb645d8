"""gold.customer_loan_summary: loan counts and amounts per customer (the original deliverable).

Amounts are in the reporting currency (EUR): each loan's principal is converted from its account's
currency at its origination date (gold/fx.py: the latest rate on or before it; before the currency's
first rate, that first rate, and the customer is flagged `fx_estimated`). The origination date, not the
as-of date, so a customer's row changes when a loan or a rate does, not every day with the market. A loan
whose currency has no rate at all cannot be converted: it is counted in `unconverted_loan_count` and the
customer's EUR sums are null rather than understated. `currency` and `total_principal_booked` keep the
amounts as booked only for a customer whose loans are all in one currency (null when mixed).
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from finlake.contracts.bronze import DEFAULT_LOAN_STATUSES, MONEY, OPEN_LOAN_STATUSES
from finlake.contracts.gold import CUSTOMER_LOAN_SUMMARY
from finlake.gold.conform import conform
from finlake.gold.fx import in_reporting_currency


def customer_loan_summary(loans: DataFrame, customers: DataFrame, accounts: DataFrame, rates: DataFrame) -> DataFrame:
    """One row per customer with at least one loan; key `customer_id`.

    Open = CURRENT, LATE or DEFAULT (still carries exposure); defaulted = DEFAULT or CHARGED_OFF.
    The average principal is rounded half-up to the cent.
    """
    is_open = F.col("status").isin(*OPEN_LOAN_STATUSES)
    converted = loans.join(accounts.select("account_id", "currency"), on="account_id", how="left").transform(
        in_reporting_currency(rates, amount="principal", day="origination_date", out="principal_eur")
    )
    per_customer = converted.groupBy("customer_id").agg(
        F.count(F.lit(1)).alias("loan_count"),
        F.count_if(is_open).alias("open_loan_count"),
        F.count_if(F.col("status").isin(*DEFAULT_LOAN_STATUSES)).alias("defaulted_loan_count"),
        F.count_if(F.col("principal_eur").isNull()).alias("unconverted_loan_count"),
        F.sum("principal_eur").alias("_total"),
        F.round(F.avg("principal_eur"), 2).alias("_avg"),
        F.max("principal_eur").alias("_max"),
        F.coalesce(F.sum(F.when(is_open, F.col("principal_eur"))), F.lit(0).cast(MONEY)).alias("_open"),
        F.bool_or("fx_estimated").alias("fx_estimated"),
        (F.count_distinct("currency") == 1).alias("_one_currency"),
        F.count_if(F.col("currency").isNull()).alias("_no_currency"),
        F.first("currency", ignorenulls=True).alias("_currency"),
        F.sum("principal").alias("_booked"),
        F.min("origination_date").alias("first_origination_date"),
        F.max("origination_date").alias("last_origination_date"),
    )
    complete = F.col("unconverted_loan_count") == 0  # a partial EUR sum would understate: null instead
    single = F.col("_one_currency") & (F.col("_no_currency") == 0)
    summary = per_customer.select(
        "*",
        F.when(complete, F.col("_total")).alias("total_principal"),
        F.when(complete, F.col("_avg")).alias("avg_principal"),
        F.when(complete, F.col("_max")).alias("max_principal"),
        F.when(complete, F.col("_open")).alias("open_principal"),
        F.when(single, F.col("_currency")).alias("currency"),
        F.when(single, F.col("_booked")).alias("total_principal_booked"),
    )
    # left: a loan whose customer is missing from Silver still counts (Silver quarantines such orphans)
    return summary.join(customers.select("customer_id", "segment", "district"), on="customer_id", how="left").transform(
        conform(CUSTOMER_LOAN_SUMMARY)
    )
