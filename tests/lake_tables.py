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
