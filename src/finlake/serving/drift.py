"""Population stability: how far a recent population has moved from the training one.

The training population is summarised once, at export, into the artifact: for each numeric feature
the decile cut points of its training values (plus a bin for missing values), for each categorical
feature the share of each training category (plus "other"), and the same deciles for the model's
probabilities. A recent population is binned on the same cut points and compared with the
population stability index, PSI = sum((recent - train) x ln(recent / train)) over the bins.
The usual reading (credit-scorecard practice): below 0.10 stable, 0.10-0.25 shifted, above 0.25 drifted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

SHIFTED = 0.10
DRIFTED = 0.25
FLOOR = 1e-4  # an empty bin counts as this share, so ln() stays finite
OTHER = "__other__"


def _numeric_values(values: Iterable[Any]) -> np.ndarray:
    return np.array([np.nan if v is None else float(v) for v in values], dtype=float)


def numeric_reference(values: Iterable[Any], bins: int = 10) -> dict[str, Any]:
    x = _numeric_values(values)
    present = x[~np.isnan(x)]
    edges = np.unique(np.quantile(present, np.linspace(0, 1, bins + 1)[1:-1])) if len(present) else np.array([])
    ref = {"kind": "numeric", "edges": edges.tolist()}
    return {**ref, "proportions": numeric_histogram(x, ref)}


def numeric_histogram(values: Iterable[Any] | np.ndarray, ref: dict[str, Any]) -> list[float]:
    """Shares per bin: (-inf, e1], (e1, e2], ..., (ek, inf), then missing."""
    x = values if isinstance(values, np.ndarray) else _numeric_values(values)
    edges = np.asarray(ref["edges"], dtype=float)
    missing = np.isnan(x)
    counts = np.bincount(np.searchsorted(edges, x[~missing], side="left"), minlength=len(edges) + 1).tolist()
    counts.append(int(missing.sum()))
    total = max(len(x), 1)
    return [c / total for c in counts]


def categorical_reference(values: Iterable[Any]) -> dict[str, Any]:
    series = pd.Series(list(values), dtype=object).fillna("UNKNOWN")
    shares = series.value_counts(normalize=True).sort_index()
    return {"kind": "categorical", "categories": [str(c) for c in shares.index], "proportions": [*shares, 0.0]}


def categorical_histogram(values: Iterable[Any], ref: dict[str, Any]) -> list[float]:
    known = {c: i for i, c in enumerate(ref["categories"])}
    counts = [0] * (len(known) + 1)
    items = list(values)
    for v in items:
        counts[known.get("UNKNOWN" if v is None else str(v), len(known))] += 1
    return [c / max(len(items), 1) for c in counts]


def reference(frame: pd.DataFrame, numeric: Sequence[str], categorical: Sequence[str], scores: Any) -> dict[str, Any]:
    """The training population as stored in the artifact (rows: model input, categoricals normalised)."""
    features = {c: numeric_reference(frame[c]) for c in numeric}
    features.update({c: categorical_reference(frame[c]) for c in categorical})
    typical = {c: float(np.nanmedian(_numeric_values(frame[c]))) for c in numeric if frame[c].notna().any()}
    return {
        "description": "training split of gold.loan_features",
        "loans": len(frame),
        "features": features,
        "score": numeric_reference(scores),
        "typical": typical,  # medians, for wording the reasons
    }


def psi(expected: Sequence[float], actual: Sequence[float]) -> float:
    e = np.maximum(np.asarray(expected, dtype=float), FLOOR)
    a = np.maximum(np.asarray(actual, dtype=float), FLOOR)
    return float(np.sum((a - e) * np.log(a / e)))


def verdict(value: float) -> str:
    return "drifted" if value >= DRIFTED else "shifted" if value >= SHIFTED else "stable"


@dataclass(frozen=True)
class Stability:
    name: str
    psi: float
    verdict: str


def compare(population: dict[str, Any], rows: Sequence[dict[str, Any]], scores: Sequence[float]) -> list[Stability]:
    """PSI of each feature and of the scores: `rows` hold the model inputs of the recent population."""
    results = []
    for name, ref in population["features"].items():
        values = [r.get(name) for r in rows]
        hist = numeric_histogram(values, ref) if ref["kind"] == "numeric" else categorical_histogram(values, ref)
        value = psi(ref["proportions"], hist)
        results.append(Stability(name, value, verdict(value)))
    score_psi = psi(population["score"]["proportions"], numeric_histogram(list(scores), population["score"]))
    results.append(Stability("score", score_psi, verdict(score_psi)))
    return results
