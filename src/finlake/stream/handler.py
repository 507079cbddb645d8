"""One Kinesis batch through the monitor: what the Lambda runs and what the local poller calls.

Order of effects, chosen so that a crash anywhere followed by a retry of the same batch (the event source
mapping retries from its last checkpoint) loses nothing and repeats no alert:

1. dead letters and late events are sent first (at least once; each carries its shard and sequence
   number, so a consumer drops repeats);
2. alerts are published through the idempotent publisher (a conditional write on the alert id, see
   `aws.SnsPublisher`); a retry recomputes exactly the same alerts from the same state and batch,
   and the publisher skips those already sent;
3. account states are written, then the shard's watermark. Until the watermark is written, a retry
   sees the old one, so lateness is judged the same way; account states already written make the
   retried events duplicates, which changes nothing — for that, `seen` keeps every id a retry would
   not call late (from the stored watermark minus the bound), even where the batch's new watermark
   would let it go (tests/stream/test_handler.py has the crash that double-counted an event).

A record the monitor cannot read is a dead letter, never an error. An unexpected error while applying
record i commits records before i and reports i in `batchItemFailures` (ReportBatchItemFailures): the
mapping retries from i, bisects, and finally sends the batch to its on-failure destination.
"""

from __future__ import annotations

import base64
import dataclasses
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from finlake.contracts.fx_rates import RateBook
from finlake.stream.monitor import AccountState, DeadLetter, Event, Rules, apply, parse_record, settle
from finlake.stream.tick import Tick, advanced


class StateStore(Protocol):
    def get_shard(self, shard: str) -> dict[str, Any]: ...
    def put_shard(self, shard: str, state: dict[str, Any]) -> None: ...
    def get_accounts(self, account_ids: Iterable[str]) -> dict[str, AccountState]: ...
    def put_accounts(self, states: dict[str, AccountState]) -> None: ...


class Publisher(Protocol):
    def publish(self, alert: dict[str, Any]) -> bool: ...


class Outputs(Protocol):
    def send(self, kind: str, items: Sequence[dict[str, Any]]) -> None: ...


