"""gold.compliance_cash_alerts: large cash transactions and structuring patterns, with the rule that fired.

LARGE_CASH: one cash transaction (channel ATM or BRANCH, either direction) with amount >= threshold.

STRUCTURING: cash CREDIT deposits each in [lower_fraction x threshold, threshold) — "just below" —
of which at least `min_count` fall within `window_days` of each other. Formally, with t in seconds:
a qualifying deposit d *anchors* a pattern when at least `min_count` qualifying deposits of its
account have t in [t_d, t_d + window_days x 86400); every deposit inside an anchored window belongs
to a pattern; pattern deposits less than a window apart are one alert (so a burst is reported once,
not once per sliding window). Computed with range-frame window functions; no UDFs.

alert_id is `<rule>:<account_id>:<first transaction_id>`: the same data gives the same ids.
Amounts are compared in the reporting currency (EUR, contracts/bronze.py REPORTING_CURRENCY): each
transaction is converted at its booking date with silver.fx_rates (gold/fx.py: the latest rate on or
before it; before a currency's first rate, that first rate, flagged `fx_estimated`). An alert row
carries both: total/max_amount in the account's currency as booked, total/max_amount_eur as judged.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from finlake.contracts.bronze import MONEY
from finlake.contracts.compliance_rules import LARGE_CASH, SECONDS_PER_DAY, STRUCTURING, ComplianceRules
from finlake.contracts.gold import COMPLIANCE_CASH_ALERTS
from finlake.gold.conform import conform
from finlake.gold.fx import in_reporting_currency

# The rules are declared once, in finlake.contracts.compliance_rules, and shared with the stream monitor.
__all__ = ["LARGE_CASH", "STRUCTURING", "ComplianceRules", "compliance_alert_rows", "compliance_cash_alerts"]


def _money(value: Decimal) -> Column:
    # compare decimals with decimals: 0.8 x 10,000.00 is exactly 8,000.00, no float rounding at the edge
    return F.lit(value).cast(MONEY)


def large_cash_alerts(rules: ComplianceRules) -> Callable[[DataFrame], DataFrame]:
    """Transactions -> one LARGE_CASH alert per cash transaction at or above the threshold."""

    def build(transactions: DataFrame) -> DataFrame:
        return transactions.where(F.col("is_cash") & (F.col("amount_eur") >= _money(rules.threshold_money))).select(
            F.lit(LARGE_CASH).alias("rule"),
            "account_id",
            F.col("booked_at").alias("first_booked_at"),
            F.col("booked_at").alias("last_booked_at"),
            F.lit(1).cast("bigint").alias("transaction_count"),
            F.col("amount").alias("total_amount"),
            F.col("amount").alias("max_amount"),
            F.col("amount_eur").alias("total_amount_eur"),
            F.col("amount_eur").alias("max_amount_eur"),
            "currency",
            "fx_estimated",
            F.lit(0).alias("window_days"),
            F.array("transaction_id").alias("transaction_ids"),
            F.col("transaction_id").alias("first_transaction_id"),
        )

    return build


def _pattern_deposits(rules: ComplianceRules) -> Callable[[DataFrame], DataFrame]:
    """Transactions -> the just-below-threshold cash deposits that belong to a structuring pattern."""
    window_seconds = rules.window_days * SECONDS_PER_DAY
    by_time = Window.partitionBy("account_id").orderBy("ts")
    ahead = by_time.rangeBetween(0, window_seconds - 1)  # [t, t + window)
    behind = by_time.rangeBetween(-(window_seconds - 1), 0)  # (t - window, t]

    def build(transactions: DataFrame) -> DataFrame:
        just_below = (
            F.col("is_cash")
            & (F.col("direction") == "CREDIT")
            & (F.col("amount_eur") >= _money(rules.lower_bound_money))
            & (F.col("amount_eur") < _money(rules.threshold_money))
        )
        return (
            transactions.where(just_below)
            .withColumn("ts", F.col("booked_at").cast("long"))
            .withColumn("anchors", (F.count(F.lit(1)).over(ahead) >= rules.min_count).cast("int"))
            .withColumn("in_pattern", F.max("anchors").over(behind) == 1)  # inside some anchored window
            .where("in_pattern")
        )

    return build


def structuring_alerts(rules: ComplianceRules) -> Callable[[DataFrame], DataFrame]:
    """Transactions -> one STRUCTURING alert per burst of just-below-threshold cash deposits."""
    window_seconds = rules.window_days * SECONDS_PER_DAY
    in_order = Window.partitionBy("account_id").orderBy("ts", "transaction_id")

    def build(transactions: DataFrame) -> DataFrame:
        gap = F.col("ts") - F.lag("ts").over(in_order)
        starts_alert = (gap.isNull() | (gap >= window_seconds)).cast("int")
        deposits = (
            transactions.transform(_pattern_deposits(rules))
            .withColumn("starts_alert", starts_alert)
            .withColumn("alert_no", F.sum("starts_alert").over(in_order.rowsBetween(Window.unboundedPreceding, 0)))
            .groupBy("account_id", "alert_no")
            .agg(
                F.min("booked_at").alias("first_booked_at"),
                F.max("booked_at").alias("last_booked_at"),
                F.count(F.lit(1)).alias("transaction_count"),
                F.sum("amount").alias("total_amount"),
                F.max("amount").alias("max_amount"),
                F.sum("amount_eur").alias("total_amount_eur"),
                F.max("amount_eur").alias("max_amount_eur"),
                F.max("currency").alias("currency"),  # an account has one currency
                (F.max(F.col("fx_estimated").cast("int")) == 1).alias("fx_estimated"),
                F.array_sort(F.collect_list(F.struct("ts", "transaction_id"))).alias("in_order"),
            )
        )
        return deposits.select(
            F.lit(STRUCTURING).alias("rule"),
            "account_id",
            "first_booked_at",
            "last_booked_at",
            "transaction_count",
            "total_amount",
            "max_amount",
            "total_amount_eur",
            "max_amount_eur",
            "currency",
            "fx_estimated",
            F.lit(rules.window_days).alias("window_days"),
            F.col("in_order.transaction_id").alias("transaction_ids"),
            F.col("in_order")[0]["transaction_id"].alias("first_transaction_id"),
        )

    return build


def compliance_cash_alerts(
    transactions: DataFrame, accounts: DataFrame, rates: DataFrame, rules: ComplianceRules | None = None
) -> DataFrame:
    """One row per alert (a large cash transaction, or a structuring pattern); key `alert_id`."""
    return compliance_alert_rows(transactions, transactions, accounts, rules or ComplianceRules(), rates)


def compliance_alert_rows(
    large_cash_from: DataFrame,
    structuring_from: DataFrame,
    accounts: DataFrame,
    rules: ComplianceRules,
    rates: DataFrame,
) -> DataFrame:
    """Alert rows with LARGE_CASH judged on one set of transactions and STRUCTURING on another (the
    same set for a full build; gold/incremental.py passes the new rows and each account's scope).
    Both are judged in EUR, converted with `rates` (silver.fx_rates) at each booking date."""
    to_eur = in_reporting_currency(rates)
    alerts = (
        large_cash_from.transform(to_eur)
        .transform(large_cash_alerts(rules))
        .unionByName(structuring_from.transform(to_eur).transform(structuring_alerts(rules)))
    )
    return (
        alerts.withColumn("alert_id", F.concat_ws(":", "rule", "account_id", "first_transaction_id"))
        .withColumn("threshold", _money(rules.threshold_money))
        .withColumn("alert_month", F.date_format("first_booked_at", "yyyy-MM"))
        .join(accounts.select("account_id", "customer_id"), on="account_id", how="left")
        .transform(conform(COMPLIANCE_CASH_ALERTS))
    )
