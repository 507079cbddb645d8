"""The Gold tables: business-ready, no direct identifiers. Grain, key and columns declared once."""

from __future__ import annotations

from finlake.contracts.bronze import MONEY, RATE

# Compliance rules (defaults; the Gold job takes them as parameters): declared once, in
# compliance_rules.py, shared with the real-time monitor; re-exported here for the Gold job.
from finlake.contracts.compliance_rules import (  # noqa: F401
    LARGE_CASH_THRESHOLD,
    STRUCTURING_LOWER_FRACTION,
    STRUCTURING_MIN_COUNT,
    STRUCTURING_WINDOW_DAYS,
)
from finlake.contracts.model import Column, Layer, Table

# Point-in-time feature window: loan features use only transactions booked in the
# FEATURE_WINDOW_DAYS days strictly before the loan's origination date.
FEATURE_WINDOW_DAYS = 180

# Penalty interest (a bank charge for a negative balance): PKDD'99's k_symbol, kept as the
# transaction's merchant_category, or these words in its description (lower case).
PENALTY_INTEREST_CATEGORY = "SANKC. UROK"
PENALTY_INTEREST_TEXT = "penalty interest"

# Risk bands for customer_risk_scores: [lower, upper) on the predicted default probability.
RISK_BANDS: tuple[tuple[str, float, float], ...] = (
    ("LOW", 0.0, 0.10),
    ("MEDIUM", 0.10, 0.25),
    ("HIGH", 0.25, 1.000001),
)
HIGH_RISK_BAND = "HIGH"

RECOMMENDABLE_PRODUCTS = (
    "SAVINGS_ACCOUNT",
    "CREDIT_CARD",
    "PERSONAL_LOAN",
    "MORTGAGE",
    "INVESTMENT_ADVISORY",
    "DEBT_COUNSELLING",
)

CUSTOMER_LOAN_SUMMARY = Table(
    layer=Layer.GOLD,
    name="customer_loan_summary",
    grain="one row per customer with at least one loan",
    key=("customer_id",),
    description=(
        "Loan counts and amounts per customer (the original deliverable). Amounts are in EUR: each principal "
        "converted from its account's currency at the loan's origination date (the latest ECB rate on or before it)."
    ),
    columns=(
        Column("customer_id", "string", "Customer key."),
        Column("segment", "string", "Customer segment."),
        Column("district", "string", "Customer district."),
        Column("loan_count", "bigint", "Number of loans."),
        Column("open_loan_count", "bigint", "Loans with status CURRENT, LATE or DEFAULT."),
        Column("defaulted_loan_count", "bigint", "Loans with status DEFAULT or CHARGED_OFF."),
        Column("total_principal", MONEY, "Sum of principal over all loans, in EUR (null if a loan is unconverted)."),
        Column("avg_principal", MONEY, "Average principal per loan, in EUR (null if a loan is unconverted)."),
        Column("max_principal", MONEY, "Largest principal, in EUR (null if a loan is unconverted)."),
        Column(
            "open_principal", MONEY, "Sum of principal over open loans in EUR, exposure proxy (null if unconverted)."
        ),
        Column("first_origination_date", "date", "Earliest loan origination."),
        Column("last_origination_date", "date", "Latest loan origination."),
        Column("currency", "string", "The loans' booked currency (their accounts'), when all share one; else null."),
        Column("total_principal_booked", MONEY, "Sum of principal as booked, in `currency`; null when mixed."),
        Column(
            "fx_estimated",
            "boolean",
            "A principal was converted at its currency's first rate: originated before the ECB series began.",
        ),
        Column(
            "unconverted_loan_count", "bigint", "Loans whose currency has no ECB rate (no EUR amount; see the report)."
        ),
    ),
)

