"""Which model serves: the JSON artifact of the registered version an alias points at, or a file."""

from __future__ import annotations

from finlake.errors import FinlakeError
from finlake.lake import Lake
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
        raise FinlakeError(
            f"no model registered as {name}@{alias} in {mlflow.get_registry_uri()}: run `finlake train` first"
        ) from None
    try:
        path = mlflow.artifacts.download_artifacts(run_id=version.run_id, artifact_path=ARTIFACT_PATH)
    except (MlflowException, OSError):
        raise FinlakeError(
            f"{name} version {version.version} has no serving artifact ({ARTIFACT_PATH}): "
            "it was trained before the export existed; run `finlake train` again"
        ) from None
    model = ScoringModel.from_file(path)
    if model.version != str(version.version):
        raise FinlakeError(f"{name}@{alias} is version {version.version} but its artifact says {model.version}")
    return model
