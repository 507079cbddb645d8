"""What each alert topic guarantees (moto), as terraform/modules/streaming/alert_topic.tf wires them: the FIFO
topic's SQS FIFO subscriber receives each alert exactly once even when the monitor dies between publishing
and marking it SENT; the standard topic's notification copy can then repeat it once, with its alert_id."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from finlake.stream import local
from finlake.stream.aws import SnsPublisher

ALERT = {
    "alert_id": "STRUCTURING:A1:T1",
    "rule": "STRUCTURING",
    "account_id": "A1",
    "first_transaction_id": "T1",
    "transaction_ids": ["T1", "T2", "T3"],
    "trigger_arrived_at": 1000.0,
}


@pytest.fixture
def aws(monkeypatch):
    for name, value in local.FAKE_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        ddb, sns, sqs = (boto3.client(s, region_name=local.REGION) for s in ("dynamodb", "sns", "sqs"))
        ddb.create_table(
            TableName="state",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        fifo = sns.create_topic(Name="alerts.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
        standard = sns.create_topic(Name="notify")["TopicArn"]
        queues = {
            "fifo": sqs.create_queue(QueueName="case-system.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"],
            "standard": sqs.create_queue(QueueName="notify-copy")["QueueUrl"],
        }
        for topic, url in ((fifo, queues["fifo"]), (standard, queues["standard"])):
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
        yield {"ddb": ddb, "sns": sns, "sqs": sqs, "fifo": fifo, "standard": standard, "queues": queues}


def _received(aws, kind: str) -> list[dict]:
    out = []
    while messages := aws["sqs"].receive_message(QueueUrl=aws["queues"][kind], MaxNumberOfMessages=10).get("Messages"):
        out += [json.loads(m["Body"]) for m in messages]
        for m in messages:
            aws["sqs"].delete_message(QueueUrl=aws["queues"][kind], ReceiptHandle=m["ReceiptHandle"])
    return out


def _publisher(aws) -> SnsPublisher:
    return SnsPublisher(
        aws["ddb"], aws["sns"], "state", aws["fifo"], now=lambda: 1000.5, notify_topic_arn=aws["standard"]
    )


def test_a_crash_between_publication_and_the_sent_mark(aws, monkeypatch):
    first = _publisher(aws)
    monkeypatch.setattr(first.ddb, "update_item", lambda **_: (_ for _ in ()).throw(RuntimeError("killed")))
    with pytest.raises(RuntimeError):
        first.publish(ALERT)
    monkeypatch.undo()
    assert _publisher(aws).publish(ALERT), "PENDING: published again (the retry)"
    assert not _publisher(aws).publish(ALERT), "SENT: skipped"
    assert [m["alert_id"] for m in _received(aws, "fifo")] == [ALERT["alert_id"]]  # exactly once
    assert [m["alert_id"] for m in _received(aws, "standard")] == [ALERT["alert_id"]] * 2  # at most one repeat


def test_without_a_crash_each_topic_gets_it_once(aws):
    assert _publisher(aws).publish(ALERT) and not _publisher(aws).publish(ALERT)
    assert len(_received(aws, "fifo")) == len(_received(aws, "standard")) == 1
