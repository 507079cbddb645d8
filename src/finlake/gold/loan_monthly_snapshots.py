"""gold.loan_monthly_snapshots: each open loan's account behaviour as of every month end, with the
label "defaults within the next 6 months" (issue 20 item 1, the early-warning model's input).

Point in time: a snapshot for month M reads only bookings of months up to M (each month's aggregate
is built from that month's bookings alone, and the windows look back, never ahead), so it is the same
whether the lake ends at M's last day or years later. Only the label (and which loans are still open,
which only changes on a default) uses what happened after.

Rebuilt in full every Gold run (not in gold/incremental.py's INCREMENTAL_TABLES): a new month end, a
status change or a late booking can change any loan's rows.

Inflows leave out loan disbursements (descriptions starting "LOAN DISBURSEMENT"). Instalment payments are the loan account's debits whose description names the loan id (generated
data: "LOAN REPAYMENT <loan_id>") or says "loan instalment" (PKDD'99's UVER, one loan per account).
Overdraft days count the month's *booking* days that ended below zero (days without a booking are
not counted). The default date: a DEFAULT status's date, or a CHARGED_OFF status's date minus
CHARGE_OFF_DAYS; a source without status dates (PKDD'99 stamps every record with the extract time)
gets wrong default dates and should not be used for this model.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, Window, WindowSpec
from pyspark.sql import functions as F

from finlake.contracts.gold import CHARGE_OFF_DAYS, EARLY_WARNING_MONTHS, LOAN_MONTHLY_SNAPSHOTS
from finlake.gold.amounts import exact_sum
from finlake.gold.conform import conform
from finlake.gold.loan_features import data_as_of

LOOK_BACK_MONTHS = 3  # months before origination in the grid, so the first snapshot has a prior quarter
DISBURSEMENT = "loan disbursement"  # how a loan paid out to the account is described (lower case)


def _account_months(transactions: DataFrame) -> DataFrame:
    """One row per account and booking month: credits, debits, cash, and the end-of-day balances."""
    amount = F.col("amount")
    debit = F.col("direction") == "DEBIT"
    month = F.trunc("booked_date", "month").alias("month")
    days = transactions.groupBy("account_id", "booked_date").agg(
        F.max_by(F.col("balance_after").cast("double"), F.struct("booked_at", "transaction_id")).alias("eod")
    )
    balances = days.groupBy("account_id", F.trunc("booked_date", "month").alias("month")).agg(
        F.count_if(F.col("eod") < 0).alias("overdraft_days"),
        F.min("eod").alias("min_eod"),
        F.max_by("eod", F.when(F.col("eod").isNotNull(), F.col("booked_date"))).alias("month_end_balance"),
    )
    # A loan paid out to the account is not income: disbursements are left out of the inflow.
    income = ~debit & ~F.lower(F.coalesce(F.col("description"), F.lit(""))).startswith(DISBURSEMENT)
    flows = transactions.groupBy("account_id", month).agg(
        exact_sum(F.when(income, amount)).alias("inflow"),
        exact_sum(F.when(debit, amount)).alias("outflow"),
        exact_sum(F.when(debit & F.col("is_cash"), amount)).alias("cash_out"),
    )
    return flows.join(balances, on=["account_id", "month"], how="full")


def _instalments(loans: DataFrame, transactions: DataFrame) -> DataFrame:
    """One row per loan and month with an instalment paid: the amount and the last payment's date."""
    keys = loans.select("loan_id", F.col("account_id").alias("loan_account_id"))
    names_loan = F.col("description").contains(F.col("loan_id"))
    is_instalment = (
        (F.col("account_id") == F.col("loan_account_id"))
        & (F.col("direction") == "DEBIT")
        & (names_loan | F.lower(F.col("description")).contains("loan instalment"))
    )
    return (
        transactions.join(keys, on=is_instalment, how="inner")
        .groupBy("loan_id", F.trunc("booked_date", "month").alias("month"))
        .agg(exact_sum(F.col("amount")).alias("paid"), F.max("booked_date").alias("last_paid_date"))
    )


