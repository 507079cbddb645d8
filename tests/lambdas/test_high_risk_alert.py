"""The high-risk alert Lambda against moto: real SNS messages read back, memory, retries, env contract;
then the early-warning "risk rose" alerts the same function sends after the HIGH-risk customers."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import boto3
import pytest
import requests
from botocore.exceptions import ClientError
from moto import mock_aws

REPO = Path(__file__).resolve().parents[2]
REGION = "eu-central-1"
COLUMNS = ["customer_id", "default_probability", "risk_band", "model_version", "scoring_run_id"]
# athena/loans_whose_risk_rose.sql's columns, as Athena returns them (its header row first).
RISE_COLUMNS = [
    "loan_id",
    "customer_id",
    "snapshot_month",
    "probability",
    "previous_probability",
    "risk_band",
    "model_version",
]


def _load_handler():
    spec = importlib.util.spec_from_file_location(
        "high_risk_alert_handler", REPO / "lambdas/high_risk_alert/handler.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


handler = _load_handler()


@pytest.fixture
def aws(monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        sns, sqs, ddb = (boto3.client(s, region_name=REGION) for s in ("sns", "sqs", "dynamodb"))
        topic = sns.create_topic(Name="finlake-dev-high-risk")["TopicArn"]
        queue_url = sqs.create_queue(QueueName="inbox")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
        ddb.create_table(
            TableName="finlake-dev-high-risk-alert-state",
            KeySchema=[{"AttributeName": "alert_key", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "alert_key", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        boto3.client("athena", region_name=REGION).create_work_group(
            Name="finlake-dev",
            Configuration={"ResultConfiguration": {"OutputLocation": "s3://finlake-dev-athena-results/"}},
        )
        env = {
            "ATHENA_WORKGROUP": "finlake-dev",
            "GOLD_DATABASE": "finlake_dev_gold",
            "SNS_TOPIC_ARN": topic,
            "STATE_TABLE": "finlake-dev-high-risk-alert-state",
            "DASHBOARD_URL": "https://quicksight.example/dashboards/risk",
            "BATCH_SIZE": "2",
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(handler.time, "sleep", lambda _s: None)
        yield {"sqs": sqs, "queue_url": queue_url, "ddb": ddb}


def _cells(row: list[str | None]) -> dict:
    # Athena leaves VarCharValue out for a NULL (previous_probability in a loan's first month).
    return {"Data": [{} if v is None else {"VarCharValue": v} for v in row]}


def _canned_athena_result(rows: list[list[str]], *more: tuple[list[str], list[list[str | None]]]) -> None:
    """Queue Athena results in moto (its documented results API), one per query in the order the handler
    runs them: the HIGH-risk rows, then any (columns, rows) given after them."""
    results = [(COLUMNS, rows), *more]
    response = requests.post(
        "http://motoapi.amazonaws.com/moto-api/static/athena/query-results",
        json={
            "region": REGION,
            "results": [{"rows": [_cells(r) for r in [cols, *body]], "column_info": []} for cols, body in results],
        },
    )
    assert response.status_code == 201


def _received(aws, attributes: list | None = None) -> list[dict]:
    messages = []
    while True:
        got = (
            aws["sqs"]
            .receive_message(QueueUrl=aws["queue_url"], MaxNumberOfMessages=10, MessageAttributeNames=["All"])
            .get("Messages", [])
        )
        if not got:
            return messages
        messages += [json.loads(m["Body"]) for m in got]
        if attributes is not None:
            attributes += [m.get("MessageAttributes", {}) for m in got]
        for m in got:
            aws["sqs"].delete_message(QueueUrl=aws["queue_url"], ReceiptHandle=m["ReceiptHandle"])


RUN = "20261124T060000Z-aaaa0001"
ROWS = [
    ["C0003", "0.41", "HIGH", "7", RUN],
    ["C0001", "0.77", "HIGH", "7", RUN],
    ["C0002", "0.30", "HIGH", "7", RUN],
]


def test_publishes_one_message_per_batch_with_no_direct_identifiers(aws):
    _canned_athena_result(ROWS)
    result = handler.lambda_handler({}, None)
    messages = _received(aws)
    no_rise = {"candidates": 0, "alerted": 0, "already_alerted": 0, "messages": 0}  # moto: no second result queued
    assert result == {"candidates": 3, "alerted": 3, "already_alerted": 0, "messages": 2, "risk_rose": no_rise}
    assert len(messages) == 2  # batch size 2: [C0001, C0003], [C0002] (highest probability first)
    assert [c["customer_id"] for m in messages for c in m["customers"]] == ["C0001", "C0003", "C0002"]
    first = messages[0]
    assert first["scoring_run_id"] == RUN
    assert first["model_versions"] == ["7"]
    assert first["dashboard_url"] == "https://quicksight.example/dashboards/risk"
    assert first["customers"][0] == {
        "customer_id": "C0001",
        "default_probability": 0.77,
        "risk_band": "HIGH",
        "model_version": "7",
    }
    body = json.dumps(messages)
    for identifier in ("first_name", "last_name", "email", "phone", "street_address"):
        assert identifier not in body


def test_second_invocation_sends_nothing_new(aws):
    _canned_athena_result(ROWS)
    handler.lambda_handler({}, None)
    assert len(_received(aws)) == 2
    _canned_athena_result([*ROWS, ["C0009", "0.50", "HIGH", "7", RUN]])  # the same run, one newcomer
    second = handler.lambda_handler({}, None)
    messages = _received(aws)
    assert second["alerted"] == 1 and second["already_alerted"] == 3
    assert [c["customer_id"] for m in messages for c in m["customers"]] == ["C0009"]
    _canned_athena_result([*ROWS, ["C0009", "0.50", "HIGH", "7", RUN]])
    assert handler.lambda_handler({}, None)["alerted"] == 0
    assert _received(aws) == []


def test_a_stale_claim_from_a_dead_invocation_is_taken_over(aws):
    settings = handler.Settings.from_env()
    customer = handler.parse_rows([dict(zip(COLUMNS, ROWS[0], strict=True))])[0]
    clock = [1_000_000.0]
    state = handler.SentAlerts(aws["ddb"], settings.state_table, now=lambda: clock[0])
    assert state.claim(customer)
    assert not state.claim(customer)  # a live claim blocks a concurrent invocation
    clock[0] += handler.CLAIM_TIMEOUT_SECONDS + 1
    assert state.claim(customer)  # ...but not forever
    state.mark_sent(customer, "m-1")
    clock[0] += 10 * handler.CLAIM_TIMEOUT_SECONDS
    assert not state.claim(customer)  # sent is sent


def _throttle(times: int):
    calls = {"n": 0}

    def hook(**_kwargs):
        calls["n"] += 1
        if calls["n"] <= times:
            raise ClientError(
                {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, "StartQueryExecution"
            )

    return hook, calls


def test_athena_throttling_is_retried_with_backoff(aws):
    settings = handler.Settings.from_env()
    client = boto3.client("athena", region_name=REGION)
    hook, calls = _throttle(times=2)
    client.meta.events.register("before-call.athena.StartQueryExecution", hook)
    sleeps: list[float] = []
    _canned_athena_result(ROWS)
    rows = handler.Athena(client, settings, sleep=sleeps.append).rows("SELECT 1")
    assert calls["n"] == 3
    assert sleeps == [1, 2]
    assert [r["customer_id"] for r in rows] == ["C0003", "C0001", "C0002"]


def test_athena_failure_is_retried_then_surfaces(aws):
    settings = handler.Settings.from_env()
    client = boto3.client("athena", region_name=REGION)

    def failed(parsed, **_kwargs):
        parsed["QueryExecution"]["Status"] = {"State": "FAILED", "StateChangeReason": "SYNTAX_ERROR"}

    client.meta.events.register("after-call.athena.GetQueryExecution", failed)
    sleeps: list[float] = []
    with pytest.raises(handler.AlertError, match=r"failed after 4 attempts.*FAILED: SYNTAX_ERROR"):
        handler.Athena(client, settings, sleep=sleeps.append).rows("SELECT 1")
    assert sleeps == [1, 2, 4]


def test_permanent_throttling_fails_loudly_and_sends_nothing(aws, monkeypatch):
    hook, calls = _throttle(times=99)
    real_client = boto3.client

    def client_with_hook(service, *args, **kwargs):
        client = real_client(service, *args, **kwargs)
        if service == "athena":
            client.meta.events.register("before-call.athena.StartQueryExecution", hook)
        return client

    monkeypatch.setattr(boto3, "client", client_with_hook)
    with pytest.raises(handler.AlertError, match="ThrottlingException"):
        handler.lambda_handler({}, None)
    assert calls["n"] == 4
    assert _received(aws) == []


def test_importing_the_handler_creates_no_client(monkeypatch):
    created = []
    monkeypatch.setattr(boto3, "client", lambda *a, **k: created.append(a))
    _load_handler()
    assert created == []


def test_missing_settings_name_the_variables():
    with pytest.raises(handler.AlertError, match="SNS_TOPIC_ARN, STATE_TABLE"):
        handler.Settings.from_env({"ATHENA_WORKGROUP": "w", "GOLD_DATABASE": "g", "DASHBOARD_URL": "u"})


# -- customers whose risk rose (gold.loan_early_warning) ----------------------------------------------------

MONTH = "2024-05"
RISE_ROWS: list[list[str | None]] = [  # as athena/loans_whose_risk_rose.sql returns them
    ["L7", "C0007", MONTH, "0.35", "0.2", "HIGH", "4"],
    ["L2", "C0002", MONTH, "0.21", None, "MEDIUM", "4"],  # the loan's first month end
    ["L5", "C0005", MONTH, "0.35", "0.12", "HIGH", "4"],
]


def _state(aws, key: str) -> dict | None:
    return aws["ddb"].get_item(TableName="finlake-dev-high-risk-alert-state", Key={"alert_key": {"S": key}}).get("Item")


def test_a_loan_whose_risk_rose_is_alerted_once_across_two_invocations(aws):
    _canned_athena_result(ROWS[:1], (RISE_COLUMNS, RISE_ROWS))
    first = handler.lambda_handler({}, None)
    attributes: list[dict] = []
    messages = _received(aws, attributes)
    assert first["risk_rose"] == {"candidates": 3, "alerted": 3, "already_alerted": 0, "messages": 2}
    rose = [m for m in messages if m["type"] == "finlake.loans_risk_rose.v1"]
    assert len(rose) == 2 and len(messages) == 3  # batch size 2; the HIGH customer has its own message
    # Highest probability first, ties by loan_id; the previous probability is null in a first month.
    assert [loan["loan_id"] for m in rose for loan in m["loans"]] == ["L5", "L7", "L2"]
    assert rose[0]["snapshot_month"] == MONTH and rose[0]["model_versions"] == ["4"]
    assert rose[0]["loans"][0] == {
        "loan_id": "L5",
        "customer_id": "C0005",
        "probability": 0.35,
        "previous_probability": 0.12,
        "risk_band": "HIGH",
        "model_version": "4",
    }
    assert rose[1]["loans"][0]["previous_probability"] is None
    assert sorted(a["type"]["StringValue"] for a in attributes) == [
        "finlake.high_risk_customers.v1",
        "finlake.loans_risk_rose.v1",
        "finlake.loans_risk_rose.v1",
    ]
    for identifier in ("first_name", "last_name", "email", "phone", "street_address"):
        assert identifier not in json.dumps(rose)
    assert _state(aws, f"risk_rose#{MONTH}#L7")["status"]["S"] == "SENT"

    # Next day, same month end, one more loan: only that loan is sent.
    _canned_athena_result(ROWS[:1], (RISE_COLUMNS, [*RISE_ROWS, ["L9", "C0009", MONTH, "0.5", "0.1", "HIGH", "4"]]))
    second = handler.lambda_handler({}, None)
    again = _received(aws)
    assert second["risk_rose"] == {"candidates": 4, "alerted": 1, "already_alerted": 3, "messages": 1}
    assert second["alerted"] == 0  # the HIGH customer was alerted the first time too
    assert [loan["loan_id"] for m in again for loan in m["loans"]] == ["L9"]


def test_an_empty_early_warning_table_yields_no_risk_rose_message(aws):
    _canned_athena_result(ROWS, (RISE_COLUMNS, []))  # Athena's answer over no rows: the header alone
    result = handler.lambda_handler({}, None)
    messages = _received(aws)
    assert result["alerted"] == 3
    assert result["risk_rose"] == {"candidates": 0, "alerted": 0, "already_alerted": 0, "messages": 0}
    assert {m["type"] for m in messages} == {"finlake.high_risk_customers.v1"}


def test_the_risk_rose_query_is_the_named_query_file(aws):
    sent: list[str] = []

    class Recorder:
        def rows(self, sql: str) -> list[dict[str, str]]:
            sent.append(sql)
            return []

    settings = handler.Settings.from_env()
    handler.send_alerts(settings, Recorder(), None, None)  # type: ignore[arg-type]
    expected = (REPO / "athena/loans_whose_risk_rose.sql").read_text().replace("${gold_db}", "finlake_dev_gold")
    assert sent[1] == expected
    assert "FROM finlake_dev_gold.loan_early_warning" in sent[1] and "${" not in sent[1]


def test_a_risk_rose_message_covers_one_month_end():
    loans = handler.parse_risk_rose([dict(zip(RISE_COLUMNS, r, strict=True)) for r in RISE_ROWS])
    later = handler.parse_risk_rose(
        [dict(zip(RISE_COLUMNS, ["L1", "C1", "2024-06", "0.3", "", "HIGH", "4"], strict=True))]
    )
    with pytest.raises(ValueError, match="one message per snapshot month"):
        handler.build_risk_rose_message([*loans, *later], "https://x")
    with pytest.raises(ValueError, match="at least one loan"):
        handler.build_risk_rose_message([], "https://x")
    subject, body = handler.build_risk_rose_message(loans, "https://x")
    assert MONTH in subject and len(subject) <= 100
    assert (
        json.loads(body)["batch_id"]
        == json.loads(handler.build_risk_rose_message(loans[::-1], "https://x")[1])["batch_id"]
    )


def test_a_failing_risk_rose_query_fails_loudly_after_the_high_risk_messages_and_the_retry_sends_the_rest(aws):
    settings = handler.Settings.from_env()
    high = [dict(zip(COLUMNS, r, strict=True)) for r in ROWS]
    rose = [dict(zip(RISE_COLUMNS, ["" if v is None else v for v in r], strict=True)) for r in RISE_ROWS]

    class Athena:  # the HIGH-risk query answers; the risk-rose one fails on the first invocation only
        def __init__(self, fail: bool) -> None:
            self.fail = fail

        def rows(self, sql: str) -> list[dict[str, str]]:
            if "loan_early_warning" not in sql:
                return high
            if self.fail:
                raise handler.AlertError("Athena query failed after 4 attempts: FAILED")
            return rose

    state = handler.SentAlerts(aws["ddb"], settings.state_table)
    sns = boto3.client("sns", region_name=REGION)
    with pytest.raises(handler.AlertError, match="FAILED"):
        handler.send_alerts(settings, Athena(fail=True), state, sns)  # type: ignore[arg-type]
    assert {m["type"] for m in _received(aws)} == {"finlake.high_risk_customers.v1"}
    retried = handler.send_alerts(settings, Athena(fail=False), state, sns)  # type: ignore[arg-type]
    assert retried["alerted"] == 0 and retried["risk_rose"]["alerted"] == 3
    assert {m["type"] for m in _received(aws)} == {"finlake.loans_risk_rose.v1"}
