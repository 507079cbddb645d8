"""The regularisation search (ml/fit.py): the scores and pick of MLlib's CrossValidator."""

from __future__ import annotations

import numpy as np
import pytest
from pyspark.ml.evaluation import BinaryClassificationEvaluator
from pyspark.ml.linalg import Vectors
from pyspark.ml.tuning import CrossValidator, ParamGridBuilder
from pyspark.sql import functions as F

from finlake.errors import NotEnoughData
from finlake.ml.features import LABEL
from finlake.ml.fit import CV_FOLD, cross_validate
from finlake.ml.pipeline import FEATURES_VECTOR, WEIGHT, build_classifier

REG_GRID = (0.01, 0.3)
ELASTIC_NET_GRID = (0.0, 0.5)


def _vectors(spark, n: int = 240, defaults_every: int = 5):
    """Weighted rows whose label depends on the first feature (noisily), in three folds."""
    rows = []
    for i in range(n):
        x = [((i * 37) % 101) / 50.0 - 1.0, ((i * 53) % 89) / 44.0 - 1.0, ((i * 11) % 7) / 3.0 - 1.0]
        label = 1.0 if (i % defaults_every == 0) != (x[0] > 0.8 and i % 3 == 0) else 0.0
        rows.append((label, 2.0 if label else 1.0, i % 3, Vectors.dense(x)))
    return spark.createDataFrame(rows, [LABEL, WEIGHT, CV_FOLD, FEATURES_VECTOR]).coalesce(1).cache()


def test_cross_validate_matches_mllib_cross_validator(spark):
    vectors = _vectors(spark)
    lr = build_classifier()
    grid = [(reg, l1) for reg in REG_GRID for l1 in ELASTIC_NET_GRID]
    ours = cross_validate(vectors, 3, grid)

    maps = ParamGridBuilder().addGrid(lr.regParam, list(REG_GRID)).addGrid(lr.elasticNetParam, list(ELASTIC_NET_GRID))
    evaluator = BinaryClassificationEvaluator(labelCol=LABEL, rawPredictionCol="rawPrediction")
    theirs = CrossValidator(estimator=lr, estimatorParamMaps=maps.build(), evaluator=evaluator, foldCol=CV_FOLD)
    reference = theirs.fit(vectors).avgMetrics

    assert len(set(ours)) > 1  # the grid points really differ, so the comparison means something
    # The fits are solved on the driver, MLlib's stop at its tol=1e-5: a held-out pair may swap
    # order (one pair of ~3,000 in a fold moves a fold's AUC by ~3e-4), nothing more.
    assert ours == pytest.approx(reference, abs=1e-3)
    assert int(np.argmax(ours)) == int(np.argmax(reference))


def test_a_fold_of_one_class_is_a_clear_error(spark):
    one_class_fold = _vectors(spark).withColumn(LABEL, F.when(F.col(CV_FOLD) == 2, 0.0).otherwise(F.col(LABEL)))
    with pytest.raises(NotEnoughData, match=r"CV fold 3 of 3 .* single class: too few defaults"):
        cross_validate(one_class_fold, 3, [(0.1, 0.0)])
