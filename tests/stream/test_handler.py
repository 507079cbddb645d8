"""The handler's semantics without AWS: bursts against the brute-force definition, lateness, dedupe, poison."""

from __future__ import annotations

import json

import pytest
from generated import card_bursts, encoded, lambda_records, shuffled
from reference import burst_ids, seconds

from finlake.contracts.compliance_rules import VELOCITY_MIN_COUNT, VELOCITY_WINDOW_SECONDS
from finlake.stream.handler import Deps, handle
from finlake.stream.memory import MemoryOutputs, MemoryPublisher, MemoryState

ROW = {
    "transaction_id": "T1",
    "account_id": "A1",
    "booked_at": "2024-01-01T10:00:00Z",
    "amount": "10000.00",
    "currency": "EUR",
    "direction": "DEBIT",
    "channel": "ATM",
    "merchant_category": "",
    "description": "",
    "balance_after": "",
}
END = {**ROW, "transaction_id": "END", "booked_at": "2030-01-01T00:00:00Z", "channel": "ONLINE"}


def run(payloads: list[bytes], batch_size: int = 50) -> Deps:
    deps = Deps(MemoryState(), MemoryPublisher(), MemoryOutputs())
    records = lambda_records(payloads)
    for start in range(0, len(records), batch_size):
        assert handle(records[start : start + batch_size], deps)[0] == {"batchItemFailures": []}
    return deps


@pytest.mark.parametrize("seed", range(12))
def test_velocity_bursts_match_the_batch_definition_under_shuffling(seed):
    rows = card_bursts(seed)
    qualifying = [
        (r["account_id"], r["transaction_id"], seconds(r["booked_at"])) for r in rows if r["channel"] in {"CARD", "ATM"}
    ]
    expected = burst_ids("VELOCITY", qualifying, VELOCITY_WINDOW_SECONDS, VELOCITY_MIN_COUNT)
    deps = run(encoded(shuffled(rows, within=900, duplicate_rate=0.2, seed=seed) + [END]))
    assert {i for i in deps.publisher.sent if i.startswith("VELOCITY")} == expected
    assert expected


def test_duplicates_and_late_events_are_told_apart():
    early = {**ROW, "transaction_id": "OLD", "booked_at": "2024-01-01T09:00:00Z", "channel": "ONLINE"}
    deps = run(encoded([ROW, ROW, {**ROW, "booked_at": "2024-01-01T11:00:00Z", "transaction_id": "T2"}, early, early]))
    assert [json.loads(x["data"])["transaction_id"] for x in deps.outputs.items["late"]] == ["OLD", "OLD"]
    assert set(deps.publisher.sent) == {"LARGE_CASH:A1:T1", "LARGE_CASH:A1:T2"}


def test_poison_records_are_dead_lettered_with_silver_reasons_and_the_rest_is_processed():
    poison = [
        b"not json",
        b"[1, 2]",
        json.dumps({k: v for k, v in ROW.items() if k != "channel"}).encode(),
        json.dumps({**ROW, "transaction_id": "P1", "amount": "-5", "currency": "XXX"}).encode(),
        json.dumps({**ROW, "transaction_id": "P2", "booked_at": "31/12/2023"}).encode(),
        json.dumps({**ROW, "transaction_id": "", "amount": "12,50"}).encode(),
        b'{"transaction_id": "P3\xff"}',
    ]
    good = [json.dumps({**ROW, "transaction_id": f"G{i}"}).encode() for i in range(3)]
    deps = run([poison[0], good[0], *poison[1:4], good[1], *poison[4:], good[2]], batch_size=20)
    reasons = [x["reasons"] for x in deps.outputs.items["dead_letter"]]
    assert reasons == [
        ["MALFORMED_ROW"],
        ["MALFORMED_ROW"],
        ["MISSING_COLUMN"],
        ["UNKNOWN_CODE", "OUT_OF_RANGE"],
        ["BAD_DATE"],
        ["MISSING_REQUIRED", "BAD_NUMBER"],
        ["MISSING_COLUMN"],
    ]
    assert set(deps.publisher.sent) == {f"LARGE_CASH:A1:G{i}" for i in range(3)}


def test_an_unexpected_error_commits_the_records_before_it_and_reports_it(monkeypatch):
    import finlake.stream.handler as handler_module

    real_apply = handler_module.apply

    def failing(state, event, rules, now):
        if event.transaction_id == "BOOM":
            raise RuntimeError("bug")
        return real_apply(state, event, rules, now)

    monkeypatch.setattr(handler_module, "apply", failing)
    deps = Deps(MemoryState(), MemoryPublisher(), MemoryOutputs())
    payloads = encoded([ROW, {**ROW, "transaction_id": "BOOM"}, {**ROW, "transaction_id": "T3"}])
    response, stats = handle(lambda_records(payloads), deps)
    assert response == {"batchItemFailures": [{"itemIdentifier": f"{1:020d}"}]}
    assert set(deps.publisher.sent) == {"LARGE_CASH:A1:T1"} and stats.events == 1


class CrashBeforeWatermark(MemoryState):
    """Dies once between writing the account states and the shard's watermark (the retried batch then sees
    the states already updated and the old watermark)."""

    def __init__(self) -> None:
        super().__init__()
        self.crash = True

    def put_shard(self, shard, state):
        if self.crash:
            self.crash = False
            raise RuntimeError("killed")
        super().put_shard(shard, state)


def test_a_retry_after_a_crash_before_the_watermark_applies_no_event_twice():
    deposit = {**ROW, "amount": "9000.00", "channel": "BRANCH", "direction": "CREDIT"}
    later = {**ROW, "account_id": "B1", "amount": "1.00", "channel": "ONLINE"}
    # the batch moves the watermark far past D1: the new watermark alone would forget D1's id
    first = [
        {**deposit, "transaction_id": "D1"},
        {**later, "transaction_id": "L1", "booked_at": "2024-01-01T13:00:00Z"},
    ]
    second = [
        {**deposit, "transaction_id": "D2", "booked_at": "2024-01-01T16:00:00Z"},
        {**later, "transaction_id": "END", "booked_at": "2030-01-01T00:00:00Z"},
    ]
    for state in (MemoryState(), CrashBeforeWatermark()):
        deps = Deps(state, MemoryPublisher(), MemoryOutputs())
        batch = lambda_records(encoded(first))
        try:
            handle(batch, deps)
        except RuntimeError:
            handle(batch, deps)  # the event source mapping retries the batch
        handle(lambda_records(encoded(second), start=2), deps)
        # two deposits just below the threshold are no STRUCTURING (three are needed): D1 counted twice was one
        assert set(deps.publisher.sent) == set(), type(state).__name__
