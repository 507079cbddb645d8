"""Scoring latency: in process (the pure-Python scorer + online store + reasons) and over HTTP on
127.0.0.1 (`finlake serve` in its own process) at a fixed request rate, and the highest rate sustained.

    BENCH_SERVING_CUSTOMERS=400  size of the lake the model is trained on
    BENCH_SERVING_RATE=200       requests per second of the fixed-rate HTTP test (open loop)
"""

from __future__ import annotations

import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from finlake.errors import FinlakeError

FINLAKE = [sys.executable, "-m", "finlake"]


def percentiles(ms: list[float]) -> dict[str, float]:
    s = sorted(ms)
    return {"p50_ms": round(s[len(s) // 2], 3), "p99_ms": round(s[min(len(s) - 1, int(len(s) * 0.99))], 3),
            "requests": len(s)}  # fmt: skip


def _lake(work: Path, customers: int) -> Path:
    lake = work / "serving-lake"
    shutil.rmtree(lake, ignore_errors=True)
    subprocess.run([*FINLAKE, "--lake", str(lake), "run", "--customers", str(customers)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    return lake


def in_process(lake: Path, loan_ids: list[str], n: int = 5000) -> dict[str, float]:
    from finlake.lake import Lake
    from finlake.ml.settings import DEFAULT_MODEL_NAME, SERVING_ALIAS
    from finlake.serving.registry import load_by_alias
    from finlake.serving.requestlog import FileLog
    from finlake.serving.service import ScoringService
    from finlake.serving.store import SqliteFeatureStore, online_root

    model = load_by_alias(Lake.local(lake), DEFAULT_MODEL_NAME, SERVING_ALIAS)
    store = SqliteFeatureStore(online_root(lake) / "features.db")
    service = ScoringService(model, store, FileLog(online_root(lake) / "bench-requests", echo=False))
    times = []
    for i in range(n):
        started = time.perf_counter()
        service.score({"loan_id": loan_ids[i % len(loan_ids)]})
        times.append((time.perf_counter() - started) * 1000)
    return percentiles(times[100:])  # the first calls warm caches


def _client(port: int, loan_ids: list[str]) -> Callable[[], float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def call() -> float:
        body = json.dumps({"loan_id": random.choice(loan_ids)})
        started = time.perf_counter()
        conn.request("POST", "/v1/score", body, {"content-type": "application/json"})
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise FinlakeError(f"bench request failed with HTTP {response.status}")
        return (time.perf_counter() - started) * 1000

    return call


def fixed_rate(port: int, loan_ids: list[str], rate: int, seconds: float = 10, workers: int = 8) -> dict[str, Any]:
    """Open loop: each worker sends on its own schedule (rate / workers per second)."""
    times: list[float] = []
    late: list[float] = []

    def worker(k: int) -> None:
        call, interval = _client(port, loan_ids), workers / rate
        start = time.perf_counter() + k * interval / workers
        for i in range(int(seconds * rate / workers)):
            due = start + i * interval
            time.sleep(max(0.0, due - time.perf_counter()))
            late.append(max(0.0, time.perf_counter() - due))
            times.append(call())

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {**percentiles(times), "rate_per_second": rate, "max_send_delay_ms": round(max(late) * 1000, 1)}


def max_sustained(port: int, loan_ids: list[str], seconds: float = 8, workers: int = 8) -> float:
    """Closed loop, `workers` connections each sending as fast as answers come back."""
    done = [0] * workers
    stop = time.perf_counter() + seconds

    def worker(k: int) -> None:
        call = _client(port, loan_ids)
        while time.perf_counter() < stop:
            call()
            done[k] += 1

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return round(sum(done) / seconds, 1)


def run(work: Path, say: Callable[[str], None]) -> dict[str, Any]:
    from finlake.serving.local import free_port
    from finlake.serving.store import LOAN, SqliteFeatureStore, online_root

    customers = int(os.environ.get("BENCH_SERVING_CUSTOMERS", "400"))
    rate = int(os.environ.get("BENCH_SERVING_RATE", "200"))
    lake = _lake(work, customers)
    loan_ids = [r["loan_id"] for r in SqliteFeatureStore(online_root(lake) / "features.db").scan(LOAN)]
    result: dict[str, Any] = {"customers": customers, "loans": len(loan_ids), "in_process": in_process(lake, loan_ids)}
    port = free_port()
    server = subprocess.Popen([*FINLAKE, "--lake", str(lake), "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        _wait(port, server)
        _client(port, loan_ids)()  # warm-up
        result["http_fixed_rate"] = fixed_rate(port, loan_ids, rate)
        result["http_max_sustained_per_second"] = max_sustained(port, loan_ids)
    finally:
        server.terminate()
        server.wait(10)
    shutil.rmtree(lake, ignore_errors=True)
    say(f"serving: in-process {result['in_process']}, HTTP {result['http_fixed_rate']}, "
        f"max {result['http_max_sustained_per_second']} req/s")  # fmt: skip
    return result


def _wait(port: int, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise FinlakeError("`finlake serve` exited before answering")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise FinlakeError(f"`finlake serve` did not answer on port {port} within {timeout:.0f}s")
