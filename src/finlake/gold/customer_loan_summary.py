"""gold.customer_loan_summary: loan counts and amounts per customer (the original deliverable)."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from finlake.contracts.bronze import DEFAULT_LOAN_STATUSES, MONEY, OPEN_LOAN_STATUSES
from finlake.contracts.gold import CUSTOMER_LOAN_SUMMARY
from finlake.gold.conform import conform


def customer_loan_summary(loans: DataFrame, customers: DataFrame) -> DataFrame:
    """One row per customer with at least one loan; key `customer_id`.

    Open = CURRENT, LATE or DEFAULT (still carries exposure); defaulted = DEFAULT or CHARGED_OFF.
    The average principal is rounded half-up to the cent.
    """
    is_open = F.col("status").isin(*OPEN_LOAN_STATUSES)
    per_customer = loans.groupBy("customer_id").agg(
        F.count(F.lit(1)).alias("loan_count"),
        F.count_if(is_open).alias("open_loan_count"),
        F.count_if(F.col("status").isin(*DEFAULT_LOAN_STATUSES)).alias("defaulted_loan_count"),
        F.sum("principal").alias("total_principal"),
        F.round(F.avg("principal"), 2).alias("avg_principal"),
        F.max("principal").alias("max_principal"),
        F.coalesce(F.sum(F.when(is_open, F.col("principal"))), F.lit(0).cast(MONEY)).alias("open_principal"),
        F.min("origination_date").alias("first_origination_date"),
        F.max("origination_date").alias("last_origination_date"),
    )
    # left: a loan whose customer is missing from Silver still counts (Silver quarantines such orphans)
    return per_customer.join(
        customers.select("customer_id", "segment", "district"), on="customer_id", how="left"
    ).transform(conform(CUSTOMER_LOAN_SUMMARY))
