"""Run one command in a fresh process tree and measure its wall time and peak memory.

Peak memory is the largest sum of resident set sizes over the process and all its descendants
(the Python driver, spark-submit and the JVM it starts), sampled every `interval` seconds with
psutil. That sum counts file pages the JVM has mapped (Spark memory-maps shuffle and checkpoint
blocks it reads from disk), which are page cache the kernel can drop; the peak of the anonymous part
(RSS minus the file-backed `shared` pages, Linux) is what the processes themselves hold, and is
recorded beside it. Sampling can miss a spike shorter than the interval; for multi-second stages it does not
matter.

A child that is still a copy of its parent is counted once, as the parent: the JVM starts helper
processes (Hadoop's shell commands, Python workers) by vfork-and-exec, and until the exec the child
shares the parent's memory, so its RSS is the whole JVM's. Summed, a sample that caught that instant
doubled the peak: Silver's "9.4 GiB" at 16M and "8.2 GiB" at 1M were such samples (the JVM itself
held 4.7 and 4.0 GiB; docs/benchmarks.md, session 8).

CPU time is summed over every process seen in the tree (each one's own user + system time at its last
sample: a process that ends between samples loses at most `interval` of it). It includes the JVM,
which the Python driver starts but never waits for, so the shell's `time` misses it; on a loaded
host it moves much less than the wall time (docs/benchmarks.md, session 12).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import psutil

from finlake.errors import FinlakeError

SAMPLE_INTERVAL = 0.1


@dataclass(frozen=True)
class Sample:
    """One measured run of a command."""

    seconds: float
    peak_rss_bytes: int
    peak_anon_bytes: int = 0  # 0: not measured (results from before it was)
    cpu_seconds: float = 0.0  # the whole tree's; 0: not measured (results from before it was)


# A child whose command line is its parent's and whose RSS is at least this share of the parent's is
# the parent's memory seen twice (a fork that has not exec'd yet; see the module docstring)
COPY_OF_PARENT_SHARE = 0.9


def _tree(root: psutil.Process) -> list[psutil.Process]:
    try:
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _note_cpu(procs: list[psutil.Process], cpu: dict[int, float]) -> None:
    """Record each process's own CPU seconds so far (user + system, its children not included)."""
    for p in procs:
        try:
            times = p.cpu_times()
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
        cpu[p.pid] = max(cpu.get(p.pid, 0.0), times.user + times.system)


def _tree_rss(procs: list[psutil.Process]) -> tuple[int, int]:
    """(RSS, anonymous RSS) summed over the process tree, a not-yet-exec'd copy of a parent left out."""
    seen: dict[int, tuple[list[str], int, int]] = {}  # pid -> (command line, rss, anonymous rss)
    for p in procs:
        try:
            mem, cmdline, parent = p.memory_info(), p.cmdline(), p.ppid()
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
        copied = seen.get(parent)
        if copied and copied[0] == cmdline and mem.rss >= COPY_OF_PARENT_SHARE * copied[1]:
            continue
        seen[p.pid] = (cmdline, mem.rss, mem.rss - getattr(mem, "shared", 0))  # `shared`: file-backed, Linux
    return sum(rss for _, rss, _ in seen.values()), sum(anon for _, _, anon in seen.values())


def run_measured(
    cmd: Sequence[str],
    log_path: Path,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
    interval: float = SAMPLE_INTERVAL,
) -> Sample:
    """Run `cmd`, its output appended to `log_path`; raise FinlakeError (naming the log) if it fails."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        log.write(f"\n$ {' '.join(cmd)}\n".encode())
        log.flush()
        started = time.monotonic()
        proc = psutil.Popen(list(cmd), stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}, cwd=cwd)
        peak = peak_anon = 0
        cpu: dict[int, float] = {}  # pid -> its CPU seconds at the last sample
        while proc.poll() is None:
            procs = _tree(proc)
            rss, anon = _tree_rss(procs)
            peak, peak_anon = max(peak, rss), max(peak_anon, anon)
            _note_cpu(procs, cpu)
            time.sleep(interval)
        seconds = time.monotonic() - started
    if proc.returncode != 0:
        raise FinlakeError(
            f"benchmark step failed (exit {proc.returncode}): {' '.join(cmd)}: {_last_line(log_path)} (log: {log_path})"
        )
    return Sample(round(seconds, 3), peak, peak_anon, cpu_seconds=round(sum(cpu.values()), 2))


def _last_line(log_path: Path) -> str:
    """The step's last line of output (its one-line error), Spark's progress bars left out."""
    with open(log_path, "rb") as f:
        f.seek(max(0, log_path.stat().st_size - 20_000))
        tail = f.read().decode("utf-8", "replace").replace("\r", "\n")
    lines = [ln.strip() for ln in tail.splitlines() if ln.strip() and not ln.lstrip().startswith("[Stage")]
    return lines[-1] if lines else "no output"


@dataclass(frozen=True)
class Summary:
    """The median (and spread) of several samples of one step."""

    runs: int
    seconds: float  # median
    seconds_min: float
    seconds_max: float
    peak_rss_mib: float  # median of the per-run peaks
    peak_anon_mib: float  # the same for the anonymous part (see the module docstring)
    samples: tuple[Sample, ...]
    cpu_seconds: float = 0.0  # median of the per-run CPU time of the whole tree

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["samples"] = [asdict(s) for s in self.samples]
        return d


def summarise(samples: Sequence[Sample]) -> Summary:
    if not samples:
        raise ValueError("no samples to summarise")
    secs = [s.seconds for s in samples]
    return Summary(
        runs=len(samples),
        seconds=round(statistics.median(secs), 3),
        seconds_min=min(secs),
        seconds_max=max(secs),
        peak_rss_mib=round(statistics.median(s.peak_rss_bytes for s in samples) / 2**20, 1),
        peak_anon_mib=round(statistics.median(s.peak_anon_bytes for s in samples) / 2**20, 1),
        samples=tuple(samples),
        cpu_seconds=round(statistics.median(s.cpu_seconds for s in samples), 2),
    )


def repeat(runs: int, once: Callable[[int], Sample]) -> Summary:
    """Call `once(i)` for i in range(runs) (it prepares its own fresh inputs) and summarise."""
    return summarise([once(i) for i in range(runs)])
