"""The transaction monitor's speed: events/s through the handler, and event-to-alert latency.

Both run the handler the Lambda runs (`finlake.stream.handler.handle`, Kinesis-shaped records, base64
JSON) with in-memory state that is serialised per batch as DynamoDB holds it; no network, so the figures
are the monitor's own cost, not Kinesis', DynamoDB's or SNS's. Accounts are spread over shards as
Kinesis spreads partition keys, one process per shard (2 shards = the 2 cores).

- throughput: every shard's records ready, batches of 500 handled as fast as they go; events/s is all
  events over the wall time of the slowest shard.
- latency (processing time): events arrive at a fixed rate with `booked_at` = arrival (a live feed); the
  poller hands over what has arrived every `window` seconds, as the event source mapping's batching
  window does; latency = publication - arrival of the event that completed the alert. LARGE_CASH is final
  at once, so this is what the monitor adds; a STRUCTURING or VELOCITY burst is by design held until the
  watermark (latest booked_at - 900 s) passes it, which a short run does not reach.

    BENCH_STREAM_EVENTS=200000  events of the throughput run
    BENCH_STREAM_SHARDS=2       shards (= processes)
    BENCH_STREAM_RATE=2000      events/s of the latency run (all shards)
    BENCH_STREAM_SECONDS=15     length of the latency run
"""

from __future__ import annotations

import base64
import json
import os
import random
import time
import zlib
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from typing import Any

from finlake.stream.handler import Deps, Stats, handle
from finlake.stream.memory import MemoryOutputs, MemoryPublisher, MemoryState

BATCH = 500
EPOCH_2024 = 1_704_067_200.0


def percentile(values: list[float], q: float) -> float | None:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else None


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def synthetic_rows(n: int, t0: float, spacing: float, seed: int = 0, accounts: int = 2000) -> list[dict[str, str]]:
    """n transactions, one every `spacing` seconds from t0: mostly card and online spend, 1 % large cash,
    3 % cash deposits just below the threshold, so every rule has work."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        kind = rng.random()
        if kind < 0.01:
            channel, direction, amount = "ATM", "DEBIT", rng.randrange(1_000_000, 3_000_000)
        elif kind < 0.04:
            channel, direction, amount = "BRANCH", "CREDIT", rng.randrange(800_000, 1_000_000)
        else:
            channel, direction, amount = (
                rng.choice(["CARD", "CARD", "ONLINE", "TRANSFER"]),
                "DEBIT",
                rng.randrange(100, 20_000),
            )
        rows.append(
            {
                "transaction_id": f"B{seed}-{i:09d}",
                "account_id": f"A{rng.randrange(accounts):08d}",
                "booked_at": _iso(t0 + i * spacing),
                "amount": f"{amount / 100:.2f}",
                "currency": "EUR",
                "direction": direction,
                "channel": channel,
                "merchant_category": "5411",
                "description": "bench",
                "balance_after": "",
            }
        )
    return rows


def shard_index(account_id: str, shards: int) -> int:
    return zlib.crc32(account_id.encode()) % shards


def record(row: dict[str, str], shard: int, sequence: int, arrived_at: float) -> dict[str, Any]:
    """One record as the event source mapping hands it to the Lambda."""
    return {
        "eventID": f"shardId-{shard:012d}:{sequence:020d}",
        "eventSourceARN": "arn:aws:kinesis:eu-central-1:000000000000:stream/bench",
        "kinesis": {
            "data": base64.b64encode(json.dumps(row).encode()).decode(),
            "sequenceNumber": f"{sequence:020d}",
            "partitionKey": row["account_id"],
            "approximateArrivalTimestamp": arrived_at,
        },
    }


def _deps(now: Callable[[], float] = time.time) -> Deps:
    return Deps(MemoryState(), MemoryPublisher(), MemoryOutputs(), now=now)


def _throughput_shard(args: tuple[list[dict[str, str]], int]) -> tuple[int, float, float]:
    """(events, wall seconds, CPU seconds) of one shard's records through the handler."""
    rows, shard = args
    records = [record(r, shard, i, time.time()) for i, r in enumerate(rows)]
    deps, events = _deps(), 0
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(records), BATCH):
        events += handle(records[start : start + BATCH], deps)[1].events
    return events, time.perf_counter() - started, time.process_time() - cpu


