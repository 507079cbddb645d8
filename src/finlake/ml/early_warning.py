"""The behavioural early-warning model (issue 20 item 1): a logistic regression on
gold.loan_monthly_snapshots that gives each open loan, at each month end, the probability that it
defaults within the next 6 months.

Same pipeline as the application model (ml/pipeline.py, ml/fit.py: transforms, imputation, one-hot,
scaling, class weights, CV over the regularisation grid), its own registered name and alias.

Split out of time: the labelled snapshot months are cut at a month boundary so that the latest months
holding about `test_fraction` of the labelled rows are the test set, everything earlier trains. (A
training row's label looks up to 6 months ahead, into the test months: that is how the model would
be used, trained on the outcomes known by the cut-off's end.)

Reported on the test months: ROC-AUC with its bootstrap interval; the best possible from the
generator's latent truth (loan_month_truth.csv) on the same rows; at the alert threshold (KS point on
the training rows) the alert precision (flagged rows that do default within 6 months) and, for every
loan that defaulted in the test period, the months between the first month end it crossed the
threshold and its default (median lead time) and the share caught at all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from finlake import storage
from finlake.contracts.gold import LOAN_MONTHLY_SNAPSHOTS
from finlake.errors import FinlakeError, NotEnoughData
from finlake.lake import Lake
from finlake.ml import evaluation
from finlake.ml.calibration import PROBABILITY
from finlake.ml.data import to_pandas
from finlake.ml.features import LABEL
from finlake.ml.fit import FittedModel, fit_model
from finlake.ml.pipeline import ClassWeights

MODEL_NAME = "finlake_early_warning"
ALIAS = "champion"
EXPERIMENT = "finlake-early-warning"
SNAPSHOTS = LOAN_MONTHLY_SNAPSHOTS.qualified_name
TARGET = "defaults_within_6m"
KEY = ("loan_id", "snapshot_month")
CATEGORICAL = ("loan_type",)
NOT_FEATURES = {"loan_id", "customer_id", "account_id", "month_end", "default_date", TARGET, "observed_until",
                "snapshot_month", *CATEGORICAL}  # fmt: skip
NUMERIC = tuple(c.name for c in LOAN_MONTHLY_SNAPSHOTS.columns if c.name not in NOT_FEATURES)
MONTH_TRUTH_FILE = "loan_month_truth.csv"
TRUE_PD = "true_pd_6m"
THRESHOLD_TAG = "alert_threshold"  # on the registered version: what scoring calls an alert


@dataclass(frozen=True)
class EarlyWarningSettings:
    model_name: str = MODEL_NAME
    alias: str = ALIAS
    experiment: str = EXPERIMENT
    test_fraction: float = 0.3
    cv_folds: int = 3
    seed: int = 42


@dataclass
class EarlyWarningRun:
    fitted: FittedModel
    train: DataFrame  # cached labelled training rows (model input)
    report: dict[str, Any]
    threshold: float
    settings: EarlyWarningSettings


def model_input(df: DataFrame) -> DataFrame:
    """Typed model input: numerics as double, loan_type upper-cased (UNKNOWN when null), the label as double."""
    cols = [F.col(c).cast("double").alias(c) for c in NUMERIC]
    loan_type = F.upper(F.coalesce(F.col("loan_type"), F.lit("UNKNOWN"))).alias("loan_type")
    label = [F.col(TARGET).cast("double").alias(LABEL)] if TARGET in df.columns else []
    return df.select(*KEY, "month_end", "default_date", *cols, loan_type, *label)


def out_of_time_split(labelled: DataFrame, test_fraction: float) -> tuple[DataFrame, DataFrame, str]:
    """(train, test, the first test month): the latest months with about `test_fraction` of the rows test."""
    counts = to_pandas(labelled.groupBy("snapshot_month").count().orderBy("snapshot_month"))
    if len(counts) < 2:
        raise NotEnoughData(f"{SNAPSHOTS}: labelled rows span {len(counts)} month(s); an out-of-time split needs two")
    later_share = counts["count"][::-1].cumsum()[::-1] / counts["count"].sum()  # share from each month on
    candidates = counts["snapshot_month"][(later_share >= test_fraction).to_numpy()].tolist()
    first_test = (
        candidates[-1] if candidates[-1] != counts["snapshot_month"].iloc[0] else counts["snapshot_month"].iloc[1]
    )
    is_test = F.col("snapshot_month") >= first_test
    return labelled.where(~is_test), labelled.where(is_test), str(first_test)


def _weights(train: DataFrame) -> ClassWeights:
    counts = {int(r[LABEL]): int(r["count"]) for r in train.groupBy(LABEL).count().collect()}
    if len(counts) < 2:
        raise NotEnoughData(f"the training months of {SNAPSHOTS} hold a single class: too few defaults to train")
    return ClassWeights(negatives=counts[0], positives=counts[1])


def fit(snapshots: DataFrame, settings: EarlyWarningSettings) -> tuple[EarlyWarningRun, DataFrame, str]:
    """Fit on the training months; (run without its report, test rows, first test month)."""
    labelled = snapshots.where(F.col(TARGET).isNotNull()).transform(model_input)
    train, test, first_test = out_of_time_split(labelled, settings.test_fraction)
    train = train.cache()
    present = train.agg(*[F.count(c).alias(c) for c in NUMERIC]).first()  # one pass: all-null columns drop out
    assert present is not None  # a global aggregate always has one row
    numeric = tuple(c for c in NUMERIC if present[c] > 0)
    fitted = fit_model(train, numeric, CATEGORICAL, _weights(train), settings.cv_folds, settings.seed)
    on_train = to_pandas(fitted.model.transform(train).select(LABEL, PROBABILITY))
    threshold = evaluation.ks_threshold(on_train[LABEL].to_numpy().astype(int), on_train[PROBABILITY].to_numpy())
    return EarlyWarningRun(fitted, train, {"numeric_features": list(numeric)}, threshold, settings), test, first_test


def lead_times(scored: pd.DataFrame, threshold: float) -> dict[str, Any]:
    """Per loan that defaulted after a scored month end: months from its first month end at or above
    the threshold to the default (None when it never crossed). `scored`: loan_id, month_end,
    default_date, probability."""
    defaulted = scored[scored["default_date"].notna()]
    if defaulted.empty:
        return {"defaulted_loans": 0, "caught": 0, "share_caught": None, "median_lead_months": None}
    alerts = defaulted[defaulted[PROBABILITY] >= threshold]
    first = alerts.groupby("loan_id").agg(first_alert=("month_end", "min"), default_date=("default_date", "first"))
    months = (pd.to_datetime(first["default_date"]) - pd.to_datetime(first["first_alert"])).dt.days / 30.44
    loans = defaulted["loan_id"].nunique()
    return {
        "defaulted_loans": int(loans),
        "caught": len(first),
        "share_caught": float(len(first) / loans),
        "median_lead_months": float(np.median(months)) if len(months) else None,
        "lead_months_quartiles": [float(q) for q in np.percentile(months, [25, 75])] if len(months) else None,
    }


def alert_precision(scored: pd.DataFrame, threshold: float) -> dict[str, Any]:
    """Of the loans first alerted in the period (with an observable label then), the share that default
    within 6 months of that first alert."""
    seen = scored[scored[LABEL].notna() & (scored[PROBABILITY] >= threshold)].sort_values("month_end")
    first = seen.groupby("loan_id").first()
    return {
        "alerted_loans": len(first),
        "alerted_loans_defaulting_within_6m": int(first[LABEL].sum()),
        "loan_alert_precision": float(first[LABEL].mean()) if len(first) else None,
    }


def read_month_truth(lake: Lake) -> pd.DataFrame | None:
    """The generator's per-month truth, or None on real data (no such file)."""
    path = f"{lake.generator.rstrip('/')}/{MONTH_TRUTH_FILE}"
    if "://" in path or not os.path.isfile(path):
        return None
    return pd.read_csv(
        path, dtype={"loan_id": str, "snapshot_month": str}, usecols=["loan_id", "snapshot_month", TRUE_PD]
    )


