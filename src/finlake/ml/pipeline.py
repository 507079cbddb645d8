"""The Spark MLlib pipeline: impute -> one-hot -> scale -> class-weighted logistic regression -> prior
correction (the cross-validated search over regularisation is in fit.py)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from pyspark.ml import Pipeline, PipelineModel
from pyspark.ml.classification import LogisticRegression, LogisticRegressionModel
from pyspark.ml.feature import Imputer, OneHotEncoder, StandardScaler, StringIndexer, VectorAssembler
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from finlake.ml.calibration import PriorCorrection
from finlake.ml.features import LABEL
from finlake.ml.transforms import feature_transformer, model_numeric

WEIGHT = "class_weight"
FEATURES_VECTOR = "features"
ASSEMBLED = "assembled"


@dataclass(frozen=True)
class ClassWeights:
    """Balanced weights n / (2 n_c), from the training split's class counts."""

    negatives: int
    positives: int

    @property
    def negative(self) -> float:
        return (self.negatives + self.positives) / (2.0 * self.negatives)

    @property
    def positive(self) -> float:
        return (self.negatives + self.positives) / (2.0 * self.positives)

    @property
    def log_odds_shift(self) -> float:
        """How far the weights move the fitted log-odds: log(w1 / w0) = log(n0 / n1)."""
        return math.log(self.positive / self.negative)


def with_class_weights(weights: ClassWeights) -> Callable[[DataFrame], DataFrame]:
    def transform(df: DataFrame) -> DataFrame:
        return df.withColumn(
            WEIGHT, F.when(F.col(LABEL) == 1.0, F.lit(weights.positive)).otherwise(F.lit(weights.negative))
        )

    return transform


def imputed_name(column: str) -> str:
    return f"{column}__imputed"


def onehot_name(column: str) -> str:
    return f"{column}__onehot"


def build_preprocessing(numeric: tuple[str, ...], categorical: tuple[str, ...]) -> Pipeline:
    """Transform (log / cap, see transforms.py), impute (median), index + one-hot the categoricals,
    assemble, standardise. Unsupervised: it never looks at the label, so fitting it once on the
    training split leaks nothing into CV."""
    transformer = feature_transformer(numeric)
    numeric = model_numeric(numeric)
    imputer = Imputer(strategy="median", inputCols=list(numeric), outputCols=[imputed_name(c) for c in numeric])
    # handleInvalid="keep": a category first seen at scoring time gets its own slot (dropped by
    # dropLast, so it scores like the average loan) instead of failing the batch.
    indexer = StringIndexer(
        inputCols=list(categorical),
        outputCols=[f"{c}__index" for c in categorical],
        handleInvalid="keep",
        stringOrderType="frequencyDesc",
    )
    encoder = OneHotEncoder(
        inputCols=[f"{c}__index" for c in categorical], outputCols=[onehot_name(c) for c in categorical]
    )
    assembler = VectorAssembler(
        inputCols=[imputed_name(c) for c in numeric] + [onehot_name(c) for c in categorical], outputCol=ASSEMBLED
    )
    # Standardised inputs make the coefficients comparable: the effect of one standard deviation.
    scaler = StandardScaler(inputCol=ASSEMBLED, outputCol=FEATURES_VECTOR, withMean=True, withStd=True)
    return Pipeline(stages=[transformer, imputer, indexer, encoder, assembler, scaler])


def build_classifier() -> LogisticRegression:
    return LogisticRegression(
        featuresCol=FEATURES_VECTOR,
        labelCol=LABEL,
        weightCol=WEIGHT,
        elasticNetParam=0.0,
        standardization=False,  # already standardised by the preprocessing
        maxIter=100,
        tol=1e-5,
        family="binomial",
    )


def full_model(
    preprocessing: PipelineModel, classifier: LogisticRegressionModel, weights: ClassWeights
) -> PipelineModel:
    """What gets registered: preprocessing -> logistic regression -> prior correction, one model."""
    return PipelineModel(stages=[*preprocessing.stages, classifier, PriorCorrection(offset=weights.log_odds_shift)])
