"""Training on synthetic features with a known signal; bad input stops with one clear line."""

from __future__ import annotations

import json

import mlflow
import pytest
from synthetic_loans import FAST, loan_features_frame, to_spark

from finlake import cli
from finlake.contracts.gold import LOAN_FEATURES
from finlake.errors import FinlakeError
from finlake.lake import Lake
from finlake.ml.training import TrainingSettings, train_default_model, write_report


def test_model_recovers_known_signal_close_to_the_best_possible(trained):
    _, _, _, result = trained
    m = result.metrics
    # The truth's AUC on the same test loans is the ceiling; a correctly specified LR gets near it.
    assert m["best_possible_roc_auc"] > 0.8
    assert m["ratio"] >= 0.9, m
    assert m["roc_auc"] == pytest.approx(m["ratio"] * m["best_possible_roc_auc"])


def test_probabilities_are_calibrated_after_the_class_weight_correction(trained):
    _, _, _, result = trained
    test = result.report["test"]
    # Class weights alone would push the mean prediction to ~0.5; the prior correction brings it back.
    assert abs(test["mean_predicted_probability"] - test["default_rate"]) < 0.06, test


def test_signal_features_have_the_true_sign(trained):
    _, _, _, result = trained
    coefficients = {(c["feature"], c["category"]): c for c in result.report["coefficients"]}
    assert coefficients[("payment_to_income", "")]["coefficient_per_sd"] > 0
    assert coefficients[("overdraft_days_cap90", "")]["coefficient_per_sd"] > 0
    assert coefficients[("min_balance", "")]["direction"] == "higher min_balance -> lower default risk"
    assert coefficients[("employment_status", "UNEMPLOYED")]["coefficient_per_sd"] > 0


def test_model_is_registered_under_the_alias_with_a_signature(trained):
    lake, _, _, result = trained
    client = mlflow.MlflowClient()
    assert mlflow.get_tracking_uri() == f"sqlite:///{lake.mlflow}/mlflow.db"
    version = client.get_model_version_by_alias(result.model_name, "champion")
    assert str(version.version) == result.model_version
    info = mlflow.models.get_model_info(f"models:/{result.model_name}@champion")
    assert "payment_to_income" in info.signature.inputs.input_names()
    artifacts = {a.path for a in client.list_artifacts(result.run_id, "evaluation")}
    assert {"evaluation/roc.png", "evaluation/calibration.png", "evaluation/coefficients.csv"} <= artifacts


def test_report_file_has_the_headline_metrics(trained, tmp_path):
    _, _, _, result = trained
    path = tmp_path / "report.json"
    write_report(result, str(path))
    document = json.loads(path.read_text())
    for key in ("roc_auc", "pr_auc", "brier", "ks", "best_possible_roc_auc", "ratio", "model_version"):
        assert key in document
    assert document["details"]["split"]["method"] in {"out_of_time", "stratified"}


def test_empty_feature_table_stops_with_one_line(spark, tmp_path):
    empty = spark.createDataFrame([], LOAN_FEATURES.spark_schema())
    with pytest.raises(FinlakeError, match=r"gold.loan_features is empty \(0 loans\)"):
        train_default_model(spark, Lake.local(tmp_path), TrainingSettings(**FAST), features=empty)


def test_single_class_feature_table_stops_with_one_line(spark, tmp_path):
    frame = loan_features_frame(60, 3)
    frame["is_default"] = 0
    with pytest.raises(FinlakeError, match="single class: all 60 loans have is_default=0"):
        train_default_model(spark, Lake.local(tmp_path), TrainingSettings(**FAST), features=to_spark(spark, frame))


def test_cli_without_gold_says_what_to_run(tmp_path, capsys):
    assert cli.main(["--lake", str(tmp_path), "train"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "gold.loan_features does not exist yet" in err and "finlake silver-to-gold" in err


def test_configuring_one_lake_does_not_redirect_the_next(tmp_path, monkeypatch):
    from finlake.ml import tracking

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("MLFLOW_REGISTRY_URI", raising=False)
    first, second = Lake.local(tmp_path / "a"), Lake.local(tmp_path / "b")
    tracking.configure(first)
    assert tracking.tracking_for(second).tracking_uri == f"sqlite:///{second.mlflow}/mlflow.db"
    assert "MLFLOW_TRACKING_URI" not in __import__("os").environ  # a child process starts clean
