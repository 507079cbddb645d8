"""The Spark MLlib pipeline: impute -> one-hot -> scale -> class-weighted logistic regression -> prior
correction, and the cross-validated search over regularisation (on the training split only)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from pyspark.ml import Pipeline, PipelineModel
from pyspark.ml.classification import LogisticRegression, LogisticRegressionModel
from pyspark.ml.evaluation import BinaryClassificationEvaluator
from pyspark.ml.feature import Imputer, OneHotEncoder, StandardScaler, StringIndexer, VectorAssembler
from pyspark.ml.tuning import CrossValidator, ParamGridBuilder
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from finlake.ml.calibration import PriorCorrection
from finlake.ml.features import LABEL
from finlake.ml.settings import DEFAULT_ELASTIC_NET_GRID, DEFAULT_REG_GRID
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


def cross_validator(
    lr: LogisticRegression,
    fold_column: str,
    num_folds: int,
    reg_grid: tuple[float, ...] = DEFAULT_REG_GRID,
    elastic_net_grid: tuple[float, ...] = DEFAULT_ELASTIC_NET_GRID,
    parallelism: int = 8,
) -> CrossValidator:
    """Picks (regParam, elasticNetParam) by mean ROC-AUC over the folds named in `fold_column`
    (stratified, seeded), then refits the best on all the rows it was given (the training split only).
    `parallelism` fits that many grid points at once. A fit on a few thousand loans is latency-bound
    (each L-BFGS iteration is a tiny Spark job, ~100 ms of scheduling for milliseconds of work), so
    more concurrent fits than cores overlap that latency: 8 instead of 2 took the CV from 81 s to
    51 s on 2 cores (docs/benchmarks.md)."""
    grid = (
        ParamGridBuilder()
        .addGrid(lr.regParam, list(reg_grid))
        .addGrid(lr.elasticNetParam, list(elastic_net_grid))
        .build()
    )
    evaluator = BinaryClassificationEvaluator(
        labelCol=LABEL, rawPredictionCol="rawPrediction", metricName="areaUnderROC"
    )
    return CrossValidator(
        estimator=lr,
        estimatorParamMaps=grid,
        evaluator=evaluator,
        foldCol=fold_column,
        numFolds=num_folds,
        parallelism=parallelism,
    )
