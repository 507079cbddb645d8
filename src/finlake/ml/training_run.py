"""What one training run produced (`TrainingRun`, before anything is recorded) and what recording it
returns (`TrainingResult`: the registered version and the report), with the report's headline."""

from __future__ import annotations

import json
import time
from concurrent.futures import Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pyspark.ml import PipelineModel
from pyspark.sql import DataFrame

from finlake.asof import AsOf, Snapshot
from finlake.ml.challenger import compare
from finlake.ml.fit import FittedModel
from finlake.ml.labels import LabelRule
from finlake.ml.pipeline import ClassWeights
from finlake.ml.settings import TrainingSettings
from finlake.ml.split import Split


class Clock:
    """Seconds per phase, for the report (where does a training run spend its time)."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.monotonic()

    def lap(self, name: str) -> None:
        now = time.monotonic()
        self.laps[name] = round(now - self._last, 1)
        self._last = now


@dataclass
class TrainingRun:
    """A fitted and evaluated model with everything the MLflow record needs (`mlflow_log.log_run`).
    `train` is the cached training split; recording the run releases it."""

    settings: TrainingSettings
    fitted: FittedModel
    train: DataFrame
    split: Split
    weights: ClassWeights
    rule: LabelRule
    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    report: dict[str, Any]  # everything, JSON-ready
    on_test: pd.DataFrame  # key, label, probability of each test loan
    coefficients: pd.DataFrame
    truth: pd.DataFrame | None  # the generator's true probabilities, when the lake has them
    snapshots: dict[str, Snapshot]  # the Iceberg snapshots read (empty when features were passed in)
    as_of: AsOf | None
    clock: Clock = field(default_factory=Clock)
    challenger: PipelineModel | None = None  # the gradient-boosted challenger, once settled
    # The challenger while it still fits beside the rest of the run (ml/challenger.py): settle_challenger.
    pending_challenger: Future[PipelineModel] | None = None

    def settle_challenger(self) -> None:
        """Wait for the challenger fitting in the background and judge it against the champion on the
        test loans (report["challenger"]); nothing to do when there is none or it is settled."""
        if self.pending_challenger is None:
            return
        pending, self.pending_challenger = self.pending_challenger, None
        self.challenger = pending.result()
        self.report["challenger"] = compare(self.challenger, self.split.test, self.on_test, self.split.method)
        self.clock.lap("challenger_wait_compare")

    def abandon_challenger(self) -> None:
        """On a failure: let the background challenger's Spark jobs end before the error propagates."""
        if self.pending_challenger is not None:
            wait([self.pending_challenger])
            self.pending_challenger = None


@dataclass
class TrainingResult:
    run_id: str
    model_name: str
    model_version: str
    metrics: dict[str, Any]  # the headline figures (what `--report` writes at the top)
    report: dict[str, Any] = field(default_factory=dict)  # everything, JSON-ready


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
    if "challenger" in report:
        challenger = report["challenger"]
        figures["challenger_roc_auc"] = challenger["challenger_roc_auc"]
        figures["challenger_roc_auc_difference"] = challenger["roc_auc_difference"]
        figures["challenger_roc_auc_difference_ci95_low"] = challenger["roc_auc_difference_ci95"][0]
        figures["challenger_roc_auc_difference_ci95_high"] = challenger["roc_auc_difference_ci95"][1]
        figures["challenger_promoted"] = challenger["promoted"]
    if "repeated_cv" in report:
        figures["cv_roc_auc_mean"] = report["repeated_cv"]["roc_auc_mean"]
        figures["cv_roc_auc_std"] = report["repeated_cv"]["roc_auc_std"]
        figures["cv_roc_auc_ci95_low"] = report["repeated_cv"]["roc_auc_ci95_low"]
        figures["cv_roc_auc_ci95_high"] = report["repeated_cv"]["roc_auc_ci95_high"]
    return figures


def input_params(snapshots: dict[str, Snapshot], as_of: AsOf | None) -> dict[str, str]:
    """What the MLflow run records about its inputs: `gold.loan_features.snapshot_id` etc."""
    params = {f"{name}.snapshot_id": str(s.snapshot_id) for name, s in snapshots.items()}
    if snapshots:
        params["as_of"] = str(as_of or AsOf())
    return params


def write_report(result: TrainingResult, path: str) -> None:
    """Headline figures at the top, then the full evaluation (calibration, confusion, coefficients)."""
    document = {**result.metrics, "model_name": result.model_name, "model_version": result.model_version}
    document["details"] = result.report
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(document, indent=2, default=str) + "\n")