def best_possible(on_test: pd.DataFrame, truth: pd.DataFrame, model_auc: float) -> dict[str, Any]:
    """AUC of the generator's true 6-month PD on the same test rows and labels: the ceiling."""
    joined = on_test.merge(truth, on=list(KEY), how="inner")
    if len(joined) < len(on_test):
        raise FinlakeError(f"{MONTH_TRUTH_FILE} lacks {len(on_test) - len(joined)} of the {len(on_test)} test rows")
    y = joined[LABEL].to_numpy().astype(int)
    best = evaluation.headline_metrics(y, joined[TRUE_PD].to_numpy())
    low, high = evaluation.bootstrap_ratio_interval(y, joined[PROBABILITY].to_numpy(), joined[TRUE_PD].to_numpy())
    return {
        "best_possible_roc_auc": best["roc_auc"],
        "best_possible_roc_auc_ci95_low": best["roc_auc_ci95_low"],
        "best_possible_roc_auc_ci95_high": best["roc_auc_ci95_high"],
        "ratio": model_auc / best["roc_auc"],
        "ratio_ci95_low": low,
        "ratio_ci95_high": high,
    }


def evaluate(run: EarlyWarningRun, snapshots: DataFrame, test: DataFrame, first_test: str, lake: Lake) -> None:
    """Fill `run.report` from the test months (module docstring)."""
    model = run.fitted.model
    on_test = to_pandas(model.transform(test).select(*KEY, "month_end", LABEL, PROBABILITY))
    y, p = on_test[LABEL].to_numpy().astype(int), on_test[PROBABILITY].to_numpy()
    if len(np.unique(y)) < 2:
        raise NotEnoughData(f"the test months of {SNAPSHOTS} hold a single class ({len(y)} rows): too few defaults")
    # every row of the test months, labelled or not: a default seen before the as-of date counts for lead time
    period = snapshots.where(F.col("snapshot_month") >= first_test).transform(model_input)
    scored = to_pandas(model.transform(period).select("loan_id", "month_end", "default_date", PROBABILITY))
    report = run.report
    report["split"] = {"method": "out_of_time", "first_test_month": first_test, "train_rows": run.train.count()}
    report["test"] = evaluation.headline_metrics(y, p)
    report["alert_threshold"] = run.threshold
    report["threshold_rule"] = "KS point (max TPR - FPR) on the training rows' predictions"
    report["confusion_at_threshold"] = evaluation.confusion(y, p, run.threshold)
    report["alert_precision"] = alert_precision(on_test, run.threshold)
    report["lead_time"] = lead_times(scored, run.threshold)
    truth = read_month_truth(lake)
    if truth is not None:
        report["truth"] = best_possible(on_test, truth, report["test"]["roc_auc"])


