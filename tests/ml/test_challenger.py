"""The gradient-boosted challenger and its promotion rule: promoted only when it beats the logistic
regression significantly on the same test loans (paired bootstrap of the ROC-AUC difference)."""

from __future__ import annotations

import os
import threading
import time

import mlflow
import numpy as np
import pytest
from sklearn.metrics import roc_auc_score
from synthetic_loans import FAST, loan_features_frame, to_spark

from finlake.errors import FinlakeError
from finlake.lake import Lake
from finlake.ml import evaluation, mlflow_log, training
from finlake.ml.challenger import promotion_decision
from finlake.ml.training import TrainingSettings, train, train_default_model
from finlake.serving.registry import load_by_alias


def _known_truth(n: int = 3000, seed: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Labels drawn from a known log-odds; the true probability, and one blurred by heavy noise."""
    rng = np.random.default_rng(seed)
    logit = rng.normal(-2.0, 1.5, n)
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int)
    return y, _sigmoid(logit), _sigmoid(logit + rng.normal(0, 2.5, n))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def test_a_clearly_better_challenger_is_promoted():
    y, truth, blurred = _known_truth()
    decision = promotion_decision(y, champion=blurred, challenger=truth)
    low, high = decision["roc_auc_difference_ci95"]
    assert decision["promoted"] and low > 0
    # the point difference is the plain difference of the two AUCs, computed here with sklearn
    expected = roc_auc_score(y, truth) - roc_auc_score(y, blurred)
    assert decision["roc_auc_difference"] == pytest.approx(expected)
    assert low < expected < high
    assert decision["decision"] == "challenger (gbt) promoted to champion"


def test_an_equal_challenger_is_not_promoted():
    y, truth, _ = _known_truth()
    decision = promotion_decision(y, champion=truth, challenger=truth.copy())
    assert decision["roc_auc_difference"] == 0 and decision["roc_auc_difference_ci95"] == [0.0, 0.0]
    assert not decision["promoted"] and decision["decision"] == "logistic regression stays champion"


def test_a_worse_challenger_is_not_promoted():
    y, truth, blurred = _known_truth()
    decision = promotion_decision(y, champion=truth, challenger=blurred)
    assert not decision["promoted"] and decision["roc_auc_difference_ci95"][1] < 0


def test_a_slightly_better_challenger_on_few_loans_is_not_promoted():
    # better in truth, but 200 loans cannot show it: the interval straddles 0
    y, truth, _ = _known_truth(n=200, seed=9)
    rng = np.random.default_rng(1)
    champion = _sigmoid(np.log(truth / (1 - truth)) + rng.normal(0, 0.6, len(y)))
    decision = promotion_decision(y, champion=champion, challenger=truth)
    low, high = decision["roc_auc_difference_ci95"]
    assert low <= 0 < high and not decision["promoted"]


def test_paired_interval_is_narrower_than_the_unpaired_one():
    # both models share most of their errors; pairing cancels them, two separate intervals do not
    y, truth, _ = _known_truth(n=1000)
    rng = np.random.default_rng(2)
    logit = np.log(truth / (1 - truth))
    a, b = _sigmoid(logit + rng.normal(0, 0.3, len(y))), _sigmoid(logit + rng.normal(0, 0.3, len(y)))
    low, high = evaluation.bootstrap_difference_interval(y, a, b)
    unpaired = np.subtract(evaluation.auc_interval(y, a), evaluation.auc_interval(y, b)[::-1])
    assert high - low < (unpaired[1] - unpaired[0]) / 2


def test_single_class_test_loans_stop_with_one_line():
    with pytest.raises(FinlakeError, match="single class"):
        promotion_decision(np.zeros(10), np.arange(10.0), np.arange(10.0))


def _u_shaped(n: int, seed: int):
    """Loans whose default depends on min_balance being far from typical on either side: a shape a
    linear model cannot draw and a tree can, so the GBT is better by construction."""
    frame = loan_features_frame(n, seed)
    z = (frame["min_balance"] - frame["min_balance"].mean()) / frame["min_balance"].std()
    rng = np.random.default_rng(seed + 1)
    y = ((np.abs(z) > 1.2) ^ (rng.uniform(size=n) < 0.04)).astype(int)  # 4% of labels flipped
    frame["is_default"] = y
    frame["status"] = np.where(y == 1, "DEFAULT", "CURRENT")
    return frame


def _restore_tracking(tracking_uri: str, registry_uri: str) -> None:
    """Logging points MLflow (process-wide) at the test's lake; other tests expect the shared one's."""
    names = ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI")
    environment = {name: os.environ.get(name) for name in names}
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_registry_uri(registry_uri)
    for name, value in environment.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.mark.slow  # two models trained, logged and registered (~80 s on 2 cores)
def test_gbt_that_wins_out_of_time_becomes_the_registered_champion(spark, tmp_path):
    lake = Lake.local(tmp_path)
    settings = TrainingSettings(**{**FAST, "challenger": True}, model_name="finlake_challenger_test")
    tracking_uri, registry_uri = mlflow.get_tracking_uri(), mlflow.get_registry_uri()
    try:
        result = train_default_model(spark, lake, settings, features=to_spark(spark, _u_shaped(800, 21)))
        client = mlflow.MlflowClient()
        decision = result.report["challenger"]
        assert decision["split_method"] == "out_of_time" and decision["promoted"], decision
        assert decision["challenger_roc_auc"] > decision["champion_roc_auc"] + 0.1
        assert result.metrics["challenger_promoted"] is True
        # the champion is logged before the challenger is waited for; each phase has its own lap
        assert list(result.report["timings_seconds"]) == [
            "check_split_screen", "fit_evaluate", "report_details",
            "mlflow_log_champion", "challenger_wait_compare", "mlflow_log_evaluation_and_challenger",
        ]  # fmt: skip
        logged = result.report["mlflow"]
        champion = client.get_model_version_by_alias(settings.model_name, "champion")
        assert str(champion.version) == logged["challenger"]["model_version"] == result.model_version
        assert logged["logistic_regression_version"] != result.model_version
        child = client.get_run(logged["challenger"]["run_id"])
        assert child.data.tags["finlake.role"] == "challenger" and child.data.tags["finlake.promoted"] == "True"
        assert child.data.tags["mlflow.parentRunId"] == result.run_id
        assert child.info.experiment_id == client.get_run(result.run_id).info.experiment_id
        assert child.info.artifact_uri.startswith(f"file://{lake.mlflow}")  # not ./mlruns
        assert client.get_run(result.run_id).data.tags["finlake.challenger_promoted"] == "True"
        # the real-time API cannot serve the GBT: it serves the logistic regression trained beside it
        served = load_by_alias(lake, settings.model_name, "serving")
        assert served.version == logged["logistic_regression_version"]
        with pytest.raises(FinlakeError, match=r"gradient-boosted model .* use the alias 'serving'"):
            load_by_alias(lake, settings.model_name, "champion")
    finally:
        _restore_tracking(tracking_uri, registry_uri)


def test_gbt_does_not_replace_a_correctly_specified_logistic_regression(spark, tmp_path):
    # the synthetic loans' truth is a logistic model: the LR is right, the GBT cannot beat it
    frame = loan_features_frame(800, 11)
    settings = TrainingSettings(**{**FAST, "challenger": True}, model_name="finlake_challenger_lr")
    run = train(spark, Lake.local(tmp_path), settings, to_spark(spark, frame))
    decision = run.report["challenger"]
    assert not decision["promoted"] and decision["roc_auc_difference_ci95"][0] <= 0, decision
    assert decision["champion_roc_auc"] == pytest.approx(run.report["test"]["roc_auc"])
    assert decision["test_loans"] == run.report["test"]["loans"]
    run.train.unpersist()


class _Failure:
    """A champion-side step that fails, and a stand-in GBT fit that is still running when it does:
    the stand-in finishes only some time after the failure."""

    def __init__(self) -> None:
        self.failed = threading.Event()
        self.finished: list[str] = []

    def challenger(self, *_args: object) -> None:
        self.failed.wait(timeout=60)
        time.sleep(0.5)
        self.finished.append("challenger")

    def step(self, *_args: object, **_kwargs: object) -> None:
        self.failed.set()
        raise FinlakeError("boom")


def test_a_failed_champion_fit_waits_for_the_background_challenger(spark, tmp_path, monkeypatch):
    failure = _Failure()
    monkeypatch.setattr(training, "fit_challenger", failure.challenger)
    monkeypatch.setattr(training, "fit_model", failure.step)
    settings = TrainingSettings(**{**FAST, "challenger": True})
    with pytest.raises(FinlakeError, match="boom"):
        train(spark, Lake.local(tmp_path), settings, to_spark(spark, loan_features_frame(400, 5)))
    assert failure.finished == ["challenger"]  # no Spark job of the run outlives its error


def test_a_failed_champion_log_waits_for_the_background_challenger(spark, tmp_path, monkeypatch):
    failure = _Failure()
    monkeypatch.setattr(training, "fit_challenger", failure.challenger)
    monkeypatch.setattr(mlflow_log.tracking, "log_and_register_model", failure.step)
    settings = TrainingSettings(**{**FAST, "challenger": True}, model_name="finlake_challenger_log_fails")
    tracking_uri, registry_uri = mlflow.get_tracking_uri(), mlflow.get_registry_uri()
    try:
        with pytest.raises(FinlakeError, match="boom"):
            train_default_model(spark, Lake.local(tmp_path), settings, to_spark(spark, loan_features_frame(400, 5)))
    finally:
        _restore_tracking(tracking_uri, registry_uri)
    assert failure.finished == ["challenger"]


def test_a_failed_challenger_moves_no_alias(spark, tmp_path, monkeypatch):
    def fails(*_args: object) -> None:
        raise FinlakeError("the challenger failed")

    monkeypatch.setattr(training, "fit_challenger", fails)
    settings = TrainingSettings(**{**FAST, "challenger": True}, model_name="finlake_challenger_fails")
    tracking_uri, registry_uri = mlflow.get_tracking_uri(), mlflow.get_registry_uri()
    try:
        with pytest.raises(FinlakeError, match="the challenger failed"):
            train_default_model(spark, Lake.local(tmp_path), settings, to_spark(spark, loan_features_frame(400, 5)))
        client = mlflow.MlflowClient()
        # the logistic regression was logged while the challenger ran, but nothing points at it
        assert [str(v.version) for v in client.search_model_versions(f"name='{settings.model_name}'")] == ["1"]
        assert client.get_registered_model(settings.model_name).aliases == {}
    finally:
        _restore_tracking(tracking_uri, registry_uri)
