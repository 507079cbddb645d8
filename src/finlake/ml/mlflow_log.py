"""Recording a training run in MLflow: parameters, metrics, the evaluation charts and tables, the
Spark model registered under its alias, and the portable serving artifact. A step of its own after
`training.train`, so training can be run and inspected without touching a registry."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from finlake.lake import Lake
from finlake.ml import artifact, plots, reason_codes, tracking
from finlake.ml.calibration import PROBABILITY
from finlake.ml.data import TRUE_PROBABILITY, to_pandas
from finlake.ml.features import KEY, LABEL
from finlake.ml.settings import DEFAULT_ALIAS, SERVING_ALIAS, TrainingSettings
from finlake.ml.training_run import TrainingResult, TrainingRun, headline, input_params

CHALLENGER_ALIAS = "challenger"


def _params(run: TrainingRun) -> dict[str, Any]:
    settings, fitted, weights = run.settings, run.fitted, run.weights
    return {
        "split_method": run.split.method,
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
        "min_loan_age_days": run.rule.min_loan_age_days,
        "numeric_features": ",".join(run.numeric),
        "categorical_features": ",".join(run.categorical),
        **input_params(run.snapshots, run.as_of),
    }


def _signature(run: TrainingRun) -> Any:
    from mlflow.models import infer_signature

    example = to_pandas(run.train.select(*run.numeric, *run.categorical).limit(5))
    return infer_signature(example, pd.DataFrame({PROBABILITY: np.zeros(len(example))}))


def _log_evaluation(run: TrainingRun) -> None:
    import mlflow

    report, on_test = run.report, run.on_test
    mlflow.log_metrics({f"test_{k}": float(v) for k, v in headline(report).items() if isinstance(v, int | float)})
    mlflow.log_metrics({f"train_{k}": float(v) for k, v in report["train"].items()})
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        y = on_test[LABEL].to_numpy().astype(int)
        curves = {"model": on_test[PROBABILITY].to_numpy()}
        if run.truth is not None:
            curves["generator truth (best possible)"] = on_test.merge(run.truth, on=KEY, how="left")[
                TRUE_PROBABILITY
            ].to_numpy()
        calibration = pd.DataFrame(report["calibration_by_decile"])
        plots.roc_chart(folder / "roc.png", y, curves)
        plots.calibration_chart(folder / "calibration.png", calibration)
        run.coefficients.to_csv(folder / "coefficients.csv", index=False)
        calibration.to_csv(folder / "calibration_by_decile.csv", index=False)
        (folder / "evaluation.json").write_text(json.dumps(report, indent=2, default=str))
        mlflow.log_artifacts(str(folder), artifact_path="evaluation")


def _log_challenger(run: TrainingRun, champion_version: str) -> dict[str, Any]:
    """The challenger as a nested run, registered under the `challenger` alias; if the promotion rule
    (ml/challenger.py) says it beats the logistic regression significantly, the champion alias moves
    to it. The logistic regression's run is tagged with the decision either way."""
    import mlflow

    settings, decision = run.settings, run.report["challenger"]
    promoted = bool(decision["promoted"])
    mlflow.set_tags({"finlake.model_type": "logistic_regression", "finlake.challenger_promoted": str(promoted)})
    parent = mlflow.active_run()
    assert parent is not None  # called inside log_run's run
    # the parent's experiment, or MLflow puts the nested run in the Default one (artifacts in ./mlruns)
    with mlflow.start_run(experiment_id=parent.info.experiment_id, nested=True, run_name="gbt-challenger") as child:
        mlflow.set_tags({"finlake.role": "challenger", "finlake.model_type": "gbt", "finlake.promoted": str(promoted)})
        mlflow.log_params({f"gbt_{k}": v for k, v in decision["params"].items()})
        low, high = decision["roc_auc_difference_ci95"]
        mlflow.log_metrics(
            {
                "test_roc_auc": decision["challenger_roc_auc"],
                "test_roc_auc_champion": decision["champion_roc_auc"],
                "test_roc_auc_difference": decision["roc_auc_difference"],
                "test_roc_auc_difference_ci95_low": low,
                "test_roc_auc_difference_ci95_high": high,
            }
        )
        mlflow.log_dict(decision, "evaluation/challenger.json")
        version = tracking.log_and_register_model(
            run.challenger, _signature(run), settings.model_name, CHALLENGER_ALIAS
        )
    if promoted:
        mlflow.MlflowClient().set_registered_model_alias(settings.model_name, settings.alias, version)
    return {
        "run_id": child.info.run_id,
        "model_version": version,
        "alias": settings.alias if promoted else CHALLENGER_ALIAS,
        "promoted": promoted,
        "replaced_version": champion_version if promoted else None,
    }


def _log_champion(run: TrainingRun, run_id: str) -> str:
    """The logistic regression's parameters, model (registered, no alias yet), portable serving
    artifact and reason codes; returns its registered version."""
    import mlflow

    mlflow.log_params(_params(run))
    version = tracking.log_and_register_model(run.fitted.model, _signature(run), run.settings.model_name, alias=None)
    # the portable JSON model for the real-time scorer (finlake.serving), checked against Spark
    identity = {"name": run.settings.model_name, "version": version, "run_id": run_id}
    document = artifact.log_serving_artifact(run.fitted.model, run.train, run.report, identity)
    run.report["reason_codes"] = reason_codes.riskiest_loan_reasons(document, run.split.test, run.on_test)
    mlflow.log_dict(run.report["reason_codes"], "evaluation/reason_codes.json")
    return version


def _point_aliases(settings: TrainingSettings, version: str) -> None:
    """The run's alias (and, for a default run, the API's `serving`) now name the logistic regression."""
    import mlflow

    client = mlflow.MlflowClient()
    client.set_registered_model_alias(settings.model_name, settings.alias, version)
    if settings.alias == DEFAULT_ALIAS:  # a run under another alias is a trial: the API stays put
        client.set_registered_model_alias(settings.model_name, SERVING_ALIAS, version)


def log_run(lake: Lake, run: TrainingRun) -> TrainingResult:
    """Record `run` in the lake's MLflow (or the workspace's on Databricks), register its model as a
    new version under the settings' name and point the alias at it; release the cached training split.
    The champion is logged first, while a challenger still fitting in the background finishes."""
    import mlflow

    settings = run.settings
    try:
        track = tracking.configure(lake)
        with mlflow.start_run(experiment_id=tracking.experiment_id(settings.experiment, track)) as active:
            version = _log_champion(run, active.info.run_id)
            run.clock.lap("mlflow_log_champion")
            run.settle_challenger()  # before any alias moves: a failed challenger leaves them as they were
            _log_evaluation(run)
            _point_aliases(settings, version)
            challenger = _log_challenger(run, version) if run.challenger is not None else None
    except BaseException:
        run.abandon_challenger()
        raise
    run.train.unpersist()
    run.clock.lap("mlflow_log_evaluation_and_challenger")
    report = run.report
    report["timings_seconds"] = run.clock.laps
    champion = challenger["model_version"] if challenger and challenger["promoted"] else version
    report["mlflow"] = {
        "run_id": active.info.run_id,
        "tracking_uri": track.tracking_uri,
        "model_name": settings.model_name,
        "model_version": champion,  # the version `alias` points at
        "logistic_regression_version": version,  # also `serving` (the API's) when alias is the champion
        "alias": settings.alias,
    }
    if challenger:
        report["mlflow"]["challenger"] = challenger
    return TrainingResult(active.info.run_id, settings.model_name, champion, headline(report), report)