LOAN_FEATURES = Table(
    layer=Layer.GOLD,
    name="loan_features",
    grain="one row per loan",
    key=("loan_id",),
    description=(
        "Point-in-time model features: everything is as known strictly before origination_date; "
        f"transaction features cover the {FEATURE_WINDOW_DAYS} days before it. Label: is_default."
    ),
    columns=(
        Column("loan_id", "string", "Loan key."),
        Column("customer_id", "string", "Borrower."),
        Column("account_id", "string", "Loan account."),
        Column("origination_date", "date", "Feature cut-off: nothing on or after this date is used."),
        Column("loan_type", "string", "Loan product."),
        Column("principal", MONEY, "Amount lent."),
        Column("interest_rate", RATE, "Annual interest rate, percent."),
        Column("term_months", "int", "Term in months."),
        Column("monthly_payment", MONEY, "Scheduled instalment."),
        Column("segment", "string", "Customer segment."),
        Column("employment_status", "string", "Customer employment status."),
        Column("gender", "string", "Customer gender code."),
        Column("district", "string", "Customer district."),
        Column("age_years", "double", "Age at origination."),
        Column("tenure_months", "double", "Months from customer_since to origination."),
        Column("annual_income", MONEY, "Declared annual income (may be null)."),
        Column("payment_to_income", "double", "12 x monthly_payment / annual_income (null if no income)."),
        Column("history_days", "int", "Days of transaction history inside the window."),
        Column("txn_count", "bigint", "Transactions in the window."),
        Column("inflow", "double", "Sum of credits in the window."),
        Column("outflow", "double", "Sum of debits in the window."),
        Column("avg_monthly_inflow", "double", "inflow per 30 days of history."),
        Column("avg_balance", "double", "Mean balance_after in the window."),
        Column("min_balance", "double", "Lowest balance_after in the window."),
        Column("balance_volatility", "double", "Standard deviation of balance_after in the window."),
        Column("overdraft_days", "int", "Days in the window whose last balance was below zero."),
        Column("cash_withdrawal_share", "double", "Cash debits / all debits in the window (by amount)."),
        Column("cash_withdrawal_count", "bigint", "Cash debits in the window."),
        Column("payment_to_inflow", "double", "monthly_payment / avg_monthly_inflow."),
        Column("penalty_interest_count", "bigint", "Penalty-interest charges on the account before origination."),
        Column("pre_loan_min_balance", "double", "Lowest balance_after over the account's whole pre-loan history."),
        Column("pre_loan_avg_balance", "double", "Mean balance_after over the account's whole pre-loan history."),
        Column("last_balance", "double", "balance_after of the last transaction before origination."),
        Column("negative_balance_days", "int", "Days the balance stood below zero over the whole pre-loan history."),
        Column(
            "balance_trend",
            "double",
            "Mean balance in the recent half of the window minus the mean in the older half.",
        ),
        Column("inflow_trend", "double", "ln((1 + credits in the recent half) / (1 + credits in the older half))."),
        Column(
            "has_second_authorised_user",
            "int",
            "1 if an AUTHORISED_USER disposition on the loan's account was held on the day before origination "
            "(granted before it, or undated), else 0; null when the lake has no dispositions.",
        ),
        Column(
            "card_before_loan",
            "int",
            "1 if a card was issued to a disposition on the loan's account strictly before origination, else 0; "
            "null when the lake has no cards.",
        ),
        Column(
            "card_class",
            "string",
            "Highest class (GOLD > CLASSIC > JUNIOR) of those cards, NONE without one; null without cards.",
        ),
        Column("status", "string", "Current loan status (label source, not a feature)."),
        Column("is_default", "int", "Label: 1 if status is DEFAULT or CHARGED_OFF, else 0."),
        Column(
            "observed_until",
            "date",
            "The data's as-of date (latest loan update or booking in the lake): the label is the status "
            "as of this date; training uses only loans old enough at it (finlake/ml/labels.py).",
        ),
    ),
)

ACCOUNT_MONTHLY_ACTIVITY = Table(
    layer=Layer.GOLD,
    name="account_monthly_activity",
    grain="one row per account and booking month with at least one transaction",
    key=("account_id", "month"),
    description="Monthly credits, debits and end balance per account.",
    columns=(
        Column("account_id", "string", "Account key."),
        Column("customer_id", "string", "Account owner."),
        Column("credit_amount", MONEY, "Sum of credits."),
        Column("debit_amount", MONEY, "Sum of debits."),
        Column("credit_count", "bigint", "Number of credits."),
        Column("debit_count", "bigint", "Number of debits."),
        Column("cash_amount", MONEY, "Sum of cash transactions (ATM or branch), both directions."),
        Column("net_flow", MONEY, "credit_amount - debit_amount."),
        Column("end_balance", MONEY, "balance_after of the month's last transaction (may be null)."),
        Column("month", "string", "Partition: booking month, YYYY-MM."),
    ),
    partition_by=("month",),
)

