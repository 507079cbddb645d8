"""`finlake features publish`: the online store filled from Gold (loans) and Silver (customers today).

Loans: every row of gold.loan_features as the model reads it (`model_input`: numerics as double,
categoricals normalised), so an existing loan scores online exactly as in batch.

Customers: a new application needs the customer's features *today*, not as they were at an old
loan's origination. They are computed with Gold's own feature builder (`gold.loan_features`) on one
stand-in "loan" per customer, originated on the day after the latest booked transaction in Silver
(the lake's today), on the customer's most active account of the feature window. Only the
customer-level columns are kept; the application supplies the rest.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from finlake.contracts.gold import FEATURE_WINDOW_DAYS, LOAN_FEATURES
from finlake.gold.loan_features import loan_features
from finlake.lake import Lake
from finlake.ml.data import read_loan_features
from finlake.ml.features import CATEGORICAL_FEATURES, CUTOFF, NUMERIC_FEATURES, model_input
from finlake.serving.service import APPLICATION_TERMS
from finlake.serving.store import CUSTOMER, LOAN, FeatureStore
from finlake.storage import read_table, table_exists

DERIVED_FROM_TERMS = ("payment_to_income", "payment_to_inflow")
CUSTOMER_FEATURES = tuple(
    c for c in (*NUMERIC_FEATURES, *CATEGORICAL_FEATURES) if c not in (*APPLICATION_TERMS, *DERIVED_FROM_TERMS)
)
LOAN_COLUMNS = ("loan_id", "customer_id", "status", CUTOFF)


@dataclass(frozen=True)
class Published:
    loans: int
    customers: int
    as_of: str
    where: str


def loan_rows(features: DataFrame) -> DataFrame:
    """gold.loan_features as the model reads it, with the keys, status and cut-off."""
    prepared = features.transform(model_input(NUMERIC_FEATURES, CATEGORICAL_FEATURES, keep=("status",)))
    return prepared.select(*LOAN_COLUMNS, *NUMERIC_FEATURES, *CATEGORICAL_FEATURES)


def as_of_date(transactions: DataFrame) -> date:
    latest = transactions.agg(F.max("booked_date")).first()[0]  # type: ignore[index]
    return (latest or datetime.now(UTC).date()) + timedelta(days=1)


def primary_accounts(accounts: DataFrame, transactions: DataFrame, as_of: date) -> DataFrame:
    """Per customer, the account with the most transactions in the window before `as_of` (ties: lowest id)."""
    start = as_of - timedelta(days=FEATURE_WINDOW_DAYS)
    activity = (
        transactions.where((F.col("booked_date") >= F.lit(start)) & (F.col("booked_date") < F.lit(as_of)))
        .groupBy("account_id")
        .agg(F.count(F.lit(1)).alias("n"))
    )
    ranked = accounts.select("account_id", "customer_id").join(activity, on="account_id", how="left")
    order = Window.partitionBy("customer_id").orderBy(F.coalesce("n", F.lit(0)).desc(), F.col("account_id"))
    return ranked.withColumn("rank", F.row_number().over(order)).where("rank = 1").select("customer_id", "account_id")


def customer_rows(
    customers: DataFrame,
    accounts: DataFrame,
    transactions: DataFrame,
    as_of: date,
    dispositions: DataFrame | None = None,
    cards: DataFrame | None = None,
) -> DataFrame:
    """One row per customer: the customer-level model inputs as of `as_of` (the account features from
    `dispositions`/`cards` when given, else unknown)."""
    stand_in = customers.select("customer_id").join(
        primary_accounts(accounts, transactions, as_of), on="customer_id", how="left"
    )
    loan_columns = {c.name: c.spark_type for c in LOAN_FEATURES.columns}
    loans = stand_in.select(
        F.concat(F.lit("customer#"), "customer_id").alias("loan_id"),
        "customer_id",
        "account_id",
        F.lit(as_of).alias("origination_date"),
        *[F.lit(None).cast(loan_columns[c]).alias(c) for c in APPLICATION_TERMS],
        F.lit("CURRENT").alias("status"),
    )
    numeric = tuple(c for c in NUMERIC_FEATURES if c in CUSTOMER_FEATURES)
    categorical = tuple(c for c in CATEGORICAL_FEATURES if c in CUSTOMER_FEATURES)
    return (
        loan_features(loans, customers, transactions, dispositions=dispositions, cards=cards)
        .transform(model_input(numeric, categorical))
        .select("customer_id", *numeric, *categorical)
    )


def _rows(loans: DataFrame, customers: DataFrame) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for r in loans.toLocalIterator():
        body = r.asDict()
        body[CUTOFF] = body[CUTOFF].isoformat() if body[CUTOFF] else None
        yield LOAN, body["loan_id"], body
    for r in customers.toLocalIterator():
        yield CUSTOMER, r["customer_id"], r.asDict()


def publish_features(spark: SparkSession, lake: Lake, store: FeatureStore) -> Published:
    # the reader training and batch scoring use, so the online rows are the rows they score
    loans = loan_rows(read_loan_features(spark, lake)).cache()
    if all(table_exists(spark, lake, f"silver.{t}") for t in ("transactions", "customers", "accounts")):
        transactions = read_table(spark, lake, "silver.transactions")
        as_of = as_of_date(transactions)
        silver = (read_table(spark, lake, "silver.customers"), read_table(spark, lake, "silver.accounts"))
        held = [
            read_table(spark, lake, f"silver.{t}") if table_exists(spark, lake, f"silver.{t}") else None
            for t in ("dispositions", "cards")
        ]
        customers = customer_rows(*silver, transactions, as_of, *held).cache()
    else:  # a Gold-only lake (e.g. features handed over for training): existing loans only
        as_of = datetime.now(UTC).date()
        customers = spark.createDataFrame([], "customer_id string")
    meta = {"published_at": datetime.now(UTC).isoformat(timespec="seconds"), "as_of": as_of.isoformat()}
    n_loans, n_customers = loans.count(), customers.count()
    store.replace_all(_rows(loans, customers), {**meta, "loans": n_loans, "customers": n_customers})
    loans.unpersist()
    customers.unpersist()
    return Published(n_loans, n_customers, as_of.isoformat(), str(getattr(store, "path", None) or store))
