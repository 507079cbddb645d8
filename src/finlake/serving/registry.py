"""Which model serves: the JSON artifact of the registered version an alias points at, or a file."""

from __future__ import annotations

from finlake.errors import FinlakeError
from finlake.lake import Lake
from finlake.ml.settings import DEFAULT_ALIAS, SERVING_ALIAS
from finlake.serving.model import ARTIFACT_PATH, ScoringModel


def load_by_alias(lake: Lake, name: str, alias: str) -> ScoringModel:
    """The artifact logged with the run behind `name@alias` (MLflow; no Spark)."""
    import mlflow
    from mlflow.exceptions import MlflowException

    from finlake.ml import tracking

    tracking.configure(lake)
    client = mlflow.MlflowClient()
    try:
        version = client.get_model_version_by_alias(name, alias)
    except MlflowException:
        if alias == SERVING_ALIAS:  # a registry trained before the serving alias: its champion is an LR
            return load_by_alias(lake, name, DEFAULT_ALIAS)
        raise FinlakeError(
            f"no model registered as {name}@{alias} in {mlflow.get_registry_uri()}: run `finlake train` first"
        ) from None
    try:
        path = mlflow.artifacts.download_artifacts(run_id=version.run_id, artifact_path=ARTIFACT_PATH)
    except (MlflowException, OSError):
        raise FinlakeError(_no_artifact(client, name, alias, version)) from None
    model = ScoringModel.from_file(path)
    if model.version != str(version.version):
        raise FinlakeError(f"{name}@{alias} is version {version.version} but its artifact says {model.version}")
    return model


def _no_artifact(client, name: str, alias: str, version) -> str:  # type: ignore[no-untyped-def]
    """Why `name@alias` cannot be served, in one line."""
    model_type = client.get_run(version.run_id).data.tags.get("finlake.model_type")
    if model_type == "gbt":
        return (
            f"{name}@{alias} is version {version.version}, a gradient-boosted model the real-time API cannot "
            f"serve: use the alias {SERVING_ALIAS!r} (the logistic regression trained beside it)"
        )
    return (
        f"{name} version {version.version} has no serving artifact ({ARTIFACT_PATH}): "
        "it was trained before the export existed; run `finlake train` again"
    )
