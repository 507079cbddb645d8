"""The benchmark harness works: settings, measurement, baselines, history padding, result shape.

No timings are asserted (speed is what `make bench` reports, never a test); these check that the
harness measures, computes and writes what it claims, at a tiny scale.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from finlake.bench.history import extend_history
from finlake.bench.measure import Sample, run_measured, summarise
from finlake.bench.report import BEGIN, END, write_markdown
from finlake.bench.runner import Settings
from finlake.errors import FinlakeError, UsageError

TX_HEADER = ["transaction_id", "account_id", "booked_at", "amount", "currency", "direction", "channel",
             "merchant_category", "description", "balance_after"]  # fmt: skip


def test_settings_from_env_defaults_and_overrides():
    assert Settings.from_env({}).runs == 3
    s = Settings.from_env({"BENCH_RUNS": "1", "BENCH_SCALES": "10,20", "BENCH_STAGES": "throughput"})
    assert (s.runs, s.scales, s.stages) == (1, (10, 20), ("throughput",))


@pytest.mark.parametrize(
    "env, message",
    [
        ({"BENCH_RUNS": "0"}, "BENCH_RUNS must be a whole number above 0"),
        ({"BENCH_SCALES": "1k"}, "BENCH_SCALES must be customer counts"),
        ({"BENCH_STAGES": "speed"}, "unknown stage 'speed'"),
    ],
)
def test_settings_refuse_nonsense_in_one_line(env, message):
    with pytest.raises(UsageError, match=message):
        Settings.from_env(env)


def test_run_measured_sees_the_child_process_memory(tmp_path):
    # the child holds ~200 MiB in a grandchild process: the tree's peak must include it
    code = "import subprocess,sys; subprocess.run([sys.executable,'-c','b=bytearray(200*2**20); import time; time.sleep(1)'])"
    sample = run_measured([sys.executable, "-c", code], tmp_path / "log.txt")
    assert sample.peak_rss_bytes > 200 * 2**20
    assert sample.seconds >= 1


def test_run_measured_counts_the_cpu_of_a_busy_grandchild(tmp_path):
    # the command itself only waits; its child burns ~1 CPU second: the tree's CPU time must hold it
    busy = "import time; end = time.process_time() + 1.0\nwhile time.process_time() < end: pass"
    code = f"import subprocess,sys; subprocess.run([sys.executable,'-c',{busy!r}])"
    sample = run_measured([sys.executable, "-c", code], tmp_path / "log.txt")
    assert 0.8 <= sample.cpu_seconds <= sample.seconds * (os.cpu_count() or 1)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="file-backed resident pages are told apart on Linux")
def test_mapped_file_pages_count_in_the_rss_but_not_in_its_anonymous_part(tmp_path):
    # like the JVM reading memory-mapped shuffle blocks: 200 MiB of a file mapped and read, 100 MiB held
    data = tmp_path / "blocks.bin"
    data.write_bytes(b"x" * (200 * 2**20))
    code = (
        f"import mmap,time; f=open(r'{data}','rb'); m=mmap.mmap(f.fileno(),0,access=mmap.ACCESS_READ); "
        "s=sum(m[i] for i in range(0,len(m),4096)); held=bytearray(100*2**20); time.sleep(1)"
    )
    sample = run_measured([sys.executable, "-c", code], tmp_path / "log.txt")
    assert sample.peak_rss_bytes > 300 * 2**20
    assert 100 * 2**20 < sample.peak_anon_bytes < sample.peak_rss_bytes - 150 * 2**20


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_child_still_sharing_its_parents_memory_is_counted_once(tmp_path):
    # like the JVM spawning a helper by vfork: until it execs, the child shows the parent's whole RSS
    code = (
        "import os,time; held=bytearray(300*2**20); pid=os.fork(); time.sleep(1.5); "
        "os._exit(0) if pid == 0 else os.waitpid(pid, 0)"
    )
    sample = run_measured([sys.executable, "-c", code], tmp_path / "log.txt")
    assert 300 * 2**20 < sample.peak_rss_bytes < 450 * 2**20


def test_run_measured_failure_names_the_log(tmp_path):
    with pytest.raises(FinlakeError, match=r"exit 3.*boom.*log\.txt"):
        run_measured([sys.executable, "-c", "import sys; print('boom'); sys.exit(3)"], tmp_path / "log.txt")


def test_summary_is_the_median():
    s = summarise(
        [Sample(3.0, 100 * 2**20, cpu_seconds=5.0), Sample(1.0, 300 * 2**20, cpu_seconds=1.5), Sample(2.0, 200 * 2**20)]
    )
    assert (s.runs, s.seconds, s.seconds_min, s.seconds_max, s.peak_rss_mib) == (3, 2.0, 1.0, 3.0, 200.0)
    assert s.cpu_seconds == 1.5


def _write_day(bronze: Path, day: str, rows: list[list[str]]) -> None:
    folder = bronze / "transactions" / f"ingest_date={day}"
    folder.mkdir(parents=True)
    with open(folder / "t.csv", "w", newline="") as f:
        w = csv.writer(f, quoting=csv.QUOTE_ALL)
        w.writerow(TX_HEADER)
        w.writerows(rows)


def test_extend_history_adds_shifted_copies_with_new_ids(tmp_path):
    bronze = tmp_path / "bronze"
    _write_day(bronze, "2024-07-01", [["T1", "A1", "2024-06-30T10:00:00", "5.00", "EUR", "DEBIT", "CARD", "", "x", ""]])
    assert extend_history(str(bronze), "2024-07-01", 2) == 2
    # delivered with the backfill: an earlier ingest_date would make every copy an orphan of its account
    copies = sorted(bronze.glob("transactions/ingest_date=*/history*.csv"))
    assert [(c.parent.name, c.name) for c in copies] == [
        ("ingest_date=2024-07-01", "history01.csv"),
        ("ingest_date=2024-07-01", "history02.csv"),
    ]
    with open(copies[1], newline="") as f:  # k=2: 1080 days before 2024-06-30
        rows = list(csv.DictReader(f))
    assert [(r["transaction_id"], r["booked_at"], r["amount"]) for r in rows] == [
        ("T1-H2", "2021-07-16T10:00:00", "5.00")
    ]
    assert list(rows[0]) == TX_HEADER


def test_duckdb_peer_keeps_latest_version_and_first_delivery(tmp_path):
    bronze = tmp_path / "bronze"
    _write_day(bronze, "2024-07-01", [["T1", "A1", "2024-06-30T10:00:00", "5.00", "EUR", "DEBIT", "CARD", "", "x", ""]])
    _write_day(bronze, "2024-07-02", [["T1", "A1", "2024-06-30T10:00:00", "9.00", "EUR", "DEBIT", "CARD", "", "x", ""]])
    # a minimal set of the other entities: two versions of one loan, one customer
    from finlake.contracts.bronze import ENTITIES

    def write(entity: str, day: str, rows: list[dict[str, str]]) -> None:
        folder = bronze / entity / f"ingest_date={day}"
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / "f.csv", "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=ENTITIES[entity].column_names, quoting=csv.QUOTE_ALL)
            w.writeheader()
            w.writerows(rows)

    loan = {
        "loan_id": "L1",
        "customer_id": "C1",
        "principal": "100.00",
        "status": "CURRENT",
        "updated_at": "2024-01-01T00:00:00",
    }
    write("loans", "2024-07-01", [loan, {**loan, "status": "DEFAULT", "updated_at": "2024-02-01T00:00:00"}])
    write("customers", "2024-07-01", [{"customer_id": "C1", "segment": "MASS", "updated_at": "2024-01-01T00:00:00"}])
    write("accounts", "2024-07-01", [{"account_id": "A1", "customer_id": "C1", "updated_at": "2024-01-01T00:00:00"}])
    out = tmp_path / "out"
    subprocess.run([sys.executable, "-m", "finlake.bench.duckdb_peer", str(bronze), str(out)], check=True)
    con = duckdb.connect()
    assert con.execute(f"SELECT transaction_id, amount FROM '{out}/transactions/*/*.parquet'").fetchall() == [
        ("T1", pytest.approx(5.0))
    ]
    summary = con.execute(
        f"SELECT customer_id, loan_count, defaulted_loan_count, segment FROM '{out}/customer_loan_summary.parquet'"
    ).fetchall()
    assert summary == [("C1", 1, 1, "MASS")]


def test_write_markdown_replaces_only_between_markers(tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text(f"# Benchmarks\n\nprose before\n\n{BEGIN}\nold\n{END}\n\nprose after\n")
    write_markdown(doc, "new table\n")
    text = doc.read_text()
    assert "old" not in text and "new table" in text
    assert text.startswith("# Benchmarks\n\nprose before") and text.endswith("prose after\n")


@pytest.mark.slow
def test_bench_end_to_end_at_a_tiny_scale(tmp_path):
    """`python -m finlake.bench` on 30 customers, one run, throughput only: the result has its fields."""
    env = {
        **os.environ,
        "BENCH_RUNS": "1",
        "BENCH_SCALES": "30",
        "BENCH_STAGES": "throughput",
        "BENCH_COLD_START": "0",
        "BENCH_DIR": str(tmp_path / "work"),
        "BENCH_OUT": str(tmp_path / "results"),
        "BENCH_DOC": str(tmp_path / "benchmarks.md"),
        "FINLAKE_DRIVER_MEMORY": "1g",
    }
    subprocess.run([sys.executable, "-m", "finlake.bench"], env=env, check=True, capture_output=True)
    (result_file,) = (tmp_path / "results").glob("*.json")
    result = json.loads(result_file.read_text())
    assert result["machine"]["logical_cores"] == os.cpu_count()
    (scale,) = result["scales"]
    stages = scale["throughput"]["stages"]
    assert set(stages) == {"generate", "bronze_to_silver", "silver_to_gold", "floor_spark_copy", "duckdb_peer"}
    for s in stages.values():
        assert s["runs"] == 1 and s["seconds"] > 0 and s["peak_rss_mib"] > 0
    assert scale["throughput"]["pipeline_over_floor"] == pytest.approx(
        (stages["bronze_to_silver"]["seconds"] + stages["silver_to_gold"]["seconds"])
        / stages["floor_spark_copy"]["seconds"],
        abs=0.01,
    )
    assert "Throughput and baselines" in (tmp_path / "benchmarks.md").read_text()


def test_a_long_history_that_never_reached_silver_stops_the_benchmark():
    from finlake.bench.runner import Settings, check_history_reached_silver
    from finlake.errors import FinlakeError

    check_history_reached_silver(505_640, 5_023_000, Settings(history_factor=10))
    with pytest.raises(FinlakeError, match="did not reach Silver"):
        check_history_reached_silver(505_640, 505_640, Settings(history_factor=10))


def test_a_runs_checkpoints_are_listed_once_next_to_the_earlier_runs_parts(tmp_path):
    from finlake.bench.runner import _merged

    def result(date: str, part: str) -> dict:
        machine = {"load_average_at_start": [0.1], "load_average_at_end": [0.2]}
        return {"date": date, "commit": "abc", "settings": {}, "machine": machine, part: {"x": 1}}

    path = tmp_path / "day.json"
    path.write_text(json.dumps(result("T1", "cold_start")))
    later = result("T2", "incremental")
    for _ in range(3):  # the runner checkpoints after every part
        path.write_text(json.dumps(_merged(path, later)))
    merged = json.loads(path.read_text())
    assert [(r["date"], r["parts"]) for r in merged["runs"]] == [("T1", ["cold_start"]), ("T2", ["incremental"])]
    assert merged["cold_start"] == {"x": 1} and merged["incremental"] == {"x": 1}


def test_a_later_run_at_some_scales_keeps_the_earlier_figures_it_did_not_measure(tmp_path):
    from finlake.bench.runner import _merged

    machine = {"load_average_at_start": [0.1], "load_average_at_end": [0.2]}
    header = {"commit": "abc", "settings": {}, "machine": machine}
    first = {**header, "date": "T1", "scales": [{"customers": 2000, "throughput": {"s": 1}, "model": {"m": 1}},
                                                 {"customers": 32000, "throughput": {"s": 2}}]}  # fmt: skip
    path = tmp_path / "day.json"
    path.write_text(json.dumps(first))
    later = {**header, "date": "T2", "scales": [{"customers": 2000, "queries": {"q": 3}},
                                                {"customers": 32000, "throughput": {"s": 4}}]}  # fmt: skip
    merged = _merged(path, later)
    small, large = merged["scales"]
    assert small == {"customers": 2000, "throughput": {"s": 1}, "model": {"m": 1}, "queries": {"q": 3, "run": "T2"}}
    assert large == {"customers": 32000, "throughput": {"s": 4, "run": "T2"}}


def test_model_table_shows_the_ratio_to_the_observable_best_with_its_interval():
    from finlake.bench.report import model_md

    model = {"train": {"seconds": 80.0, "peak_rss_mib": 2000}, "roc_auc": 0.85, "best_possible_roc_auc": 0.9}
    model |= {"ratio": 0.944, "observable_best_roc_auc": 0.86, "ratio_to_observable": 0.988}
    model |= {"ratio_to_observable_ci95": [0.975, 1.001], "test_loans": 1600, "test_defaults": 200}
    older = {**model, "observable_best_roc_auc": None, "ratio_to_observable": None, "ratio_to_observable_ci95": None}
    row, old_row = model_md([{"bronze_rows": {"transactions": 5_000_000}, "model": m} for m in (model, older)])[2:]
    assert "| 0.860 | 0.988 (0.975–1.001) | 1,600 (200) |" in row
    assert "| – | – |" in old_row  # results saved before the field existed still render
