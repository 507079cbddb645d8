"""`train`: the one training procedure the notebook, the Databricks job and `finlake train` all call.
Reads gold.loan_features, checks it, splits, cross-validates and evaluates on the held-out loans,
returning a `TrainingRun`; `mlflow_log.log_run` then records it and registers the model under an
alias. `train_default_model` does both."""

from __future__ import annotations

from concurrent.futures import wait
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from finlake.asof import AsOf, Snapshot
from finlake.contracts.gold import LOAN_FEATURES
from finlake.errors import FinlakeError
from finlake.lake import Lake
from finlake.ml import evaluation, fairness, labels, leakage
from finlake.ml.calibration import PROBABILITY
from finlake.ml.challenger import fit_challenger
from finlake.ml.data import (
    OBSERVABLE_PROBABILITY,
    TRUE_PROBABILITY,
    loan_features_snapshot,
    read_loan_features,
    read_loan_truth,
    to_pandas,
)
from finlake.ml.features import (
    KEY,
    LABEL,
    LABEL_SOURCE,
    MISSING_CATEGORY,
    PROTECTED_ATTRIBUTES,
    estimable_categoricals,
    feature_columns,
    model_input,
)
from finlake.ml.fit import FittedModel, fit_model
from finlake.ml.mlflow_log import log_run
from finlake.ml.pipeline import ASSEMBLED, ClassWeights, build_preprocessing
from finlake.ml.repeated_cv import repeated_cv_auc
from finlake.ml.settings import TrainingSettings
from finlake.ml.split import Split, split_loans
from finlake.ml.training_run import Clock, TrainingResult, TrainingRun, write_report
from finlake.ml.transforms import applicable, model_numeric
from finlake.spark import start_in_background

# Callers import these from here, where training is.
__all__ = ["TrainingResult", "TrainingRun", "TrainingSettings", "check_trainable", "train", "train_default_model",
           "write_report"]  # fmt: skip


def check_trainable(df: DataFrame, numeric: tuple[str, ...], where: str) -> tuple[str, ...]:
    """One pass over the table: fail on empty, unlabelled or single-class data; return the numeric
    features that have at least one value (an all-null column cannot be imputed)."""
    row = df.agg(
        F.count(F.lit(1)).alias("loans"),
        F.count(LABEL_SOURCE).alias("labelled"),
        F.countDistinct(LABEL_SOURCE).alias("classes"),
        *[F.count(c).alias(c) for c in numeric],
    ).first()
    assert row is not None  # a global aggregate always has one row
    if row["loans"] == 0:
        raise FinlakeError(f"{where} is empty (0 loans): nothing to train on; build Gold from data with loans first")
    if row["labelled"] < row["loans"]:
        raise FinlakeError(
            f"{where}: {row['loans'] - row['labelled']} of {row['loans']} loans have no is_default label"
        )
    if row["classes"] < 2:
        only = df.select(LABEL_SOURCE).first()[LABEL_SOURCE]  # type: ignore[index]
        raise FinlakeError(
            f"{where} has a single class: all {row['loans']} loans have is_default={only}; "
            "the model needs both defaulted and non-defaulted loans"
        )
    return tuple(c for c in numeric if row[c] > 0)


def _estimable(table: DataFrame, categorical: tuple[str, ...]) -> tuple[tuple[str, ...], dict[str, str]]:
    """The categoricals with few enough levels for the loans (features.estimable_categoricals)."""
    missing = F.lit(MISSING_CATEGORY)
    row = table.agg(
        F.count(F.lit(1)).alias("_loans"),
        *[F.countDistinct(F.coalesce(F.upper(F.trim(c)), missing)).alias(c) for c in categorical],
    ).first()
    assert row is not None  # a global aggregate always has one row
    return estimable_categoricals(categorical, {c: int(row[c]) for c in categorical}, int(row["_loans"]))


def _attributes(fitted: FittedModel, sample: DataFrame) -> list[dict[str, Any]]:
    """Names of the assembled vector's slots, from the pipeline's output schema (no data is read)."""
    metadata = fitted.model.transform(sample).schema[ASSEMBLED].metadata["ml_attr"]["attrs"]
    return [attr for group in metadata.values() for attr in group]


def _predictions(fitted: FittedModel, df: DataFrame) -> pd.DataFrame:
    """Key, label and probability (and the protected attributes, for the fairness report)."""
    attributes = [c for c in PROTECTED_ATTRIBUTES if c in df.columns]
    return to_pandas(fitted.model.transform(df).select(KEY, LABEL, PROBABILITY, *attributes))


def _fairness(on_test: pd.DataFrame, train: DataFrame, numeric: tuple[str, ...], categorical: tuple[str, ...]) -> Any:
    """The fairness report (ml/fairness.py), or a note when the table lacks the attributes."""
    if not set(PROTECTED_ATTRIBUTES) <= set(on_test.columns):
        return {"skipped": "the loans carry no gender and age_years"}
    inputs = (*model_numeric(numeric), *categorical)
    population = to_pandas(train.select(*PROTECTED_ATTRIBUTES, *numeric, *categorical))
    return fairness.fairness_report(on_test, LABEL, PROBABILITY, population, inputs, numeric, categorical)


