"""Fitting: preprocessing on the training split, stratified CV folds, the regularisation search."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import cast

import numpy as np
from pyspark.ml import PipelineModel
from pyspark.ml.classification import LogisticRegression, LogisticRegressionModel
from pyspark.ml.functions import vector_to_array
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from sklearn.metrics import roc_auc_score

from finlake.errors import NotEnoughData
from finlake.ml.data import to_pandas
from finlake.ml.features import LABEL
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
# Logistic regressions fitted at once, across every fold and grid point. A fit on a few thousand rows
# is latency-bound (each L-BFGS iteration is a Spark job: ~20 ms of scheduling for microseconds of
# arithmetic), so more concurrent fits than cores overlap that latency; 12 was the knee on 2 cores
# (docs/benchmarks.md).
CONCURRENT_FITS = 12


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


def _held_out(vectors: DataFrame, folds: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each fold's feature matrix and labels on the driver, from one collect of the (small) training
    vectors; a fold of one class cannot be scored, so it is NotEnoughData."""
    rows = to_pandas(vectors.select(CV_FOLD, LABEL, vector_to_array(F.col(FEATURES_VECTOR)).alias("x")))
    held_out = []
    for fold in range(folds):
        part = rows[rows[CV_FOLD] == fold]
        labels = part[LABEL].to_numpy()
        if len(np.unique(labels)) < 2:
            raise NotEnoughData(
                f"CV fold {fold + 1} of {folds} holds {len(labels)} training rows of a single class: "
                f"too few defaults for {folds}-fold cross-validation"
            )
        held_out.append((np.stack(part["x"].to_numpy()), labels))
    return held_out


def cross_validate(
    lr: LogisticRegression, vectors: DataFrame, folds: int, grid: list[tuple[float, float]]
) -> list[float]:
    """Mean held-out ROC-AUC of each (regParam, elasticNetParam) over the folds in `CV_FOLD`: what
    MLlib's CrossValidator computes (same fits, same unweighted ROC-AUC of the margin), but every fit
    of every fold runs at once, and each is scored on the driver from its coefficients instead of by a
    transform and an evaluator's sort per fit (docs/benchmarks.md, session 8)."""
    held_out = _held_out(vectors, folds)
    training = [vectors.where(F.col(CV_FOLD) != fold).cache() for fold in range(folds)]
    jobs = [(fold, point) for fold in range(folds) for point in range(len(grid))]

    def fit(job: tuple[int, int]) -> LogisticRegressionModel:
        fold, point = job
        reg, l1 = grid[point]
        return lr.copy({lr.regParam: reg, lr.elasticNetParam: l1}).fit(training[fold])

    try:
        with ThreadPoolExecutor(max_workers=CONCURRENT_FITS, thread_name_prefix="finlake-cv") as pool:
            models = list(pool.map(fit, jobs))
    finally:
        for frame in training:
            frame.unpersist()
    aucs = np.zeros((folds, len(grid)))
    for (fold, point), model in zip(jobs, models, strict=True):
        x, labels = held_out[fold]
        aucs[fold, point] = roc_auc_score(labels, x @ model.coefficients.toArray() + model.intercept)
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
    grid = [(reg, l1) for reg in reg_grid for l1 in elastic_net_grid]
    try:
        mean_aucs = cross_validate(lr, vectors, cv_folds, grid)
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