def _default_date() -> Column:
    status_date = F.to_date(F.col("updated_at"))
    return F.when(F.col("status") == "DEFAULT", status_date).when(
        F.col("status") == "CHARGED_OFF", F.date_sub(status_date, CHARGE_OFF_DAYS)
    )


def _first_grid_month() -> Column:
    return F.add_months(F.trunc("origination_date", "month"), -LOOK_BACK_MONTHS)


def _grid(loans: DataFrame, accounts: DataFrame, as_of: DataFrame) -> DataFrame:
    """One row per loan and month, from LOOK_BACK_MONTHS before origination to the as-of month."""
    months = F.sequence(_first_grid_month(), F.trunc("observed_until", "month"), F.expr("interval 1 month"))
    limits = accounts.select("account_id", F.col("credit_limit").cast("double").alias("credit_limit"))
    return (
        loans.withColumn("default_date", _default_date())
        .crossJoin(as_of)
        .withColumn("month", F.explode(months))
        .join(limits, on="account_id", how="left")
    )


def _sum(column: str, lo: int, hi: int, w: WindowSpec) -> Column:
    return F.sum(F.coalesce(F.col(column), F.lit(0.0))).over(w.rowsBetween(lo, hi))


def _behaviour(df: DataFrame) -> DataFrame:
    """Look-back windows over each loan's months (rows are dense: one per month)."""
    w = Window.partitionBy("loan_id").orderBy("month")
    balance = F.last("month_end_balance", ignorenulls=True).over(w.rowsBetween(Window.unboundedPreceding, 0))
    due = F.greatest(
        F.least(F.floor(F.months_between("month_end", "origination_date")), F.col("term_months")), F.lit(0)
    )
    payment = F.col("monthly_payment").cast("double")
    prior_out = _sum("outflow", -LOOK_BACK_MONTHS, -1, w)
    return (
        df.withColumn("month_end", F.last_day("month"))
        .withColumn("end_balance", balance)
        .withColumn("instalments_due", due.cast("int"))
        .withColumn("paid_total", _sum("paid", Window.unboundedPreceding, 0, w))
        .withColumn("paid_3m", _sum("paid", -2, 0, w))
        .withColumn("due_3m", F.col("instalments_due") - F.coalesce(F.lag("instalments_due", 3).over(w), F.lit(0)))
        .withColumn("last_paid", F.last("last_paid_date", ignorenulls=True).over(w.rowsBetween(Window.unboundedPreceding, 0)))
        .withColumn("balance_3m_ago", F.lag("end_balance", 3).over(w))
        .withColumn("overdraft_days_3m", _sum("overdraft_days", -2, 0, w))
        .withColumn("inflow_prior_3m_avg", _sum("inflow", -LOOK_BACK_MONTHS, -1, w) / LOOK_BACK_MONTHS)
        .withColumn("inflow_3m_avg", _sum("inflow", -2, 0, w) / 3)
        .withColumn("cash_share_prior", F.when(prior_out > 0, _sum("cash_out", -LOOK_BACK_MONTHS, -1, w) / prior_out))
        .withColumn("payment", payment)
    )  # fmt: skip


