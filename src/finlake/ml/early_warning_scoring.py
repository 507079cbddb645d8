"""`finlake score --model early-warning`: every open loan's month ends in gold.loan_monthly_snapshots
scored by the registered early-warning model into gold.loan_early_warning (all rows replaced in one
commit: the snapshots are rebuilt in full by every Gold run, so are the scores).

"Customers whose risk rose" (alerting, dashboard): a row with `risk_rose`, i.e. the loan crossed the
model's alert threshold at this month end, or its probability rose by at least RISE_ALERT since the
previous month end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from pyspark.ml import PipelineModel
from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from finlake import storage
from finlake.contracts.gold import LOAN_EARLY_WARNING, RISK_BANDS
from finlake.errors import FinlakeError
from finlake.lake import Lake
from finlake.ml import tracking
from finlake.ml.calibration import PROBABILITY
from finlake.ml.early_warning import ALIAS, MODEL_NAME, SNAPSHOTS, THRESHOLD_TAG, model_input

RISE_ALERT = 0.10  # a month-over-month rise of the probability by this much is "risk rose" too
TABLE = LOAN_EARLY_WARNING.qualified_name


@dataclass(frozen=True)
class EarlyWarningScoring:
    model_name: str
    model_version: str
    threshold: float
    rows: int
    loans_risk_rose_latest: int  # in the latest snapshot month
    latest_month: str | None


def risk_band(probability: Column) -> Column:
    band = F.lit(None).cast("string")
    for name, lower, upper in reversed(RISK_BANDS):
        band = F.when((probability >= lower) & (probability < upper), F.lit(name)).otherwise(band)
    return band


def early_warning_rows(
    snapshots: DataFrame, model: PipelineModel, threshold: float, identity: tuple[str, str], scored_at: datetime
) -> DataFrame:
    """One row per snapshot row: probability, band, last month's probability, alert and risk_rose."""
    scored = model.transform(snapshots.transform(model_input)).select(*_key_cols(), F.col(PROBABILITY).alias("p"))
    previous = F.lag("p").over(Window.partitionBy("loan_id").orderBy("snapshot_month"))
    owners = snapshots.select("loan_id", "snapshot_month", "customer_id")
    crossed = (F.col("p") >= threshold) & (
        F.col("previous_probability").isNull() | (F.col("previous_probability") < threshold)
    )
    rose = F.col("p") - F.col("previous_probability") >= RISE_ALERT
    return (
        scored.join(owners, on=["loan_id", "snapshot_month"], how="inner")
        .withColumn("previous_probability", previous)
        .withColumn("probability", F.col("p"))
        .withColumn("risk_band", risk_band(F.col("p")))
        .withColumn("alert", F.col("p") >= threshold)
        .withColumn("risk_rose", crossed | F.coalesce(rose, F.lit(False)))
        .withColumn("model_name", F.lit(identity[0]))
        .withColumn("model_version", F.lit(identity[1]))
        .withColumn("scored_at", F.lit(scored_at).cast("timestamp"))
    )  # fmt: skip


def _key_cols() -> tuple[str, ...]:
    return ("loan_id", "snapshot_month", "month_end")


def model_threshold(model_name: str, alias: str) -> float:
    import mlflow

    version = mlflow.MlflowClient().get_model_version_by_alias(model_name, alias)
    if THRESHOLD_TAG not in version.tags:
        raise FinlakeError(f"{model_name}@{alias} (version {version.version}) has no {THRESHOLD_TAG} tag: retrain it")
    return float(version.tags[THRESHOLD_TAG])


def score_early_warning(
    spark: SparkSession, lake: Lake, model_name: str = MODEL_NAME, alias: str = ALIAS, now: datetime | None = None
) -> EarlyWarningScoring:
    """Score every snapshot with `model_name@alias` and replace gold.loan_early_warning (one commit)."""
    tracking.configure(lake)
    model, version = tracking.load_model_by_alias(model_name, alias)
    threshold = model_threshold(model_name, alias)
    snapshots = storage.read_table(spark, lake, SNAPSHOTS)
    scored_at = (now or datetime.now(UTC)).replace(microsecond=0)
    rows = early_warning_rows(snapshots, model, threshold, (model_name, version), scored_at).cache()
    count = rows.count()
    if count == 0:
        raise FinlakeError(f"{SNAPSHOTS} has no rows: no open loan at a complete month end to score")
    storage.replace_rows(spark, lake, TABLE, rows)
    latest = rows.agg(F.max("snapshot_month")).first()[0]  # type: ignore[index]
    rose = rows.where((F.col("snapshot_month") == latest) & F.col("risk_rose")).count()
    rows.unpersist()
    return EarlyWarningScoring(model_name, version, threshold, count, rose, latest)
