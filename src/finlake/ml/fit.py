"""Fitting: preprocessing on the training split, stratified CV folds, the regularisation search."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from pyspark.ml import PipelineModel
from pyspark.ml.classification import LogisticRegressionModel
from pyspark.sql import DataFrame

from finlake.ml.features import LABEL
from finlake.ml.pipeline import (
    DEFAULT_REG_GRID,
    FEATURES_VECTOR,
    WEIGHT,
    ClassWeights,
    build_classifier,
    build_preprocessing,
    cross_validator,
    full_model,
    with_class_weights,
)
from finlake.ml.split import with_stratified_folds

CV_FOLD = "cv_fold"


@dataclass(frozen=True)
class FittedModel:
    model: PipelineModel  # preprocessing -> logistic regression -> prior correction
    reg_param: float
    cv_roc_auc: dict[float, float]  # regParam -> mean ROC-AUC over the CV folds
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
) -> FittedModel:
    """Cross-validate regParam on `train` only, then refit the best on all of `train`.

    `weights` come from the training loans' class counts (the caller has them, no extra pass).
    The (unsupervised) preprocessing is fitted once and the CV folds reuse its output, so each CV
    fit is only a logistic regression on cached vectors."""
    preprocessing = build_preprocessing(numeric, categorical).fit(train)
    vectors = (
        preprocessing.transform(train.transform(with_class_weights(weights)))
        .transform(with_stratified_folds(cv_folds, seed, CV_FOLD))
        .select(LABEL, WEIGHT, CV_FOLD, FEATURES_VECTOR)
        .cache()
    )
    lr = build_classifier()
    cv_model = cross_validator(lr, CV_FOLD, cv_folds, reg_grid).setSeed(seed).fit(vectors)
    vectors.unpersist()
    scores = dict(zip(reg_grid, cv_model.avgMetrics, strict=True))
    best_reg = max(scores, key=lambda reg: scores[reg])
    return FittedModel(
        model=full_model(preprocessing, cast(LogisticRegressionModel, cv_model.bestModel), weights),
        reg_param=best_reg,
        cv_roc_auc=scores,
        weights=weights,
    )
