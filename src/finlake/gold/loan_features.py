"""gold.loan_features: point-in-time model features per loan, with the default label.

The point-in-time rule: a feature may use only what was known strictly before the loan's
origination_date. Transactions: only those of the loan's account booked on the
`window_days` calendar days before origination (`origination_date - window_days <= booked_date <
origination_date`); nothing booked on or after origination day is joined in at all, so no window
function or aggregate can see it. The history features (gold/loan_history.py) read the account's
whole history before origination under the same strict cut-off. The account features
(gold/loan_accounts.py: a second authorised user, cards) count only dispositions held and cards
issued strictly before origination.

Customer attributes: Silver keeps only the CURRENT customer record. date_of_birth, gender and
customer_since are facts that do not change, so age and tenure are exact as of origination. segment,
employment_status, district and annual_income are taken from the current record: if they changed
after origination, the feature reflects the later value (a known, documented limitation; Silver
would have to keep customer history to remove it). The loan's status is the label only.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from finlake.contracts.bronze import DEFAULT_LOAN_STATUSES
from finlake.contracts.gold import FEATURE_WINDOW_DAYS, LOAN_FEATURES
from finlake.gold.amounts import exact_avg, exact_sum
from finlake.gold.conform import conform
from finlake.gold.loan_accounts import account_relations
from finlake.gold.loan_history import history_features, transactions_before, window_trends

DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = 30.0  # avg_monthly_inflow is "inflow per 30 days of history"


def transactions_before_origination(loans: DataFrame, transactions: DataFrame, window_days: int) -> DataFrame:
    """Each loan's account transactions in the window strictly before origination (one row per pair)."""
    keys = loans.select("loan_id", F.col("account_id").alias("loan_account_id"), "origination_date")
    in_window = (
        (F.col("account_id") == F.col("loan_account_id"))
        & (F.col("booked_date") < F.col("origination_date"))
        & (F.col("booked_date") >= F.date_sub(F.col("origination_date"), window_days))
    )
    return transactions.join(keys, on=in_window, how="inner")


def _overdraft_days() -> Column:
    """Per transaction: the calendar days its end-of-day balance stood below zero, else 0.

    A day's end-of-day balance is the balance_after of its last transaction that carries one; it
    holds until the next day with a balance, or until origination for the last one. Days before the
    first balance in the window are unknown and not counted.
    """
    later_first = Window.partitionBy("loan_id").orderBy(F.col("booked_at").desc(), F.col("transaction_id").desc())
    has_balance = F.col("balance_after").isNotNull()
    # walking backwards in time, the last balance-carrying row seen so far is the next one in time
    next_balance_date = F.last(F.when(has_balance, F.col("booked_date")), ignorenulls=True).over(
        later_first.rowsBetween(Window.unboundedPreceding, -1)
    )
    end_of_day = has_balance & (next_balance_date.isNull() | (next_balance_date > F.col("booked_date")))
    held_until = F.coalesce(next_balance_date, F.col("origination_date"))
    return F.when(end_of_day & (F.col("balance_after") < 0), F.datediff(held_until, F.col("booked_date"))).otherwise(0)


def transaction_features(in_window: DataFrame) -> DataFrame:
    """One row per loan that has transactions in its window; key `loan_id`."""
    credit = F.col("direction") == "CREDIT"
    debit = F.col("direction") == "DEBIT"
    cash_debit = debit & F.col("is_cash")
    amount, balance = F.col("amount"), F.col("balance_after")
    return (
        in_window.withColumn("overdraft_days", _overdraft_days())
        .groupBy("loan_id")
        .agg(
            F.min("booked_date").alias("first_booked_date"),
            F.count(F.lit(1)).alias("txn_count"),
            exact_sum(F.when(credit, amount)).alias("inflow"),
            exact_sum(F.when(debit, amount)).alias("outflow"),
            exact_avg(balance).alias("avg_balance"),
            F.min(balance).cast("double").alias("min_balance"),
            # the one aggregate here that can move in its last bits with the row order (Welford's updates)
            F.stddev_samp(balance.cast("double")).alias("balance_volatility"),
            F.sum("overdraft_days").alias("overdraft_days"),
            exact_sum(F.when(cash_debit, amount)).alias("cash_outflow"),
            F.count_if(cash_debit).alias("cash_withdrawal_count"),
        )
    )


def data_as_of(loans: DataFrame, transactions: DataFrame) -> DataFrame:
    """One row, `observed_until`: the latest date the lake has seen (a loan status update, a booking
    or an origination), the date as of which every loan's status, hence its label, is known. Loans
    without `updated_at` (serving's stand-in loans) contribute their origination date only."""
    loan_dates = [F.max(F.col("origination_date"))]
    if "updated_at" in loans.columns:
        loan_dates.append(F.max(F.to_date(F.col("updated_at"))))
    latest_loan = loans.agg((F.greatest(*loan_dates) if len(loan_dates) > 1 else loan_dates[0]).alias("loan_day"))
    latest_booking = transactions.agg(F.max(F.col("booked_date")).alias("booking_day"))
    both = latest_loan.crossJoin(latest_booking)
    return both.select(F.greatest("loan_day", "booking_day").alias("observed_until"))


