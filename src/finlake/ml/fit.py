"""Fitting: preprocessing on the training split, stratified CV folds, the regularisation search."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from pyspark.ml import PipelineModel
from pyspark.ml.classification import LogisticRegressionModel
from pyspark.sql import DataFrame

from finlake.ml.features import LABEL
from finlake.ml.pipeline import (
    FEATURES_VECTOR,
    WEIGHT,
    ClassWeights,
    build_classifier,
    build_preprocessing,
    cross_validator,
    full_model,
    with_class_weights,
)
from finlake.ml.settings import DEFAULT_ELASTIC_NET_GRID, DEFAULT_REG_GRID
from finlake.ml.split import with_stratified_folds

CV_FOLD = "cv_fold"


@dataclass(frozen=True)
class FittedModel:
    model: PipelineModel  # preprocessing -> logistic regression -> prior correction
    reg_param: float
    elastic_net_param: float
    cv_roc_auc: dict[str, float]  # "reg=<regParam>,l1=<elasticNetParam>" -> mean ROC-AUC over the CV folds
    weights: ClassWeights

    @property
    def classifier(self) -> LogisticRegressionModel:
        return cast(LogisticRegressionModel, self.model.stages[-2])


def fit_model(
    train: DataFrame,
    numeric: tuple[str, ...],
    categorical: tuple[str, ...],
    weights: ClassWeights,
    cv_folds: int,
    seed: int,
    reg_grid: tuple[float, ...] = DEFAULT_REG_GRID,
    elastic_net_grid: tuple[float, ...] = DEFAULT_ELASTIC_NET_GRID,
) -> FittedModel:
    """Cross-validate (regParam, elasticNetParam) on `train` only, then refit the best on all of `train`.

    `weights` come from the training loans' class counts (the caller has them, no extra pass).
    The (unsupervised) preprocessing is fitted once and the CV folds reuse its output, so each CV
    fit is only a logistic regression on cached vectors. Those few hundred rows are coalesced into
    one partition: every L-BFGS iteration is a Spark job, and one task per job beats several tiny ones."""
    preprocessing = build_preprocessing(numeric, categorical).fit(train)
    vectors = (
        preprocessing.transform(train.transform(with_class_weights(weights)))
        .transform(with_stratified_folds(cv_folds, seed, CV_FOLD))
        .select(LABEL, WEIGHT, CV_FOLD, FEATURES_VECTOR)
        .coalesce(1)
        .cache()
    )
    lr = build_classifier()
    validator = cross_validator(lr, CV_FOLD, cv_folds, reg_grid, elastic_net_grid).setSeed(seed)
    cv_model = validator.fit(vectors)
    vectors.unpersist()
    grid = [(point[lr.regParam], point[lr.elasticNetParam]) for point in validator.getEstimatorParamMaps()]
    scores = {f"reg={reg},l1={l1}": auc for (reg, l1), auc in zip(grid, cv_model.avgMetrics, strict=True)}
    best = cast(LogisticRegressionModel, cv_model.bestModel)
    return FittedModel(
        model=full_model(preprocessing, best, weights),
        reg_param=best.getRegParam(),
        elastic_net_param=best.getElasticNetParam(),
        cv_roc_auc=scores,
        weights=weights,
    )
