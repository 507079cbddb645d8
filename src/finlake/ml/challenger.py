"""The gradient-boosted challenger: MLlib's GBTClassifier on the champion's features and split, and
the rule that decides which of the two is registered as champion.

The challenger uses the same preprocessing (impute, one-hot, scale: trees ignore the scaling) and the
same training loans as the logistic regression, and is judged on the same test loans (out-of-time
when the split is). It is trained without class weights, so its probabilities need no prior
correction. It replaces the logistic regression only if it is *significantly* better: the 95%
interval of the paired bootstrap difference ROC-AUC(GBT) - ROC-AUC(LR) on the test loans lies
entirely above 0. An equal or merely luckier challenger does not win; the interpretable model stays.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pyspark.ml import PipelineModel, Transformer
from pyspark.ml.classification import GBTClassifier
from pyspark.ml.functions import vector_to_array
from pyspark.ml.util import DefaultParamsReadable, DefaultParamsWritable
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from finlake.errors import FinlakeError
from finlake.ml import evaluation
from finlake.ml.calibration import PROBABILITY
from finlake.ml.data import to_pandas
from finlake.ml.features import KEY, LABEL
from finlake.ml.pipeline import FEATURES_VECTOR

# Small on purpose: a few thousand loans and ~25 inputs need no deep forest, and training stays quick.
MAX_DEPTH = 4
MAX_ITER = 50
STEP_SIZE = 0.1
RESAMPLES = 2000
RULE = (
    "promote the challenger only if the 95% paired-bootstrap interval of "
    "ROC-AUC(challenger) - ROC-AUC(champion) lies above 0"
)


class PositiveClassProbability(Transformer, DefaultParamsReadable, DefaultParamsWritable):
    """Adds `default_probability` = probability[1], the column every consumer of the model reads."""

    def _transform(self, dataset: DataFrame) -> DataFrame:
        return dataset.withColumn(PROBABILITY, vector_to_array(F.col("probability"))[1])


def fit_challenger(train: DataFrame, preprocessing: PipelineModel, seed: int) -> PipelineModel:
    """preprocessing (the champion's, already fitted on the training loans) -> GBTClassifier ->
    default_probability, fitted on the training loans only."""
    vectors = preprocessing.transform(train).select(LABEL, FEATURES_VECTOR).coalesce(1).cache()
    gbt = GBTClassifier(
        featuresCol=FEATURES_VECTOR,
        labelCol=LABEL,
        maxDepth=MAX_DEPTH,
        maxIter=MAX_ITER,
        stepSize=STEP_SIZE,
        seed=seed,
    )
    try:
        booster = gbt.fit(vectors)
    finally:
        vectors.unpersist()
    return PipelineModel(stages=[*preprocessing.stages, booster, PositiveClassProbability()])


def promotion_decision(
    y: np.ndarray, champion: np.ndarray, challenger: np.ndarray, resamples: int = RESAMPLES, seed: int = 42
) -> dict[str, Any]:
    """Both AUCs (each with its interval), the paired difference and its 95% interval, and the decision."""
    y = np.asarray(y).astype(int)
    if len(np.unique(y)) < 2:
        raise FinlakeError(f"the test loans hold a single class ({len(y)} loans): the challenger cannot be judged")
    low, high = evaluation.bootstrap_difference_interval(y, challenger, champion, resamples, seed)
    lr, gbt = evaluation.headline_metrics(y, champion), evaluation.headline_metrics(y, challenger)
    promoted = low > 0.0
    return {
        "rule": RULE,
        "champion_model": "logistic_regression",
        "challenger_model": "gbt",
        "champion_roc_auc": lr["roc_auc"],
        "champion_roc_auc_ci95": [lr["roc_auc_ci95_low"], lr["roc_auc_ci95_high"]],
        "challenger_roc_auc": gbt["roc_auc"],
        "challenger_roc_auc_ci95": [gbt["roc_auc_ci95_low"], gbt["roc_auc_ci95_high"]],
        "challenger_pr_auc": gbt["pr_auc"],
        "challenger_brier": gbt["brier"],
        "roc_auc_difference": gbt["roc_auc"] - lr["roc_auc"],
        "roc_auc_difference_ci95": [low, high],
        "test_loans": len(y),
        "test_defaults": int(y.sum()),
        "promoted": bool(promoted),
        "decision": ("challenger (gbt) promoted to champion" if promoted else "logistic regression stays champion"),
    }


def compare(challenger: PipelineModel, test: DataFrame, on_test: pd.DataFrame, split_method: str) -> dict[str, Any]:
    """Score the test loans with the challenger and decide against the champion's `on_test` scores
    (joined by loan, so both are judged on exactly the same rows)."""
    scored = to_pandas(challenger.transform(test).select(KEY, PROBABILITY))
    paired = on_test[[KEY, LABEL, PROBABILITY]].merge(scored, on=KEY, how="inner", suffixes=("", "_challenger"))
    if len(paired) != len(on_test):
        raise FinlakeError(f"the challenger scored {len(paired)} of the {len(on_test)} test loans")
    decision = promotion_decision(
        paired[LABEL].to_numpy(), paired[PROBABILITY].to_numpy(), paired[f"{PROBABILITY}_challenger"].to_numpy()
    )
    decision["split_method"] = split_method
    if split_method != "out_of_time":
        # split.py falls back to stratified when a side would hold < 20 loans of a class: too few
        # for an out-of-time comparison to say anything, so it is judged on the stratified test loans.
        decision["note"] = "judged on a stratified (not out-of-time) test set: too few loans per side for out-of-time"
    decision["params"] = {"max_depth": MAX_DEPTH, "max_iter": MAX_ITER, "step_size": STEP_SIZE}
    return decision
