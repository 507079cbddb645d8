"""Repeated stratified cross-validation of the whole training procedure, for small loan books.

With a few hundred loans one train/test split is mostly luck: a different seed moves the test AUC by
several points. So, for R repeats x K folds: each fold in turn is held out, the full procedure
(class weights, inner CV over regularisation, refit) runs on the other K-1 folds, and the held-out
fold is scored. The mean and spread of those R x K ROC-AUCs is the figure to quote.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from scipy.stats import t
from sklearn.metrics import roc_auc_score

from finlake.ml.calibration import PROBABILITY
from finlake.ml.data import to_pandas
from finlake.ml.features import LABEL
from finlake.ml.fit import fit_model
from finlake.ml.pipeline import ClassWeights
from finlake.ml.settings import TrainingSettings
from finlake.ml.split import with_stratified_folds

OUTER_FOLD = "outer_fold"
# The inner search per outer fold is kept cheap (ridge, three strengths a decade apart): R x K outer
# fits each run it, and on a few hundred loans the AUC barely moves between neighbouring strengths.
INNER_REG_GRID = (0.01, 0.1, 1.0)
INNER_ELASTIC_NET_GRID = (0.0,)


def corrected_interval(values: np.ndarray, folds: int) -> tuple[float, float]:
    """95% interval of the mean of R x K fold AUCs. The folds share training loans, so their AUCs
    are correlated and std/sqrt(n) is too narrow; Nadeau and Bengio's correction widens the variance
    of the mean to s^2 (1/n + n_test/n_train), n_test/n_train = 1/(K-1)."""
    n = len(values)
    if n < 2:
        return float(values.mean()), float(values.mean())
    half = t.ppf(0.975, n - 1) * np.sqrt(values.var(ddof=1) * (1 / n + 1 / (folds - 1)))
    return float(values.mean() - half), float(values.mean() + half)


def repeated_cv_auc(
    prepared: DataFrame, numeric: tuple[str, ...], categorical: tuple[str, ...], settings: TrainingSettings
) -> dict[str, Any]:
    assert settings.repeated_cv is not None
    repeats, folds = settings.repeated_cv
    aucs: list[float] = []
    for repeat in range(repeats):
        seed = settings.seed + 1000 * (repeat + 1)  # distinct from the main split's seed
        folded = prepared.transform(with_stratified_folds(folds, seed, OUTER_FOLD)).cache()
        counts = {(r[OUTER_FOLD], r[LABEL]): r["count"] for r in folded.groupBy(OUTER_FOLD, LABEL).count().collect()}
        for fold in range(folds):
            train = folded.where(F.col(OUTER_FOLD) != fold)
            weights = ClassWeights(
                negatives=sum(n for (f, c), n in counts.items() if f != fold and c == 0.0),
                positives=sum(n for (f, c), n in counts.items() if f != fold and c == 1.0),
            )
            fitted = fit_model(
                train, numeric, categorical, weights, settings.cv_folds, seed, INNER_REG_GRID, INNER_ELASTIC_NET_GRID
            )
            held_out = fitted.model.transform(folded.where(F.col(OUTER_FOLD) == fold)).select(LABEL, PROBABILITY)
            scored = to_pandas(held_out)
            aucs.append(float(roc_auc_score(scored[LABEL].astype(int), scored[PROBABILITY])))
        folded.unpersist()
    values = np.array(aucs)
    low, high = corrected_interval(values, folds)
    return {
        "protocol": (
            f"{repeats} x {folds}-fold stratified CV of the whole procedure; inner {settings.cv_folds}-fold CV "
            f"over regParam {list(INNER_REG_GRID)} (ridge)"
        ),
        "roc_auc_mean": float(values.mean()),
        "roc_auc_std": float(values.std(ddof=1)) if len(values) > 1 else 0.0,
        "roc_auc_ci95_low": low,
        "roc_auc_ci95_high": high,
        "roc_auc_ci95_method": "corrected resampled t (Nadeau and Bengio 2003): var x (1/n + 1/(K-1))",
        "roc_auc_min": float(values.min()),
        "roc_auc_max": float(values.max()),
        "roc_auc_per_fold": [round(v, 4) for v in aucs],
    }