@dataclass
class Stats:
    events: int = 0
    duplicates: int = 0
    late: int = 0
    dead_lettered: int = 0
    alerts: int = 0
    published: int = 0
    ticks: int = 0
    latencies: list[float] = field(default_factory=list)  # seconds from arrival to publication

    def add(self, other: Stats) -> None:
        for name in ("events", "duplicates", "late", "dead_lettered", "alerts", "published", "ticks"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.latencies.extend(other.latencies)


@dataclass
class Deps:
    state: StateStore
    publisher: Publisher
    outputs: Outputs
    rules: Rules = field(default_factory=Rules)
    now: Callable[[], float] = time.time
    # Where the rate book comes from when it can change under a warm Lambda (aws.S3RateBook.current):
    # asked once per batch, and the batch is judged with what it returns.
    rates: Callable[[], RateBook] | None = None

    def current_rules(self) -> Rules:
        if self.rates is not None:
            book = self.rates()
            if book is not self.rules.rates:
                self.rules = dataclasses.replace(self.rules, rates=book)
        return self.rules


class _RecordFailed(Exception):
    def __init__(self, index: int) -> None:
        self.index = index


def shard_of(record: dict[str, Any]) -> str:
    """`<stream name>/<shard id>`: the watermark's scope (one invocation per shard at a time)."""
    stream = record.get("eventSourceARN", "").rpartition("/")[2]
    return f"{stream}/{record['eventID'].partition(':')[0]}"


def _parse(record: dict[str, Any]) -> Event | DeadLetter | Tick:
    kinesis = record["kinesis"]
    try:
        data = base64.b64decode(kinesis["data"], validate=True)
    except ValueError:
        return DeadLetter(("MALFORMED_ROW",), str(kinesis["data"])[:1000])
    return parse_record(data, float(kinesis.get("approximateArrivalTimestamp", 0.0)))


def _output(kind: str, record: dict[str, Any], shard: str, **extra: Any) -> dict[str, Any]:
    return {"kind": kind, "shard": shard, "sequence_number": record["kinesis"]["sequenceNumber"], **extra}


def _run(records: Sequence[dict[str, Any]], deps: Deps) -> Stats:
    stats, shard = Stats(), shard_of(records[0])
    deps.current_rules()
    shard_state = deps.state.get_shard(shard)
    lateness, max_t = deps.rules.lateness_seconds, shard_state.get("max_t")
    # A retry of this batch (crash before the new watermark is stored) calls late only what is late against
    # the stored one: every id from there on stays in `seen`, so no event is ever applied twice.
    seen_floor = float("-inf") if max_t is None else max_t - lateness
    parsed, late_candidate = [_parse(r) for r in records], []
    clock = shard_state.get("clock")  # [latest event time, its arrival] when the last event was applied
    for item in parsed:  # lateness depends on the shard's watermark only, so it is judged first
        if isinstance(item, Tick):  # a quiet shard's clock moves with processing time (finlake.stream.tick)
            max_t = advanced(max_t, clock, item, deps.rules.idle_seconds)
        is_late = isinstance(item, Event) and max_t is not None and item.t < max_t - lateness
        late_candidate.append(is_late)
        if isinstance(item, Event) and not is_late:
            max_t = item.t if max_t is None else max(max_t, item.t)
            clock = [max_t, max(item.arrived_at, clock[1]) if clock else item.arrived_at]
    watermark = (max_t if max_t is not None else 0) - lateness
    held: dict[str, int] = shard_state.get("held", {})
    accounts = {p.account_id for p in parsed if isinstance(p, Event)} | {a for a, t in held.items() if t <= watermark}
    states = deps.state.get_accounts(sorted(accounts))
    dead, late, alerts, now = [], [], [], deps.now()
    for i, (record, item, is_late) in enumerate(zip(records, parsed, late_candidate, strict=True)):
        try:
            if isinstance(item, Tick):
                stats.ticks += 1
                continue
            if isinstance(item, DeadLetter):
                dead.append(_output("dead_letter", record, shard, reasons=list(item.reasons), data=item.data[:65536]))
                continue
            stats.events += 1
            state = states.setdefault(item.account_id, AccountState())
            if item.transaction_id in state.seen:
                stats.duplicates += 1
            elif is_late:
                late.append(_output("late", record, shard, transaction_id=item.transaction_id, data=_text(record)))
            else:
                alerts.extend(apply(state, item, deps.rules, now))
        except Exception as exc:  # a bug met on this record: commit what came before it, retry from it
            raise _RecordFailed(i) from exc
    for account_id in sorted(accounts):
        released, hold = settle(states[account_id], account_id, deps.rules, watermark, now, seen_floor)
        alerts.extend(released)
        held.pop(account_id, None)
        if hold is not None:
            held[account_id] = hold
    stats.dead_lettered, stats.late, stats.alerts = len(dead), len(late), len(alerts)
    deps.outputs.send("dead_letter", dead)
    deps.outputs.send("late", late)
    for alert in alerts:
        if deps.publisher.publish(alert):
            stats.published += 1
            stats.latencies.append(deps.now() - alert["trigger_arrived_at"])
    deps.state.put_accounts(states)
    deps.state.put_shard(shard, {"max_t": max_t, "held": held, "clock": clock})
    return stats


def _text(record: dict[str, Any]) -> str:
    return base64.b64decode(record["kinesis"]["data"]).decode("utf-8", errors="replace")[:65536]


def handle(records: Sequence[dict[str, Any]], deps: Deps) -> tuple[dict[str, Any], Stats]:
    """(Lambda response with `batchItemFailures`, statistics) for one batch of one shard."""
    if not records:
        return {"batchItemFailures": []}, Stats()
    try:
        return {"batchItemFailures": []}, _run(records, deps)
    except _RecordFailed as failed:
        stats = _run(records[: failed.index], deps) if failed.index else Stats()
        sequence = records[failed.index]["kinesis"]["sequenceNumber"]
        return {"batchItemFailures": [{"itemIdentifier": sequence}]}, stats
