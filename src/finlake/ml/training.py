"""`train_default_model`: the one training procedure the notebook, the Databricks job and `finlake
train` all call. Reads gold.loan_features, checks it, splits, cross-validates, evaluates on the
held-out loans, logs everything to MLflow and registers the model under an alias."""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from finlake.asof import AsOf, Snapshot
from finlake.contracts.gold import LOAN_FEATURES
from finlake.errors import FinlakeError, UsageError
from finlake.lake import Lake
from finlake.ml import artifact, evaluation, fairness, labels, leakage, plots, tracking
from finlake.ml.calibration import PROBABILITY
from finlake.ml.data import (
    OBSERVABLE_PROBABILITY,
    TRUE_PROBABILITY,
    loan_features_snapshot,
    read_loan_features,
    read_loan_truth,
    to_pandas,
)
from finlake.ml.features import KEY, LABEL, LABEL_SOURCE, PROTECTED_ATTRIBUTES, feature_columns, model_input
from finlake.ml.fit import FittedModel, fit_model
from finlake.ml.pipeline import ASSEMBLED, DEFAULT_ELASTIC_NET_GRID, DEFAULT_REG_GRID, ClassWeights
from finlake.ml.split import Split, split_loans
from finlake.ml.transforms import applicable, model_numeric


class _Clock:
    """Seconds per phase, for the report (where does a training run spend its time)."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.monotonic()

    def lap(self, name: str) -> None:
        now = time.monotonic()
        self.laps[name] = round(now - self._last, 1)
        self._last = now


@dataclass(frozen=True)
class TrainingSettings:
    model_name: str = tracking.DEFAULT_MODEL_NAME
    alias: str = tracking.DEFAULT_ALIAS
    experiment: str = tracking.DEFAULT_EXPERIMENT
    test_fraction: float = 0.25
    cv_folds: int = 3
    seed: int = 42
    reg_grid: tuple[float, ...] = DEFAULT_REG_GRID
    elastic_net_grid: tuple[float, ...] = DEFAULT_ELASTIC_NET_GRID
    repeated_cv: tuple[int, int] | None = None  # (repeats, folds): also estimate AUC by repeated CV
    min_loan_age_days: int | None = None  # label rule (ml/labels.py); None: the source's, else one year


@dataclass
class TrainingResult:
    run_id: str
    model_name: str
    model_version: str
    metrics: dict[str, Any]  # the headline figures (what `--report` writes at the top)
    report: dict[str, Any] = field(default_factory=dict)  # everything, JSON-ready


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


def headline(report: dict[str, Any]) -> dict[str, Any]:
    test = report["test"]
    keys = ("roc_auc", "roc_auc_ci95_low", "roc_auc_ci95_high", "pr_auc", "ks", "brier", "loans", "defaults")
    figures = {k: test[k] for k in keys}
    figures["threshold"] = report["confusion_at_threshold"]["threshold"]
    if "truth" in report:
        figures["best_possible_roc_auc"] = report["truth"]["best_possible_roc_auc"]
        figures["ratio"] = report["truth"]["ratio"]
        observable_keys = ("observable_best_roc_auc", "ratio_to_observable")
        for key in (*observable_keys, "ratio_to_observable_ci95_low", "ratio_to_observable_ci95_high"):
            if key in report["truth"]:
                figures[key] = report["truth"][key]
    if "labels" in report:
        figures["loans_without_observable_outcome"] = report["labels"]["loans_read"] - report["labels"]["loans_kept"]
    if "repeated_cv" in report:
        figures["cv_roc_auc_mean"] = report["repeated_cv"]["roc_auc_mean"]
        figures["cv_roc_auc_std"] = report["repeated_cv"]["roc_auc_std"]
        figures["cv_roc_auc_ci95_low"] = report["repeated_cv"]["roc_auc_ci95_low"]
        figures["cv_roc_auc_ci95_high"] = report["repeated_cv"]["roc_auc_ci95_high"]
    return figures


def _signature(train: DataFrame, numeric: tuple[str, ...], categorical: tuple[str, ...]) -> Any:
    from mlflow.models import infer_signature

    example = to_pandas(train.select(*numeric, *categorical).limit(5))
    return infer_signature(example, pd.DataFrame({PROBABILITY: np.zeros(len(example))}))


def _log_run(
    report: dict[str, Any], on_test: pd.DataFrame, coefficients: pd.DataFrame, truth: pd.DataFrame | None
) -> None:
    import mlflow

    mlflow.log_metrics({f"test_{k}": float(v) for k, v in headline(report).items() if isinstance(v, int | float)})
    mlflow.log_metrics({f"train_{k}": float(v) for k, v in report["train"].items()})
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        y = on_test[LABEL].to_numpy().astype(int)
        curves = {"model": on_test[PROBABILITY].to_numpy()}
        if truth is not None:
            curves["generator truth (best possible)"] = on_test.merge(truth, on=KEY, how="left")[
                TRUE_PROBABILITY
            ].to_numpy()
        calibration = pd.DataFrame(report["calibration_by_decile"])
        plots.roc_chart(folder / "roc.png", y, curves)
        plots.calibration_chart(folder / "calibration.png", calibration)
        coefficients.to_csv(folder / "coefficients.csv", index=False)
        calibration.to_csv(folder / "calibration_by_decile.csv", index=False)
        (folder / "evaluation.json").write_text(json.dumps(report, indent=2, default=str))
        mlflow.log_artifacts(str(folder), artifact_path="evaluation")


def _read_inputs(spark: SparkSession, lake: Lake, as_of: AsOf | None) -> tuple[DataFrame, dict[str, Snapshot]]:
    """gold.loan_features read by an explicit snapshot id (the current one, or the one at `as_of`), so
    the run can record exactly what it read and `--as-of <that id>` reads the same rows again."""
    snapshot = loan_features_snapshot(spark, lake, as_of)
    return read_loan_features(spark, lake, snapshot_id=snapshot.snapshot_id), {snapshot.table: snapshot}


def input_params(snapshots: dict[str, Snapshot], as_of: AsOf | None) -> dict[str, str]:
    """What the MLflow run records about its inputs: `gold.loan_features.snapshot_id` etc."""
    params = {f"{name}.snapshot_id": str(s.snapshot_id) for name, s in snapshots.items()}
    if snapshots:
        params["as_of"] = str(as_of or AsOf())
    return params


def train_default_model(
    spark: SparkSession,
    lake: Lake,
    settings: TrainingSettings | None = None,
    features: DataFrame | None = None,
    as_of: AsOf | None = None,
) -> TrainingResult:
    """Train, evaluate, log and register the loan-default model from gold.loan_features (now, or at
    `as_of`: a snapshot id or a point in time). `features` replaces the Gold read (nothing recorded)."""
    import mlflow

    settings = settings or TrainingSettings()
    clock = _Clock()
    where = LOAN_FEATURES.qualified_name
    snapshots: dict[str, Snapshot] = {}
    if features is None:
        features, snapshots = _read_inputs(spark, lake, as_of)
    rule = labels.label_rule(lake, settings.min_loan_age_days)
    table, label_report = labels.observable_loans(features, rule)
    if label_report["loans_kept"] == 0 < label_report["loans_read"]:  # an empty table fails below, as empty
        raise FinlakeError(
            f"{where}: none of the {label_report['loans_read']} loans is old enough to have an observable outcome "
            f"({label_report['rule']}; as of {label_report['observed_until']}): set a smaller minimum loan age"
        )
    numeric, categorical = feature_columns(table.columns)
    numeric = check_trainable(table, numeric, where)
    keep = tuple(c for c in PROTECTED_ATTRIBUTES if c in table.columns)  # for the fairness report only
    prepared = table.transform(model_input(numeric, categorical, keep=keep))
    split: Split = split_loans(prepared, settings.test_fraction, settings.seed)
    train = split.train.cache()
    train_frame = to_pandas(train.select(LABEL, *numeric))
    leakage.screen_features(train_frame, LABEL, numeric)
    counts = train_frame[LABEL].value_counts()
    if len(counts) < 2:
        raise FinlakeError(f"the training loans ({split.method} split) hold a single class: too few defaults to train")
    weights = ClassWeights(negatives=int(counts[0.0]), positives=int(counts[1.0]))
    clock.lap("check_split_screen")
    fitted = fit_model(
        train,
        numeric,
        categorical,
        weights,
        settings.cv_folds,
        settings.seed,
        settings.reg_grid,
        settings.elastic_net_grid,
    )
    clock.lap("cross_validate_fit")
    truth = read_loan_truth(lake)
    report, on_test, coefficients = evaluate(fitted, train, split.test, truth)
    clock.lap("evaluate")
    report.update(
        labels=label_report,
        fairness=_fairness(on_test, train, numeric, categorical),
        split={"method": split.method, "description": split.description},
        features={
            "numeric": list(numeric),
            "categorical": list(categorical),
            "numeric_model_inputs": list(model_numeric(numeric)),
            "transforms": {t.name: t.sql for t in applicable(numeric)},
        },
        model={
            "reg_param": fitted.reg_param,
            "elastic_net_param": fitted.elastic_net_param,
            "cv_roc_auc_by_grid_point": fitted.cv_roc_auc,
        },
        class_weights={
            "negative": weights.negative,
            "positive": weights.positive,
            "log_odds_shift": weights.log_odds_shift,
        },
        coefficients=coefficients.to_dict(orient="records"),
        inputs={
            name: {"snapshot_id": s.snapshot_id, "committed_at": s.committed_at.isoformat()}
            for name, s in snapshots.items()
        },
    )
    if settings.repeated_cv is not None:
        from finlake.ml.repeated_cv import repeated_cv_auc

        report["repeated_cv"] = repeated_cv_auc(prepared, numeric, categorical, settings)
        clock.lap("repeated_cv")

    track = tracking.configure(lake)
    with mlflow.start_run(experiment_id=tracking.experiment_id(settings.experiment, track)) as run:
        mlflow.log_params(
            {
                "split_method": split.method,
                "test_fraction": settings.test_fraction,
                "seed": settings.seed,
                "cv_folds": settings.cv_folds,
                "reg_grid": ",".join(map(str, settings.reg_grid)),
                "elastic_net_grid": ",".join(map(str, settings.elastic_net_grid)),
                "reg_param": fitted.reg_param,
                "elastic_net_param": fitted.elastic_net_param,
                "class_weight_positive": round(weights.positive, 6),
                "class_weight_negative": round(weights.negative, 6),
                "threshold_rule": "ks_point_on_train",
                "min_loan_age_days": rule.min_loan_age_days,
                "numeric_features": ",".join(numeric),
                "categorical_features": ",".join(categorical),
                **input_params(snapshots, as_of),
            }
        )
        _log_run(report, on_test, coefficients, truth)
        version = tracking.log_and_register_model(
            fitted.model, _signature(train, numeric, categorical), settings.model_name, settings.alias
        )
        # the portable JSON model for the real-time scorer (finlake.serving), checked against Spark
        artifact.log_serving_artifact(
            fitted.model, train, report, {"name": settings.model_name, "version": version, "run_id": run.info.run_id}
        )
    train.unpersist()
    clock.lap("mlflow_log_register")
    report["timings_seconds"] = clock.laps
    report["mlflow"] = {
        "run_id": run.info.run_id,
        "tracking_uri": track.tracking_uri,
        "model_name": settings.model_name,
        "model_version": version,
        "alias": settings.alias,
    }
    return TrainingResult(run.info.run_id, settings.model_name, version, headline(report), report)


def lake_for(
    lake_root: str, silver_root: str = "", gold_root: str = "", database_prefix: str = "", kms_key_id: str = ""
) -> Lake:
    """The lake as the notebooks see it: a local root (tables in <lake>/_catalog/iceberg.db), or on
    AWS the layer buckets whose Iceberg tables the Glue Data Catalog holds (`<prefix>_gold`, ...),
    as the Glue jobs' --silver_root/--gold_root/--catalog_database_prefix/--lake_kms_key_id name them
    (every file scoring writes is encrypted under that key). MLflow and the generator's truth file
    stay under `lake_root` (on Databricks the workspace's MLflow is used)."""
    lake = Lake.local(lake_root)
    if not (silver_root or gold_root or database_prefix):
        return lake
    if not (silver_root.startswith("s3://") and gold_root.startswith("s3://") and database_prefix):
        raise UsageError(
            "the Glue catalog needs silver_root and gold_root as s3:// URIs and a database_prefix "
            f"(got {silver_root!r}, {gold_root!r}, {database_prefix!r}); leave all three empty for a local lake"
        )
    # silver_root is the Glue catalog's warehouse (finlake.iceberg picks Glue for an s3:// lake).
    roots = {"silver": silver_root.rstrip("/"), "gold": gold_root.rstrip("/")}
    return replace(lake, **roots, database_prefix=database_prefix, kms_key_id=kms_key_id)


def write_report(result: TrainingResult, path: str) -> None:
    """Headline figures at the top, then the full evaluation (calibration, confusion, coefficients)."""
    document = {**result.metrics, "model_name": result.model_name, "model_version": result.model_version}
    document["details"] = result.report
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(document, indent=2, default=str) + "\n")