COMPLIANCE_CASH_ALERTS = Table(
    layer=Layer.GOLD,
    name="compliance_cash_alerts",
    grain="one row per alert (a large cash transaction, or a structuring pattern)",
    key=("alert_id",),
    description=(
        "LARGE_CASH: one cash transaction at or above the threshold. STRUCTURING: at least "
        "STRUCTURING_MIN_COUNT cash deposits each just below the threshold within the window."
    ),
    columns=(
        Column("alert_id", "string", "Deterministic alert key (rule + account + first transaction)."),
        Column("rule", "string", "LARGE_CASH or STRUCTURING."),
        Column("account_id", "string", "Account."),
        Column("customer_id", "string", "Account owner."),
        Column("first_booked_at", "timestamp", "First transaction of the alert."),
        Column("last_booked_at", "timestamp", "Last transaction of the alert."),
        Column("transaction_count", "bigint", "Transactions in the alert."),
        Column("total_amount", MONEY, "Sum of their amounts, in the account's currency (as booked)."),
        Column("max_amount", MONEY, "Largest of them, in the account's currency."),
        Column("currency", "string", "The account's currency (ISO 4217) of total_amount and max_amount."),
        Column("total_amount_eur", MONEY, "Sum of their amounts in EUR, each at its booking date's rate."),
        Column("max_amount_eur", MONEY, "Largest of them in EUR: what the threshold is compared with."),
        Column(
            "fx_estimated",
            "boolean",
            "A transaction predates its currency's first ECB rate; that first rate was used.",
        ),
        Column("threshold", MONEY, "Threshold in force, in EUR (the reporting currency)."),
        Column("window_days", "int", "Structuring window in force (0 for LARGE_CASH)."),
        Column("transaction_ids", "array<string>", "The transactions, for the case file."),
        Column("alert_month", "string", "Partition: month of first_booked_at, YYYY-MM."),
    ),
    partition_by=("alert_month",),
)

PRODUCT_RECOMMENDATIONS = Table(
    layer=Layer.GOLD,
    name="product_recommendations",
    grain="one row per customer",
    key=("customer_id",),
    description="Next-best product per customer, with the rule and reason (rule-based).",
    columns=(
        Column("customer_id", "string", "Customer key."),
        Column("segment", "string", "Customer segment."),
        Column("recommended_product", "string", "One of RECOMMENDABLE_PRODUCTS."),
        Column("rule_id", "string", "The rule that chose it."),
        Column("reason", "string", "Why, in words."),
        Column("priority", "int", "Rule priority (1 = strongest)."),
    ),
)

CUSTOMER_RISK_SCORES = Table(
    layer=Layer.GOLD,
    name="customer_risk_scores",
    grain="one row per customer per scoring run",
    key=("customer_id", "scoring_run_id"),
    description="Default probability per customer from batch scoring of open loans; history kept per run.",
    columns=(
        Column("customer_id", "string", "Customer key."),
        Column("default_probability", "double", "Highest predicted default probability over open loans."),
        Column("risk_band", "string", "LOW / MEDIUM / HIGH by RISK_BANDS."),
        Column(
            "open_exposure",
            MONEY,
            "Sum of principal of the customer's open loans, in EUR (the reporting currency) at the scoring date.",
        ),
        Column("expected_loss", "double", "default_probability x open_exposure, in EUR."),
        Column("model_name", "string", "Registered model name."),
        Column("model_version", "string", "Registered model version that scored."),
        Column("scoring_run_id", "string", "Scoring run."),
        Column("scored_at", "timestamp", "When the run scored."),
        Column("scored_date", "string", "Partition: date of scored_at, YYYY-MM-DD."),
    ),
    partition_by=("scored_date",),
)

# Early warning (gold.loan_monthly_snapshots): a loan is charged off exactly CHARGE_OFF_DAYS after it
# defaulted, so a CHARGED_OFF loan's default date is its status date minus this; the label looks
# EARLY_WARNING_MONTHS month ends ahead.
CHARGE_OFF_DAYS = 120
EARLY_WARNING_MONTHS = 6