def _double(name: str) -> Column:
    return F.col(name).cast("double")


def _ratio(numerator: Column, denominator: Column) -> Column:
    """numerator / denominator, null when the denominator is null or not positive."""
    return F.when(denominator > 0, numerator / denominator)


# The columns computed from the loan account's bookings alone (given the loan's account and
# origination date): an incremental Gold run reuses them for the loans a day's bookings cannot change.
TRANSACTION_COLUMNS = (
    "history_days", "txn_count", "inflow", "outflow", "avg_monthly_inflow", "avg_balance", "min_balance",
    "balance_volatility", "overdraft_days", "cash_withdrawal_share", "cash_withdrawal_count",
    "penalty_interest_count", "pre_loan_min_balance", "pre_loan_avg_balance", "last_balance",
    "negative_balance_days", "balance_trend", "inflow_trend",
)  # fmt: skip


def transaction_columns(loans: DataFrame, transactions: DataFrame, window_days: int) -> DataFrame:
    """One row per loan of `loans`; key `loan_id`: TRANSACTION_COLUMNS, from the loan account's bookings
    strictly before origination (the window and the whole history)."""
    in_window = transactions_before_origination(loans, transactions, window_days)
    orig = F.col("origination_date")
    history_days = F.coalesce(F.datediff(orig, F.col("first_booked_date")), F.lit(0))
    avg_monthly_inflow = _ratio(F.col("inflow") * DAYS_PER_MONTH, F.col("history_days"))
    return (
        loans.select("loan_id", "origination_date")
        .join(transaction_features(in_window), on="loan_id", how="left")
        .join(history_features(transactions_before(loans, transactions), _overdraft_days()), on="loan_id", how="left")
        .join(window_trends(in_window, window_days), on="loan_id", how="left")
        .withColumn("penalty_interest_count", F.coalesce(F.col("penalty_interest_count"), F.lit(0)))
        .withColumn("negative_balance_days", F.coalesce(F.col("negative_balance_days"), F.lit(0)))
        .withColumn("history_days", history_days)
        .withColumn("txn_count", F.coalesce(F.col("txn_count"), F.lit(0)))
        .withColumn("inflow", F.coalesce(F.col("inflow"), F.lit(0.0)))
        .withColumn("outflow", F.coalesce(F.col("outflow"), F.lit(0.0)))
        .withColumn("avg_monthly_inflow", avg_monthly_inflow)
        .withColumn("overdraft_days", F.coalesce(F.col("overdraft_days"), F.lit(0)))
        .withColumn("cash_withdrawal_share", _ratio(F.coalesce(F.col("cash_outflow"), F.lit(0.0)), F.col("outflow")))
        .withColumn("cash_withdrawal_count", F.coalesce(F.col("cash_withdrawal_count"), F.lit(0)))
        .select("loan_id", *TRANSACTION_COLUMNS)
    )


def loan_features(
    loans: DataFrame,
    customers: DataFrame,
    transactions: DataFrame,
    *,
    window_days: int = FEATURE_WINDOW_DAYS,
    dispositions: DataFrame | None = None,
    cards: DataFrame | None = None,
    per_loan_transactions: DataFrame | None = None,
) -> DataFrame:
    """One row per loan; key `loan_id`. Features as known strictly before origination_date (the
    account features are null when `dispositions`/`cards` are not given). `per_loan_transactions`:
    TRANSACTION_COLUMNS per loan when already known (gold/incremental.py), else computed here."""
    if per_loan_transactions is None:
        per_loan_transactions = transaction_columns(loans, transactions, window_days)
    customer = customers.select(
        "customer_id", "segment", "employment_status", "gender", "district",
        "annual_income", "date_of_birth", "customer_since",
    )  # fmt: skip
    orig = F.col("origination_date")
    return (
        loans.join(customer, on="customer_id", how="left")
        .join(per_loan_transactions, on="loan_id", how="left")
        .join(account_relations(loans, dispositions, cards), on="loan_id", how="left")
        .withColumn("age_years", F.datediff(orig, F.col("date_of_birth")) / DAYS_PER_YEAR)
        .withColumn("tenure_months", F.months_between(orig, F.col("customer_since")))
        .withColumn("payment_to_income", _ratio(12 * _double("monthly_payment"), _double("annual_income")))
        .withColumn("payment_to_inflow", _ratio(_double("monthly_payment"), F.col("avg_monthly_inflow")))
        .withColumn("is_default", F.col("status").isin(*DEFAULT_LOAN_STATUSES).cast("int"))
        .crossJoin(data_as_of(loans, transactions))
        .transform(conform(LOAN_FEATURES))
    )
