"""Fixtures for the model tests: synthetic loan features and one trained model shared by the tests."""

from __future__ import annotations

import os

import pandas as pd
import pytest
from lake_tables import publish_accounts_of
from synthetic_loans import FAST, loan_features_frame, to_spark


@pytest.fixture(scope="session")
def make_features(spark):
    def make(n: int = 600, seed: int = 7) -> tuple[object, pd.DataFrame]:
        frame = loan_features_frame(n, seed)
        return to_spark(spark, frame), frame[["loan_id", "true_default_probability", "is_default"]]

    return make


@pytest.fixture(scope="session")
def trained(spark, make_features, tmp_path_factory):
    """A lake with the generator's truth file and a model trained and registered on synthetic features."""
    from finlake import storage
    from finlake.lake import Lake
    from finlake.ml.training import TrainingSettings, train_default_model

    lake = Lake.local(tmp_path_factory.mktemp("ml-lake"))
    features, truth = make_features(800, 11)
    storage.replace_rows(spark, lake, "gold.loan_features", features)  # one Gold commit, read back by training
    publish_accounts_of(spark, lake, features)  # scoring converts exposure with the accounts' currency (EUR)
    os.makedirs(lake.generator, exist_ok=True)
    truth.to_csv(os.path.join(lake.generator, "loan_truth.csv"), index=False)
    result = train_default_model(spark, lake, TrainingSettings(**FAST))
    return lake, features, truth, result
