"""`finlake athena-views`: the deploy step that creates the dashboard views on Athena (against moto)."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from moto.athena.models import athena_backends
from moto.core import DEFAULT_ACCOUNT_ID

from finlake.cli import main

REGION = "eu-central-1"
VIEWS = sorted((Path(__file__).resolve().parents[2] / "athena" / "views").glob("*.sql"))


@pytest.fixture
def athena(monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(key, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        boto3.client("athena", region_name=REGION).create_work_group(Name="finlake-dev-analytics", Configuration={})
        yield athena_backends[DEFAULT_ACCOUNT_ID][REGION]


def test_every_view_file_is_created_in_the_prefixed_gold_database(athena, capsys):
    code = main(["athena-views", "--athena-workgroup", "finlake-dev-analytics", "--database-prefix", "finlake_dev_"])

    assert code == 0
    assert VIEWS, "athena/views/ holds no view"
    executions = list(athena.executions.values())
    assert len(executions) == len(VIEWS)
    for execution, view in zip(executions, VIEWS, strict=True):
        assert f"CREATE OR REPLACE VIEW finlake_dev_gold.{view.stem} AS" in execution.query
        assert "${" not in execution.query
        assert execution.workgroup.name == "finlake-dev-analytics"
    printed = capsys.readouterr().out.splitlines()
    assert printed == [f"created or replaced view finlake_dev_gold.{v.stem}" for v in VIEWS]


def test_without_a_database_prefix_nothing_runs_and_the_error_is_one_line(athena, capsys):
    code = main(["athena-views", "--athena-workgroup", "finlake-dev-analytics"])

    assert code != 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--database-prefix is required" in err
    assert list(athena.executions.values()) == []
