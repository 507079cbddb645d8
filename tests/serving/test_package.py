"""`make package-serving`: the zip holds a Lambda that starts on Linux CPython 3.11 from the zip alone."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from finlake.errors import FinlakeError
from finlake.serving import package

# A valid artifact with one input (score = sigmoid(x)): enough for the handler to load it.
ARTIFACT = {
    "format": "finlake-scoring-model",
    "format_version": 1,
    "transforms": [],
    "inputs": {"numeric": ["x"], "categorical": [], "missing_category": "__missing__", "model_numeric": ["x"]},
    "imputation": {"x": 0.0},
    "vocabularies": {},
    "onehot_sizes": {},
    "slots": [{"name": "x"}],
    "scaling": {"mean": [0.0], "std": [1.0]},
    "coefficients": [1.0],
    "intercept": 0.0,
    "prior_correction": {"offset": 0.0},
    "threshold": 0.5,
    "model": {"name": "finlake_loan_default", "version": "7"},
}
# The Lambda starts with an empty sys.path beside the zip's root: `python -S` drops site-packages (and so
# this checkout's editable finlake and boto3), the handler's first request builds the app.
START = """
import json, sys
sys.path.insert(0, sys.argv[1])
import finlake.serving.lambda_app as handler
assert handler.__file__.startswith(sys.argv[1]), handler.__file__
app = handler._build()
event = {"version": "2.0", "routeKey": "$default", "rawPath": "/openapi.json", "rawQueryString": "",
         "headers": {"host": "x.lambda-url.eu-central-1.on.aws"}, "isBase64Encoded": False,
         "requestContext": {"http": {"method": "GET", "path": "/openapi.json", "protocol": "HTTP/1.1",
                                     "sourceIp": "127.0.0.1", "userAgent": "test"},
                            "requestId": "r1", "stage": "$default", "timeEpoch": 0}}
answer = app(event, None)
print(json.dumps({"status": answer["statusCode"], "paths": sorted(json.loads(answer["body"])["paths"])}))
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pkg") / "serving.zip"
    try:
        package.build(out, json.dumps(ARTIFACT))
    except FinlakeError as exc:
        if "pip could not fetch" in str(exc):
            pytest.skip(f"no Linux wheels for the package (offline, no PyPI mirror?): {exc}")
        raise
    return out


def test_the_zip_holds_the_handler_its_dependencies_and_the_model(built):
    names = set(zipfile.ZipFile(built).namelist())
    assert set(package.finlake_files()) <= names
    assert "finlake/serving/lambda_app.py" in names and "finlake/serving/model.json" in names
    assert not [n for n in names if n.startswith(("pyspark/", "mlflow/", "pandas/", "boto3/", "finlake/ml/"))]
    assert any(n.startswith("pydantic_core/") and n.endswith("x86_64-linux-gnu.so") for n in names)  # Linux wheel
    stored = json.loads(zipfile.ZipFile(built).read("finlake/serving/model.json"))
    assert stored["model"]["version"] == "7"


def test_the_handler_starts_from_the_zip_alone(built, tmp_path):
    root = tmp_path / "task"
    zipfile.ZipFile(built).extractall(root)
    env = {"FEATURE_TABLE": "features", "REQUEST_LOG_STREAM": "requests", "AWS_DEFAULT_REGION": "eu-central-1"}
    done = subprocess.run(
        [sys.executable, "-S", "-c", START, str(root)], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer == {"status": 200, "paths": ["/healthz", "/v1/score", "/v1/score/batch"]}


def test_the_build_is_reproducible(built, tmp_path):
    again = package.build(tmp_path / "again.zip", json.dumps(ARTIFACT))
    assert again.read_bytes() == built.read_bytes()


def test_an_unloadable_artifact_is_refused_before_pip_runs(tmp_path):
    with pytest.raises(FinlakeError, match="not a finlake-scoring-model v1 artifact"):
        package.build(tmp_path / "x.zip", json.dumps({"format": "other"}))
    assert not (tmp_path / "x.zip").exists()


def test_a_missing_lake_is_one_line_and_creates_nothing(tmp_path, capsys):
    assert package.main(["--lake", str(tmp_path / "none"), "--out", str(tmp_path / "s.zip")]) == 2
    assert (
        capsys.readouterr().err.strip()
        == f"package-serving: no lake at {tmp_path / 'none'}: pass --lake, or --artifact FILE"
    )
    assert not (tmp_path / "none").exists()
