"""PII protection by *splitting*: direct identifiers leave `silver.customers` for the restricted
`silver.customer_pii` (own prefix/bucket, not in the analysts' catalog). Gold reads only
`silver.customers`, so no name, e-mail, phone or street address can reach it. Splitting keeps the
identifiers exact for the few who may use them (KYC, servicing), which hashing or masking would not.
"""

from __future__ import annotations

from pyspark.sql import DataFrame

from finlake.contracts.silver import SILVER_CUSTOMER_PII, SILVER_CUSTOMERS


def customers_without_pii(customers: DataFrame) -> DataFrame:
    """silver.customers: one row per customer (latest change record), key customer_id, no direct identifiers."""
    return customers.select(*SILVER_CUSTOMERS.column_names)


def customer_pii(customers: DataFrame) -> DataFrame:
    """silver.customer_pii (restricted): one row per customer, key customer_id, the direct identifiers."""
    return customers.select(*SILVER_CUSTOMER_PII.column_names)
