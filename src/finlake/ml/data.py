"""Reading the model's inputs: gold.loan_features (explicit schema) and the generator's truth file."""

from __future__ import annotations

import os
from typing import cast

import pandas as pd
from pyspark.sql import DataFrame, SparkSession

from finlake.contracts.gold import LOAN_FEATURES
from finlake.errors import FinlakeError
from finlake.lake import Lake

TRUTH_FILE = "loan_truth.csv"
TRUE_PROBABILITY = "true_default_probability"
# E[p | observable drivers]: the ceiling for any model on the data (optional column of the truth file).
OBSERVABLE_PROBABILITY = "observable_default_probability"


def read_loan_features(spark: SparkSession, lake: Lake) -> DataFrame:
    path = lake.gold_table(LOAN_FEATURES.name)
    if "://" not in path and not os.path.isdir(path):
        raise FinlakeError(f"{LOAN_FEATURES.qualified_name} not found at {path}: run `finlake silver-to-gold` first")
    return spark.read.schema(LOAN_FEATURES.spark_schema()).parquet(path)


def to_pandas(df: DataFrame) -> pd.DataFrame:
    """Bring a small result (predictions of held-out loans, a few columns) to the driver."""
    return cast(pd.DataFrame, df.toPandas())


def truth_path(lake: Lake) -> str:
    return f"{lake.generator.rstrip('/')}/{TRUTH_FILE}"


def read_loan_truth(lake: Lake) -> pd.DataFrame | None:
    """The generator's true default probability per loan, or None on real data (no such file)."""
    path = truth_path(lake)
    if "://" in path or not os.path.isfile(path):
        return None
    wanted = {"loan_id", TRUE_PROBABILITY, OBSERVABLE_PROBABILITY}
    truth = pd.read_csv(path, dtype={"loan_id": str}, usecols=lambda c: c in wanted)
    missing = truth[TRUE_PROBABILITY].isna().sum()
    if missing:
        raise FinlakeError(f"{path}: {missing} loans have no {TRUE_PROBABILITY}")
    return truth
