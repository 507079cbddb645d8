"""AWS Lambda: the real-time transaction monitor, attached to the transactions Kinesis stream.

The event source mapping (terraform/modules/streaming) delivers batches of one shard with
ReportBatchItemFailures, bisect-on-error, bounded retries and an SQS on-failure destination. All the
logic is in finlake.stream (packaged next to this file): the rules shared with the nightly compliance
table, dedupe, lateness, dead letters with Silver's reason codes, exactly-once alert publication.
Clients are created on the first invocation, never at import time.
"""

from __future__ import annotations

import os
from typing import Any

from finlake.stream.aws import DynamoState, FirehoseArchive, SnsPublisher, SqsOutputs
from finlake.stream.handler import Deps, handle

# Environment contract with Terraform (tests/stream check both sides name the same variables).
REQUIRED_ENV = (
    "STATE_TABLE",
    "ALERT_TOPIC_ARN",
    "DEAD_LETTER_QUEUE_URL",
    "LATE_EVENTS_QUEUE_URL",
    "ALERT_ARCHIVE_STREAM",
)
_DEPS: list[Deps] = []  # one set of clients per warm container


def _deps(env: dict[str, str]) -> Deps:
    import boto3  # in the Lambda runtime; imported here so importing this module creates nothing

    missing = [name for name in REQUIRED_ENV if not env.get(name)]
    if missing:
        raise RuntimeError(f"missing environment variable(s): {', '.join(missing)}")
    ddb = boto3.client("dynamodb")
    return Deps(
        state=DynamoState(ddb, env["STATE_TABLE"]),
        publisher=SnsPublisher(
            ddb,
            boto3.client("sns"),
            env["STATE_TABLE"],
            env["ALERT_TOPIC_ARN"],
            archive=FirehoseArchive(boto3.client("firehose"), env["ALERT_ARCHIVE_STREAM"]),
        ),
        outputs=SqsOutputs(
            boto3.client("sqs"), {"dead_letter": env["DEAD_LETTER_QUEUE_URL"], "late": env["LATE_EVENTS_QUEUE_URL"]}
        ),
    )


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if not _DEPS:
        _DEPS.append(_deps(dict(os.environ)))
    response, stats = handle(event.get("Records", []), _DEPS[0])
    print(
        f"monitor: {stats.events} events, {stats.published} alerts, {stats.duplicates} duplicates, "
        f"{stats.late} late, {stats.dead_lettered} dead letters"
    )
    return response
