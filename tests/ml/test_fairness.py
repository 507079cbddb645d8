"""The fairness report: per-group figures, disparity ratios, protected inputs and proxies."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from finlake.errors import FinlakeError
from finlake.ml.evaluation import auc_interval
from finlake.ml.fairness import age_band, fairness_report, group_report, proxies
from finlake.ml.features import feature_columns

# 10 test loans: 6 women, 4 men. HIGH is probability >= 0.25.
TEST = pd.DataFrame(
    {
        "label": [1, 0, 0, 1, 0, 0, 1, 0, 0, 0],
        "probability": [0.9, 0.3, 0.1, 0.2, 0.05, 0.3, 0.6, 0.4, 0.1, 0.02],
        "gender": ["F", "F", "F", "F", "F", "F", "M", "M", "M", "M"],
        "age_years": [22.0, 30.0, 41.0, 55.0, 70.0, 33.0, 24.5, 35.0, 49.9, np.nan],
    }
)


def test_age_bands_at_their_edges():
    bands = age_band(pd.Series([24.99, 25.0, 34.9, 35.0, 64.9, 65.0, np.nan]))
    assert bands.tolist() == ["<25", "25-34", "25-34", "35-49", "50-64", "65+", "UNKNOWN"]


def test_group_figures_and_ratios_by_gender():
    report = group_report(TEST["gender"], TEST["label"].to_numpy(), TEST["probability"].to_numpy())
    women, men = report["groups"]["F"], report["groups"]["M"]
    assert report["reference_group"] == "F"  # the larger group
    assert (women["loans"], women["defaults"], men["loans"], men["defaults"]) == (6, 2, 4, 1)
    assert women["share_flagged_high"] == pytest.approx(3 / 6)  # 0.9, 0.3, 0.3
    assert men["share_flagged_high"] == pytest.approx(2 / 4)  # 0.6, 0.4
    # women: defaults scored 0.9 and 0.2 against good loans 0.3, 0.1, 0.05, 0.3 -> 4 + 2 of 8 pairs
    assert women["roc_auc"] == pytest.approx(6 / 8)
    assert men["roc_auc"] == pytest.approx(1.0)
    assert men["high_share_ratio_to_reference"] == pytest.approx(1.0)
    assert men["default_rate_ratio_to_reference"] == pytest.approx((1 / 4) / (2 / 6))
    assert report["high_share_min_max_ratio"] == pytest.approx(1.0) and not report["below_four_fifths"]


def test_a_group_with_one_class_has_no_auc_and_a_low_ratio_is_flagged():
    y = np.array([0, 0, 1, 0])
    p = np.array([0.5, 0.1, 0.9, 0.1])
    report = group_report(pd.Series(["A", "A", "B", "B"]), y, p)
    assert report["groups"]["A"]["roc_auc"] is None
    assert report["high_share_min_max_ratio"] == pytest.approx(0.5 / 0.5)
    skewed = group_report(pd.Series(["A", "A", "A", "B"]), np.array([0, 1, 0, 0]), np.array([0.9, 0.9, 0.9, 0.1]))
    assert skewed["high_share_min_max_ratio"] == 0.0 and skewed["below_four_fifths"]


def test_auc_interval_covers_the_auc_and_narrows_with_more_loans():
    rng = np.random.default_rng(3)
    widths = []
    for n in (200, 2000):
        y = (rng.random(n) < 0.2).astype(int)
        p = rng.random(n) + 0.5 * y
        low, high = auc_interval(y, p)
        from sklearn.metrics import roc_auc_score

        assert low < roc_auc_score(y, p) < high
        widths.append(high - low)
    assert widths[1] < widths[0] / 2


def test_protected_inputs_are_reported_and_proxies_named():
    rng = np.random.default_rng(5)
    n = 400
    age = rng.uniform(20, 70, n)
    gender = rng.choice(["F", "M"], n)
    population = pd.DataFrame(
        {
            "gender": gender,
            "age_years": age,
            "tenure_months": (age - 18) * 12 * rng.uniform(0.5, 1.0, n),  # grows with age: a proxy
            "income": rng.lognormal(10, 0.3, n),  # independent of both
            "segment": np.where(age < 30, "YOUTH", "MASS"),  # an age proxy by construction
            "district": rng.choice(["N", "S"], n),
        }
    )
    test = TEST.rename(columns={})
    report = fairness_report(
        test, "label", "probability", population, ("tenure_months", "income", "segment", "district"),
        ("tenure_months", "income"), ("segment", "district"),
    )  # fmt: skip
    assert report["protected_attributes_are_model_inputs"] == []
    assert report["proxies"] == ["segment", "tenure_months"]
    assert report["by_age_band"]["groups"]["UNKNOWN"]["loans"] == 1
    with_gender = fairness_report(test, "label", "probability", population, ("gender",), (), ("gender",))
    assert with_gender["protected_attributes_are_model_inputs"] == ["gender"]


@pytest.mark.filterwarnings("error")
def test_a_constant_input_is_no_proxy_and_no_warning():
    population = pd.DataFrame({"gender": ["F", "M"] * 10, "age_years": range(20, 40), "has_card": [1.0] * 20})
    measures = proxies(population, ("has_card",), ())["measures"]["has_card"]
    assert measures == {"spearman_with_age": 0.0, "auc_for_gender": 0.5}


def test_the_model_refuses_protected_attributes_as_inputs(monkeypatch):
    import finlake.ml.features as features

    numeric, categorical = feature_columns()
    assert not {"gender", "age_years"} & {*numeric, *categorical}
    monkeypatch.setattr(features, "CATEGORICAL_FEATURES", (*features.CATEGORICAL_FEATURES, "gender"))
    with pytest.raises(FinlakeError, match="protected attributes listed as model features: gender"):
        features.feature_columns()


def test_training_reports_fairness_and_intervals(trained):
    *_, result = trained
    report = result.report["fairness"]
    assert report["protected_attributes_are_model_inputs"] == []
    assert set(report["by_gender"]["groups"]) == {"F", "M"}
    assert sum(g["loans"] for g in report["by_age_band"]["groups"].values()) == result.metrics["loans"]
    assert result.metrics["roc_auc_ci95_low"] < result.metrics["roc_auc"] < result.metrics["roc_auc_ci95_high"]