def evaluate(
    fitted: FittedModel, train: DataFrame, test: DataFrame, truth: pd.DataFrame | None
) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    """Metrics on the test loans, threshold from the training loans; (report, test predictions, coefficients)."""
    on_train = _predictions(fitted, train)
    on_test = _predictions(fitted, test)
    y, p = on_test[LABEL].to_numpy().astype(int), on_test[PROBABILITY].to_numpy()
    if len(np.unique(y)) < 2:
        raise FinlakeError(f"the test loans hold a single class ({len(y)} loans): too few defaults to evaluate")
    threshold = evaluation.ks_threshold(on_train[LABEL].to_numpy().astype(int), on_train[PROBABILITY].to_numpy())
    lr = fitted.classifier
    coefficients = evaluation.coefficient_table(_attributes(fitted, test.limit(1)), lr.coefficients.toArray())
    report: dict[str, Any] = {
        "test": evaluation.headline_metrics(y, p),
        "train": evaluation.headline_metrics(on_train[LABEL].to_numpy().astype(int), on_train[PROBABILITY].to_numpy()),
        "threshold_rule": "KS point (max TPR - FPR) on the training loans' predictions",
        "confusion_at_threshold": evaluation.confusion(y, p, threshold),
        "calibration_by_decile": evaluation.calibration_table(y, p).to_dict(orient="records"),
        "intercept": float(lr.intercept),
    }
    if truth is not None:
        report["truth"] = _best_possible(on_test, truth, report["test"]["roc_auc"])
    return report, on_test, coefficients


def _best_possible(on_test: pd.DataFrame, truth: pd.DataFrame, model_auc: float) -> dict[str, float]:
    """AUC of the generator's true probabilities on the same test loans and labels: the ceiling."""
    joined = on_test.merge(truth, on=KEY, how="inner")
    if len(joined) < len(on_test):
        raise FinlakeError(f"loan_truth.csv lacks {len(on_test) - len(joined)} of the {len(on_test)} test loans")
    y = joined[LABEL].to_numpy().astype(int)
    best = evaluation.headline_metrics(y, joined[TRUE_PROBABILITY].to_numpy())
    figures = {
        "best_possible_roc_auc": best["roc_auc"],
        "best_possible_pr_auc": best["pr_auc"],
        "best_possible_brier": best["brier"],
        "ratio": model_auc / best["roc_auc"],
    }
    if OBSERVABLE_PROBABILITY in joined.columns:
        # The true probability includes the generator's unobservable shock; this one is what the
        # data can reveal at best, so model / observable is the fairer ratio.
        observable = evaluation.headline_metrics(y, joined[OBSERVABLE_PROBABILITY].to_numpy())
        figures["observable_best_roc_auc"] = observable["roc_auc"]
        figures["ratio_to_observable"] = model_auc / observable["roc_auc"]
        low, high = evaluation.bootstrap_ratio_interval(
            y, joined[PROBABILITY].to_numpy(), joined[OBSERVABLE_PROBABILITY].to_numpy()
        )
        figures["ratio_to_observable_ci95_low"] = low
        figures["ratio_to_observable_ci95_high"] = high
    return figures


def _read_inputs(spark: SparkSession, lake: Lake, as_of: AsOf | None) -> tuple[DataFrame, dict[str, Snapshot]]:
    """gold.loan_features read by an explicit snapshot id (the current one, or the one at `as_of`), so
    the run can record exactly what it read and `--as-of <that id>` reads the same rows again."""
    snapshot = loan_features_snapshot(spark, lake, as_of)
    return read_loan_features(spark, lake, snapshot_id=snapshot.snapshot_id), {snapshot.table: snapshot}


def _labelled(
    lake: Lake, features: DataFrame, settings: TrainingSettings
) -> tuple[DataFrame, dict[str, Any], labels.LabelRule]:
    """The loans whose outcome is observable under the label rule, the label report and the rule."""
    rule = labels.label_rule(lake, settings.min_loan_age_days)
    table, label_report = labels.observable_loans(features, rule)
    if label_report["loans_kept"] == 0 < label_report["loans_read"]:  # an empty table fails later, as empty
        raise FinlakeError(
            f"{LOAN_FEATURES.qualified_name}: none of the {label_report['loans_read']} loans is old enough to have "
            f"an observable outcome ({label_report['rule']}; as of {label_report['observed_until']}): "
            "set a smaller minimum loan age"
        )
    return table, label_report, rule


def _split(
    prepared: DataFrame, numeric: tuple[str, ...], settings: TrainingSettings
) -> tuple[Split, DataFrame, ClassWeights]:
    """(the split, its training loans cached, their balanced class weights), after the leakage screen."""
    split = split_loans(prepared, settings.test_fraction, settings.seed)
    train = split.train.cache()
    train_frame = to_pandas(train.select(LABEL, *numeric))
    leakage.screen_features(train_frame, LABEL, numeric)
    counts = train_frame[LABEL].value_counts()
    if len(counts) < 2:
        raise FinlakeError(f"the training loans ({split.method} split) hold a single class: too few defaults to train")
    return split, train, ClassWeights(negatives=int(counts[0.0]), positives=int(counts[1.0]))


