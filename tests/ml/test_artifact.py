"""The JSON artifact logged at training scores every loan exactly as the Spark model does."""

from __future__ import annotations

import json

import mlflow
import pytest
from pyspark.sql import functions as F

from finlake.errors import FinlakeError
from finlake.ml import tracking
from finlake.ml.artifact import transform_op
from finlake.ml.calibration import PROBABILITY
from finlake.ml.features import feature_columns, model_input
from finlake.ml.transforms import TRANSFORMS, Transform
from finlake.serving.registry import load_by_alias

TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def served(trained):
    lake, _, _, result = trained
    return load_by_alias(lake, result.model_name, "champion")


@pytest.fixture(scope="module")
def spark_model(trained):
    lake, _, _, result = trained
    tracking.configure(lake)
    model, version = tracking.load_model_by_alias(result.model_name, "champion")
    assert version == result.model_version
    return model


def _edge_cases(features):
    """Loans the synthetic table never shows: every transform's guard, missing and unseen values."""
    f = features.limit(12).withColumn("i", F.monotonically_increasing_id())
    edits = {
        "annual_income": F.when(F.col("i") % 3 == 0, F.lit(None)).when(F.col("i") % 3 == 1, F.lit(-5.0)),
        "overdraft_days": F.when(F.col("i") % 2 == 0, F.lit(400)),
        "avg_monthly_inflow": F.when(F.col("i") % 2 == 1, F.lit(None)).otherwise(F.lit(3.0)),
        "balance_volatility": F.when(F.col("i") % 4 == 0, F.lit(None)).otherwise(F.col("balance_volatility")),
        "inflow": F.when(F.col("i") % 2 == 0, F.lit(-10.0)).otherwise(F.lit(None)),
        "payment_to_income": F.lit(None),
        "loan_type": F.when(F.col("i") % 3 == 0, F.lit("  auto ")).when(F.col("i") % 3 == 1, F.lit("SPACESHIP")),
        "employment_status": F.when(F.col("i") % 2 == 0, F.lit(None)).otherwise(F.lit("unemployed")),
    }
    for column, value in edits.items():
        f = f.withColumn(column, value.cast(dict(f.dtypes)[column]))
    return f.drop("i")


def _compare(scorer, model, features) -> float:
    numeric, categorical = feature_columns(features.columns)
    prepared = features.transform(model_input(numeric, categorical))
    rows = [r.asDict() for r in model.transform(prepared).select(*numeric, *categorical, PROBABILITY).collect()]
    assert rows
    return max(abs(scorer.score(r).probability - r[PROBABILITY]) for r in rows)


def test_every_loan_scores_the_same_in_pure_python_as_in_spark(served, spark_model, trained):
    _, features, _, _ = trained
    assert features.count() == 800
    assert _compare(served, spark_model, features) <= TOLERANCE


def test_edge_cases_score_the_same_in_pure_python_as_in_spark(served, spark_model, trained):
    _, features, _, _ = trained
    assert _compare(served, spark_model, _edge_cases(features)) <= TOLERANCE


def test_artifact_names_the_version_and_the_training_data(served, trained):
    _, _, _, result = trained
    doc = served.document
    assert (served.name, served.version) == (result.model_name, result.model_version)
    assert doc["model"]["run_id"] == result.run_id
    assert doc["threshold"] == pytest.approx(result.metrics["threshold"])
    assert len(doc["training_data"]["sha256"]) == 64
    train_loans = 800 - int(result.metrics["loans"])  # everything not held out for the test
    assert doc["training_data"]["rows"] == train_loans == doc["population"]["loans"]
    assert doc["intercept"] == pytest.approx(result.report["intercept"])
    # slot names and order: the report's coefficient table, read from Spark's vector metadata
    expected = {
        f"{c['feature']}={c['category']}" if c["category"] else c["feature"]: c["coefficient_per_sd"]
        for c in result.report["coefficients"]
    }
    assert dict(zip([s["name"] for s in doc["slots"]], doc["coefficients"], strict=True)) == pytest.approx(expected)
    json.dumps(doc)  # portable: plain JSON


def test_the_api_serves_the_champion_when_it_is_the_logistic_regression(served, trained):
    lake, _, _, result = trained
    assert load_by_alias(lake, result.model_name, "serving").version == served.version
    client = mlflow.MlflowClient()  # load_by_alias pointed MLflow at this lake
    client.delete_registered_model_alias(result.model_name, "serving")
    try:  # a registry trained before the serving alias existed: its champion is served
        assert load_by_alias(lake, result.model_name, "serving").version == served.version
    finally:
        client.set_registered_model_alias(result.model_name, "serving", served.version)


def test_a_transform_without_a_python_twin_stops_the_export():
    assert {transform_op(t)["op"] for t in TRANSFORMS} == {"ln_positive", "cap", "ln1p_ratio", "ln1p_nonnegative"}
    with pytest.raises(FinlakeError, match="no pure-Python equivalent"):
        transform_op(Transform("sqrt_inflow", "sqrt(inflow)", ("inflow",), ("inflow",)))
