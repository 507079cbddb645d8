"""Amounts into the reporting currency (EUR) with silver.fx_rates, at the amount's own date.

As-of rule: the latest rate on or before the date. Before a currency's first rate (PKDD'99's
1993-1998 amounts; the ECB's series starts on 1999-01-04) the first rate is used and the amount is
flagged `fx_estimated`. An amount in EUR is itself; one in a currency with no rate at all gets a null
reporting amount (and so can trip no threshold: the Silver rules file lists the currencies expected).
The rates table is small (one row per currency and business day), so each currency's rates become
date ranges and are broadcast into a range join: no UDF, no shuffle of the large side.
"""

from __future__ import annotations

from collections.abc import Callable

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from finlake.contracts.bronze import MONEY, REPORTING_CURRENCY

FIRST_DAY, LAST_DAY = "0001-01-01", "9999-12-31"


def rate_ranges(rates: DataFrame) -> DataFrame:
    """silver.fx_rates -> one row per currency and rate: [valid_from, valid_to) it applies to. The first
    rate of a currency also covers every earlier date (valid_from = FIRST_DAY)."""
    latest = Window.partitionBy("currency", "rate_date").orderBy(F.col("published_at").desc(), F.col("rate_id"))
    in_order = Window.partitionBy("currency").orderBy("rate_date")
    return (
        rates.withColumn("_version", F.row_number().over(latest))
        .where(F.col("_version") == 1)  # one rate per currency and day, whatever the rate_ids say
        .select(
            F.col("currency").alias("_fx_currency"),
            F.col("rate_date").alias("fx_rate_date"),
            F.col("rate_per_eur").alias("_fx_rate"),
            F.when(F.row_number().over(in_order) == 1, F.lit(FIRST_DAY).cast("date"))
            .otherwise(F.col("rate_date"))
            .alias("_fx_from"),
            F.coalesce(F.lead("rate_date").over(in_order), F.lit(LAST_DAY).cast("date")).alias("_fx_to"),
        )
    )


def in_reporting_currency(
    rates: DataFrame, amount: str = "amount", day: str = "booked_date", out: str = "amount_eur"
) -> Callable[[DataFrame], DataFrame]:
    """Add `out` (amount in REPORTING_CURRENCY, rounded half-up to the cent), `fx_rate_date` (the rate's
    date; null for EUR) and `fx_estimated` (the rate is from after the date: before the series began).
    Expects `currency`, `amount` and a date column `day`."""

    def transform(df: DataFrame) -> DataFrame:
        ranges = F.broadcast(rate_ranges(rates))
        joined = df.join(
            ranges,
            (F.col("currency") == F.col("_fx_currency"))
            & (F.col(day) >= F.col("_fx_from"))
            & (F.col(day) < F.col("_fx_to")),
            how="left",
        )
        is_reporting = F.col("currency") == REPORTING_CURRENCY
        converted = F.round(F.col(amount) / F.col("_fx_rate"), 2)
        return joined.select(
            *df.columns,
            F.when(is_reporting, F.col(amount)).otherwise(converted).cast(MONEY).alias(out),
            F.when(is_reporting, F.lit(None).cast("date")).otherwise(F.col("fx_rate_date")).alias("fx_rate_date"),
            (~is_reporting & F.coalesce(F.col(day) < F.col("fx_rate_date"), F.lit(False))).alias("fx_estimated"),
        )

    return transform
