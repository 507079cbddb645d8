"""The monitor's AWS side: DynamoDB state, the idempotent SNS publisher, SQS side outputs.

Clients are passed in (boto3 in the Lambda, the same against moto locally); nothing is created at import.

Exactly-once publication: an alert is first *claimed* with a conditional write (`attribute_not_exists`)
of `alert#<alert_id>` (status PENDING), then published, then marked SENT. A retry finds the record:
SENT -> skipped; PENDING -> the earlier attempt died between claim and mark, so it publishes again,
with the alert id as SNS `MessageDeduplicationId` — on the FIFO topic SNS drops the repeat (5-minute
deduplication interval, far longer than the event source mapping's immediate retries), so its SQS FIFO
subscriber gets each alert once. The optional notification copy goes to a standard topic (e-mail, chat:
FIFO topics deliver to SQS only) after the FIFO publication; there that one window (published, mark not
yet written) can repeat an alert once, and its `alert_id` attribute lets a subscriber drop it. Every other
crash point is covered by the claim record alone.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from finlake.contracts.fx_rates import RateBook
from finlake.stream.monitor import AccountState

STATE_TTL_SECONDS = 35 * 86_400  # an idle account's windows are forgotten after the longest window + margin
ALERT_TTL_SECONDS = 400 * 86_400  # alert ids are remembered for more than a year
MESSAGE_TYPE = "finlake.transaction_alert.v1"


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class DynamoState:
    """Per-account windows (`a#<account_id>`) and per-shard watermarks (`s#<stream>/<shard>`), one table."""

    def __init__(self, client: Any, table: str, now: Callable[[], float] = time.time) -> None:
        self.client, self.table, self.now = client, table, now

    def get_shard(self, shard: str) -> dict[str, Any]:
        item = self.client.get_item(TableName=self.table, Key={"pk": {"S": f"s#{shard}"}}, ConsistentRead=True)
        return json.loads(item["Item"]["state"]["S"]) if "Item" in item else {}

    def put_shard(self, shard: str, state: dict[str, Any]) -> None:
        self.client.put_item(TableName=self.table, Item=self._item(f"s#{shard}", json.dumps(state)))

    def get_accounts(self, account_ids: Iterable[str]) -> dict[str, AccountState]:
        found: dict[str, AccountState] = {}
        ids = list(account_ids)
        for chunk in _chunks(ids, 100):
            request = {self.table: {"Keys": [{"pk": {"S": f"a#{a}"}} for a in chunk], "ConsistentRead": True}}
            while request:
                response = self.client.batch_get_item(RequestItems=request)
                for item in response["Responses"].get(self.table, []):
                    found[item["pk"]["S"][2:]] = AccountState.from_json(item["state"]["S"])
                request = response.get("UnprocessedKeys") or {}
        return {a: found.get(a, AccountState()) for a in ids}

    def put_accounts(self, states: dict[str, AccountState]) -> None:
        items = [{"PutRequest": {"Item": self._item(f"a#{a}", s.to_json())}} for a, s in sorted(states.items())]
        for chunk in _chunks(items, 25):
            request: dict[str, Any] = {self.table: list(chunk)}
            while request:
                request = self.client.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}

    def _item(self, key: str, state: str) -> dict[str, Any]:
        return {"pk": {"S": key}, "state": {"S": state}, "expires_at": {"N": str(int(self.now()) + STATE_TTL_SECONDS)}}


class SnsPublisher:
    """Publishes each alert once (see the module docstring); `archive`, when given, receives each published
    message after the publication and before it is marked SENT, so the archive misses none (a retry after a
    crash in between archives it again: readers keep the first per alert_id)."""

    def __init__(
        self,
        ddb: Any,
        sns: Any,
        table: str,
        topic_arn: str,
        now: Callable[[], float] = time.time,
        archive: Callable[[dict[str, Any]], None] | None = None,
        notify_topic_arn: str | None = None,
    ) -> None:
        self.ddb, self.sns, self.table, self.topic_arn, self.now = ddb, sns, table, topic_arn, now
        self.archive, self.notify_topic_arn = archive, notify_topic_arn

    def publish(self, alert: dict[str, Any]) -> bool:
        """True if this call published it; False if it had been sent before."""
        key = {"pk": {"S": f"alert#{alert['alert_id']}"}}
        if not self._claim(key) and self._status(key) == "SENT":
            return False
        body = self._body(alert)
        message_id = self._send(self.topic_arn, alert, body)
        if self.notify_topic_arn:  # the standard topic's notification copy: at least once
            self._send(self.notify_topic_arn, alert, body)
        if self.archive is not None:
            self.archive(body)
        self.ddb.update_item(
            TableName=self.table,
            Key=key,
            UpdateExpression="SET #s = :sent, message_id = :m, sent_at = :t",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":sent": {"S": "SENT"},
                ":m": {"S": message_id},
                ":t": {"N": str(int(self.now()))},
            },
        )
        return True

    def _claim(self, key: dict[str, Any]) -> bool:
        now = int(self.now())
        item = {**key, "status": {"S": "PENDING"}, "claimed_at": {"N": str(now)}}
        try:
            self.ddb.put_item(
                TableName=self.table,
                Item={**item, "expires_at": {"N": str(now + ALERT_TTL_SECONDS)}},
                ConditionExpression="attribute_not_exists(pk)",
            )
            return True
        except self.ddb.exceptions.ConditionalCheckFailedException:
            return False

    def _status(self, key: dict[str, Any]) -> str:
        item = self.ddb.get_item(TableName=self.table, Key=key, ConsistentRead=True).get("Item", {})
        return item.get("status", {}).get("S", "")

    def _body(self, alert: dict[str, Any]) -> dict[str, Any]:
        body = {"type": MESSAGE_TYPE, **{k: v for k, v in alert.items() if k != "trigger_arrived_at"}}
        # processing time from the arrival in Kinesis of the event that completed the alert (the dashboard shows it)
        body["detection_latency_ms"] = round(1000 * (self.now() - alert["trigger_arrived_at"]), 1)
        return body

    def _send(self, topic_arn: str, alert: dict[str, Any], body: dict[str, Any]) -> str:
        request: dict[str, Any] = {
            "TopicArn": topic_arn,
            "Subject": f"finlake: {alert['rule']} alert on account {alert['account_id']}"[:100],
            "Message": json.dumps(body, sort_keys=True),
            "MessageAttributes": {
                "alert_id": {"DataType": "String", "StringValue": alert["alert_id"]},
                "rule": {"DataType": "String", "StringValue": alert["rule"]},
            },
        }
        if topic_arn.endswith(".fifo"):
            request |= {"MessageDeduplicationId": alert["alert_id"][:128], "MessageGroupId": alert["account_id"]}
        return str(self.sns.publish(**request)["MessageId"])


class SqsOutputs:
    """Dead letters and late events as SQS messages (kind -> queue URL)."""

    def __init__(self, client: Any, queue_urls: dict[str, str]) -> None:
        self.client, self.queue_urls = client, queue_urls

    def send(self, kind: str, items: Sequence[dict[str, Any]]) -> None:
        for chunk in _chunks(items, 10):
            entries = [{"Id": str(i), "MessageBody": json.dumps(item)} for i, item in enumerate(chunk)]
            failed = self.client.send_message_batch(QueueUrl=self.queue_urls[kind], Entries=entries).get("Failed")
            if failed:
                raise RuntimeError(f"{len(failed)} {kind} message(s) not sent: {failed[0].get('Message', '')}")


class FirehoseArchive:
    """Published alerts, one JSON line each, to the alert archive's delivery stream (S3, read by Athena)."""

    def __init__(self, client: Any, delivery_stream: str) -> None:
        self.client, self.delivery_stream = client, delivery_stream

    def __call__(self, message: dict[str, Any]) -> None:
        data = (json.dumps(message, sort_keys=True) + "\n").encode()
        self.client.put_record(DeliveryStreamName=self.delivery_stream, Record={"Data": data})


