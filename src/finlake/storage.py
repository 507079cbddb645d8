"""The one storage layer: Silver, Gold and quarantine tables are read by name, never by path.

`read_table(spark, lake, "silver.transactions")` returns the table's current rows with its declared
schema. Every reader in the package (jobs, ML, streaming, serving) goes through here, so the table
format underneath can change without touching them.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession

from finlake.contracts.gold import GOLD_TABLES
from finlake.contracts.model import Table
from finlake.contracts.silver import SILVER_TABLES
from finlake.errors import FinlakeError, UsageError
from finlake.lake import Lake
from finlake.publish import current_version_path, read_version


def contract(name: str) -> Table:
    """The declared table behind `<layer>.<table>` (silver / silver_restricted / gold)."""
    layer, _, table = name.partition(".")
    tables = GOLD_TABLES if layer == "gold" else SILVER_TABLES if layer in ("silver", "silver_restricted") else {}
    if table not in tables:
        raise UsageError(f"unknown table {name!r}: expected silver.<table> or gold.<table>")
    return tables[table]


def _path(lake: Lake, name: str) -> str:
    layer, _, table = name.partition(".")
    return lake.gold_table(table) if layer == "gold" else lake.silver_table(table)


def table_exists(spark: SparkSession, lake: Lake, name: str) -> bool:
    contract(name)
    return current_version_path(_path(lake, name)) is not None


def read_table(spark: SparkSession, lake: Lake, name: str) -> DataFrame:
    """The current rows of `<layer>.<table>`, with the declared schema. A missing table is one line."""
    table = contract(name)
    version = current_version_path(_path(lake, name))
    if version is None:
        job = "silver-to-gold" if name.startswith("gold.") else "bronze-to-silver"
        raise FinlakeError(f"{name} does not exist yet: run `finlake {job}` first")
    return read_version(spark, version, table.spark_schema())
