"""A small stand-in for Lambda's Kinesis event source mapping, for the local run.

Like the mapping: per shard, batches of up to `batch_size` records from the last checkpoint; the handler's
`batchItemFailures` move the checkpoint to just before the first failed record, which is retried; a
batch whose invocation raises is split in two (bisect-on-error) and retried; after `max_retries` a
single failing record goes to the on-failure destination (the dead-letter queue) and the shard moves on.
Checkpoints are kept in the state table (`c#<stream>/<shard>`), so a killed poller resumes where the
last completed batch left off, as the mapping does after a crash. A shard with nothing to read gets a
watermark tick when it holds bursts and has been quiet for the rules' `idle_seconds` (finlake.stream.tick),
as the scheduled invocation does on AWS.

    python -m finlake.stream.poller RESOURCES_JSON   # what the restart test runs, and kills
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from finlake.stream.aws import DynamoState, SnsPublisher, SqsOutputs
from finlake.stream.handler import Deps, Stats, handle, shard_of
from finlake.stream.local import Resources, client
from finlake.stream.monitor import Rules, settle
from finlake.stream.tick import send_ticks


class Poller:
    def __init__(
        self, resources: Resources, batch_size: int = 500, max_retries: int = 3, rules: Rules | None = None
    ) -> None:
        self.r, self.batch_size, self.max_retries = resources, batch_size, max_retries
        self.kinesis, self.ddb = client("kinesis", resources.endpoint), client("dynamodb", resources.endpoint)
        self.sqs = client("sqs", resources.endpoint)
        self.deps = Deps(
            state=DynamoState(self.ddb, resources.table),
            publisher=SnsPublisher(self.ddb, client("sns", resources.endpoint), resources.table, resources.topic_arn),
            outputs=SqsOutputs(self.sqs, resources.queues),
            rules=rules or Rules(),
        )
        self.stats = Stats()
        self.last_tick: dict[str, float] = {}
        self.arn = self.kinesis.describe_stream_summary(StreamName=resources.stream)["StreamDescriptionSummary"][
            "StreamARN"
        ]
        self.shards = [s["ShardId"] for s in self.kinesis.list_shards(StreamName=resources.stream)["Shards"]]

    def _checkpoint_key(self, shard: str) -> dict[str, Any]:
        return {"pk": {"S": f"c#{self.r.stream}/{shard}"}}

    def checkpoint(self, shard: str) -> str | None:
        item = self.ddb.get_item(TableName=self.r.table, Key=self._checkpoint_key(shard), ConsistentRead=True)
        return item.get("Item", {}).get("sequence", {}).get("S")

    def _save(self, shard: str, sequence: str) -> None:
        self.ddb.put_item(TableName=self.r.table, Item={**self._checkpoint_key(shard), "sequence": {"S": sequence}})

    def _fetch(self, shard: str) -> list[dict[str, Any]]:
        after = self.checkpoint(shard)
        start = (
            {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "StartingSequenceNumber": after}
            if after
            else {"ShardIteratorType": "TRIM_HORIZON"}
        )
        iterator = self.kinesis.get_shard_iterator(StreamName=self.r.stream, ShardId=shard, **start)["ShardIterator"]
        records = self.kinesis.get_records(ShardIterator=iterator, Limit=self.batch_size)["Records"]
        return [
            {
                "eventID": f"{shard}:{r['SequenceNumber']}",
                "eventSourceARN": self.arn,
                "kinesis": {
                    "data": _b64(r["Data"]),
                    "sequenceNumber": r["SequenceNumber"],
                    "partitionKey": r["PartitionKey"],
                    "approximateArrivalTimestamp": r["ApproximateArrivalTimestamp"].timestamp(),
                },
            }
            for r in records
        ]

    def poll_once(self) -> int:
        """One batch per shard; the number of records consumed."""
        consumed = 0
        for shard in self.shards:
            batch = self._fetch(shard)
            if batch:
                consumed += self._invoke(shard, batch)
            else:
                self._tick_if_quiet(shard)
        return consumed

    def _tick_if_quiet(self, shard: str) -> None:
        """A quiet shard holding bursts gets a tick; checked once per idle period, as the schedule does on AWS."""
        now, idle = self.deps.now(), self.deps.rules.idle_seconds
        if now - self.last_tick.get(shard, float("-inf")) >= idle:
            self.last_tick[shard] = now
            send_ticks(self.kinesis, self.r.stream, self.deps.state, now, idle, shards=[shard])

    def _invoke(self, shard: str, batch: Sequence[dict[str, Any]], attempt: int = 1) -> int:
        """Runs the handler on `batch` until it is consumed; returns how many records were checkpointed."""
        try:
            response, stats = handle(batch, self.deps)
        except Exception as exc:  # the function failed as a whole: bisect, then give up on one record
            if len(batch) > 1:
                half = len(batch) // 2
                return self._invoke(shard, batch[:half]) + self._invoke(shard, batch[half:])
            if attempt < self.max_retries:
                return self._invoke(shard, batch, attempt + 1)
            self._on_failure(batch[0], f"{type(exc).__name__}: {exc}")
            self._save(shard, batch[0]["kinesis"]["sequenceNumber"])
            return 1
        self.stats.add(stats)
        failures = [f["itemIdentifier"] for f in response["batchItemFailures"]]
        done = [r for r in batch if not failures or int(r["kinesis"]["sequenceNumber"]) < min(map(int, failures))]
        if done:
            self._save(shard, done[-1]["kinesis"]["sequenceNumber"])
        rest = list(batch[len(done) :])
        if rest:
            if attempt < self.max_retries:
                return len(done) + self._invoke(shard, rest, attempt + 1)
            self._on_failure(rest[0], "record failed after retries")
            self._save(shard, rest[0]["kinesis"]["sequenceNumber"])
            return len(done) + 1
        return len(done)

    def _on_failure(self, record: dict[str, Any], why: str) -> None:
        """What the mapping's on-failure destination receives; here the record itself, for inspection."""
        item = {
            "kind": "dead_letter",
            "shard": shard_of(record),
            "sequence_number": record["kinesis"]["sequenceNumber"],
            "reasons": ["PROCESSING_ERROR"],
            "error": why,
        }
        self.deps.outputs.send("dead_letter", [item])

    def release_all(self) -> None:
        """End of input: close every window (on a live stream, time passing does this), publish held bursts."""
        for shard in self.shards:
            key = shard_of({"eventSourceARN": self.arn, "eventID": f"{shard}:"})
            state = self.deps.state.get_shard(key)
            held = state.get("held", {})
            if not held:
                continue
            watermark = max(held.values())
            accounts = self.deps.state.get_accounts(sorted(held))
            now = self.deps.now()
            for account_id, account in accounts.items():
                for alert in settle(account, account_id, self.deps.rules, watermark, now)[0]:
                    if self.deps.publisher.publish(alert):
                        self.stats.published += 1
                        self.stats.latencies.append(self.deps.now() - alert["trigger_arrived_at"])
                    self.stats.alerts += 1
            self.deps.state.put_accounts(accounts)
            self.deps.state.put_shard(key, {**state, "held": {}})

    def caught_up(self) -> bool:
        return all(not self._fetch(shard) for shard in self.shards)


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()


def run_until_drained(
    poller: Poller, producer_done: Callable[[], bool], each_round: Callable[[], object] = lambda: None
) -> None:
    while True:
        consumed = poller.poll_once()
        each_round()
        if consumed == 0:
            if producer_done() and poller.caught_up():
                return
            time.sleep(0.05)


if __name__ == "__main__":  # the restart test's monitor process: consume everything, close windows, exit
    p = Poller(Resources.from_json(sys.argv[1]), batch_size=int(sys.argv[2]) if len(sys.argv) > 2 else 100)
    run_until_drained(p, lambda: True)
    p.release_all()
    print(json.dumps({"events": p.stats.events, "published": p.stats.published}))
