"""Fairness of the default model: how it treats women and men, young and old borrowers.

Per group of the held-out loans (gender; age band at origination): loans, defaults, the default
rate, ROC-AUC with its 95 % interval (does the model rank as well inside the group?) and the share
the model flags HIGH risk. Disparity ratios compare each group with the largest group of its
attribute (the reference) and give the min/max ratio of the HIGH share across groups (the
"four-fifths rule" flags a ratio below 0.8); the default-rate ratio beside it says how much of a
gap the outcomes themselves explain.

The protected attributes are not model inputs (finlake/ml/features.py refuses them). A model can
still rebuild them from proxies, so every input is measured against them: a numeric input whose
Spearman correlation with age reaches PROXY_CORRELATION, or that alone tells women from men with
ROC-AUC >= PROXY_AUC, and a categorical input whose Cramer's V with gender or age band reaches
PROXY_CORRELATION, is named a proxy.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency, spearmanr
from sklearn.metrics import roc_auc_score

from finlake.contracts.gold import HIGH_RISK_BAND, RISK_BANDS
from finlake.ml.evaluation import auc_interval
from finlake.ml.features import PROTECTED_ATTRIBUTES

GENDER, AGE = PROTECTED_ATTRIBUTES
AGE_BANDS = ((0, 25, "<25"), (25, 35, "25-34"), (35, 50, "35-49"), (50, 65, "50-64"), (65, 200, "65+"))
HIGH_THRESHOLD = next(low for band, low, _ in RISK_BANDS if band == HIGH_RISK_BAND)
PROXY_CORRELATION = 0.3
PROXY_AUC = 0.6
FOUR_FIFTHS = 0.8


def age_band(age: pd.Series) -> pd.Series:
    """Age at origination -> band label ("UNKNOWN" when the age is missing)."""
    bands = pd.Series("UNKNOWN", index=age.index, dtype=object)
    for low, high, label in AGE_BANDS:
        bands[(age >= low) & (age < high)] = label
    return bands


def _group_row(y: np.ndarray, p: np.ndarray) -> dict[str, Any]:
    row: dict[str, Any] = {
        "loans": len(y),
        "defaults": int(y.sum()),
        "default_rate": float(y.mean()) if len(y) else None,
        "share_flagged_high": float(np.mean(p >= HIGH_THRESHOLD)) if len(y) else None,
        "roc_auc": None,
        "roc_auc_ci95_low": None,
        "roc_auc_ci95_high": None,
    }
    if 0 < y.sum() < len(y):  # an AUC needs both classes in the group
        row["roc_auc"] = float(roc_auc_score(y, p))
        row["roc_auc_ci95_low"], row["roc_auc_ci95_high"] = auc_interval(y, p)
    return row


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def group_report(groups: pd.Series, y: np.ndarray, p: np.ndarray) -> dict[str, Any]:
    """Per group figures plus disparity ratios against the largest group, for one attribute."""
    rows = {
        str(g): _group_row(y[(groups == g).to_numpy()], p[(groups == g).to_numpy()]) for g in sorted(groups.unique())
    }
    reference = max(rows, key=lambda g: rows[g]["loans"])
    for row in rows.values():
        row["high_share_ratio_to_reference"] = _ratio(row["share_flagged_high"], rows[reference]["share_flagged_high"])
        row["default_rate_ratio_to_reference"] = _ratio(row["default_rate"], rows[reference]["default_rate"])
    shares = [
        r["share_flagged_high"] for g, r in rows.items() if g != "UNKNOWN" and r["share_flagged_high"] is not None
    ]
    high_ratio = _ratio(min(shares), max(shares)) if shares else None
    return {
        "reference_group": reference,
        "groups": rows,
        "high_share_min_max_ratio": high_ratio,
        "below_four_fifths": high_ratio is not None and high_ratio < FOUR_FIFTHS,
    }


def _cramers_v(a: pd.Series, b: pd.Series) -> float:
    table = pd.crosstab(a, b)
    if min(table.shape) < 2:
        return 0.0
    chi2 = chi2_contingency(table, correction=False)[0]
    return float(np.sqrt(chi2 / (table.to_numpy().sum() * (min(table.shape) - 1))))


def proxies(frame: pd.DataFrame, numeric: tuple[str, ...], categorical: tuple[str, ...]) -> dict[str, Any]:
    """How strongly each model input carries gender or age (see the module docstring)."""
    gender = frame[GENDER].fillna("UNKNOWN").astype(str)
    binary = gender.isin(["F", "M"])
    is_female = (gender[binary] == "F").to_numpy().astype(int)
    measures: dict[str, dict[str, float]] = {}
    for column in numeric:
        values = frame[column].astype(float)
        known = values.notna() & frame[AGE].notna()
        # a constant column (e.g. a feature all one value on a small lake) has no rank correlation
        varies = values[known].nunique() > 1 and frame.loc[known, AGE].nunique() > 1
        rho = spearmanr(values[known], frame.loc[known, AGE]).statistic if known.sum() > 2 and varies else np.nan
        by_gender = values[binary].notna().to_numpy()
        auc = np.nan
        if by_gender.sum() > 2 and len(np.unique(is_female[by_gender])) == 2:
            auc = roc_auc_score(is_female[by_gender], values[binary].to_numpy()[by_gender])
        measures[column] = {
            "spearman_with_age": 0.0 if np.isnan(rho) else float(rho),
            "auc_for_gender": 0.5 if np.isnan(auc) else float(max(auc, 1 - auc)),
        }
    bands = age_band(frame[AGE])
    for column in categorical:
        values = frame[column].fillna("UNKNOWN").astype(str)
        measures[column] = {
            "cramers_v_with_gender": _cramers_v(values[binary], gender[binary]),
            "cramers_v_with_age_band": _cramers_v(values, bands),
        }
    named = sorted(
        c
        for c, m in measures.items()
        if abs(m.get("spearman_with_age", 0.0)) >= PROXY_CORRELATION
        or m.get("auc_for_gender", 0.5) >= PROXY_AUC
        or max(m.get("cramers_v_with_gender", 0.0), m.get("cramers_v_with_age_band", 0.0)) >= PROXY_CORRELATION
    )
    return {"proxies": named, "measures": measures}


def fairness_report(
    test: pd.DataFrame,
    label: str,
    probability: str,
    population: pd.DataFrame,
    inputs: tuple[str, ...],
    numeric: tuple[str, ...],
    categorical: tuple[str, ...],
) -> dict[str, Any]:
    """By gender and by age band on the test loans; `inputs` (the model's input columns) checked
    against the protected attributes, and the features measured as proxies on `population`."""
    leaked = sorted(set(inputs) & set(PROTECTED_ATTRIBUTES))
    y, p = test[label].to_numpy().astype(int), test[probability].to_numpy()
    return {
        "high_risk_threshold": HIGH_THRESHOLD,
        "protected_attributes": list(PROTECTED_ATTRIBUTES),
        "protected_attributes_are_model_inputs": leaked,
        "by_gender": group_report(test[GENDER].fillna("UNKNOWN").astype(str), y, p),
        "by_age_band": group_report(age_band(test[AGE]), y, p),
        **proxies(population, numeric, categorical),
    }