LOAN_MONTHLY_SNAPSHOTS = Table(
    layer=Layer.GOLD,
    name="loan_monthly_snapshots",
    grain="one row per loan open at a complete month end (originated on or before it, not matured, not defaulted)",
    key=("loan_id", "snapshot_month"),
    description=(
        "Behaviour of each open loan's account as of each month end (nothing booked after it), with the "
        "label 'defaults within the next 6 months' where the data already shows it: the early-warning model's input."
    ),
    columns=(
        Column("loan_id", "string", "Loan key."),
        Column("customer_id", "string", "Borrower."),
        Column("account_id", "string", "Account the loan is repaid from."),
        Column("month_end", "date", "Last day of snapshot_month: features use bookings on or before it only."),
        Column("loan_type", "string", "Loan product."),
        Column("principal", MONEY, "Amount lent."),
        Column("monthly_payment", MONEY, "Scheduled instalment."),
        Column("months_on_book", "int", "Whole months from origination to month_end."),
        Column(
            "instalments_due", "int", "Instalments due by month_end (one a month after origination, up to the term)."
        ),
        Column(
            "arrears_instalments",
            "double",
            "(instalments_due x monthly_payment - instalments paid by month_end) / monthly_payment, at least 0.",
        ),
        Column("missed_instalments_3m", "double", "Instalments due in the last 3 months not paid in them, at least 0."),
        Column(
            "days_since_last_instalment", "int", "Days from the last instalment paid (else origination) to month_end."
        ),
        Column("end_balance", "double", "The account's balance at month_end (last balance_after on or before it)."),
        Column("balance_change_3m", "double", "end_balance minus the balance three month ends earlier."),
        Column("min_balance_1m", "double", "Lowest end-of-day balance of the month's booking days."),
        Column("overdraft_days_1m", "int", "Booking days of the month that ended with a negative balance."),
        Column("overdraft_days_3m", "int", "The same over the last 3 months."),
        Column("inflow_1m", "double", "Credits of the month."),
        Column("inflow_prior_3m_avg", "double", "Average monthly credits of the 3 months before."),
        Column("inflow_change", "double", "inflow_1m / inflow_prior_3m_avg - 1 (null without prior inflow)."),
        Column("outflow_1m", "double", "Debits of the month."),
        Column("cash_withdrawal_1m", "double", "Cash (ATM, branch) debits of the month."),
        Column("cash_share_1m", "double", "cash_withdrawal_1m / outflow_1m (null without debits)."),
        Column("cash_share_change", "double", "cash_share_1m minus the cash share of the 3 months before."),
        Column(
            "overdraft_utilisation",
            "double",
            "max(-end_balance, 0) / the account's current credit_limit (null without a limit).",
        ),
        Column("payment_to_inflow_3m", "double", "monthly_payment / average monthly credits of the last 3 months."),
        Column(
            "default_date",
            "date",
            "When the loan defaulted: its DEFAULT status date, or a CHARGED_OFF status date minus CHARGE_OFF_DAYS "
            "(label source, not a feature).",
        ),
        Column(
            "defaults_within_6m",
            "int",
            "Label: 1 if default_date falls in the 6 months after month_end (to the end of the 6th month), 0 if "
            "not; null while that window reaches past observed_until.",
        ),
        Column("observed_until", "date", "The data's as-of date (as in gold.loan_features)."),
        Column("snapshot_month", "string", "Partition: month of month_end, YYYY-MM."),
    ),
    partition_by=("snapshot_month",),
)

LOAN_EARLY_WARNING = Table(
    layer=Layer.GOLD,
    name="loan_early_warning",
    grain="one row per loan and snapshot month scored (every month in gold.loan_monthly_snapshots)",
    key=("loan_id", "snapshot_month"),
    description="Early-warning probability of default within 6 months per open loan and month end, written by scoring.",
    columns=(
        Column("loan_id", "string", "Loan key."),
        Column("customer_id", "string", "Borrower."),
        Column("month_end", "date", "The snapshot's month end."),
        Column("probability", "double", "Predicted probability of default within the 6 months after month_end."),
        Column("risk_band", "string", "LOW / MEDIUM / HIGH by RISK_BANDS."),
        Column("previous_probability", "double", "The loan's probability one month earlier (null in its first month)."),
        Column("alert", "boolean", "probability >= the model's alert threshold."),
        Column(
            "risk_rose",
            "boolean",
            "Crossed the alert threshold this month, or rose by at least the declared amount since last month.",
        ),
        Column("model_name", "string", "Registered model name."),
        Column("model_version", "string", "Registered model version that scored."),
        Column("scored_at", "timestamp", "When the run scored."),
        Column("snapshot_month", "string", "Partition: month of month_end, YYYY-MM."),
    ),
    partition_by=("snapshot_month",),
)

GOLD_TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        CUSTOMER_LOAN_SUMMARY,
        LOAN_FEATURES,
        ACCOUNT_MONTHLY_ACTIVITY,
        COMPLIANCE_CASH_ALERTS,
        PRODUCT_RECOMMENDATIONS,
        CUSTOMER_RISK_SCORES,
        LOAN_MONTHLY_SNAPSHOTS,
        LOAN_EARLY_WARNING,
    )
}


def risk_band(probability: float) -> str:
    for band, lower, upper in RISK_BANDS:
        if lower <= probability < upper:
            return band
    raise ValueError(f"probability {probability} is outside [0, 1]")
