"""On the real PKDD'99 data: the stream gives exactly the LARGE_CASH and STRUCTURING alert ids the Gold job wrote.

The whole transaction file the repository has (tests/conftest.py `pkdd99_lake`: import, Silver, Gold),
every account, no subset. Silver's transactions are replayed as `finlake stream` replays them (contract
strings, booking order, each delayed by up to the lateness bound, 10 % sent twice) through the handler
the Lambda runs, on one shard. The expectation is what the Gold job wrote to
`gold.compliance_cash_alerts` for the same lake: both sides run whatever rules and thresholds the code
declares, so a change to one that the other does not follow fails here.
"""

from __future__ import annotations

import pytest
from generated import lambda_records
from lake_tables import read

from finlake.contracts.compliance_rules import ALLOWED_LATENESS_SECONDS, LARGE_CASH, STRUCTURING
from finlake.stream import replay
from finlake.stream.handler import Deps, handle
from finlake.stream.memory import MemoryOutputs, MemoryPublisher, MemoryState

pytestmark = pytest.mark.slow

BATCH = 500  # the event source mapping's default batch size (terraform/modules/streaming)


def _stream_ids(payloads: list[bytes]) -> tuple[set[str], Deps]:
    deps = Deps(MemoryState(), MemoryPublisher(), MemoryOutputs())
    records = lambda_records(payloads)
    for start in range(0, len(records), BATCH):
        response, _ = handle(records[start : start + BATCH], deps)
        assert response == {"batchItemFailures": []}
    return {i for i in deps.publisher.sent if i.split(":")[0] in {LARGE_CASH, STRUCTURING}}, deps


def test_pkdd99_replay_gives_the_gold_alert_ids(pkdd99_lake, spark):
    rows = replay.silver_rows(pkdd99_lake)
    delivered = replay.deliver(replay.silver_records(rows), ALLOWED_LATENESS_SECONDS, 0.1, seed=99)
    # an event far in the future closes every window, as time passing does on a live stream
    closing = {**rows[0], "transaction_id": "ZZ-CLOSE", "account_id": "ZZ-CLOSE", "booked_at": "2100-01-01T00:00:00Z"}
    closing |= {"channel": "ONLINE", "amount": "1.00"}  # qualifies for no rule
    payloads = [data for _, data, _ in delivered] + [replay.silver_records([closing])[0][1]]
    got, deps = _stream_ids(payloads)

    gold = read(spark, pkdd99_lake, "gold.compliance_cash_alerts").where(f"rule in ('{LARGE_CASH}', '{STRUCTURING}')")
    expected = {r.alert_id for r in gold.select("alert_id").collect()}
    assert len(delivered) > len(rows) > 90_000  # the whole file the repository has, with re-deliveries
    assert expected, "Gold wrote no LARGE_CASH/STRUCTURING alert on PKDD'99: the comparison would prove nothing"
    assert got == expected, (sorted(got - expected)[:5], sorted(expected - got)[:5])
    assert deps.outputs.items == {"dead_letter": [], "late": []}
