"""The Glue entry scripts' argument handling: an optional argument is read only when a run passes it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from finlake.glue_runtime import glue_job

REPO = Path(__file__).resolve().parents[1]


def _optional_args(script: Path) -> list[str]:
    for node in ast.parse(script.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "OPTIONAL_ARGS" for t in node.targets):
            return list(ast.literal_eval(node.value))
    return []


def test_bronze_to_silver_script_accepts_a_quarantine_rate_per_run():
    script = REPO / "glue_jobs" / "bronze_to_silver.py"
    assert _optional_args(script) == ["accept_quarantine_rate"]
    assert 'accept_quarantine_rate=job.fraction("accept_quarantine_rate")' in script.read_text()


def test_optional_argument_read_when_given(spark):
    argv = ["script.py", "--JOB_NAME", "finlake-tests", "--accept_quarantine_rate", "0.2"]
    with glue_job(argv, ["JOB_NAME"], ["accept_quarantine_rate"]) as job:
        assert job.fraction("accept_quarantine_rate") == 0.2


def test_optional_argument_absent_is_none(spark):
    with glue_job(["script.py", "--JOB_NAME", "finlake-tests"], ["JOB_NAME"], ["accept_quarantine_rate"]) as job:
        assert job.fraction("accept_quarantine_rate") is None


@pytest.mark.parametrize("value", ["1.5", "-0.1", "lots"])
def test_bad_rate_is_one_line(spark, value):
    argv = ["script.py", "--JOB_NAME", "finlake-tests", "--accept_quarantine_rate", value]
    with (
        glue_job(argv, ["JOB_NAME"], ["accept_quarantine_rate"]) as job,
        pytest.raises(ValueError, match="between 0 and 1"),
    ):
        job.fraction("accept_quarantine_rate")
