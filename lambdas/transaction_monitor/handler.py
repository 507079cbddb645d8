"""AWS Lambda: the real-time transaction monitor, attached to the transactions Kinesis stream.

The event source mapping (terraform/modules/streaming) delivers batches of one shard with
ReportBatchItemFailures, bisect-on-error, bounded retries and an SQS on-failure destination. All the
logic is in finlake.stream (packaged next to this file): the rules shared with the nightly compliance
table, dedupe, lateness, dead letters with Silver's reason codes, exactly-once alert publication.
Clients are created on the first invocation, never at import time.

Invoked by the EventBridge schedule with `{"type": "finlake.stream.tick"}`, it puts a watermark tick into
each quiet shard that holds bursts (finlake.stream.tick); the mapping then hands the tick to the shard's
invocation in order with its events.
"""

from __future__ import annotations

import os
import time
from typing import Any

from finlake.stream.aws import DynamoState, FirehoseArchive, S3RateBook, SnsPublisher, SqsOutputs
from finlake.stream.handler import Deps, handle
from finlake.stream.monitor import Rules
from finlake.stream.tick import TICK_EVENT, send_ticks

# Environment contract with Terraform (tests/stream check both sides name the same variables).
REQUIRED_ENV = (
    "STATE_TABLE",
    "ALERT_TOPIC_ARN",
    "NOTIFY_TOPIC_ARN",
    "DEAD_LETTER_QUEUE_URL",
    "LATE_EVENTS_QUEUE_URL",
    "ALERT_ARCHIVE_STREAM",
    "STREAM_NAME",
)
# The JSON snapshot of silver.fx_rates (RateBook.to_json) the Silver job writes to <state>/fx_rates.json,
# for the EUR thresholds; Terraform sets it. Kept warm, re-checked by ETag every RATES_REFRESH_SECONDS
# (finlake.stream.aws.S3RateBook). Unset, only amounts booked in EUR are judged (the rate book is empty).
RATES_ENV = "FX_RATES_URI"
OPTIONAL_ENV = (RATES_ENV,)
_DEPS: list[Deps] = []  # one set of clients per warm container
_KINESIS: list[Any] = []


def _deps(env: dict[str, str]) -> Deps:
    import boto3  # in the Lambda runtime; imported here so importing this module creates nothing

    missing = [name for name in REQUIRED_ENV if not env.get(name)]
    if missing:
        raise RuntimeError(f"missing environment variable(s): {', '.join(missing)}")
    ddb = boto3.client("dynamodb")
    rates = S3RateBook(boto3.client("s3"), env[RATES_ENV]) if env.get(RATES_ENV) else None
    if rates is not None:
        rates.current()  # first load now: a bad snapshot fails the cold start, not a batch
    return Deps(
        state=DynamoState(ddb, env["STATE_TABLE"]),
        publisher=SnsPublisher(
            ddb,
            boto3.client("sns"),
            env["STATE_TABLE"],
            env["ALERT_TOPIC_ARN"],
            archive=FirehoseArchive(boto3.client("firehose"), env["ALERT_ARCHIVE_STREAM"]),
            notify_topic_arn=env["NOTIFY_TOPIC_ARN"],
        ),
        outputs=SqsOutputs(
            boto3.client("sqs"), {"dead_letter": env["DEAD_LETTER_QUEUE_URL"], "late": env["LATE_EVENTS_QUEUE_URL"]}
        ),
        rules=Rules(rates=rates.book) if rates is not None else Rules(),
        rates=rates.current if rates is not None else None,
    )


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if not _DEPS:
        _DEPS.append(_deps(dict(os.environ)))
    if event.get("type") == TICK_EVENT:  # the schedule, not the stream
        import boto3

        if not _KINESIS:
            _KINESIS.append(boto3.client("kinesis"))
        env = dict(os.environ)
        ticked = send_ticks(_KINESIS[0], env["STREAM_NAME"], _DEPS[0].state, time.time())
        print(f"monitor: tick put into {len(ticked)} quiet shard(s) holding bursts")
        return {"ticked": ticked}
    response, stats = handle(event.get("Records", []), _DEPS[0])
    print(
        f"monitor: {stats.events} events, {stats.published} alerts, {stats.duplicates} duplicates, "
        f"{stats.late} late, {stats.dead_lettered} dead letters"
    )
    return response
