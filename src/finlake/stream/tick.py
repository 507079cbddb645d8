"""Watermark ticks: held bursts on a quiet shard are released by processing time, not only by new events.

A STRUCTURING or VELOCITY burst is published when the shard's watermark (latest `booked_at` minus the
lateness bound) passes its `release_at` (finlake.stream.bursts). On a shard that goes quiet, no event moves
the watermark, so a burst could wait for the next transaction. A *tick* fixes that:

- **Rule.** While a shard receives no event, its event-time clock is taken to advance with processing
  time: at a tick arriving `idle` seconds after the shard's last applied event (Kinesis arrival time), with
  `idle >= IDLE_SECONDS`, the shard's latest event time becomes `max(max_t, base_t + idle)`, where
  `base_t` is its latest event time when that last event was applied. The watermark follows
  (minus `ALLOWED_LATENESS_SECONDS`); held bursts that became final are published. An event that then
  arrives booked before the new watermark is late (late-events output; the nightly batch reconciles it),
  exactly as if a later event had moved the watermark. The rule assumes events are booked no later than
  they reach the stream (live traffic; and any replay at least as fast as real time), so the tick never
  calls late an event a busy shard would have accepted. Ticks before `IDLE_SECONDS` change nothing.
- **Ordering, not locking.** A tick is a *record in the shard* (`{"type": TICK_TYPE}`, put with the shard's
  starting hash key), so the event source mapping hands it to the one invocation that owns the shard, in
  order with the events: no second writer of the shard's state, and a retried batch recomputes the same
  effect from the same arrival times. On AWS an EventBridge schedule invokes the monitor with
  `{"type": TICK_EVENT}` every minute; it puts a tick into each open shard that holds bursts and has been
  idle for `IDLE_SECONDS` (terraform/modules/streaming). Locally the poller does the same when a shard
  has nothing to read. Firehose also lands ticks in Bronze; Silver drops them (silver/stream_source.py).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

TICK_TYPE = "finlake.stream.tick.v1"  # a tick record's `type` (silver/stream_source.py drops these)
TICK_EVENT = "finlake.stream.tick"  # the scheduled invocation's event `type`
IDLE_SECONDS = 60  # a shard with no event for this long (processing time) is quiet


@dataclass(frozen=True)
class Tick:
    arrived_at: float  # Kinesis arrival time of the tick record: processing time


def is_tick(raw: Any) -> bool:
    return isinstance(raw, dict) and raw.get("type") == TICK_TYPE


def advanced(max_t: int | None, clock: Sequence[float] | None, tick: Tick, idle_seconds: float) -> int | None:
    """The shard's latest event time after `tick` (see the rule above); unchanged if not idle long enough."""
    if max_t is None or not clock:
        return max_t
    base_t, base_arrival = clock
    idle = tick.arrived_at - base_arrival
    if idle < idle_seconds:
        return max_t
    return max(max_t, int(base_t + idle))


def due(shard_state: dict[str, Any], now: float, idle_seconds: float) -> bool:
    """The shard holds a burst and has been idle long enough for a tick to move its watermark."""
    clock = shard_state.get("clock")
    if not clock or not shard_state.get("held"):
        return False
    return now - float(clock[1]) >= idle_seconds


def send_ticks(
    kinesis: Any, stream: str, state: Any, now: float, idle_seconds: float = IDLE_SECONDS, shards: Sequence[str] = ()
) -> list[str]:
    """Put a tick into every open shard (or the given ones) that is `due`; returns their ids."""
    listed = kinesis.list_shards(StreamName=stream)["Shards"]
    open_shards = [s for s in listed if "EndingSequenceNumber" not in s.get("SequenceNumberRange", {})]
    sent = []
    for shard in open_shards:
        shard_id = shard["ShardId"]
        if shards and shard_id not in shards:
            continue
        if not due(state.get_shard(f"{stream}/{shard_id}"), now, idle_seconds):
            continue
        kinesis.put_record(
            StreamName=stream,
            Data=json.dumps({"type": TICK_TYPE, "shard": shard_id, "sent_at": now}).encode(),
            PartitionKey="tick",
            ExplicitHashKey=shard["HashKeyRange"]["StartingHashKey"],  # lands in this shard, whatever the key
        )
        sent.append(shard_id)
    return sent
