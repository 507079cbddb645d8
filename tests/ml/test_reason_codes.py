"""Per-loan reason codes in the training report, checked against a hand computation from Spark's own
standardised vectors and the logistic regression's coefficients (not from the pure-Python scorer)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pyspark.ml.functions import vector_to_array
from pyspark.sql import functions as F
from synthetic_loans import FAST

from finlake.ml import tracking
from finlake.ml.calibration import PROBABILITY
from finlake.ml.features import KEY, PROTECTED_ATTRIBUTES, model_input
from finlake.ml.pipeline import ASSEMBLED, FEATURES_VECTOR
from finlake.ml.reason_codes import TOP_LOANS, TOP_REASONS
from finlake.ml.settings import TrainingSettings
from finlake.ml.split import split_loans
from finlake.ml.transforms import applicable


def _hand_contributions(trained) -> tuple[pd.DataFrame, dict[str, list[tuple[str, float]]]]:
    """(every loan's probability, its factors that raise the risk, largest first) from Spark."""
    lake, features, _, result = trained
    tracking.configure(lake)  # the session's fixture lake: other tests point MLflow at their own lakes
    model, _ = tracking.load_model_by_alias(result.model_name, "champion")
    numeric, categorical = tuple(result.report["features"]["numeric"]), tuple(result.report["features"]["categorical"])
    prepared = features.transform(model_input(numeric, categorical, keep=PROTECTED_ATTRIBUTES))
    scored = model.transform(prepared)
    attrs = scored.schema[ASSEMBLED].metadata["ml_attr"]["attrs"]
    names = [a["name"] for a in sorted((a for group in attrs.values() for a in group), key=lambda a: a["idx"])]
    replaced = {t.name: t.replaces[0] for t in applicable(numeric) if t.replaces}
    # slot name -> contract column: one-hot slots to their categorical, a transform to what it replaces
    factors = [replaced.get(n.split("__")[0], n.split("__")[0]) for n in names]
    coefficients = model.stages[-2].coefficients.toArray()
    rows = scored.select(KEY, PROBABILITY, vector_to_array(F.col(FEATURES_VECTOR)).alias("z")).toPandas()
    by_loan = {}
    for loan, z in zip(rows[KEY], rows["z"], strict=True):
        totals = pd.Series(coefficients * np.asarray(z)).groupby(factors).sum()
        raising = totals[totals > 1e-6].sort_values(ascending=False)
        by_loan[loan] = list(raising.items())
    return rows[[KEY, PROBABILITY]], by_loan


def test_riskiest_test_loans_carry_their_top_three_reasons(trained):
    _, _, _, result = trained
    listed = result.report["reason_codes"]
    probabilities, by_loan = _hand_contributions(trained)
    assert len(listed) == TOP_LOANS
    assert [e[PROBABILITY] for e in listed] == sorted((e[PROBABILITY] for e in listed), reverse=True)
    spark_probability = probabilities.set_index(KEY)[PROBABILITY]
    for entry in listed:
        assert entry[PROBABILITY] == pytest.approx(spark_probability[entry[KEY]], abs=1e-12)
        expected = by_loan[entry[KEY]][:TOP_REASONS]
        assert [r["factor"] for r in entry["reasons"]] == [f for f, _ in expected], entry
        assert [r["contribution"] for r in entry["reasons"]] == pytest.approx([c for _, c in expected], abs=1e-6)
        assert all(r["text"] for r in entry["reasons"])


def test_reason_codes_are_for_the_highest_scored_test_loans(trained, spark):
    _, features, _, result = trained
    numeric, categorical = tuple(result.report["features"]["numeric"]), tuple(result.report["features"]["categorical"])
    settings = TrainingSettings(**FAST)
    test = split_loans(features.transform(model_input(numeric, categorical)), settings.test_fraction, settings.seed)
    test_keys = {r[KEY] for r in test.test.select(KEY).collect()}
    assert len(test_keys) == result.report["test"]["loans"]
    probabilities, _ = _hand_contributions(trained)
    on_test = probabilities[probabilities[KEY].isin(test_keys)]
    expected = on_test.sort_values([PROBABILITY, KEY], ascending=[False, True])[KEY].head(TOP_LOANS).tolist()
    assert [e[KEY] for e in result.report["reason_codes"]] == expected
