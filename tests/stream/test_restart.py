"""SIGKILL the monitor at random points, restart it: no alert lost, none delivered twice (read back from moto)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from generated import encoded, lambda_records, shuffled, transactions

from finlake.contracts.compliance_rules import ALLOWED_LATENESS_SECONDS
from finlake.stream import local, replay
from finlake.stream.handler import Deps, handle
from finlake.stream.memory import MemoryOutputs, MemoryPublisher, MemoryState

REPO = Path(__file__).resolve().parents[2]


def expected_alerts(payloads: list[bytes]) -> set[str]:
    """The same records through the handler in memory, without crashes (release at the end, as the poller)."""
    deps = Deps(MemoryState(), MemoryPublisher(), MemoryOutputs())
    for start in range(0, len(payloads), 50):
        handle(lambda_records(payloads[start : start + 50]), deps)
    return set(deps.publisher.sent)


def checkpoints(resources: local.Resources) -> tuple[int, ...]:
    ddb = local.client("dynamodb", resources.endpoint)
    keys = [f"c#{resources.stream}/shardId-00000000000{i}" for i in range(2)]
    items = [ddb.get_item(TableName=resources.table, Key={"pk": {"S": k}}).get("Item", {}) for k in keys]
    return tuple(int(item.get("sequence", {}).get("S", "0")) for item in items)


def sns_publications(topic_arn: str) -> int:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    return len(sns_backends[DEFAULT_ACCOUNT_ID][local.REGION].topics[topic_arn].sent_notifications)


@pytest.mark.slow
def test_killed_and_restarted_monitor_delivers_every_alert_once(tmp_path):
    rng = random.Random(7)
    rows = transactions(11, accounts=8, per_account=50)
    closing = {**rows[0], "transaction_id": "ZZ-END", "booked_at": "2030-01-01T00:00:00Z", "channel": "ONLINE"}
    payloads = encoded(shuffled(rows, ALLOWED_LATENESS_SECONDS, 0.1, seed=11) + [closing])
    expected = expected_alerts(payloads)
    assert len(expected) > 10
    env = {**os.environ, **local.FAKE_CREDENTIALS, "PYTHONPATH": str(REPO / "src")}
    with local.moto_server() as endpoint:
        resources = local.create(endpoint, shards=2)
        # keyed by account, as producers key the stream: an account's events stay in one shard, whose
        # watermark alone decides its bursts (keyed alternately, an account spanned both shards, and how a
        # restart interleaved them could release a burst before its earlier events came from the other)
        records = [(json.loads(data)["account_id"], data, 0.0) for data in payloads]
        replay.produce(local.client("kinesis", endpoint), resources.stream, records, None, lambda n: None)
        # batches of 2: a run lasts long enough for the kills to land mid-run even on an idle machine (with
        # batches of 5 the pollers, faster since the tick change, often drained the stream before a kill)
        command = [sys.executable, "-m", "finlake.stream.poller", resources.to_json(), "2"]
        kills, progress = 0, []
        for _ in range(6):  # kill at a random moment of each run
            proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.5, 2.5))
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                kills += 1
            proc.wait()
            progress.append(checkpoints(resources))
        final = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        assert final.returncode == 0, final.stderr
        outbox = local.Outbox(resources, tmp_path)
        outbox.drain()
        published = sns_publications(resources.topic_arn)
    assert kills >= 3 and len(set(progress) - {(0, 0)}) >= 2  # killed mid-run, after some progress each time
    assert outbox.seen["alerts"] == expected  # nothing lost
    assert outbox.received["alerts"] == len(expected)  # nothing delivered twice
    assert len(expected) <= published <= len(expected) + kills  # a repeat only where a kill hit publish..mark
