"""Transactions the Gold job cannot convert to the reporting currency, counted per currency.

A transaction in a currency the ECB publishes no rate for (silver.fx_rates has none) gets no EUR amount
(gold/fx.py), so it can trip no compliance threshold. That is not silent: the Gold run report lists the
rows per currency under `fx_unconverted` and the job's summary prints a WARN line.

Cheap on a normal day: the set of such currencies is one more aggregate in the Silver gate's single pass
over silver.transactions (`gate_extras`); only when it is not empty are those currencies' rows counted
(one more, filtered, read).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from finlake.contracts.bronze import REPORTING_CURRENCY
from finlake.report import RunReport

TABLE = "transactions"  # the Silver table whose rows the compliance rules judge in EUR
EXTRA = "fx_unconverted_currencies"


def rate_currencies(rates: DataFrame) -> list[str]:
    """The currencies Gold can convert: EUR and every currency with at least one rate (before a
    currency's first rate, that first rate is used, so one rate converts every date)."""
    return sorted({REPORTING_CURRENCY} | {r.currency for r in rates.select("currency").distinct().collect()})


def gate_extras(table: str, convertible: list[str]) -> dict[str, Column]:
    """The aggregate added to the gate's pass over `table`: the distinct currencies with no rate."""
    if table != TABLE:
        return {}
    unconvertible = F.when(~F.col("currency").isin(*convertible), F.col("currency"))
    return {EXTRA: F.sort_array(F.collect_set(unconvertible))}


def count_unconverted(transactions: DataFrame, currencies: list[str]) -> dict[str, int]:
    """currency -> rows of `transactions` in it (for the few currencies the gate found unconvertible)."""
    if not currencies:
        return {}
    rows = transactions.where(F.col("currency").isin(*currencies)).groupBy("currency").count().collect()
    return {r.currency: int(r["count"]) for r in sorted(rows, key=lambda r: r.currency)}


def record(report: RunReport, transactions: DataFrame, extras: Mapping[str, Any]) -> None:
    """Put the per-currency counts into the report (`fx_unconverted["silver.transactions"]`)."""
    found = [str(c) for c in extras.get(EXTRA) or []]
    counts = count_unconverted(transactions, found)
    if counts:
        report.fx_unconverted[f"silver.{TABLE}"] = counts


def warnings(report: RunReport) -> list[str]:
    """One WARN line per table with unconvertible rows, for the job's summary."""
    return [
        f"  WARN: {sum(counts.values()):,} {table} rows have no {REPORTING_CURRENCY} amount (no ECB rate for "
        + ", ".join(f"{c} {n:,}" for c, n in counts.items())
        + "): no compliance threshold can judge them"
        for table, counts in report.fx_unconverted.items()
    ]
