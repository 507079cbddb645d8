"""Fitting: preprocessing on the training split, stratified CV folds, the regularisation search."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
from pyspark.ml import PipelineModel
from pyspark.ml.classification import LogisticRegressionModel
from pyspark.ml.functions import vector_to_array
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from sklearn.metrics import roc_auc_score

from finlake.errors import NotEnoughData
from finlake.ml.data import to_pandas
from finlake.ml.features import LABEL
from finlake.ml.logistic import fit_logistic
from finlake.ml.pipeline import (
    FEATURES_VECTOR,
    WEIGHT,
    ClassWeights,
    build_classifier,
    build_preprocessing,
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


@dataclass(frozen=True)
class _Fold:
    training: tuple[np.ndarray, np.ndarray, np.ndarray]  # features, labels, weights
    held_out: tuple[np.ndarray, np.ndarray]  # features, labels


def _folds(vectors: DataFrame, folds: int) -> list[_Fold]:
    """Each fold's training and held-out rows on the driver, from one collect of the (small) training
    vectors; a held-out fold of one class cannot be scored, so it is NotEnoughData."""
    rows = to_pandas(vectors.select(CV_FOLD, LABEL, WEIGHT, vector_to_array(F.col(FEATURES_VECTOR)).alias("x")))
    x = np.stack(rows["x"].to_numpy()) if len(rows) else np.zeros((0, 0))
    labels, weights, fold_of = rows[LABEL].to_numpy(), rows[WEIGHT].to_numpy(), rows[CV_FOLD].to_numpy()
    result = []
    for fold in range(folds):
        held = fold_of == fold
        if len(np.unique(labels[held])) < 2:
            raise NotEnoughData(
                f"CV fold {fold + 1} of {folds} holds {int(held.sum())} training rows of a single class: "
                f"too few defaults for {folds}-fold cross-validation"
            )
        result.append(_Fold((x[~held], labels[~held], weights[~held]), (x[held], labels[held])))
    return result


def cross_validate(vectors: DataFrame, folds: int, grid: list[tuple[float, float]]) -> list[float]:
    """Mean held-out ROC-AUC of each (regParam, elasticNetParam) over the folds in `CV_FOLD`: what
    MLlib's CrossValidator computes (the unweighted ROC-AUC of the margin of a weighted logistic
    regression fitted on the other folds), with every fit solved on the driver (ml/logistic.py): a
    Spark fit of a few hundred loans is ~40 Spark jobs of pure latency (docs/benchmarks.md, session 11)."""
    aucs = np.zeros((folds, len(grid)))
    for fold, data in enumerate(_folds(vectors, folds)):
        x_held, y_held = data.held_out
        for point, (reg, l1) in enumerate(grid):
            model = fit_logistic(*data.training, reg, l1)
            aucs[fold, point] = roc_auc_score(y_held, model.margin(x_held))
    return [float(auc) for auc in aucs.mean(axis=0)]


def fit_model(
    train: DataFrame,
    numeric: tuple[str, ...],
    categorical: tuple[str, ...],
    weights: ClassWeights,
    cv_folds: int,
    seed: int,
    reg_grid: tuple[float, ...] = DEFAULT_REG_GRID,
    elastic_net_grid: tuple[float, ...] = DEFAULT_ELASTIC_NET_GRID,
    preprocessing: PipelineModel | None = None,
) -> FittedModel:
    """Cross-validate (regParam, elasticNetParam) on `train` only, then refit the best on all of `train`.

    `weights` come from the training loans' class counts (the caller has them, no extra pass);
    `preprocessing`, when given, is the pipeline's preprocessing already fitted on `train`.
    The (unsupervised) preprocessing is fitted once and the CV folds reuse its output, so each CV
    fit is only a logistic regression on the collected vectors (`cross_validate`). The best point is
    refitted by MLlib on all of `train`: that is the registered model. Its rows are coalesced into one
    partition: every L-BFGS iteration is a Spark job, and one task per job beats several tiny ones."""
    preprocessing = preprocessing or build_preprocessing(numeric, categorical).fit(train)
    vectors = (
        preprocessing.transform(train.transform(with_class_weights(weights)))
        .transform(with_stratified_folds(cv_folds, seed, CV_FOLD))
        .select(LABEL, WEIGHT, CV_FOLD, FEATURES_VECTOR)
        .coalesce(1)
        .cache()
    )
    lr = build_classifier()
    grid = [(reg, l1) for reg in reg_grid for l1 in elastic_net_grid]
    try:
        mean_aucs = cross_validate(vectors, cv_folds, grid)
        reg, l1 = grid[int(np.argmax(mean_aucs))]  # the first best, as CrossValidator picks
        best = lr.copy({lr.regParam: reg, lr.elasticNetParam: l1}).fit(vectors)
    finally:
        vectors.unpersist()
    return FittedModel(
        model=full_model(preprocessing, best, weights),
        reg_param=reg,
        elastic_net_param=l1,
        cv_roc_auc={f"reg={r},l1={a}": auc for (r, a), auc in zip(grid, mean_aucs, strict=True)},
        weights=weights,
    )