def _rates_location(uri: str) -> tuple[str, str]:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    if not uri.startswith("s3://") or not bucket or not key:
        raise ValueError(f"FX_RATES_URI must be s3://bucket/key, got {uri!r}")
    return bucket, key


def _parse_rate_book(uri: str, body: bytes) -> RateBook:
    try:
        return RateBook.from_json(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise ValueError(f"{uri}: {e}") from e


def load_rate_book(s3: Any, uri: str) -> RateBook:
    """The rate book from a JSON snapshot at `s3://bucket/key` (`RateBook.to_json`'s format); a bad URI or
    snapshot raises ValueError naming it (the Lambda then fails loudly rather than judge in the wrong currency)."""
    bucket, key = _rates_location(uri)
    return _parse_rate_book(uri, s3.get_object(Bucket=bucket, Key=key)["Body"].read())


# A warm Lambda re-checks the snapshot's ETag at most this often: the Silver job rewrites it once a run,
# so five minutes of staleness is nothing, and a check is one conditional GET (304, no body) per container.
RATES_REFRESH_SECONDS = 300


class S3RateBook:
    """The monitor's rate book from the Silver job's snapshot (`<state>/fx_rates.json`), kept across
    invocations and reloaded when its ETag changes (GetObject with IfNoneMatch, at most every `ttl` s).

    First load: a missing snapshot (Silver has not run yet; 403 or 404) is an empty book, logged at each
    check every `ttl`; any other failure (a malformed snapshot, no such bucket) raises, so the Lambda never starts judging in the wrong currency unnoticed.
    Later: a failed refresh keeps the book it has and logs one line."""

    def __init__(
        self,
        s3: Any,
        uri: str,
        ttl: float = RATES_REFRESH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        log: Callable[[str], None] = print,
    ) -> None:
        self.bucket, self.key = _rates_location(uri)
        self.s3, self.uri, self.ttl, self.clock, self.log = s3, uri, ttl, clock, log
        self.book, self.etag = RateBook(), ""
        self.checked_at: float | None = None
        self.loaded = False

    def current(self) -> RateBook:
        """The book to judge with now (re-checked when the last check is `ttl` seconds old)."""
        now = self.clock()
        if self.checked_at is not None and now - self.checked_at < self.ttl:
            return self.book
        try:
            self._refresh()
        except Exception as e:  # any failure: the book in hand stays (first load: see the class docstring)
            if not self.loaded and not _missing(e):
                raise
            what = "no rate snapshot yet, only EUR amounts are judged" if not self.loaded else "refresh failed"
            self.log(f"monitor: {self.uri}: {what} ({type(e).__name__}: {e}); next check in {self.ttl:.0f}s")
        self.checked_at = now
        return self.book

    def _refresh(self) -> None:
        from botocore.exceptions import ClientError

        conditional = {"IfNoneMatch": self.etag} if self.etag else {}
        try:
            response = self.s3.get_object(Bucket=self.bucket, Key=self.key, **conditional)
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") in ("304", "NotModified"):
                return  # unchanged: the body is not sent again
            raise
        self.book, self.etag = _parse_rate_book(self.uri, response["Body"].read()), response["ETag"]
        self.loaded = True


def _missing(error: Exception) -> bool:
    """Not written yet. The function may read only that one object (no s3:ListBucket), so for a missing
    key S3 answers 403 AccessDenied rather than 404: both mean "no book yet", and the log line says which."""
    code = getattr(error, "response", {}).get("Error", {}).get("Code")
    return code in ("NoSuchKey", "404", "AccessDenied", "403")
