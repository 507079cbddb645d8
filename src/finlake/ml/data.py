"""Reading the model's inputs: gold.loan_features (through the storage layer, now or at an earlier
snapshot) and the generator's truth file."""

from __future__ import annotations

import os
from datetime import datetime
from typing import cast

import pandas as pd
from pyspark.sql import DataFrame, SparkSession

from finlake import storage
from finlake.asof import AsOf, Snapshot, resolve
from finlake.errors import FinlakeError
from finlake.lake import Lake

FEATURES_TABLE = "gold.loan_features"
TRUTH_FILE = "loan_truth.csv"
TRUE_PROBABILITY = "true_default_probability"
# E[p | observable drivers]: the ceiling for any model on the data (optional column of the truth file).
OBSERVABLE_PROBABILITY = "observable_default_probability"


def read_loan_features(
    spark: SparkSession, lake: Lake, snapshot_id: int | None = None, as_of: datetime | None = None
) -> DataFrame:
    """gold.loan_features now, or at a snapshot / a point in time (declared columns)."""
    return storage.read_table(spark, lake, FEATURES_TABLE, snapshot_id=snapshot_id, as_of=as_of)


def loan_features_snapshot(spark: SparkSession, lake: Lake, as_of: AsOf | None = None) -> Snapshot:
    """The snapshot of gold.loan_features a run reads (the current one, or the one at `as_of`)."""
    return resolve(spark, lake, FEATURES_TABLE, as_of)


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
