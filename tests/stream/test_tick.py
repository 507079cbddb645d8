"""Watermark ticks: a quiet shard's held bursts are released by processing time (finlake.stream.tick).

The expected times are worked out by hand from the rule: a tick arriving `idle` seconds after the last
applied event (idle >= the rules' idle_seconds) moves the shard's latest event time to base_t + idle."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from generated import lambda_records
from moto import mock_aws

from finlake.stream import local
from finlake.stream.handler import Deps, handle
from finlake.stream.memory import MemoryOutputs, MemoryPublisher, MemoryState
from finlake.stream.monitor import Rules, parse_record
from finlake.stream.poller import Poller
from finlake.stream.tick import TICK_TYPE, Tick, send_ticks

T0 = datetime(2024, 1, 1, 10, 0, tzinfo=UTC)
ARRIVED = 1_700_000_000.0
SHARD = "test/shardId-000000000000"


def deposit(tx: str, seconds: int) -> dict[str, str]:  # a just-below-threshold cash deposit: STRUCTURING material
    booked = (T0 + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")
    return {
        "transaction_id": tx,
        "account_id": "A1",
        "booked_at": booked,
        "amount": "9000.00",
        "currency": "EUR",
        "direction": "CREDIT",
        "channel": "BRANCH",
        "merchant_category": "",
        "description": "",
        "balance_after": "",
    }


class Feed:
    """Records of one shard with chosen arrival times, sequence numbers increasing across batches."""

    def __init__(self) -> None:
        self.deps, self.next = Deps(MemoryState(), MemoryPublisher(), MemoryOutputs()), 0

    def send(self, items: list[tuple[dict | str, float]]) -> None:
        payloads = [json.dumps(p).encode() if isinstance(p, dict) else p.encode() for p, _ in items]
        records = lambda_records(payloads, start=self.next)
        for record, (_, arrived) in zip(records, items, strict=True):
            record["kinesis"]["approximateArrivalTimestamp"] = arrived
        self.next += len(records)
        assert handle(records, self.deps)[0] == {"batchItemFailures": []}


TICK = json.dumps({"type": TICK_TYPE})


def test_a_tick_releases_a_held_burst_once_the_shard_has_been_quiet_long_enough():
    feed = Feed()  # default rules: lateness 900 s, idle 60 s
    feed.send([(deposit("S1", 0), ARRIVED), (deposit("S2", 100), ARRIVED + 1), (deposit("S3", 200), ARRIVED + 2)])
    # the burst's first event is final once the watermark (max_t - 900) reaches t0 + 1, i.e. max_t >= t0 + 901
    assert feed.deps.publisher.sent == {} and feed.deps.state.shards[SHARD]["held"] == {"A1": int(T0.timestamp()) + 1}
    feed.send([(TICK, ARRIVED + 2 + 30)])  # quiet for 30 s < 60 s: nothing moves
    feed.send([(TICK, ARRIVED + 2 + 600)])  # 600 s: max_t = t0 + 800, still short of t0 + 901
    assert feed.deps.publisher.sent == {}
    feed.send([(TICK, ARRIVED + 2 + 2000)])  # max_t = t0 + 2200: final
    assert set(feed.deps.publisher.sent) == {"STRUCTURING:A1:S1"}
    assert feed.deps.state.shards[SHARD]["held"] == {}

    # after the tick, the watermark is t0 + 1300: an event booked before it is late, as after a real event
    feed.send([(deposit("LATE", 1299), ARRIVED + 2100), (deposit("OK", 1300), ARRIVED + 2101)])
    assert [json.loads(x["data"])["transaction_id"] for x in feed.deps.outputs.items["late"]] == ["LATE"]
    assert feed.deps.outputs.items["dead_letter"] == []  # a tick is neither an event nor a dead letter


def test_without_ticks_the_burst_waits_for_the_next_event():
    feed = Feed()
    feed.send([(deposit("S1", 0), ARRIVED), (deposit("S2", 100), ARRIVED + 1), (deposit("S3", 200), ARRIVED + 2)])
    feed.send([(deposit("N1", 901), ARRIVED + 5000)])  # the same release, by an event
    assert set(feed.deps.publisher.sent) == {"STRUCTURING:A1:S1"}


def test_a_tick_record_is_parsed_as_a_tick():
    assert parse_record(TICK.encode(), 12.5) == Tick(12.5)


@pytest.fixture
def kinesis(monkeypatch):
    for name, value in local.FAKE_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("kinesis", region_name=local.REGION)
        client.create_stream(StreamName="s", ShardCount=2)
        yield client


def _records(client, shard: str) -> list[dict]:
    iterator = client.get_shard_iterator(StreamName="s", ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    return [json.loads(r["Data"]) for r in client.get_records(ShardIterator=iterator["ShardIterator"])["Records"]]


def test_the_scheduled_tick_goes_into_each_quiet_shard_holding_bursts_only(kinesis):
    shards = [s["ShardId"] for s in kinesis.list_shards(StreamName="s")["Shards"]]
    state = MemoryState()
    state.put_shard(f"s/{shards[0]}", {"max_t": 5, "held": {"A1": 7}, "clock": [5, 1000.0]})  # quiet, holding
    state.put_shard(f"s/{shards[1]}", {"max_t": 5, "held": {}, "clock": [5, 1000.0]})  # quiet, nothing held
    assert send_ticks(kinesis, "s", state, now=1030.0) == []  # quiet for 30 s only
    assert send_ticks(kinesis, "s", state, now=1060.0) == [shards[0]]
    assert [r["type"] for r in _records(kinesis, shards[0])] == [TICK_TYPE]
    assert _records(kinesis, shards[1]) == []


@pytest.mark.slow
def test_the_local_poller_ticks_a_quiet_shard():
    """moto on 127.0.0.1: events stop, the poller (no release_all) still publishes the held burst."""
    rules = Rules(lateness_seconds=2, idle_seconds=0.5)  # small bounds so the test takes seconds
    with local.moto_server() as endpoint:
        resources = local.create(endpoint, shards=1)
        poller, kinesis = Poller(resources, batch_size=10, rules=rules), local.client("kinesis", endpoint)
        for tx, t in (("S1", 0), ("S2", 1), ("S3", 2)):  # max_t = t0 + 2: watermark t0 < t0 + 1, held
            kinesis.put_record(StreamName=resources.stream, Data=json.dumps(deposit(tx, t)).encode(), PartitionKey="A1")
        deadline = time.monotonic() + 30
        while poller.stats.published == 0 and time.monotonic() < deadline:
            poller.poll_once()
            time.sleep(0.1)
        assert (poller.stats.published, poller.stats.events) == (1, 3) and poller.stats.ticks >= 1
        sqs = local.client("sqs", endpoint)
        (message,) = sqs.receive_message(QueueUrl=resources.queues["alerts"])["Messages"]
        assert json.loads(message["Body"])["alert_id"] == "STRUCTURING:A1:S1"
