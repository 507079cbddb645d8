"""`finlake query --athena-workgroup`: the same SQL on Athena through boto3, against moto."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws
from moto.athena.models import QueryResults, athena_backends
from moto.core import DEFAULT_ACCOUNT_ID
from moto.moto_api import state_manager

from finlake.query.athena import AthenaRunner
from finlake.query.named import named_queries, view_files

REGION = "eu-central-1"


@pytest.fixture
def athena(monkeypatch):
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        # Make each execution report QUEUED and RUNNING once before SUCCEEDED, so polling is exercised.
        state_manager.set_transition(model_name="athena::execution", transition={"progression": "manual", "times": 1})
        client = boto3.client("athena", region_name=REGION)
        client.create_work_group(Name="finlake-dev", Configuration={})
        yield client
        state_manager.unset_transition(model_name="athena::execution")


def _cell(value):
    return {"VarCharValue": value} if value is not None else {}


def test_named_query_runs_on_athena_with_prefixed_databases_and_parameters(athena):
    backend = athena_backends[DEFAULT_ACCOUNT_ID][REGION]
    columns = [
        ("risk_rank", "bigint"),
        ("customer_id", "varchar"),
        ("default_probability", "double"),
        ("open_exposure", "decimal"),
    ]
    # moto hands queued results to executions in start order: the view DDL comes first, with no rows
    backend.query_results_queue.extend(QueryResults(rows=[], column_info=[]) for _ in view_files())
    backend.query_results_queue.append(
        QueryResults(
            rows=[
                {"Data": [_cell(name) for name, _ in columns]},
                {"Data": [_cell("1"), _cell("C4"), _cell("0.55"), _cell("0.00")]},
                {"Data": [_cell("2"), _cell("C1"), _cell("0.4"), _cell(None)]},
            ],
            column_info=[{"Name": name, "Type": t} for name, t in columns],
        )
    )
    sleeps: list[float] = []
    runner = AthenaRunner(
        athena,
        workgroup="finlake-dev",
        database_prefix="finlake_dev_",
        output_location="s3://finlake-dev-athena-results/",
        sleep=sleeps.append,
    )

    result = runner.run(named_queries()["top_high_risk_customers"], {"top_n": "2"})

    from decimal import Decimal

    assert result.columns == [name for name, _ in columns]
    assert result.rows == [(1, "C4", 0.55, Decimal("0.00")), (2, "C1", 0.4, None)]
    executions = list(backend.executions.values())
    assert len(executions) == len(view_files()) + 1  # every dashboard view is (re)created first
    assert all(
        e.query.startswith(("-- View", "CREATE")) or "CREATE OR REPLACE VIEW" in e.query for e in executions[:-1]
    )
    query = executions[-1]
    assert query.execution_parameters == ["2"]
    assert "finlake_dev_gold.customer_risk_scores" in query.query and "${" not in query.query
    assert query.context == {"Database": "finlake_dev_gold", "Catalog": "AwsDataCatalog"}
    assert query.workgroup.name == "finlake-dev"
    assert sleeps == [1.0] * len(executions)  # each execution was still running once: polled, then read


def test_string_parameters_go_as_quoted_literals(athena):
    runner = AthenaRunner(athena, workgroup="finlake-dev", database_prefix="finlake_prod_", sleep=lambda _: None)
    runner.run(named_queries()["compliance_cash_report"], {"month": "2024-02"})
    query = list(athena_backends[DEFAULT_ACCOUNT_ID][REGION].executions.values())[-1]
    assert query.execution_parameters == ["'2024-02'"]
    assert "finlake_prod_gold.compliance_cash_alerts" in query.query