def _details(run: TrainingRun, label_report: dict[str, Any]) -> dict[str, Any]:
    """The report's sections beyond the test metrics: labels, fairness, split, features, model, inputs."""
    numeric, categorical, fitted, weights = run.numeric, run.categorical, run.fitted, run.weights
    return {
        "labels": label_report,
        "fairness": _fairness(run.on_test, run.train, numeric, categorical),
        "split": {"method": run.split.method, "description": run.split.description},
        "features": {
            "numeric": list(numeric),
            "categorical": list(categorical),
            "numeric_model_inputs": list(model_numeric(numeric)),
            "transforms": {t.name: t.sql for t in applicable(numeric)},
        },
        "model": {
            "reg_param": fitted.reg_param,
            "elastic_net_param": fitted.elastic_net_param,
            "cv_roc_auc_by_grid_point": fitted.cv_roc_auc,
        },
        "class_weights": {
            "negative": weights.negative,
            "positive": weights.positive,
            "log_odds_shift": weights.log_odds_shift,
        },
        "coefficients": run.coefficients.to_dict(orient="records"),
        "inputs": {
            name: {"snapshot_id": s.snapshot_id, "committed_at": s.committed_at.isoformat()}
            for name, s in run.snapshots.items()
        },
    }


def _complete_report(
    run: TrainingRun, label_report: dict[str, Any], left_out: dict[str, str], prepared: DataFrame
) -> None:
    """The report's sections beyond the champion's evaluation (and repeated CV, when asked for)."""
    run.report.update(_details(run, label_report))
    run.report["features"]["left_out"] = left_out
    run.clock.lap("report_details")  # its own lap, not counted in the challenger's wait or the logging
    if run.settings.repeated_cv is not None:
        run.report["repeated_cv"] = repeated_cv_auc(prepared, run.numeric, run.categorical, run.settings)
        run.clock.lap("repeated_cv")


def train(
    spark: SparkSession,
    lake: Lake,
    settings: TrainingSettings | None = None,
    features: DataFrame | None = None,
    as_of: AsOf | None = None,
    defer_challenger: bool = False,
) -> TrainingRun:
    """Fit and evaluate the loan-default model on gold.loan_features (now, or at `as_of`: a snapshot id
    or a point in time); nothing is recorded. `features` replaces the Gold read (no snapshot noted).
    With `defer_challenger`, the challenger may still be fitting on return: `run.settle_challenger()`."""
    settings = settings or TrainingSettings()
    clock = Clock()
    where = LOAN_FEATURES.qualified_name
    snapshots: dict[str, Snapshot] = {}
    if features is None:
        features, snapshots = _read_inputs(spark, lake, as_of)
    table, label_report, rule = _labelled(lake, features, settings)
    numeric, categorical = feature_columns(table.columns)
    numeric = check_trainable(table, numeric, where)
    categorical, left_out = _estimable(table, categorical)
    keep = tuple(c for c in PROTECTED_ATTRIBUTES if c in table.columns)  # for the fairness report only
    prepared = table.transform(model_input(numeric, categorical, keep=keep))
    split, train_loans, weights = _split(prepared, numeric, settings)
    preprocessing = build_preprocessing(numeric, categorical).fit(train_loans)  # shared by both models
    clock.lap("check_split_screen")
    truth = read_loan_truth(lake)
    # The challenger's boosting is a few hundred small Spark jobs, mostly latency: it fits in the
    # background while the champion is fitted, evaluated and (in train_default_model) logged.
    pending = (
        start_in_background(partial(fit_challenger, train_loans, preprocessing, settings.seed), "challenger")
        if settings.challenger
        else None
    )
    try:
        fitted = fit_model(
            train_loans, numeric, categorical, weights, settings.cv_folds, settings.seed,
            settings.reg_grid, settings.elastic_net_grid, preprocessing,
        )  # fmt: skip
        report, on_test, coefficients = evaluate(fitted, train_loans, split.test, truth)
    except BaseException:
        if pending is not None:
            wait([pending])
        raise
    clock.lap("fit_evaluate")
    run = TrainingRun(
        settings, fitted, train_loans, split, weights, rule, numeric, categorical,
        report, on_test, coefficients, truth, snapshots, as_of, clock, pending_challenger=pending,
    )  # fmt: skip
    try:
        _complete_report(run, label_report, left_out, prepared)
        if not defer_challenger:
            run.settle_challenger()
    except BaseException:
        run.abandon_challenger()
        raise
    return run


def train_default_model(
    spark: SparkSession,
    lake: Lake,
    settings: TrainingSettings | None = None,
    features: DataFrame | None = None,
    as_of: AsOf | None = None,
) -> TrainingResult:
    """Train, evaluate, log and register the loan-default model: `train`, then `mlflow_log.log_run`."""
    return log_run(lake, train(spark, lake, settings, features, as_of, defer_challenger=True))
