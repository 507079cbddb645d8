"""The feature transforms (first pipeline stage): values checked against numpy, not Spark."""

from __future__ import annotations

import math

import pytest
from pyspark.sql import types as T

from finlake.ml.transforms import feature_transformer, model_numeric

SCHEMA = T.StructType(
    [
        T.StructField("loan_id", T.StringType()),
        T.StructField("annual_income", T.DoubleType()),
        T.StructField("overdraft_days", T.DoubleType()),
        T.StructField("balance_volatility", T.DoubleType()),
        T.StructField("avg_monthly_inflow", T.DoubleType()),
        T.StructField("min_balance", T.DoubleType()),
    ]
)
NUMERIC = ("annual_income", "overdraft_days", "balance_volatility", "avg_monthly_inflow", "min_balance")


def test_model_inputs_replace_their_sources_and_keep_the_rest():
    assert model_numeric(NUMERIC) == (
        "min_balance",
        "ln_annual_income",
        "overdraft_days_cap90",
        "ln1p_volatility_to_inflow",
        "ln1p_avg_monthly_inflow",
    )


def test_a_transform_whose_source_was_dropped_is_skipped(spark):
    # PKDD'99: income is all null, so it is not a usable feature and nothing is derived from it.
    without_income = tuple(c for c in NUMERIC if c != "annual_income")
    assert "ln_annual_income" not in model_numeric(without_income)
    assert "ln_annual_income" not in feature_transformer(without_income).getStatement()


def test_transformed_values(spark):
    rows = [
        ("a", 40000.0, 150.0, 500.0, 2000.0, -10.0),
        ("b", 0.0, 3.0, 500.0, 20.0, 5.0),  # income 0 -> null; inflow below the 100 floor
        ("c", None, None, None, None, None),
    ]
    out = {
        r["loan_id"]: r for r in feature_transformer(NUMERIC).transform(spark.createDataFrame(rows, SCHEMA)).collect()
    }
    assert out["a"]["ln_annual_income"] == pytest.approx(math.log(40000))
    assert out["a"]["overdraft_days_cap90"] == 90
    assert out["a"]["ln1p_volatility_to_inflow"] == pytest.approx(math.log(1 + 500 / 2000))
    assert out["a"]["ln1p_avg_monthly_inflow"] == pytest.approx(math.log(2001))
    assert out["b"]["ln_annual_income"] is None
    assert out["b"]["overdraft_days_cap90"] == 3
    assert out["b"]["ln1p_volatility_to_inflow"] == pytest.approx(math.log(1 + 500 / 100))
    assert all(out["c"][c] is None for c in model_numeric(NUMERIC))
    assert out["a"]["min_balance"] == -10.0  # untransformed columns pass through
