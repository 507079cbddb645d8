"""Batch scoring: every open loan scored by the registered champion model, one row per customer
added to gold.customer_risk_scores as a new scoring run (one Iceberg commit).

Grain: one row per customer with an open loan (status in OPEN_LOAN_STATUSES) per scoring run; key
(customer_id, scoring_run_id). A customer's probability is the highest over their open loans (the
riskiest loan drives the customer's band); exposure is the sum of their open principal in the
reporting currency (EUR), converted from each loan account's currency at the scoring date with the
rates Silver holds; expected loss = probability x exposure, as declared in the contract. Each run gets a new run id, so
rerunning scoring adds a run (history) rather than overwriting: consumers take the latest
scoring_run_id (or the latest scored_at) for "current" scores. Every row names the registered model
and version that scored it, and the run records which gold.loan_features snapshot it scored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from finlake import storage
from finlake.contracts.bronze import OPEN_LOAN_STATUSES, REPORTING_CURRENCY
from finlake.contracts.gold import CUSTOMER_RISK_SCORES, LOAN_FEATURES, RISK_BANDS
from finlake.errors import FinlakeError
from finlake.gold.fx import in_reporting_currency
from finlake.lake import Lake
from finlake.ml import tracking
from finlake.ml.calibration import PROBABILITY
from finlake.ml.data import loan_features_snapshot, read_loan_features
from finlake.ml.features import feature_columns, model_input
from finlake.ml.settings import DEFAULT_ALIAS, DEFAULT_MODEL_NAME
from finlake.runs import new_run_id
from finlake.silver.state import load_state

EXPOSURE = "exposure"
SCORES_TABLE = CUSTOMER_RISK_SCORES.qualified_name  # gold.customer_risk_scores


@dataclass(frozen=True)
class ScoringRun:
    run_id: str
    model_name: str
    model_version: str
    scored_at: datetime
    customers: int
    table: str  # gold.customer_risk_scores
    snapshot_id: int  # the table's snapshot right after this run's commit
    features_snapshot_id: int  # the gold.loan_features snapshot that was scored


def risk_band(probability: Column) -> Column:
    """RISK_BANDS as one CASE expression: [lower, upper) per band."""
    expression = None
    for band, lower, upper in RISK_BANDS:
        condition = (probability >= lower) & (probability < upper)
        expression = F.when(condition, band) if expression is None else expression.when(condition, band)
    assert expression is not None
    return expression  # outside every band (impossible for a probability) stays null


def open_loans(df: DataFrame) -> DataFrame:
    return df.where(F.col("status").isin(*OPEN_LOAN_STATUSES))


def customer_scores(
    model_name: str, model_version: str, run_id: str, scored_at: datetime
) -> Callable[[DataFrame], DataFrame]:
    """Transform: scored open loans (customer_id, default_probability, exposure) -> customer_risk_scores rows."""

    def transform(scored: DataFrame) -> DataFrame:
        per_customer = scored.groupBy("customer_id").agg(
            F.max(PROBABILITY).alias("default_probability"),
            F.sum(EXPOSURE).alias("open_exposure"),
        )
        money = CUSTOMER_RISK_SCORES.column("open_exposure").type
        return per_customer.select(
            F.col("customer_id"),
            F.col("default_probability"),
            risk_band(F.col("default_probability")).alias("risk_band"),
            F.col("open_exposure").cast(money).alias("open_exposure"),
            (F.col("default_probability") * F.col("open_exposure").cast("double")).alias("expected_loss"),
            F.lit(model_name).alias("model_name"),
            F.lit(model_version).alias("model_version"),
            F.lit(run_id).alias("scoring_run_id"),
            F.lit(scored_at).cast("timestamp").alias("scored_at"),
            F.lit(scored_at.strftime("%Y-%m-%d")).alias("scored_date"),
        )

    return transform


def exposure_in_reporting_currency(
    accounts: DataFrame, rates: DataFrame, day: date
) -> Callable[[DataFrame], DataFrame]:
    """Loans -> the same plus EXPOSURE: the principal in the reporting currency (EUR) on `day`, converted
    from the loan account's currency with silver.fx_rates exactly as Gold converts (gold/fx.py: the
    latest rate on or before the day). A loan whose currency has no rate gets a null exposure."""

    def transform(loans: DataFrame) -> DataFrame:
        return (
            loans.join(F.broadcast(accounts.select("account_id", "currency")), "account_id", "left")
            .withColumn("_scored_date", F.lit(day))
            .transform(in_reporting_currency(rates, amount="principal", day="_scored_date", out=EXPOSURE))
            .drop("currency", "_scored_date", "fx_rate_date", "fx_estimated")
        )

    return transform


def score_open_loans(features: DataFrame, model: object, exposure: Callable[[DataFrame], DataFrame]) -> DataFrame:
    """Open loans of gold.loan_features with the model's default_probability and their `exposure`."""
    numeric, categorical = feature_columns(features.columns)
    prepared = open_loans(features).transform(exposure).transform(model_input(numeric, categorical, keep=(EXPOSURE,)))
    return model.transform(prepared).select("customer_id", "loan_id", PROBABILITY, EXPOSURE)  # type: ignore[attr-defined]