def train_early_warning(
    spark: SparkSession, lake: Lake, settings: EarlyWarningSettings | None = None
) -> EarlyWarningRun:
    """Fit and evaluate on the current gold.loan_monthly_snapshots; nothing is recorded."""
    settings = settings or EarlyWarningSettings()
    snapshots = storage.read_table(spark, lake, SNAPSHOTS)
    run, test, first_test = fit(snapshots, settings)
    evaluate(run, snapshots, test, first_test, lake)
    return run


def headline(report: dict[str, Any]) -> dict[str, Any]:
    """The figures `finlake train --model early-warning` prints and MLflow records as metrics."""
    test, lead, precision = report["test"], report["lead_time"], report["alert_precision"]
    figures = {k: test[k] for k in ("roc_auc", "roc_auc_ci95_low", "roc_auc_ci95_high", "pr_auc", "loans", "defaults")}
    figures["alert_threshold"] = report["alert_threshold"]
    figures["row_alert_precision"] = report["confusion_at_threshold"]["precision"]
    figures["row_alert_recall"] = report["confusion_at_threshold"]["recall"]
    figures["loan_alert_precision"] = precision["loan_alert_precision"]
    figures["median_lead_months"] = lead["median_lead_months"]
    figures["share_of_defaults_caught"] = lead["share_caught"]
    if "truth" in report:
        figures.update({k: report["truth"][k] for k in ("best_possible_roc_auc", "ratio")})
    return figures


def log_early_warning(lake: Lake, run: EarlyWarningRun) -> tuple[str, str]:
    """Record the run in MLflow, register the model under its name and alias (the alert threshold as a
    version tag, which scoring reads); (run id, version). Releases the cached training rows."""
    import mlflow
    from mlflow.models import infer_signature

    from finlake.ml import tracking

    settings = run.settings
    track = tracking.configure(lake)
    figures = headline(run.report)
    with mlflow.start_run(experiment_id=tracking.experiment_id(settings.experiment, track)) as active:
        mlflow.log_params(
            {"split_method": "out_of_time", "first_test_month": run.report["split"]["first_test_month"],
             "reg_param": run.fitted.reg_param, "elastic_net_param": run.fitted.elastic_net_param,
             "alert_threshold": run.threshold, "numeric_features": ",".join(run.report["numeric_features"])}
        )  # fmt: skip
        mlflow.log_metrics({f"test_{k}": float(v) for k, v in figures.items() if isinstance(v, int | float)})
        mlflow.log_dict(run.report, "evaluation/evaluation.json")
        example = to_pandas(run.train.select(*NUMERIC, *CATEGORICAL).limit(5))
        signature = infer_signature(example, pd.DataFrame({PROBABILITY: np.zeros(len(example))}))
        version = tracking.log_and_register_model(run.fitted.model, signature, settings.model_name, settings.alias)
        mlflow.MlflowClient().set_model_version_tag(settings.model_name, version, THRESHOLD_TAG, str(run.threshold))
    run.train.unpersist()
    run.report["mlflow"] = {"run_id": active.info.run_id, "model_name": settings.model_name, "model_version": version,
                            "alias": settings.alias, "tracking_uri": track.tracking_uri}  # fmt: skip
    return active.info.run_id, version
