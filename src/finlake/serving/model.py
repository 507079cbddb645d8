"""The pure-Python scorer: the fitted MLlib pipeline, read from its JSON artifact, applied to one loan.

Each step mirrors one pipeline stage exactly (the export refuses a model whose training rows do not
score the same within 1e-9, and tests/ml/test_artifact.py checks every loan of gold.loan_features):

1. model input: numerics as float, categoricals trimmed (spaces only, like Spark's trim) and
   upper-cased, a missing category as UNKNOWN (`finlake.ml.features.model_input`);
2. the SQLTransformer's risk transforms (`finlake.ml.transforms`), one Python function per op;
3. the Imputer's medians for a missing (None or NaN) numeric input;
4. StringIndexer + OneHotEncoder: one slot per known category (an unseen one scores all zeros);
5. StandardScaler (mean and standard deviation of the training split; a constant slot scores 0);
6. the logistic regression's margin, then the prior correction: p = 1 / (1 + exp(offset - margin)).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from finlake.errors import FinlakeError

FORMAT = "finlake-scoring-model"
FORMAT_VERSION = 1
ARTIFACT_PATH = "serving/model.json"  # inside the MLflow run's artifacts
Row = Mapping[str, Any]


def number(value: Any) -> float | None:
    """A numeric input as Spark's cast to double sees it: None (or NaN, the imputer's missing value) stays missing."""
    if value is None:
        return None
    x = float(value)
    return None if math.isnan(x) else x


def category(value: Any, missing: str) -> str:
    if value is None:
        return missing
    text = str(value).strip(" ").upper()  # F.trim strips spaces only; F.upper
    return text


def _ln_positive(row: Row, op: Row) -> float | None:
    x = number(row.get(op["source"]))
    return math.log(x) if x is not None and x > 0 else None


def _cap(row: Row, op: Row) -> float | None:
    x = number(row.get(op["source"]))
    return None if x is None else min(x, float(op["cap"]))


def _ln1p_ratio(row: Row, op: Row) -> float | None:
    # ln(1 + v / greatest(coalesce(d, 0), floor)); Spark's ln of a non-positive value is null
    v = number(row.get(op["numerator"]))
    if v is None:
        return None
    d = number(row.get(op["denominator"]))
    inner = 1 + v / max(0.0 if d is None else d, float(op["floor"]))
    return math.log(inner) if inner > 0 else None


def _ln1p_nonnegative(row: Row, op: Row) -> float | None:
    x = number(row.get(op["source"]))
    return None if x is None else math.log(1 + max(x, 0.0))


OPS: dict[str, Callable[[Row, Row], float | None]] = {
    "ln_positive": _ln_positive,
    "cap": _cap,
    "ln1p_ratio": _ln1p_ratio,
    "ln1p_nonnegative": _ln1p_nonnegative,
}


@dataclass(frozen=True)
class Scored:
    probability: float
    log_odds: float  # margin after the prior correction
    inputs: dict[str, Any]  # the model inputs after transforms, before imputation (None = missing)
    contributions: tuple[float, ...]  # coefficient x standardised slot value, in slot order


class ScoringModel:
    """One exported model version. `score(row)` takes the gold.loan_features columns as a dict."""

    def __init__(self, document: dict[str, Any]):
        if document.get("format") != FORMAT or document.get("format_version") != FORMAT_VERSION:
            raise FinlakeError(
                f"not a {FORMAT} v{FORMAT_VERSION} artifact (format {document.get('format')!r} "
                f"v{document.get('format_version')!r})"
            )
        self.document = document
        unknown = [t["op"] for t in document["transforms"] if t["op"] not in OPS]
        if unknown:
            raise FinlakeError(f"model artifact uses transform ops this scorer does not know: {', '.join(unknown)}")
        inputs = document["inputs"]
        self.numeric: tuple[str, ...] = tuple(inputs["numeric"])
        self.categorical: tuple[str, ...] = tuple(inputs["categorical"])
        self.missing_category: str = inputs["missing_category"]
        self.transforms: list[dict[str, Any]] = document["transforms"]
        self.model_numeric: tuple[str, ...] = tuple(inputs["model_numeric"])
        self.imputation: dict[str, float] = document["imputation"]
        self.slot_index = {c: {v: i for i, v in enumerate(labels)} for c, labels in document["vocabularies"].items()}
        self.slots: list[dict[str, Any]] = document["slots"]
        self.mean: list[float] = document["scaling"]["mean"]
        # Spark multiplies by 1/std, and by 0 where std is 0 (a constant slot carries no information).
        self.factor = [1.0 / s if s != 0.0 else 0.0 for s in document["scaling"]["std"]]
        self.coefficients: list[float] = document["coefficients"]
        self.intercept: float = document["intercept"]
        self.offset: float = document["prior_correction"]["offset"]
        self.threshold: float = document["threshold"]
        self.name: str = document["model"]["name"]
        self.version: str = str(document["model"]["version"])
        if not len(self.slots) == len(self.mean) == len(self.coefficients):
            raise FinlakeError("model artifact is inconsistent: slots, scaling and coefficients differ in length")

    @classmethod
    def from_file(cls, path: str | Path) -> ScoringModel:
        try:
            return cls(json.loads(Path(path).read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise FinlakeError(f"model artifact not found: {path}") from None
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise FinlakeError(f"model artifact {path} is not readable: {exc}") from None

    def model_inputs(self, row: Row) -> dict[str, Any]:
        """Steps 1-2: typed inputs, then the transforms (which replace their source columns)."""
        typed: dict[str, Any] = {c: number(row.get(c)) for c in self.numeric}
        typed.update({c: category(row.get(c), self.missing_category) for c in self.categorical})
        for t in self.transforms:
            typed[t["name"]] = OPS[t["op"]](typed, t)
        return typed

    def vector(self, inputs: Mapping[str, Any]) -> list[float]:
        """Steps 3-4: the assembled vector (imputed numerics, then the one-hot slots)."""
        values = []
        for c in self.model_numeric:
            x = inputs[c]
            values.append(self.imputation[c] if x is None else x)
        for c in self.categorical:
            onehot = [0.0] * self.document["onehot_sizes"][c]
            index = self.slot_index[c].get(inputs[c])
            if index is not None and index < len(onehot):
                onehot[index] = 1.0
            values.extend(onehot)
        return values

    def score(self, row: Row) -> Scored:
        inputs = self.model_inputs(row)
        assembled = self.vector(inputs)
        contributions = tuple(
            b * ((x - m) * f) for b, x, m, f in zip(self.coefficients, assembled, self.mean, self.factor, strict=True)
        )
        margin = math.fsum(contributions) + self.intercept
        log_odds = margin - self.offset
        return Scored(_sigmoid(log_odds), log_odds, inputs, contributions)


def _sigmoid(log_odds: float) -> float:
    # the prior correction stage's formula, 1 / (1 + exp(offset - margin)), overflow-safe
    if log_odds < -700:
        return 0.0
    return 1.0 / (1.0 + math.exp(-log_odds))