def _silver(spark: SparkSession, lake: Lake, name: str) -> DataFrame:
    """A Silver table at the snapshot the last Silver run recorded (the cut Gold was built from), or
    as it is now where that run's state is not at hand (e.g. a notebook given only the catalog)."""
    snapshot = load_state(lake).snapshots.get(name)
    if snapshot is not None:
        return storage.read_table(spark, lake, name, snapshot_id=snapshot)
    if not storage.table_exists(spark, lake, name):
        raise FinlakeError(
            f"{name} is not published yet: run `finlake bronze-to-silver` first (scoring converts exposure)"
        )
    return storage.read_table(spark, lake, name)


def _check_exposure(loans: DataFrame) -> None:
    """Refuse to understate exposure: every open loan's principal must convert into the reporting currency."""
    missing = [r[0] for r in loans.where(F.col(EXPOSURE).isNull()).select("loan_id").limit(5).collect()]
    if missing:
        raise FinlakeError(
            f"open loans {', '.join(missing)} (and maybe more) have no exposure in {REPORTING_CURRENCY}: their account "
            "is unknown to silver.accounts or its currency has no rate in silver.fx_rates"
        )


def _commit_run(spark: SparkSession, lake: Lake, scores: DataFrame, run_id: str, scored_date: str) -> None:
    """Rewrite the run's scored_date partition in one commit: that day's earlier runs plus this one.
    Other days are untouched; a retried run id replaces its own rows instead of doubling them.
    (An insert-only MERGE cannot serve: the table's key is (customer_id, scoring_run_id), and the
    model's VectorAssembler is non-deterministic, which a row-level MERGE source may not be.)"""
    earlier = storage.read_or_empty(spark, lake, SCORES_TABLE).where(
        (F.col("scored_date") == scored_date) & (F.col("scoring_run_id") != run_id)
    )
    storage.overwrite_partitions(spark, lake, SCORES_TABLE, earlier.unionByName(scores))


def run_batch_scoring(
    spark: SparkSession,
    lake: Lake,
    model_name: str = DEFAULT_MODEL_NAME,
    alias: str = DEFAULT_ALIAS,
    run_id: str | None = None,
    now: datetime | None = None,
) -> ScoringRun:
    """Score open loans with `model_name@alias` and commit the new run into gold.customer_risk_scores.

    One Iceberg commit adds the run (readers see all of it or none of it). The features are read at
    one snapshot, resolved first, so a Gold commit during scoring cannot mix two states."""
    tracking.configure(lake)
    model, version = tracking.load_model_by_alias(model_name, alias)
    run_id = run_id or new_run_id()
    scored_at = (now or datetime.now(UTC)).replace(microsecond=0)
    features = loan_features_snapshot(spark, lake)
    exposure = exposure_in_reporting_currency(
        _silver(spark, lake, "silver.accounts"), _silver(spark, lake, "silver.fx_rates"), scored_at.date()
    )
    # cached: the check and the per-customer rows read the model's output once, not the model twice
    loans = score_open_loans(read_loan_features(spark, lake, snapshot_id=features.snapshot_id), model, exposure).cache()
    _check_exposure(loans)
    scores = loans.transform(customer_scores(model_name, version, run_id, scored_at)).cache()
    customers = scores.count()
    loans.unpersist()
    if customers == 0:
        raise FinlakeError(
            f"{LOAN_FEATURES.qualified_name} has no open loans (status {', '.join(OPEN_LOAN_STATUSES)}): nothing to score"
        )
    _commit_run(spark, lake, scores, run_id, scored_at.strftime("%Y-%m-%d"))
    scores.unpersist()
    snapshot = storage.current_snapshot_id(spark, lake, SCORES_TABLE)
    assert snapshot is not None  # the commit above made one
    return ScoringRun(run_id, model_name, version, scored_at, customers, SCORES_TABLE, snapshot, features.snapshot_id)
