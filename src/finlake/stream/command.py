"""`finlake stream`: replay a lake's transactions through the monitor on a local Kinesis (moto)."""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from finlake.contracts.fx_rates import RateBook
from finlake.errors import UsageError
from finlake.lake import Lake
from finlake.stream import local, replay
from finlake.stream.monitor import Rules
from finlake.stream.poller import Poller, run_until_drained


@dataclass(frozen=True)
class Options:
    source: str = "silver"
    shuffle_within: float = 300.0
    duplicate_rate: float = 0.0
    seed: int = 0
    rate: float | None = None
    shards: int = 2
    batch_size: int = 500


def _records(lake_root: Path, options: Options) -> list[replay.Record]:
    if options.source == "bronze":
        if not (lake_root / "bronze" / "transactions").is_dir():
            raise UsageError(f"no Bronze transactions under {lake_root / 'bronze'}: run `finlake generate` first")
        return replay.bronze_records(lake_root / "bronze")
    from finlake.spark import local_session
    from finlake.storage import table_exists

    lake = Lake.local(lake_root)
    if not table_exists(local_session("finlake-stream"), lake, "silver.transactions"):
        raise UsageError(f"silver.transactions not found in {lake_root}: run `finlake bronze-to-silver` first")
    return replay.silver_records(replay.silver_rows(lake))


def _rate_book(lake_root: Path) -> RateBook:
    """silver.fx_rates, for the EUR thresholds; without it only EUR amounts are judged (said on stderr)."""
    book = RateBook()
    if (lake_root / "_catalog" / "iceberg.db").is_file():  # no Spark session for a lake without Silver
        book = replay.silver_rate_book(Lake.local(lake_root))
    if not book.dates:
        print("stream: no silver.fx_rates in the lake: only amounts in EUR are judged", file=sys.stderr)
    return book


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(lake_root: Path, options: Options) -> dict[str, float]:
    records = replay.deliver(_records(lake_root, options), options.shuffle_within, options.duplicate_rate, options.seed)
    outbox_dir = lake_root / "stream"
    for name in local.OUTBOX_FILES.values():  # the outbox holds the last replay's outputs
        (outbox_dir / name).unlink(missing_ok=True)
    sent = [0]
    with local.moto_server() as endpoint:
        resources = local.create(endpoint, options.shards)
        poller = Poller(resources, options.batch_size, rules=Rules(rates=_rate_book(lake_root)))
        outbox = local.Outbox(resources, outbox_dir)
        kinesis = local.client("kinesis", endpoint)
        producer = threading.Thread(
            target=replay.produce,
            args=(kinesis, resources.stream, records, options.rate, lambda n: sent.__setitem__(0, sent[0] + n)),
            daemon=True,
        )
        start = time.monotonic()
        producer.start()
        progress = threading.Thread(target=_progress, args=(poller, sent, len(records), producer), daemon=True)
        progress.start()
        run_until_drained(poller, lambda: not producer.is_alive(), outbox.drain)  # small queues stay fast
        poller.release_all()
        elapsed = time.monotonic() - start
        outbox.drain()
    s = poller.stats
    summary = {
        "events": s.events,
        "alerts": len(outbox.seen["alerts"]),
        "duplicates": s.duplicates,
        "late": s.late,
        "dead_lettered": len(outbox.seen["dead_letter"]),
        "events_per_s": s.events / elapsed if elapsed else 0.0,
        "latency_p50_ms": 1000 * percentile(s.latencies, 0.50),
        "latency_p99_ms": 1000 * percentile(s.latencies, 0.99),
    }
    return summary


def _progress(poller: Poller, sent: list[int], total: int, producer: threading.Thread) -> None:
    while producer.is_alive() or poller.stats.events + poller.stats.dead_lettered < sent[0]:
        s = poller.stats
        print(
            f"\rsent {sent[0]}/{total}  processed {s.events + s.dead_lettered}  alerts {s.published}  "
            f"duplicates {s.duplicates}  late {s.late}  dead letters {s.dead_lettered}",
            end="",
            file=sys.stderr,
            flush=True,
        )
        time.sleep(1.0)
    print(file=sys.stderr)


def summary_line(summary: dict[str, float]) -> str:
    return (
        f"stream: {summary['events']:.0f} events, {summary['alerts']:.0f} alerts, {summary['duplicates']:.0f} duplicates, "
        f"{summary['late']:.0f} late, {summary['dead_lettered']:.0f} dead-lettered, {summary['events_per_s']:.0f} events/s, "
        f"latency p50 {summary['latency_p50_ms']:.0f} ms p99 {summary['latency_p99_ms']:.0f} ms"
    )
