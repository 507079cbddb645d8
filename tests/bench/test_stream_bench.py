"""The stream benchmark's measuring code: latency from a fake clock, throughput counts, shard split."""

from __future__ import annotations

from finlake.bench import stream


class FakeClock:
    """Time that moves only when the poller sleeps: handling a batch takes no time."""

    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += seconds


def large_cash(n: int) -> list[dict[str, str]]:
    rows = stream.synthetic_rows(n, 1000.0, 0.1)
    return [{**r, "channel": "ATM", "direction": "DEBIT", "amount": "20000.00"} for r in rows]


def test_latency_is_the_wait_for_the_next_batching_window():
    clock = FakeClock(1000.0)
    arrivals = [1000.125, 1000.375, 1000.5]  # binary fractions: exact arithmetic
    stats = stream.paced(large_cash(3), arrivals, 0, window=0.25, clock=clock, sleep=clock.sleep)
    # handed over at 1000.25 (first) and 1000.5 (second and third), published at once
    assert sorted(stats.latencies) == [0.0, 0.125, 0.125]
    assert stats.events == 3 and stats.published == 3


def test_a_full_batch_is_handed_over_and_the_rest_waits_for_the_next_window():
    clock = FakeClock(1000.0)
    n = stream.BATCH + 10
    stats = stream.paced(large_cash(n), [1000.0] * n, 0, window=0.5, clock=clock, sleep=clock.sleep)
    assert sorted(stats.latencies) == [0.5] * stream.BATCH + [1.0] * 10


def test_percentile_takes_the_value_at_the_rank():
    values = [float(v) for v in range(1, 101)]
    assert stream.percentile(values, 0.50) == 51.0
    assert stream.percentile(values, 0.99) == 100.0
    assert stream.percentile([], 0.5) is None


def test_throughput_counts_every_event_once_over_the_shards():
    rows = stream.synthetic_rows(3000, stream.EPOCH_2024, 0.5)
    shards = {stream.shard_index(r["account_id"], 2) for r in rows}
    assert shards == {0, 1}
    result = stream.throughput(3000, 2)
    assert result["events"] == 3000 and result["events_per_s"] > 0 and result["events_per_cpu_s"] > 0
