"""The training settings: one set of defaults, one parser, used by `finlake train` and the notebook;
training returns a run object and recording it in MLflow is a separate step."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest
from synthetic_loans import FAST, loan_features_frame, to_spark

from finlake.errors import UsageError
from finlake.lake import Lake
from finlake.ml.settings import TrainingSettings, default_parameters, parse_repeated_cv, settings_from_parameters

NOTEBOOKS = Path(__file__).resolve().parents[2] / "databricks" / "notebooks"


def test_the_default_parameters_parse_back_to_the_default_settings():
    assert settings_from_parameters(default_parameters()) == TrainingSettings()
    assert settings_from_parameters({}) == TrainingSettings()


def test_widget_text_becomes_typed_settings():
    settings = settings_from_parameters(
        {"reg_grid": "0.01,0.1", "cv_folds": "2", "seed": "7", "test_fraction": "0.3", "repeated_cv": "3x4",
         "min_loan_age_days": "90", "model_name": "m", "alias": "a"}
    )  # fmt: skip
    assert settings == TrainingSettings(
        model_name="m", alias="a", test_fraction=0.3, cv_folds=2, seed=7, reg_grid=(0.01, 0.1),
        repeated_cv=(3, 4), min_loan_age_days=90,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"reg_grid": "0.1,x"}, "reg_grid expects comma-separated numbers"),
        ({"cv_folds": "three"}, "cv_folds expects an integer"),
        ({"test_fraction": "quarter"}, "test_fraction expects a number"),
        ({"repeated_cv": "5"}, "--repeated-cv expects REPEATSxFOLDS"),
    ],
)
def test_bad_text_is_one_line_naming_the_setting(params, message):
    with pytest.raises(UsageError, match=message):
        settings_from_parameters(params)


def test_repeated_cv_text():
    assert parse_repeated_cv("5x5") == (5, 5) and parse_repeated_cv("") is None
    with pytest.raises(UsageError):
        parse_repeated_cv("1x1")


@pytest.mark.parametrize("notebook", ["train_default_model.py", "score_customers.py"])
def test_notebooks_take_defaults_from_the_library_not_the_cli(notebook):
    source = (NOTEBOOKS / notebook).read_text()
    imported = {node.module for node in ast.walk(ast.parse(source)) if isinstance(node, ast.ImportFrom)}
    assert not any(name and name.startswith("finlake.commands") for name in imported)
    assert "finlake.ml.settings" in imported
    for literal in ('"finlake_loan_default"', '"champion"', "0.003,0.01"):
        assert literal not in source


def test_train_records_nothing_until_the_run_is_logged(spark, tmp_path):
    import mlflow

    from finlake.ml.mlflow_log import log_run
    from finlake.ml.training import train

    lake = Lake.local(tmp_path)
    frame = loan_features_frame(300, 5)
    run = train(spark, lake, TrainingSettings(**FAST, model_name="finlake_settings_test"), to_spark(spark, frame))
    assert run.report["test"]["loans"] > 0 and "mlflow" not in run.report
    assert not Path(lake.mlflow).exists()  # no tracking store touched by training itself
    # Logging points MLflow (process-wide) at this lake; other tests expect the shared trained lake's.
    tracking_uri, registry_uri = mlflow.get_tracking_uri(), mlflow.get_registry_uri()
    try:
        result = log_run(lake, run)
    finally:
        names = ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI")
        environment = {name: os.environ.get(name) for name in names}  # MLflow exports what it is set to
        mlflow.set_tracking_uri(tracking_uri)
        mlflow.set_registry_uri(registry_uri)
        for name, value in environment.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    assert result.model_name == "finlake_settings_test" and result.model_version == "1"
    assert result.report["mlflow"]["run_id"] == result.run_id and Path(lake.mlflow).is_dir()
