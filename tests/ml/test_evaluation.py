"""Evaluation figures on hand-checkable inputs."""

from __future__ import annotations

import numpy as np
import pytest

from finlake.ml.evaluation import calibration_table, coefficient_table, confusion, headline_metrics, ks_threshold

Y = np.array([0, 0, 0, 0, 1, 0, 1, 1])
P = np.array([0.1, 0.2, 0.3, 0.35, 0.4, 0.6, 0.7, 0.9])


def test_headline_metrics():
    m = headline_metrics(Y, P)
    # 3 defaulters x 5 good loans = 15 pairs; defaulter scores higher in all but (0.4 < 0.6): 14/15.
    assert m["roc_auc"] == pytest.approx(14 / 15)
    assert m["brier"] == pytest.approx(np.mean((P - Y) ** 2))
    assert m["ks"] == pytest.approx(0.8)  # at 0.4: TPR 1, FPR 1/5
    assert m["default_rate"] == pytest.approx(3 / 8)


def test_ks_threshold_and_confusion():
    threshold = ks_threshold(Y, P)
    assert threshold == pytest.approx(0.4)
    c = confusion(Y, P, threshold)
    assert (c["true_positives"], c["false_positives"], c["false_negatives"], c["true_negatives"]) == (3, 1, 0, 4)


def test_calibration_table_by_decile():
    y = np.array([0] * 90 + [1] * 10)
    p = np.linspace(0.01, 0.99, 100)
    table = calibration_table(y, p)
    assert list(table["loans"]) == [10] * 10
    assert table["observed_default_rate"].iloc[-1] == 1.0 and table["observed_default_rate"].iloc[0] == 0.0


def test_coefficient_table_reads_in_words():
    attrs = [{"idx": 0, "name": "overdraft_days__imputed"}, {"idx": 1, "name": "segment__onehot_MASS"}]
    table = coefficient_table(attrs, np.array([0.2, -0.9]))
    assert list(table["feature"]) == ["segment", "overdraft_days"]  # largest effect first
    assert table.loc[0, "direction"] == "segment = MASS -> lower default risk than the average loan"
    assert table.loc[1, "direction"] == "higher overdraft_days -> higher default risk"
    assert table.loc[1, "odds_ratio_per_sd"] == pytest.approx(np.exp(0.2))


def test_bootstrap_ratio_interval_brackets_the_ratio():
    from sklearn.metrics import roc_auc_score

    from finlake.ml.evaluation import bootstrap_ratio_interval

    rng = np.random.default_rng(0)
    y = (rng.uniform(size=400) < 0.2).astype(int)
    reference = y + rng.normal(0, 0.8, size=400)
    model = reference + rng.normal(0, 0.5, size=400)
    ratio = roc_auc_score(y, model) / roc_auc_score(y, reference)
    low, high = bootstrap_ratio_interval(y, model, reference, resamples=300)
    assert low < ratio < high
    assert bootstrap_ratio_interval(y, reference, reference, resamples=50) == (1.0, 1.0)
