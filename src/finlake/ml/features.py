"""Which columns of gold.loan_features the model reads, and how they enter Spark ML.

Derived from the contract (`LOAN_FEATURES`): every declared column is either an identifier, the
point-in-time cut-off, the label (or its source), a numeric feature or a categorical feature. A new
contract column that is none of these stops training (see `feature_columns`), so nothing reaches
the model without a decision about it.
"""

from __future__ import annotations

from collections.abc import Callable

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from finlake.contracts.gold import LOAN_FEATURES
from finlake.errors import FinlakeError

KEY = "loan_id"
CUTOFF = "origination_date"
LABEL_SOURCE = "is_default"
LABEL = "label"  # is_default as double, what Spark ML expects

IDENTIFIERS = ("loan_id", "customer_id", "account_id")
# Known only after origination: the outcome itself, and the date it is known as of. Never features.
OUTCOME_COLUMNS = ("status", "is_default", "observed_until")

# Protected attributes: kept in Gold for the fairness report (finlake/ml/fairness.py), never inputs.
PROTECTED_ATTRIBUTES = ("gender", "age_years")
CATEGORICAL_FEATURES = ("loan_type", "segment", "employment_status", "district", "card_class")
NUMERIC_FEATURES = (
    "principal",
    "interest_rate",
    "term_months",
    "monthly_payment",
    "tenure_months",
    "annual_income",
    "payment_to_income",
    "history_days",
    "txn_count",
    "inflow",
    "outflow",
    "avg_monthly_inflow",
    "avg_balance",
    "min_balance",
    "balance_volatility",
    "overdraft_days",
    "cash_withdrawal_share",
    "cash_withdrawal_count",
    "payment_to_inflow",
    "penalty_interest_count",
    "pre_loan_min_balance",
    "pre_loan_avg_balance",
    "last_balance",
    "negative_balance_days",
    "balance_trend",
    "inflow_trend",
    "has_second_authorised_user",
    "card_before_loan",
)
MISSING_CATEGORY = "UNKNOWN"
# A categorical is one-hot encoded only if the loans can estimate its levels: at least this many
# labelled loans per level on average. PKDD'99's district (77 levels, 524 loans) is not: its dummies
# fit noise (3 x 5 CV ROC-AUC 0.733 with it, see docs/benchmarks.md); the generator's 12 districts on
# thousands of loans are kept.
MIN_LOANS_PER_LEVEL = 20


def feature_columns(columns: list[str] | None = None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(numeric, categorical) features; fails if a column is unclassified or an outcome is a feature."""
    columns = columns if columns is not None else LOAN_FEATURES.column_names
    classified = {
        *IDENTIFIERS,
        CUTOFF,
        *OUTCOME_COLUMNS,
        *PROTECTED_ATTRIBUTES,
        *CATEGORICAL_FEATURES,
        *NUMERIC_FEATURES,
    }
    unclassified = sorted(set(columns) - classified)
    if unclassified:
        raise FinlakeError(
            f"gold.loan_features has columns the model has no rule for: {', '.join(unclassified)} "
            "(classify them in finlake/ml/features.py)"
        )
    leaking = sorted(set(OUTCOME_COLUMNS) & {*NUMERIC_FEATURES, *CATEGORICAL_FEATURES})
    if leaking:
        raise FinlakeError(f"outcome columns listed as model features: {', '.join(leaking)}")
    protected = sorted(set(PROTECTED_ATTRIBUTES) & {*NUMERIC_FEATURES, *CATEGORICAL_FEATURES})
    if protected:
        raise FinlakeError(f"protected attributes listed as model features: {', '.join(protected)}")
    return NUMERIC_FEATURES, CATEGORICAL_FEATURES


def estimable_categoricals(
    categorical: tuple[str, ...], levels: dict[str, int], loans: int
) -> tuple[tuple[str, ...], dict[str, str]]:
    """(the categoricals to encode, {left out: why}): those with more levels than loans / MIN_LOANS_PER_LEVEL
    are left out."""
    limit = loans / MIN_LOANS_PER_LEVEL
    kept = tuple(c for c in categorical if levels[c] <= limit)
    left_out = {
        c: f"{levels[c]} levels for {loans} loans (at most {int(limit)}: {MIN_LOANS_PER_LEVEL} loans a level)"
        for c in categorical
        if c not in kept
    }
    return kept, left_out


def model_input(
    numeric: tuple[str, ...], categorical: tuple[str, ...], keep: tuple[str, ...] = ()
) -> Callable[[DataFrame], DataFrame]:
    """Transform: typed model input. Numerics as double (nulls kept for the imputer), categoricals
    upper-cased with nulls as UNKNOWN, and the label as double when the label column is present;
    `keep` columns pass through unchanged."""

    def transform(df: DataFrame) -> DataFrame:
        label = [F.col(LABEL_SOURCE).cast("double").alias(LABEL)] if LABEL_SOURCE in df.columns else []
        return df.select(
            *[F.col(c) for c in (*IDENTIFIERS, CUTOFF, *keep)],
            *[F.col(c).cast("double").alias(c) for c in numeric],
            *[F.coalesce(F.upper(F.trim(c)), F.lit(MISSING_CATEGORY)).alias(c) for c in categorical],
            *label,
        )

    return transform