def _features(df: DataFrame) -> DataFrame:
    payment, inflow = F.col("payment"), F.coalesce(F.col("inflow"), F.lit(0.0))
    outflow, cash = F.coalesce(F.col("outflow"), F.lit(0.0)), F.coalesce(F.col("cash_out"), F.lit(0.0))
    arrears = (F.col("instalments_due") * payment - F.col("paid_total")) / payment
    missed = (F.col("due_3m") * payment - F.col("paid_3m")) / payment
    cash_share = F.when(outflow > 0, cash / outflow)
    window_end = F.last_day(F.add_months("month_end", EARLY_WARNING_MONTHS))
    label = F.when(window_end > F.col("observed_until"), F.lit(None)).otherwise(
        (F.col("default_date").isNotNull() & (F.col("default_date") <= window_end)).cast("int")
    )
    return (
        df.withColumn("months_on_book", F.floor(F.months_between("month_end", "origination_date")))
        .withColumn("arrears_instalments", F.when(payment > 0, F.greatest(arrears, F.lit(0.0))))
        .withColumn("missed_instalments_3m", F.when(payment > 0, F.greatest(missed, F.lit(0.0))))
        .withColumn(
            "days_since_last_instalment",
            F.datediff("month_end", F.greatest(F.coalesce("last_paid", "origination_date"), "origination_date")),
        )
        .withColumn("balance_change_3m", F.col("end_balance") - F.col("balance_3m_ago"))
        .withColumn("min_balance_1m", F.col("min_eod"))
        .withColumn("overdraft_days_1m", F.coalesce(F.col("overdraft_days"), F.lit(0)))
        .withColumn("inflow_1m", inflow)
        .withColumn("inflow_change", F.when(F.col("inflow_prior_3m_avg") > 0, inflow / F.col("inflow_prior_3m_avg") - 1))
        .withColumn("outflow_1m", outflow)
        .withColumn("cash_withdrawal_1m", cash)
        .withColumn("cash_share_1m", cash_share)
        .withColumn("cash_share_change", cash_share - F.col("cash_share_prior"))
        .withColumn(
            "overdraft_utilisation",
            F.when(F.col("credit_limit") > 0, F.greatest(-F.col("end_balance"), F.lit(0.0)) / F.col("credit_limit")),
        )
        .withColumn("payment_to_inflow_3m", F.when(F.col("inflow_3m_avg") > 0, payment / F.col("inflow_3m_avg")))
        .withColumn("defaults_within_6m", label)
        .withColumn("snapshot_month", F.date_format("month", "yyyy-MM"))
    )  # fmt: skip


def _is_open() -> Column:
    month_end = F.col("month_end")
    return (
        (F.col("origination_date") <= month_end)
        & (month_end < F.col("maturity_date"))
        & (F.col("default_date").isNull() | (F.col("default_date") > month_end))
        & (month_end <= F.col("observed_until"))
    )


def _loan_account_bookings(loans: DataFrame, transactions: DataFrame) -> DataFrame:
    """The bookings a snapshot can read: a loan account's, from its earliest loan's first grid month on.

    Picked before the aggregates, not after them by the joins (at 16M transactions about half of all
    bookings are loan accounts', and a long history reaches years before any loan). A booking before
    every grid month of its account only feeds a month no grid row joins, and a day's end balance
    comes from that day's bookings alone, so the result is the same. No broadcast hint: the planner
    broadcasts the per-account start while the loans table's statistics say it is small.
    """
    starts = loans.groupBy("account_id").agg(F.min(_first_grid_month()).alias("_grid_from"))
    return (
        transactions.join(starts, on="account_id", how="inner")
        .where(F.col("booked_date") >= F.col("_grid_from"))
        .drop("_grid_from")
    )


def loan_monthly_snapshots(loans: DataFrame, accounts: DataFrame, transactions: DataFrame) -> DataFrame:
    """One row per loan open at a complete month end; key (`loan_id`, `snapshot_month`)."""
    grid = _grid(loans, accounts, data_as_of(loans, transactions))
    bookings = _loan_account_bookings(loans, transactions)
    rows = (
        grid.join(_account_months(bookings), on=["account_id", "month"], how="left")
        .join(_instalments(loans, bookings), on=["loan_id", "month"], how="left")
        .transform(_behaviour)
        .transform(_features)
    )
    return rows.where(_is_open()).transform(conform(LOAN_MONTHLY_SNAPSHOTS))
