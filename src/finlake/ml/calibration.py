"""Prior correction: turns a class-weighted logistic regression's scores back into real probabilities.

Class weights (defaulters weighted up to balance the classes) help the fit find the signal in rare
defaults, but they also shift every predicted log-odds by log(w1 / w0): a weighted model says 50%
where the real rate is a few percent. Risk bands and expected loss need real probabilities, so
the last pipeline stage subtracts that shift (King & Zeng's prior correction):

    logit(p_true) = logit(p_weighted) - log(w1 / w0)

It is a pipeline stage (saved and loaded with the model), so every consumer of the registered model
gets the same corrected probability, and no one has to remember an offset.
"""

from __future__ import annotations

from pyspark import keyword_only
from pyspark.ml import Transformer
from pyspark.ml.functions import vector_to_array
from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.ml.util import DefaultParamsReadable, DefaultParamsWritable
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

PROBABILITY = "default_probability"


class PriorCorrection(Transformer, DefaultParamsReadable, DefaultParamsWritable):
    """Adds `default_probability` = sigmoid(rawPrediction[1] - offset)."""

    offset = Param(
        Params._dummy(), "offset", "log(w1/w0) of the class weights used in training", TypeConverters.toFloat
    )

    @keyword_only
    def __init__(self, offset: float = 0.0) -> None:
        super().__init__()
        self._setDefault(offset=0.0)
        self._set(**self._input_kwargs)  # type: ignore[attr-defined]

    def getOffset(self) -> float:
        return self.getOrDefault(self.offset)

    def _transform(self, dataset: DataFrame) -> DataFrame:
        # rawPrediction of a binary LogisticRegressionModel is (-margin, margin); margin = log-odds.
        margin = vector_to_array(F.col("rawPrediction"))[1]
        return dataset.withColumn(PROBABILITY, 1.0 / (1.0 + F.exp(F.lit(self.getOffset()) - margin)))