def paced(
    rows: list[dict[str, str]],
    arrivals: list[float],
    shard: int,
    window: float,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> Stats:
    """Hand over, every `window` seconds, what has arrived by then (up to a batch); rows arrive at `arrivals`."""
    deps, stats, next_i = _deps(clock), Stats(), 0
    while next_i < len(rows):
        sleep(max(0.0, window - (clock() % window)))  # the next window boundary
        now, end = clock(), next_i
        while end < len(rows) and arrivals[end] <= now and end - next_i < BATCH:
            end += 1
        if end > next_i:
            batch = [record(rows[i], shard, i, arrivals[i]) for i in range(next_i, end)]
            stats.add(handle(batch, deps)[1])
            next_i = end
    return stats


def _latency_shard(args: tuple[int, int, float, float, float, int]) -> list[float]:
    shard, shards, rate, seconds, window, seed = args
    t0 = time.time() + 1.0  # every process starts the feed at the same moment
    rows = synthetic_rows(int(rate * seconds), t0, 1.0 / rate, seed)
    mine = [(r, t0 + i / rate) for i, r in enumerate(rows) if shard_index(r["account_id"], shards) == shard]
    return paced([r for r, _ in mine], [a for _, a in mine], shard, window).latencies


def throughput(events: int, shards: int) -> dict[str, Any]:
    rows = synthetic_rows(events, EPOCH_2024, 0.5)
    parts = [([r for r in rows if shard_index(r["account_id"], shards) == s], s) for s in range(shards)]
    with ProcessPoolExecutor(shards) as pool:
        results = list(pool.map(_throughput_shard, parts))
    handled, slowest, cpu = sum(r[0] for r in results), max(r[1] for r in results), sum(r[2] for r in results)
    return {
        "events": handled,
        "shards": shards,
        "seconds": round(slowest, 3),
        "events_per_s": round(handled / slowest),
        # per core-second of CPU: what an idle core would do, whatever else shares the machine
        "events_per_cpu_s": round(handled / cpu),
        "load_average_at_start": os.getloadavg()[0],
    }


def latency(rate: float, seconds: float, shards: int, window: float = 0.2) -> dict[str, Any]:
    args = [(s, shards, rate, seconds, window, 1) for s in range(shards)]
    with ProcessPoolExecutor(shards) as pool:
        samples = [x for part in pool.map(_latency_shard, args) for x in part]
    p50, p99 = percentile(samples, 0.50), percentile(samples, 0.99)
    return {
        "rate_per_s": rate,
        "seconds": seconds,
        "batching_window_s": window,
        "alerts": len(samples),
        "p50_ms": None if p50 is None else round(p50 * 1000, 1),
        "p99_ms": None if p99 is None else round(p99 * 1000, 1),
    }


def run(say: Callable[[str], None]) -> dict[str, Any]:
    shards = int(os.environ.get("BENCH_STREAM_SHARDS", "2"))
    result: dict[str, Any] = {
        "throughput": throughput(int(os.environ.get("BENCH_STREAM_EVENTS", "200000")), shards),
        "latency": latency(
            float(os.environ.get("BENCH_STREAM_RATE", "2000")),
            float(os.environ.get("BENCH_STREAM_SECONDS", "15")),
            shards,
        ),
        "target_events_per_s": 5000,
    }
    t, lat = result["throughput"], result["latency"]
    say(f"stream: {t['events_per_s']:,} events/s on {shards} shards (target 5,000; {t['events_per_cpu_s']:,} per CPU "
        f"second, load {t['load_average_at_start']:.1f}); event-to-alert latency "
        f"p50 {lat['p50_ms']} ms p99 {lat['p99_ms']} ms over {lat['alerts']} alerts at {lat['rate_per_s']:.0f} events/s")  # fmt: skip
    return result
