"""Crash safety: the two jobs, run as processes, are killed with SIGKILL early, mid-write and
mid-commit. After each kill every table reads as before the run or as a complete commit (never a
part of one); the rerun ends with tables equal, row for row, to an uninterrupted run."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from finlake import storage
from finlake.cli import main as cli_main
from finlake.gold.job import run_silver_to_gold
from finlake.lake import Lake
from finlake.silver.job import run_bronze_to_silver

pytestmark = pytest.mark.slow
TABLES = [r.name for r in storage.all_refs()]
SILVER_JOB = ["bronze-to-silver", "--accept-quarantine-rate", "1.0"]
GOLD_JOB = ["silver-to-gold"]


def _contents(spark, lake: Lake) -> dict[str, list[tuple]]:
    """Every table as sorted rows without run_id (it names the run); a missing table is absent."""
    out = {}
    for name in TABLES:
        if storage.table_exists(spark, lake, name):
            df = storage.read_table(spark, lake, name).drop("run_id")
            out[name] = sorted((tuple(map(str, r)) for r in df.collect()), key=str)
    return out


def _start(root: Path, job: list[str]) -> subprocess.Popen:
    env = {**os.environ, "FINLAKE_DRIVER_MEMORY": "1g"}
    log = (root.parent / "job.log").open("w")
    return subprocess.Popen(
        [sys.executable, "-m", "finlake", "--lake", str(root), *job], env=env, stdout=log, stderr=log
    )


def _newest(folder: Path, suffix: str) -> set[str]:
    return {str(p) for p in folder.rglob(f"*{suffix}")} if folder.exists() else set()


def _kill_when(proc: subprocess.Popen, folder: Path, suffix: str, timeout: float = 600) -> bool:
    """SIGKILL the job the moment a new `*suffix` file appears under `folder`; False if it ended first."""
    before = _newest(folder, suffix)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _newest(folder, suffix) - before:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.02)
    proc.kill()
    raise AssertionError(f"no new {suffix} under {folder} within {timeout}s")


def _kill_after(proc: subprocess.Popen, seconds: float) -> bool:
    try:
        proc.wait(seconds)
        return False
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True


def _assert_whole(now: dict, before: dict, final: dict, label: str) -> None:
    for name, rows in now.items():
        assert rows in (before.get(name, []), final[name]), f"{label}: {name} holds part of a commit"


def test_sigkill_anywhere_then_rerun_equals_an_uninterrupted_run(spark, tmp_path):
    assert (
        cli_main(["--lake", str(tmp_path / "ref"), "generate", "--customers", "30", "--days", "3", "--seed", "5"]) == 0
    )
    crash = tmp_path / "crash"
    shutil.copytree(tmp_path / "ref" / "bronze", crash / "bronze")
    ref = Lake.local(tmp_path / "ref")
    run_bronze_to_silver(spark, ref, full_refresh=False, run_id="ref-silver", accept_quarantine_rate=1.0)
    run_silver_to_gold(spark, ref, run_id="ref-gold")
    final = _contents(spark, ref)
    lake = Lake.local(crash)

    kills = [
        ("silver early", SILVER_JOB, lambda p: _kill_after(p, 8)),
        (
            "silver mid-write",
            SILVER_JOB,
            lambda p: _kill_when(p, crash / "silver" / "transactions" / "data", ".parquet"),
        ),
        ("silver mid-commit", SILVER_JOB, lambda p: _kill_when(p, crash / "quarantine", ".metadata.json")),
        ("gold mid-write", GOLD_JOB, lambda p: _kill_when(p, crash / "gold" / "loan_features" / "data", ".parquet")),
        (
            "gold mid-commit",
            GOLD_JOB,
            lambda p: _kill_when(p, crash / "gold" / "product_recommendations", ".metadata.json"),
        ),
    ]
    for label, job, kill in kills:
        if job is GOLD_JOB:  # Gold is killed on top of a complete Silver
            assert subprocess.run([sys.executable, "-m", "finlake", "--lake", str(crash), *SILVER_JOB]).returncode == 0
        before = _contents(spark, lake)
        killed = kill(_start(crash, job))
        _assert_whole(_contents(spark, lake), before, final, label)
        log = (tmp_path / "job.log").read_text()[-2000:]
        assert killed or label == "silver early", f"{label}: the job ended before the kill point: {log}"

    for job in (SILVER_JOB, GOLD_JOB):  # the reruns finish the work
        assert subprocess.run([sys.executable, "-m", "finlake", "--lake", str(crash), *job]).returncode == 0
    assert _contents(spark, lake) == final
