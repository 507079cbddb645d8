"""Test helpers that put tables into a lake the way the jobs do: through the storage layer (Iceberg)."""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession

from finlake import storage
from finlake.lake import Lake
from finlake.silver.state import load_state, save_state


def publish_silver(spark: SparkSession, lake: Lake, frames: dict[str, DataFrame]) -> None:
    """Replace each `silver.<name>` with its frame and record the snapshots as a Silver run would,
    so the Gold job reads exactly these."""
    state = load_state(lake)
    for name, df in frames.items():
        storage.replace_rows(spark, lake, f"silver.{name}", df)
        state.snapshots[f"silver.{name}"] = storage.current_snapshot_id(spark, lake, f"silver.{name}")
    save_state(lake, state)


def read(spark: SparkSession, lake: Lake, name: str) -> DataFrame:
    return storage.read_table(spark, lake, name)


def publish_accounts_of(spark: SparkSession, lake: Lake, loans: DataFrame, currency: str = "EUR") -> None:
    """silver.accounts for the loans' accounts (all in `currency`) and an empty silver.fx_rates, recorded
    as a Silver run would: what scoring needs to convert exposure, for tests that write Gold directly."""
    from pyspark.sql import functions as F

    schema = storage.contract("silver.accounts").spark_schema()
    values = {"account_type": "CHECKING", "currency": currency, "status": "OPEN", "source_file": "test", "run_id": "t"}
    accounts = loans.select("account_id", "customer_id").distinct()
    for field in schema.fields:
        if field.name not in accounts.columns:
            accounts = accounts.withColumn(field.name, F.lit(values.get(field.name)).cast(field.dataType))
    rates = spark.createDataFrame([], storage.contract("silver.fx_rates").spark_schema())
    publish_silver(spark, lake, {"accounts": accounts.select(*schema.names), "fx_rates": rates})
