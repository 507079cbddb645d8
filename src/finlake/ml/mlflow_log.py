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
from finlake.ml import artifact, plots, tracking
from finlake.ml.calibration import PROBABILITY
from finlake.ml.data import TRUE_PROBABILITY, to_pandas
from finlake.ml.features import KEY, LABEL
from finlake.ml.training_run import TrainingResult, TrainingRun, headline, input_params


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


def log_run(lake: Lake, run: TrainingRun) -> TrainingResult:
    """Record `run` in the lake's MLflow (or the workspace's on Databricks), register its model as a
    new version under the settings' name and point the alias at it; release the cached training split."""
    import mlflow

    settings = run.settings
    track = tracking.configure(lake)
    with mlflow.start_run(experiment_id=tracking.experiment_id(settings.experiment, track)) as active:
        mlflow.log_params(_params(run))
        _log_evaluation(run)
        version = tracking.log_and_register_model(
            run.fitted.model, _signature(run), settings.model_name, settings.alias
        )
        # the portable JSON model for the real-time scorer (finlake.serving), checked against Spark
        identity = {"name": settings.model_name, "version": version, "run_id": active.info.run_id}
        artifact.log_serving_artifact(run.fitted.model, run.train, run.report, identity)
    run.train.unpersist()
    run.clock.lap("mlflow_log_register")
    report = run.report
    report["timings_seconds"] = run.clock.laps
    report["mlflow"] = {
        "run_id": active.info.run_id,
        "tracking_uri": track.tracking_uri,
        "model_name": settings.model_name,
        "model_version": version,
        "alias": settings.alias,
    }
    return TrainingResult(active.info.run_id, settings.model_name, version, headline(report), report)
