"""Feature transforms that match how credit risk behaves, as the pipeline's first stage.

A logistic regression is linear in its inputs, so a raw Gold column whose effect on the log-odds is
not linear becomes a weak, skewed input. Risk moves with the *relative* size of income and cash
flows (a 10k raise matters more at 20k than at 200k: log), overdraft trouble saturates (a loan with
150 overdraft days is not twice as risky as one with 75: cap at 90), and a volatile balance matters
in proportion to what flows in (balance sd in months of inflow, log1p). Each transform *replaces*
its source column in the model (fewer, better inputs for a few hundred loans); the rest pass through
unchanged (payment_to_income is already the ratio that matters).

The transforms are one `SQLTransformer` (built-in Spark SQL functions, no Python UDF) saved inside
the registered model, so scoring applies exactly what training fitted. A transform whose source
columns were dropped (all null, e.g. income on PKDD'99) is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.ml.feature import SQLTransformer

OVERDRAFT_CAP_DAYS = 90
# Floor on monthly inflow (currency units) so an account with almost no inflow does not divide by ~0.
MIN_MONTHLY_INFLOW = 100.0
MIN_AVG_BALANCE = 100.0  # the same floor for the average balance an instalment is compared with


@dataclass(frozen=True)
class Transform:
    name: str  # the model input it creates (no "__": the coefficient table splits names on it)
    sql: str  # a Spark SQL expression over the source columns; null in -> null out (the imputer's job)
    sources: tuple[str, ...]  # columns it reads; all must be usable features
    replaces: tuple[str, ...]  # the sources it stands in for (left out of the model)


def _log1p_nonnegative(column: str) -> Transform:
    # greatest() skips nulls (greatest(null, 0) = 0): keep a missing value missing for the imputer.
    sql = f"CASE WHEN {column} IS NOT NULL THEN ln(1 + greatest({column}, 0)) END"
    return Transform(f"ln1p_{column}", sql, (column,), (column,))


TRANSFORMS: tuple[Transform, ...] = (
    # ln of a non-positive income is undefined: null, then imputed like a missing income.
    Transform(
        "ln_annual_income",
        "ln(CASE WHEN annual_income > 0 THEN annual_income END)",
        ("annual_income",),
        ("annual_income",),
    ),
    Transform(
        f"overdraft_days_cap{OVERDRAFT_CAP_DAYS}",
        f"CASE WHEN overdraft_days IS NOT NULL THEN least(overdraft_days, {OVERDRAFT_CAP_DAYS}) END",
        ("overdraft_days",),
        ("overdraft_days",),
    ),
    Transform(
        "ln1p_volatility_to_inflow",
        f"ln(1 + balance_volatility / greatest(coalesce(avg_monthly_inflow, 0), {MIN_MONTHLY_INFLOW}))",
        ("balance_volatility", "avg_monthly_inflow"),
        ("balance_volatility",),
    ),
    # The instalment against what the account usually holds: the lower the balance, the heavier the
    # instalment (a negative average balance counts as the floor). Added beside the sources.
    Transform(
        "ln1p_payment_to_avg_balance",
        f"ln(1 + monthly_payment / greatest(coalesce(pre_loan_avg_balance, 0), {MIN_AVG_BALANCE}))",
        ("monthly_payment", "pre_loan_avg_balance"),
        (),
    ),
    _log1p_nonnegative("inflow"),
    _log1p_nonnegative("avg_monthly_inflow"),
    _log1p_nonnegative("outflow"),
    _log1p_nonnegative("principal"),
    _log1p_nonnegative("monthly_payment"),
)


def applicable(numeric: tuple[str, ...]) -> tuple[Transform, ...]:
    """The transforms whose source columns are all among the usable numeric features."""
    return tuple(t for t in TRANSFORMS if set(t.sources) <= set(numeric))


def model_numeric(numeric: tuple[str, ...]) -> tuple[str, ...]:
    """The numeric model inputs: the untransformed columns (in contract order), then the transforms."""
    transforms = applicable(numeric)
    replaced = {c for t in transforms for c in t.replaces}
    return tuple(c for c in numeric if c not in replaced) + tuple(t.name for t in transforms)


def feature_transformer(numeric: tuple[str, ...]) -> SQLTransformer:
    """`SELECT *, <expression> AS <name>, ... FROM __THIS__` for the applicable transforms."""
    select = ", ".join(["*", *(f"{t.sql} AS {t.name}" for t in applicable(numeric))])
    return SQLTransformer(statement=f"SELECT {select} FROM __THIS__")
