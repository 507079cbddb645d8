"""MLflow: where runs and models are tracked, how a model is logged, registered and loaded by alias.

Locally the tracking store and the model registry are one SQLite file under the lake
(`<lake>/_mlflow/mlflow.db`, artifacts in `<lake>/_mlflow/artifacts/`): the installed MLflow (3.x)
runs its registry on a database store, fully offline, no server and no network. On Databricks the
workspace tracking server and registry are used (MLflow picks them up from the cluster). An
explicit `MLFLOW_TRACKING_URI` / `MLFLOW_REGISTRY_URI` in the environment always wins.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from finlake.errors import FinlakeError
from finlake.lake import Lake


def on_databricks() -> bool:
    return "DATABRICKS_RUNTIME_VERSION" in os.environ


@dataclass(frozen=True)
class Tracking:
    tracking_uri: str
    registry_uri: str
    artifact_location: str | None  # None: the server decides (Databricks)


def tracking_for(lake: Lake) -> Tracking:
    if on_databricks():
        return Tracking(
            tracking_uri=os.environ.get("MLFLOW_TRACKING_URI", "databricks"),
            registry_uri=os.environ.get("MLFLOW_REGISTRY_URI", "databricks"),
            artifact_location=None,
        )
    store = Path(lake.mlflow)
    uri = os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{store / 'mlflow.db'}"
    return Tracking(
        tracking_uri=uri,
        registry_uri=os.environ.get("MLFLOW_REGISTRY_URI") or uri,
        artifact_location=(store / "artifacts").as_uri(),
    )


def configure(lake: Lake) -> Tracking:
    """Point MLflow at the lake's store (creating it) and return where that is."""
    import mlflow

    tracking = tracking_for(lake)
    if tracking.tracking_uri.startswith("sqlite:///"):
        Path(tracking.tracking_uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    # MLflow also exports the URIs as environment variables "for subprocesses"; that would make the
    # next lake (or a child process working on its own lake) track into this one, since an explicit
    # environment variable wins in tracking_for. Keep the environment as the user set it.
    user_env = {name: os.environ.get(name) for name in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI")}
    mlflow.set_tracking_uri(tracking.tracking_uri)
    mlflow.set_registry_uri(tracking.registry_uri)
    for name, value in user_env.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    return tracking


def experiment_id(name: str, tracking: Tracking) -> str:
    import mlflow

    existing = mlflow.get_experiment_by_name(name)
    if existing is not None:
        return str(existing.experiment_id)
    return str(mlflow.create_experiment(name, artifact_location=tracking.artifact_location))


def log_and_register_model(model: Any, signature: Any, name: str, alias: str | None) -> str:
    """Log the fitted PipelineModel in the active run, register it as a new version of `name`, point
    `alias` at that version (None: the caller points aliases later), and return the version."""
    import mlflow
    import pyspark

    info = mlflow.spark.log_model(
        model,
        artifact_path="model",
        signature=signature,
        registered_model_name=name,
        # Stated, not inferred: inference would load the model in a second Spark session.
        pip_requirements=[f"pyspark=={pyspark.__version__}", "finlake"],
    )
    version = str(info.registered_model_version)
    if alias is not None:
        mlflow.MlflowClient().set_registered_model_alias(name, alias, version)
    return version


def load_model_by_alias(name: str, alias: str) -> tuple[Any, str]:
    """(PipelineModel, version) of the model version `alias` points at; one line if there is none."""
    import mlflow
    from mlflow.exceptions import MlflowException

    client = mlflow.MlflowClient()
    try:
        version = client.get_model_version_by_alias(name, alias)
    except MlflowException:
        raise FinlakeError(
            f"no model registered as {name}@{alias} in {mlflow.get_registry_uri()}: run `finlake train` first"
        ) from None
    return mlflow.spark.load_model(f"models:/{name}@{alias}"), str(version.version)
