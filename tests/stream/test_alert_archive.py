"""The alert archive (moto): every published alert lands once in S3 through Firehose, as the Athena table
reads it; a crash between publication and the SENT mark archives it again (readers keep the first). And the
monitor Lambda reads exactly the environment Terraform sets."""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
from pathlib import Path

import boto3
import hcl2
import pytest
from moto import mock_aws

from finlake.stream.aws import FirehoseArchive, SnsPublisher

REPO = Path(__file__).resolve().parents[2]
REGION = "eu-central-1"
ALERT = {
    "alert_id": "LARGE_CASH:A1:T1",
    "rule": "LARGE_CASH",
    "account_id": "A1",
    "first_transaction_id": "T1",
    "first_booked_at": "2024-01-01T10:00:00Z",
    "last_booked_at": "2024-01-01T10:00:00Z",
    "transaction_count": 1,
    "total_amount": "12000.00",
    "max_amount": "12000.00",
    "transaction_ids": ["T1"],
    "detected_at": "2026-01-01T10:00:01Z",
    "trigger_arrived_at": 1000.0,
}


@pytest.fixture
def aws(monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        clients = {s: boto3.client(s, region_name=REGION) for s in ("s3", "firehose", "dynamodb", "sns", "iam")}
        clients["s3"].create_bucket(Bucket="gold", CreateBucketConfiguration={"LocationConstraint": REGION})
        clients["dynamodb"].create_table(
            TableName="state",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        clients["firehose"].create_delivery_stream(
            DeliveryStreamName="archive",
            DeliveryStreamType="DirectPut",
            ExtendedS3DestinationConfiguration={
                "RoleARN": "arn:aws:iam::123456789012:role/archive",
                "BucketARN": "arn:aws:s3:::gold",
                "Prefix": "stream_alerts/",
            },
        )
        clients["topic"] = clients["sns"].create_topic(Name="alerts")["TopicArn"]
        yield clients


def archived(s3) -> list[dict]:
    lines = []
    for obj in s3.list_objects_v2(Bucket="gold", Prefix="stream_alerts/").get("Contents", []):
        body = s3.get_object(Bucket="gold", Key=obj["Key"])["Body"].read()
        text = gzip.decompress(body).decode() if body[:2] == b"\x1f\x8b" else body.decode()
        lines += [json.loads(line) for line in text.splitlines() if line]
    return lines


def publisher(aws, now: float) -> SnsPublisher:
    archive = FirehoseArchive(aws["firehose"], "archive")
    return SnsPublisher(aws["dynamodb"], aws["sns"], "state", aws["topic"], now=lambda: now, archive=archive)


def test_each_published_alert_is_archived_once_with_its_latency(aws):
    assert publisher(aws, 1000.25).publish(ALERT)
    assert not publisher(aws, 1001.0).publish(ALERT), "already SENT: neither published nor archived again"
    lines = archived(aws["s3"])
    assert len(lines) == 1
    assert lines[0]["alert_id"] == ALERT["alert_id"] and lines[0]["detection_latency_ms"] == 250.0
    assert "trigger_arrived_at" not in lines[0]
    columns = re.findall(
        r'\{ name = "(\w+)", type = "[^"]+" \}', (REPO / "terraform/modules/streaming/alert_archive.tf").read_text()
    )
    assert set(lines[0]) == set(columns), "the Athena table declares exactly the archived fields"


def test_a_crash_before_the_sent_mark_archives_the_alert_again(aws, monkeypatch):
    first = publisher(aws, 1000.25)
    monkeypatch.setattr(first.ddb, "update_item", lambda **_: (_ for _ in ()).throw(RuntimeError("killed")))
    with pytest.raises(RuntimeError):
        first.publish(ALERT)
    monkeypatch.undo()
    assert publisher(aws, 1002.0).publish(ALERT), "PENDING: published again"
    lines = archived(aws["s3"])
    assert [line["alert_id"] for line in lines] == [ALERT["alert_id"]] * 2
    assert min(line["detection_latency_ms"] for line in lines) == 250.0  # the first is the one to keep


def _terraform_environment() -> set[str]:
    parsed = hcl2.loads((REPO / "terraform/modules/streaming/main.tf").read_text())
    function = next(b["aws_lambda_function"]["this"] for b in parsed["resource"] if "aws_lambda_function" in b)
    return set(function["environment"][0]["variables"])


def test_terraform_sets_exactly_what_the_monitor_lambda_reads():
    path = REPO / "lambdas/transaction_monitor/handler.py"
    spec = importlib.util.spec_from_file_location("monitor_lambda_env", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = path.read_text()
    read = set(re.findall(r'env\["([A-Z_]+)"\]', text)) | {
        getattr(module, name) for name in re.findall(r"env(?:\.get\(|\[)([A-Z_]+)[\])]", text)
    }
    declared = set(module.REQUIRED_ENV) | set(module.OPTIONAL_ENV)
    assert read == declared and _terraform_environment() == declared
    assert module.OPTIONAL_ENV == ("FX_RATES_URI",)  # Terraform sets the rate snapshot too
