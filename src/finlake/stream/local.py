"""The AWS pieces on a moto server on 127.0.0.1: Kinesis stream, state table, alert topic, side queues.

The same resources the Terraform module creates, under the same roles: the alert topic is subscribed by
an SQS queue that stands for the compliance team's case system; dead letters and late events are SQS
queues. The local topic is FIFO, so a publication repeated after a crash is dropped by its
deduplication id (see finlake.stream.aws).
"""

from __future__ import annotations

import contextlib
import json
import os
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REGION = "eu-central-1"
PREFIX = "finlake-local"
OUTBOX_FILES = {"alerts": "alerts.jsonl", "dead_letter": "dead_letters.jsonl", "late": "late_events.jsonl"}
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION}


@dataclass(frozen=True)
class Resources:
    endpoint: str
    stream: str
    table: str
    topic_arn: str
    queues: dict[str, str]  # alerts (the topic's subscriber), dead_letter, late -> queue URL

    def to_json(self) -> str:
        return json.dumps(self.__dict__)

    @classmethod
    def from_json(cls, text: str) -> Resources:
        return cls(**json.loads(text))


def client(service: Any, endpoint: str) -> Any:
    import boto3

    for name, value in FAKE_CREDENTIALS.items():  # moto only; never a real account's credentials
        os.environ.setdefault(name, value)
    return boto3.client(service, region_name=REGION, endpoint_url=endpoint)


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """A moto server on 127.0.0.1 (a free port) for the duration of the block; yields its URL."""
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        # moto's backends live in this process: start empty even if an earlier server made the same names
        urllib.request.urlopen(urllib.request.Request(f"http://{host}:{port}/moto-api/reset", method="POST")).close()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def create(endpoint: str, shards: int = 2) -> Resources:
    kinesis, ddb, sns, sqs = (client(s, endpoint) for s in ("kinesis", "dynamodb", "sns", "sqs"))
    stream = f"{PREFIX}-transactions"
    kinesis.create_stream(StreamName=stream, ShardCount=shards)
    table = f"{PREFIX}-transaction-monitor"
    ddb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    topic = sns.create_topic(
        Name=f"{PREFIX}-transaction-alerts.fifo", Attributes={"FifoTopic": "true", "ContentBasedDeduplication": "false"}
    )["TopicArn"]
    queues = {
        "alerts": sqs.create_queue(QueueName=f"{PREFIX}-alerts.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"],
        "dead_letter": sqs.create_queue(QueueName=f"{PREFIX}-dead-letters")["QueueUrl"],
        "late": sqs.create_queue(QueueName=f"{PREFIX}-late-events")["QueueUrl"],
    }
    alerts_arn = sqs.get_queue_attributes(QueueUrl=queues["alerts"], AttributeNames=["QueueArn"])["Attributes"]
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=alerts_arn["QueueArn"], Attributes={"RawMessageDelivery": "true"}
    )
    return Resources(endpoint, stream, table, topic, queues)


class Outbox:
    """Drains the queues into <lake>/stream/*.jsonl, each item once (alerts by id, the rest by position)."""

    def __init__(self, resources: Resources, directory: Path) -> None:
        self.sqs, self.queues, self.directory = client("sqs", resources.endpoint), resources.queues, directory
        directory.mkdir(parents=True, exist_ok=True)
        self.seen: dict[str, set[str]] = {kind: self._keys(kind) for kind in OUTBOX_FILES}
        self.received: dict[str, int] = dict.fromkeys(OUTBOX_FILES, 0)

    @staticmethod
    def key(kind: str, item: dict[str, Any]) -> str:
        return item["alert_id"] if kind == "alerts" else f"{item['shard']}:{item['sequence_number']}"

    def _keys(self, kind: str) -> set[str]:
        path = self.directory / OUTBOX_FILES[kind]
        return {self.key(kind, json.loads(line)) for line in path.read_text().splitlines()} if path.exists() else set()

    def drain(self) -> int:
        new = 0
        for kind, url in self.queues.items():
            while messages := self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
                self.received[kind] += len(messages)
                fresh = [
                    m
                    for m in map(lambda m: json.loads(m["Body"]), messages)
                    if self.key(kind, m) not in self.seen[kind]
                ]
                with (self.directory / OUTBOX_FILES[kind]).open("a") as out:
                    for item in fresh:
                        self.seen[kind].add(self.key(kind, item))
                        out.write(json.dumps(item, sort_keys=True) + "\n")
                new += len(fresh) if kind == "alerts" else 0
                self.sqs.delete_message_batch(
                    QueueUrl=url,
                    Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
                )
        return new
