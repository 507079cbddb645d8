"""Export of the fitted MLlib pipeline as one portable JSON document (the serving artifact).

Everything the pure-Python scorer (`finlake.serving.model`) needs, read from the fitted stages:
imputation medians, category vocabularies and one-hot sizes, the SQLTransformer's transforms as
named ops, scaling, coefficients, intercept, prior correction, threshold, the slot names in order,
the model's name and version, and what it was trained on (rows, content hash, source files). It also
carries the training population's reference distributions (`finlake.serving.drift`).

Before the document is logged, the pure-Python scorer scores every training loan and must agree
with Spark within 1e-9: a pipeline change the scorer does not mirror stops training, not serving.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from pyspark.ml import PipelineModel
from pyspark.ml.classification import LogisticRegressionModel
from pyspark.ml.feature import ImputerModel, OneHotEncoderModel, SQLTransformer, StandardScalerModel, StringIndexerModel
from pyspark.sql import DataFrame

from finlake.contracts.gold import LOAN_FEATURES, RISK_BANDS
from finlake.errors import FinlakeError
from finlake.ml.calibration import PROBABILITY, PriorCorrection
from finlake.ml.data import to_pandas
from finlake.ml.features import KEY, LABEL, MISSING_CATEGORY
from finlake.ml.transforms import (
    MIN_AVG_BALANCE,
    MIN_MONTHLY_INFLOW,
    OVERDRAFT_CAP_DAYS,
    Transform,
    applicable,
    feature_transformer,
)
from finlake.ml.transforms import model_numeric as model_numeric_of
from finlake.serving import drift
from finlake.serving.model import ARTIFACT_PATH, FORMAT, FORMAT_VERSION, ScoringModel

PARITY_TOLERANCE = 1e-9


def transform_op(t: Transform) -> dict[str, Any]:
    """The pure-Python op behind each SQL transform; a transform without one stops the export."""
    base = {"name": t.name, "sql": t.sql, "replaces": list(t.replaces)}
    if t.name == "ln_annual_income":
        return {**base, "op": "ln_positive", "source": "annual_income"}
    if t.name == f"overdraft_days_cap{OVERDRAFT_CAP_DAYS}":
        return {**base, "op": "cap", "source": "overdraft_days", "cap": OVERDRAFT_CAP_DAYS}
    if t.name == "ln1p_volatility_to_inflow":
        ratio = {"numerator": "balance_volatility", "denominator": "avg_monthly_inflow", "floor": MIN_MONTHLY_INFLOW}
        return {**base, "op": "ln1p_ratio", **ratio}
    if t.name == "ln1p_payment_to_avg_balance":
        ratio = {"numerator": "monthly_payment", "denominator": "pre_loan_avg_balance", "floor": MIN_AVG_BALANCE}
        return {**base, "op": "ln1p_ratio", **ratio}
    if t.name.startswith("ln1p_") and t.sources == (t.name.removeprefix("ln1p_"),):
        return {**base, "op": "ln1p_nonnegative", "source": t.sources[0]}
    raise FinlakeError(
        f"transform {t.name} has no pure-Python equivalent: add it to finlake/ml/artifact.py and finlake/serving/model.py"
    )


def _stage(model: PipelineModel, kind: type) -> Any:
    found = [s for s in model.stages if isinstance(s, kind)]
    if len(found) != 1:
        raise FinlakeError(f"cannot export the model: expected one {kind.__name__} stage, found {len(found)}")
    return found[0]


def _slots(
    numeric: tuple[str, ...], categorical: tuple[str, ...], vocab: dict[str, list[str]], sizes: dict[str, int]
) -> list[dict[str, Any]]:
    """One entry per assembled slot, with the contract column it explains (the reason-code factor)."""
    numeric_inputs = model_numeric_of(numeric)
    replaced = {t.name: t.replaces[0] for t in applicable(numeric) if t.replaces}  # else its own factor
    slots: list[dict[str, Any]] = [{"name": c, "factor": replaced.get(c, c), "kind": "numeric"} for c in numeric_inputs]
    for c in categorical:
        slots += [{"name": f"{c}={v}", "factor": c, "kind": "category", "category": v} for v in vocab[c][: sizes[c]]]
    return slots


def pipeline_parameters(model: PipelineModel, numeric: tuple[str, ...], categorical: tuple[str, ...]) -> dict[str, Any]:
    """The scoring part of the artifact, read from the fitted stages."""
    sql = _stage(model, SQLTransformer)
    if sql.getStatement() != feature_transformer(numeric).getStatement():
        raise FinlakeError("cannot export the model: its SQLTransformer differs from finlake.ml.transforms")
    inputs = model_numeric_of(numeric)
    imputer: ImputerModel = _stage(model, ImputerModel)
    medians = imputer.surrogateDF.first().asDict()  # type: ignore[union-attr]
    indexer: StringIndexerModel = _stage(model, StringIndexerModel)
    encoder: OneHotEncoderModel = _stage(model, OneHotEncoderModel)
    drop_last = encoder.getDropLast()
    vocab = dict(zip(indexer.getInputCols(), (list(labels) for labels in indexer.labelsArray), strict=True))
    sizes = {c: size - (1 if drop_last else 0) for c, size in zip(categorical, encoder.categorySizes, strict=True)}
    scaler: StandardScalerModel = _stage(model, StandardScalerModel)
    lr: LogisticRegressionModel = _stage(model, LogisticRegressionModel)
    return {
        "inputs": {
            "numeric": list(numeric),
            "categorical": list(categorical),
            "model_numeric": list(inputs),
            "missing_category": MISSING_CATEGORY,
        },
        "transforms": [transform_op(t) for t in applicable(numeric)],
        "imputation": {c: float(medians[c]) for c in inputs},
        "vocabularies": vocab,
        "onehot_sizes": sizes,
        "slots": _slots(numeric, categorical, vocab, sizes),
        "scaling": {"mean": scaler.mean.toArray().tolist(), "std": scaler.std.toArray().tolist()},
        "coefficients": lr.coefficients.toArray().tolist(),
        "intercept": float(lr.intercept),
        "prior_correction": {"offset": _stage(model, PriorCorrection).getOffset()},
    }


def content_hash(frame: pd.DataFrame) -> str:
    """sha256 of the training rows (model inputs and label), independent of row order."""
    ordered = frame.sort_values(KEY).reset_index(drop=True)
    return hashlib.sha256(pd.util.hash_pandas_object(ordered, index=False).to_numpy().tobytes()).hexdigest()


def _source(train: DataFrame) -> list[str]:
    """The table versions (directories) the training rows were read from: the snapshot it saw."""
    try:
        return sorted({f.rsplit("/", 2)[-2] for f in train.inputFiles()})
    except Exception:  # a frame built in memory (tests) has no files
        return []


def check_parity(scorer: ScoringModel, frame: pd.DataFrame) -> float:
    """Largest |pure-Python - Spark| probability over the rows; over the tolerance stops the export."""
    rows = frame.to_dict(orient="records")
    worst = max(abs(scorer.score(r).probability - r[PROBABILITY]) for r in rows)
    if worst > PARITY_TOLERANCE:
        raise FinlakeError(
            f"the exported model differs from Spark's by up to {worst:.3g} on the training loans "
            f"(tolerance {PARITY_TOLERANCE}): finlake/serving/model.py no longer mirrors the pipeline"
        )
    return float(worst)


def build_artifact(
    model: PipelineModel,
    train: DataFrame,
    numeric: tuple[str, ...],
    categorical: tuple[str, ...],
    threshold: float,
    identity: dict[str, str],
) -> dict[str, Any]:
    """The whole document; `identity` holds model name, version and MLflow run id."""
    frame = to_pandas(model.transform(train).select(KEY, LABEL, *numeric, *categorical, PROBABILITY))
    document: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "model": {**identity, "exported_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")},
        "training_data": {
            "table": LOAN_FEATURES.qualified_name,
            "rows": len(frame),
            "sha256": content_hash(frame.drop(columns=[PROBABILITY])),
            "source_versions": _source(train),
        },
        **pipeline_parameters(model, numeric, categorical),
        "threshold": float(threshold),
        "risk_bands": [list(b) for b in RISK_BANDS],
        "descriptions": {c.name: c.description for c in LOAN_FEATURES.columns},
    }
    scorer = ScoringModel(document)
    document["training_data"]["max_parity_difference"] = check_parity(scorer, frame)
    document["population"] = drift.reference(frame, numeric, categorical, frame[PROBABILITY].to_numpy())
    return document


def log_serving_artifact(
    model: PipelineModel, train: DataFrame, report: dict[str, Any], identity: dict[str, str]
) -> dict[str, Any]:
    """Build the artifact from the training run's model and log it with the active MLflow run."""
    import mlflow

    features = report["features"]
    document = build_artifact(
        model,
        train,
        tuple(features["numeric"]),
        tuple(features["categorical"]),
        report["confusion_at_threshold"]["threshold"],
        identity,
    )
    # the Iceberg snapshot(s) training read, when it records them (report["inputs"], issue 20)
    document["training_data"]["snapshots"] = report.get("inputs", {})
    mlflow.log_dict(document, ARTIFACT_PATH)
    return document
