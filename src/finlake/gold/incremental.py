"""Gold rebuilt for what a day changed: a day's cost does not grow with the transaction history.

`gold.account_monthly_activity` and `gold.compliance_cash_alerts` are the Gold tables built from every
transaction ever booked. After a Silver run that only appended transactions (the normal day), they are
rebuilt only where those rows can change them:

- account_monthly_activity: the booking months the new transactions fall in (each month is a sum of
  its own transactions), read with partition pruning and replaced whole.
- compliance_cash_alerts: LARGE_CASH alerts are per transaction, so the new transactions' alerts are
  added. STRUCTURING depends only on an account's cash deposits, and two deposits a window or more
  apart can never be in one alert or anchor each other's window. So for each account with a new cash
  deposit, the deposits are walked back (one booking month per step, pruned) to the first gap of a
  window or more before its earliest new deposit: from there on, that account's alerts are
  recomputed and replace the old ones; nothing earlier can change.

Anything else falls back to a full rebuild, with the reason in the run report: no earlier Gold run,
other job parameters, Silver transactions deleted or rewritten (a full refresh, an erasure) or the
snapshot Gold last read expired, an account moved to another customer, or a Gold table changed
outside this job.

gold.loan_features is rebuilt every run (loans, customers and the as-of date change daily), but its
transaction columns (from each loan account's bookings before origination, its whole history) are
computed only for the loans a day can change: a new loan, a loan whose account or origination date
changed, and a loan with a new booking on its account dated before its origination (a late
booking). Every other loan keeps the published values: its bookings before origination are the same.
The other Gold tables are built from customers, accounts and loans and are rebuilt in full every run.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from finlake import storage
from finlake.contracts.compliance_rules import (
    LARGE_CASH,
    SECONDS_PER_DAY,
    STRUCTURING,
    STRUCTURING_DIRECTION,
    ComplianceRules,
)
from finlake.gold.account_monthly_activity import account_monthly_activity
from finlake.gold.compliance import compliance_alert_rows
from finlake.gold.loan_features import TRANSACTION_COLUMNS, loan_features, transaction_columns
from finlake.lake import Lake
from finlake.textstore import read_text, write_text

STATE_NAME = "silver_to_gold.json"
INCREMENTAL_TABLES = ("account_monthly_activity", "compliance_cash_alerts")
EVERY_DATE = dt.date.min  # "changed from the beginning": a rate change that needs a full rebuild


@dataclass
class GoldState:
    """What the last successful Gold run read and published (the base of the next increment)."""

    silver: dict[str, int] = field(default_factory=dict)  # Silver table -> snapshot id read
    gold: dict[str, int] = field(default_factory=dict)  # Gold table -> snapshot id published
    params: dict[str, Any] = field(default_factory=dict)  # the job parameters it ran with
    # Silver table -> its gate's raw values and the currencies Gold could convert then (job._silver_gate)
    gate: dict[str, dict[str, Any]] = field(default_factory=dict)


def state_uri(lake: Lake) -> str:
    return f"{lake.state.rstrip('/')}/{STATE_NAME}"


def load_gold_state(lake: Lake) -> GoldState | None:
    text = read_text(state_uri(lake))
    return GoldState(**json.loads(text)) if text else None


def save_gold_state(lake: Lake, state: GoldState) -> None:
    write_text(state_uri(lake), json.dumps(dataclasses.asdict(state), indent=1, sort_keys=True) + "\n")


@dataclass(frozen=True)
class Increment:
    """The transactions appended to Silver since the last Gold run, the booking months they touch,
    and the first booking date whose conversion to the reporting currency changed (new or corrected
    exchange rates), if any."""

    new_transactions: DataFrame
    months: list[str]
    rates_from: dt.date | None = None

    def judged_again(self, transactions: DataFrame) -> DataFrame:
        """The transactions whose alerts are judged again: the new ones, and every one booked on or
        after `rates_from` (its EUR amount may have changed)."""
        if self.rates_from is None:
            return self.new_transactions
        converted_again = transactions.where(
            (F.col("booked_month") >= self.rates_from.strftime("%Y-%m")) & (F.col("booked_date") >= self.rates_from)
        )
        return self.new_transactions.unionByName(converted_again).dropDuplicates(["transaction_id"])


# What a run builds on: the increment (or why everything is rebuilt) and the last run's state.
Planned = tuple[Increment | str, GoldState | None]


def changed_outside(spark: SparkSession, lake: Lake, previous: GoldState, table: str) -> bool:
    """Whether `table` is not (or not known to be) at the snapshot the last Gold run published."""
    published = previous.gold.get(table)
    return published is None or storage.current_snapshot_id(spark, lake, table) != published


def plan_increment(
    spark: SparkSession,
    lake: Lake,
    silver: Mapping[str, DataFrame],
    snapshots: Mapping[str, int],
    params: dict[str, Any],
    previous: GoldState | None,
) -> Increment | str:
    """The increment to apply, or the reason the run must rebuild every table in full."""
    if previous is None:
        return "no earlier Gold run to build on"
    if previous.params != params:
        return "the job parameters differ from the last run's"
    for name in INCREMENTAL_TABLES:
        if changed_outside(spark, lake, previous, f"gold.{name}"):
            return f"gold.{name} changed outside silver-to-gold since the last run"
    after, upto = previous.silver.get("silver.transactions"), snapshots["silver.transactions"]
    if after is None or not storage.appended_only(spark, lake, "silver.transactions", after, upto):
        return "silver.transactions was rewritten (or the snapshot Gold last read expired) since the last run"
    if _accounts_moved(silver["accounts"], _previous(spark, lake, "silver.accounts", previous, snapshots)):
        return "an account changed customer (or was removed) since the last run"
    rates_from = _rates_changed_from(silver["fx_rates"], _previous(spark, lake, "silver.fx_rates", previous, snapshots))
    if rates_from == EVERY_DATE:
        return "a currency's first exchange rate changed (it converts every earlier amount) since the last run"
    if after == upto:  # Silver has not published transactions since
        empty = spark.createDataFrame([], storage.contract("silver.transactions").spark_schema())
        return Increment(empty, [], rates_from)
    new = storage.read_appended(spark, lake, "silver.transactions", after, upto)
    months = sorted(r[0] for r in new.select("booked_month").distinct().collect())
    return Increment(new, months, rates_from)


def _previous(
    spark: SparkSession, lake: Lake, name: str, previous: GoldState, snapshots: Mapping[str, int]
) -> DataFrame | str | None:
    """`name` as the last Gold run read it: "same" when Silver has not committed it since (no read at
    all), None when that cannot be told (no record of it, or its snapshot expired by maintenance)."""
    before = previous.silver.get(name)
    if before is None:
        return None
    if before == snapshots.get(name):
        return "same"
    try:
        return storage.read_table(spark, lake, name, snapshot_id=before)
    except Exception:
        return None


def _rates_changed_from(rates: DataFrame, old: DataFrame | str | None) -> dt.date | None:
    """The earliest rate date whose rate changed since the last run (`old`, see _previous): None if none
    changed, EVERY_DATE if that cannot be told or a currency's first rate changed (it converts every
    earlier date)."""
    if isinstance(old, str):  # "same"
        return None
    if not isinstance(old, DataFrame):
        return EVERY_DATE
    fields = ["currency", "rate_date", "rate_per_eur", "published_at"]
    changed = (
        old.select(*fields)
        .exceptAll(rates.select(*fields))
        .unionByName(rates.select(*fields).exceptAll(old.select(*fields)))
    )
    firsts = (
        old.select(*fields)
        .unionByName(rates.select(*fields))
        .groupBy("currency")
        .agg(F.min("rate_date").alias("first"))
    )
    row = (
        changed.join(firsts, "currency")
        .agg(
            F.min("rate_date").alias("earliest"),
            F.max((F.col("rate_date") <= F.col("first")).cast("int")).alias("firsts"),
        )
        .first()
    )
    if row is None or row["earliest"] is None:
        return None
    return EVERY_DATE if row["firsts"] else row["earliest"]


def _accounts_moved(accounts: DataFrame, old: DataFrame | str | None) -> bool:
    """Whether any account Gold has seen (`old`, see _previous) now belongs to another customer or is
    gone (its rows in the monthly and compliance tables carry the customer id); True if unknown."""
    if isinstance(old, str):  # "same"
        return False
    if not isinstance(old, DataFrame):
        return True
    pairs = ["account_id", "customer_id"]
    return bool(old.select(*pairs).exceptAll(accounts.select(*pairs)).limit(1).count())


def monthly_activity_rows(transactions: DataFrame, accounts: DataFrame, months: list[str]) -> DataFrame:
    """account_monthly_activity for `months` only (replaces those partitions)."""
    return account_monthly_activity(transactions.where(F.col("booked_month").isin(*months)), accounts)


def loan_features_rows(
    frames: Mapping[str, DataFrame],
    new_transactions: DataFrame,
    published: DataFrame,
    window_days: int,
) -> DataFrame:
    """gold.loan_features in full, with TRANSACTION_COLUMNS recomputed only for the loans the new
    transactions (or a change of the loan's account or origination date) can change: see the module
    docstring. `published` is gold.loan_features as the last run published it."""
    loans, transactions = frames["loans"], frames["transactions"]
    keys = ["loan_id", "account_id", "origination_date"]
    new = new_transactions.select(F.col("account_id").alias("_account"), F.col("booked_date").alias("_booked"))
    booked_before = (F.col("account_id") == F.col("_account")) & (F.col("_booked") < F.col("origination_date"))
    late = loans.join(new, on=booked_before, how="left_semi").select("loan_id")
    unchanged = published.join(loans.select(*keys), on=keys, how="left_semi").join(late, "loan_id", "left_anti")
    changed = loans.join(unchanged.select("loan_id"), on="loan_id", how="left_anti")
    per_loan = unchanged.select("loan_id", *TRANSACTION_COLUMNS).unionByName(
        transaction_columns(changed, transactions, window_days)
    )
    return loan_features(
        loans,
        frames["customers"],
        transactions,
        window_days=window_days,
        dispositions=frames["dispositions"],
        cards=frames["cards"],
        per_loan_transactions=per_loan,
    )


def structuring_scope(transactions: DataFrame, new: DataFrame, rules: ComplianceRules) -> dict[str, int]:
    """account -> the time (epoch seconds) from which its STRUCTURING alerts must be recomputed: its
    earliest new cash deposit, moved back over every deposit less than a window before it (see the
    module docstring). One small pruned read per booking month walked back; usually one or two."""
    deposits = F.col("is_cash") & (F.col("direction") == STRUCTURING_DIRECTION)
    epoch = F.col("booked_at").cast("long")
    first_new = new.where(deposits).groupBy("account_id").agg(F.min(epoch))
    head = {r[0]: r[1] for r in first_new.collect()}  # account -> earliest deposit linked so far
    if not head:
        return {}
    window = rules.window_days * SECONDS_PER_DAY
    since: dict[str, int] = {}
    month = _month_start(max(head.values()))
    oldest = _oldest_month(transactions)
    while head:
        rows = (
            transactions.where((F.col("booked_month") == _label(month)) & deposits)
            .where(F.col("account_id").isin(*head))
            .select("account_id", epoch)
            .collect()
        )
        for account, booked_at in sorted(rows, key=lambda r: r[1], reverse=True):
            if account in head and booked_at < head[account]:
                if head[account] - booked_at >= window:
                    since[account] = head.pop(account)  # a gap of a window or more: separated
                else:
                    head[account] = booked_at
        start = month.timestamp()
        for account in [a for a, t in head.items() if t - start >= window or _label(month) <= oldest]:
            since[account] = head.pop(account)  # nothing before this month can reach its window
        month = _month_start(int(start) - 1)
    return since


def _month_start(epoch_seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch_seconds, dt.UTC).replace(day=1, hour=0, minute=0, second=0)


def _label(month: dt.datetime) -> str:
    return month.strftime("%Y-%m")  # booked_month is derived in UTC by Silver


def _oldest_month(transactions: DataFrame) -> str:
    row = transactions.agg(F.min("booked_month")).first()  # one small action; Iceberg may push it down to file stats
    return str(row[0]) if row and row[0] else "0000-00"


def compliance_rows(
    transactions: DataFrame,
    new: DataFrame,
    accounts: DataFrame,
    published: DataFrame,
    rules: ComplianceRules,
    since: Mapping[str, int],
    first_month: str,
    rates: DataFrame,
    rates_from: dt.date | None = None,
) -> DataFrame:
    """compliance_cash_alerts from `first_month` on: the published rows there, minus the STRUCTURING
    alerts being recomputed (and the LARGE_CASH alerts booked from `rates_from` on, converted again),
    plus the LARGE_CASH alerts of `new` (the transactions judged again) and the recomputed STRUCTURING
    ones."""
    spark = transactions.sparkSession
    scope = spark.createDataFrame(list(since.items()), "account_id string, since bigint")
    scoped = transactions.where(F.col("booked_month") >= first_month).join(F.broadcast(scope), "account_id")
    recomputed = scoped.where(F.col("booked_at").cast("long") >= F.col("since")).drop("since")
    fresh = compliance_alert_rows(new, recomputed, accounts, rules, rates)
    replaced = (F.col("rule") == STRUCTURING) & (F.col("first_booked_at").cast("long") >= F.col("since"))
    if rates_from is not None:
        replaced = replaced | ((F.col("rule") == LARGE_CASH) & (F.to_date("first_booked_at") >= F.lit(rates_from)))
    kept = (
        published.where(F.col("alert_month") >= first_month)
        .join(F.broadcast(scope), "account_id", "left")
        .where(~F.coalesce(replaced, F.lit(False)))
        .drop("since")
    )
    return kept.unionByName(fresh.select(*kept.columns))


def scope_first_month(increment: Increment, since: Mapping[str, int]) -> str:
    """The earliest alert month the increment can change."""
    rates = [increment.rates_from.strftime("%Y-%m")] if increment.rates_from else []
    return min([*increment.months, *rates, *(_label(_month_start(t)) for t in since.values())])
