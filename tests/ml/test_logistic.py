"""The driver-side logistic regression (ml/logistic.py) reaches MLlib's optimum."""

from __future__ import annotations

import numpy as np
import pytest
from pyspark.ml.linalg import Vectors

from finlake.ml.features import LABEL
from finlake.ml.logistic import fit_logistic
from finlake.ml.pipeline import FEATURES_VECTOR, WEIGHT, build_classifier


def _data(n: int = 400, seed: int = 7) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Standardised features (the last one constant), a noisy label on the first two, class weights."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 4))
    x[:, 3] = 0.5
    y = (x[:, 0] - 0.5 * x[:, 1] + rng.standard_normal(n) > 1.2).astype(float)
    w = np.where(y == 1.0, 3.0, 1.0)
    return x, y, w


@pytest.mark.parametrize(("reg", "l1_ratio"), [(0.01, 0.0), (0.3, 0.0), (0.01, 0.5), (0.1, 0.5), (0.05, 1.0)])
def test_the_driver_fit_equals_mllibs(spark, reg, l1_ratio):
    x, y, w = _data()
    rows = [(float(label), float(weight), Vectors.dense(v)) for v, label, weight in zip(x, y, w, strict=True)]
    frame = spark.createDataFrame(rows, [LABEL, WEIGHT, FEATURES_VECTOR]).coalesce(1)
    lr = build_classifier()
    theirs = lr.copy({lr.regParam: reg, lr.elasticNetParam: l1_ratio}).fit(frame)

    ours = fit_logistic(x, y, w, reg, l1_ratio)

    assert np.abs(ours.coefficients).max() > 0.05  # not a model shrunk to nothing
    assert ours.coefficients == pytest.approx(theirs.coefficients.toArray(), abs=1e-4)
    assert ours.intercept == pytest.approx(theirs.intercept, abs=1e-4)
    assert ours.coefficients[3] == 0.0  # a constant feature keeps a zero coefficient, as in MLlib


def test_l1_zeroes_weak_features_exactly():
    x, y, w = _data()
    assert fit_logistic(x, y, w, 0.3, 1.0).coefficients[2] == 0.0  # x[:, 2] is noise
    assert fit_logistic(x, y, w, 0.3, 0.0).coefficients[2] != 0.0  # ridge keeps it
