"""The benchmark run: every stage in a fresh subprocess, each repeated, medians reported.

Settings come from the environment (so `make bench` stays one line), each with a default sized for
a 2-core machine:

    BENCH_RUNS=3                   runs per figure (the median is reported)
    BENCH_SCALES=2000,8000         customers per throughput scale (~516 transactions per customer)
    BENCH_INCREMENTAL_CUSTOMERS=1000  customers in the incremental benchmark's short history
    BENCH_HISTORY_FACTOR=10        how many times longer the long history is
    BENCH_COLD_START=1             0 skips the fresh-clone `make run` measurement
    BENCH_DIR=<tmp>/finlake-bench  scratch space (lakes, logs); removed stage by stage
    BENCH_OUT=bench/results        where <date>.json goes
    BENCH_DOC=docs/benchmarks.md   the markdown table is written between its bench markers
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from finlake.bench import history, machine
from finlake.bench.measure import Sample, Summary, repeat, run_measured, summarise
from finlake.bench.report import to_markdown, write_markdown
from finlake.errors import FinlakeError, UsageError

PY = sys.executable
FINLAKE = [PY, "-m", "finlake"]
STAGES = ("throughput", "incremental", "model", "queries", "cold_start", "serving", "stream")


@dataclass(frozen=True)
class Settings:
    runs: int = 3
    scales: tuple[int, ...] = (2000, 8000)
    incremental_customers: int = 1000
    history_factor: int = 10
    cold_start: bool = True
    stages: tuple[str, ...] = STAGES
    work: Path = field(default_factory=lambda: Path(tempfile.gettempdir()) / "finlake-bench")
    out: Path = Path("bench/results")
    doc: Path = Path("docs/benchmarks.md")
    repo: Path = Path(".")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)

        def number(key: str, default: int) -> int:
            text = env.get(key, "").strip()
            if not text:
                return default
            if not text.isdigit() or int(text) < 1:
                raise UsageError(f"{key} must be a whole number above 0, got {text!r}")
            return int(text)

        scales_text = env.get("BENCH_SCALES", "").strip()
        try:
            scales = tuple(int(s) for s in scales_text.split(",")) if scales_text else cls.scales
        except ValueError:
            raise UsageError(f"BENCH_SCALES must be customer counts separated by commas, got {scales_text!r}") from None
        if not scales or min(scales) < 1:
            raise UsageError(f"BENCH_SCALES must be customer counts above 0, got {scales_text!r}")
        stages = tuple(s.strip() for s in env.get("BENCH_STAGES", ",".join(STAGES)).split(",") if s.strip())
        unknown = sorted(set(stages) - set(STAGES))
        if unknown:
            raise UsageError(f"BENCH_STAGES: unknown stage {unknown[0]!r} (stages: {', '.join(STAGES)})")
        defaults = cls()
        return cls(
            runs=number("BENCH_RUNS", defaults.runs),
            scales=scales,
            incremental_customers=number("BENCH_INCREMENTAL_CUSTOMERS", defaults.incremental_customers),
            history_factor=number("BENCH_HISTORY_FACTOR", defaults.history_factor),
            cold_start=env.get("BENCH_COLD_START", "1").strip() not in {"0", "false", "no"},
            stages=stages,
            work=Path(env["BENCH_DIR"]) if env.get("BENCH_DIR") else defaults.work,
            out=Path(env.get("BENCH_OUT", str(defaults.out))),
            doc=Path(env.get("BENCH_DOC", str(defaults.doc))),
        )


class Bench:
    def __init__(self, settings: Settings, log: Callable[[str], None] = print):
        self.s = settings
        self.log = log
        self.logfile = settings.work / "bench.log"

    def say(self, message: str) -> None:
        self.log(f"bench [{datetime.now().strftime('%H:%M:%S')}, load {machine.load_average()[0]}]: {message}")

    def measured(self, cmd: list[str], cwd: str | None = None, env: dict[str, str] | None = None) -> Sample:
        return run_measured(cmd, self.logfile, env=env, cwd=cwd)

    def finlake(self, lake: Path, *args: str) -> Sample:
        return self.measured([*FINLAKE, "--lake", str(lake), *args])

    def times(self, label: str, once: Callable[[int], Sample]) -> Summary:
        summary = repeat(self.s.runs, once)
        self.say(
            f"{label}: median {summary.seconds:.1f}s over {summary.runs} runs (CPU {summary.cpu_seconds:.1f}s), "
            f"peak {summary.peak_rss_mib:.0f} MiB"
        )
        return summary

    # -- 1, 2, 4, 5: one scale --------------------------------------------------------------------
    def generate(self, lake: Path, customers: int, days: int = 7) -> Sample:
        shutil.rmtree(lake, ignore_errors=True)
        return self.finlake(lake, "generate", "--customers", str(customers), "--days", str(days))

    def scale(self, customers: int) -> dict[str, Any]:
        root = self.s.work / f"scale-{customers}"
        lake = root / "lake"
        gen = self.times(f"{customers} customers: generate", lambda i: self.generate(lake, customers))
        manifest = json.loads((lake / "_generator" / "manifest.json").read_text())
        rows = {name: int(e["rows"]) for name, e in manifest["entities"].items()}
        bronze_rows = sum(rows.values())
        result: dict[str, Any] = {"customers": customers, "bronze_rows": rows, "bronze_bytes": _du(lake / "bronze")}
        if "throughput" in self.s.stages:
            result["throughput"] = self.throughput(lake, root, bronze_rows, gen)
        if ("model" in self.s.stages or "queries" in self.s.stages) and "throughput" not in self.s.stages:
            self.finlake(lake, "bronze-to-silver", "--full-refresh")
            self.finlake(lake, "silver-to-gold")
        if "model" in self.s.stages:
            try:
                result["model"] = self.model(lake, root)
            except FinlakeError as exc:  # e.g. too few defaults at a tiny scale: reported, the rest goes on
                self.say(f"model: {exc}")
                result["model"] = {"error": str(exc)}
        if "queries" in self.s.stages:
            if "model" not in self.s.stages:  # the risk-score queries need a champion to score with
                self.finlake(lake, "train", "--no-challenger")
            result["queries"] = self.queries(lake, root)
        shutil.rmtree(root, ignore_errors=True)
        return result

    def throughput(self, lake: Path, root: Path, bronze_rows: int, gen: Summary) -> dict[str, Any]:
        silver = self.times("bronze-to-silver", lambda i: self.finlake(lake, "bronze-to-silver", "--full-refresh"))
        gold = self.times("silver-to-gold", lambda i: self.finlake(lake, "silver-to-gold"))
        floor_out, peer_out = root / "floor", root / "duckdb"

        def floor(i: int) -> Sample:
            shutil.rmtree(floor_out, ignore_errors=True)
            return self.measured([PY, "-m", "finlake.bench.floor", str(lake / "bronze"), str(floor_out)])

        def peer(i: int) -> Sample:
            shutil.rmtree(peer_out, ignore_errors=True)
            return self.measured([PY, "-m", "finlake.bench.duckdb_peer", str(lake / "bronze"), str(peer_out)])

        floor_s = self.times("floor (plain Spark CSV -> Parquet)", floor)
        peer_s = self.times("DuckDB peer (dedupe + loan summary)", peer)
        pipeline = silver.seconds + gold.seconds
        stages = {"generate": gen, "bronze_to_silver": silver, "silver_to_gold": gold, "floor_spark_copy": floor_s}
        stages["duckdb_peer"] = peer_s
        return {
            "stages": {
                name: {**s.to_dict(), "bronze_rows_per_second": round(bronze_rows / s.seconds) if s.seconds else None}
                for name, s in stages.items()
            },
            "pipeline_seconds": round(pipeline, 3),
            "pipeline_over_floor": round(pipeline / floor_s.seconds, 2),
            "pipeline_over_duckdb": round(pipeline / peer_s.seconds, 2),
            "silver_over_floor": round(silver.seconds / floor_s.seconds, 2),
        }

    def model(self, lake: Path, root: Path) -> dict[str, Any]:
        report = root / "train-report.json"
        train = self.times("train", lambda i: self.finlake(lake, "train", "--report", str(report)))
        metrics = json.loads(report.read_text()) if report.exists() else {}
        flat = metrics.get("metrics", metrics)
        return {
            "train": train.to_dict(),
            "roc_auc": flat.get("roc_auc"),
            "best_possible_roc_auc": flat.get("best_possible_roc_auc"),
            "ratio": flat.get("ratio"),
            # E[p | what the data shows]: the ceiling issue 20 asks the model to reach 0.98 of
            "observable_best_roc_auc": flat.get("observable_best_roc_auc"),
            "ratio_to_observable": flat.get("ratio_to_observable"),
            "ratio_to_observable_ci95": [
                flat.get("ratio_to_observable_ci95_low"),
                flat.get("ratio_to_observable_ci95_high"),
            ],
            "test_loans": flat.get("loans"),
            "test_defaults": flat.get("defaults"),
        }

    def queries(self, lake: Path, root: Path) -> dict[str, Any]:
        for step in (["score"], ["crawl"]):  # the risk-score queries need scores; the engine needs the catalog
            try:
                self.finlake(lake, *step)
            except Exception as exc:  # reported in the per-query errors; the other queries still run
                self.say(f"{step[0]} failed ({exc}); queries over its tables will show an error")
        out = root / "queries.json"
        sample = self.measured([PY, "-m", "finlake.bench.query_cost", str(lake), str(self.s.runs), str(out)])
        result = json.loads(out.read_text())
        result["process_seconds"] = sample.seconds
        self.say("queries: " + ", ".join(f"{n} {q.get('seconds', 'error')}s" for n, q in result["queries"].items()))
        return dict(result)

    # -- 3: incremental ---------------------------------------------------------------------------
    def incremental(self) -> dict[str, Any]:
        root = self.s.work / "incremental"
        shutil.rmtree(root, ignore_errors=True)  # what an interrupted run left
        source = root / "generated"
        self.generate(source, self.s.incremental_customers, days=2)
        manifest = json.loads((source / "_generator" / "manifest.json").read_text())
        first, new_day = manifest["ingest_dates"][0], manifest["ingest_dates"][-1]
        result: dict[str, Any] = {"customers": self.s.incremental_customers, "new_day": new_day, "histories": {}}
        for label, copies in (("short", 0), (f"{self.s.history_factor}x", self.s.history_factor - 1)):
            snapshot = root / f"{label}-snapshot"
            _copy_bronze(source / "bronze", snapshot / "bronze", exclude=f"ingest_date={new_day}")
            padded = history.extend_history(str(snapshot / "bronze"), first, copies) if copies else 0
            setup = self.finlake(snapshot, "bronze-to-silver", "--full-refresh")
            lake = root / f"{label}-work"

            gold_samples: list[Sample] = []

            def day(i: int, snapshot: Path = snapshot, lake: Path = lake, gold_samples: list = gold_samples) -> Sample:
                # An Iceberg lake cannot be copied (its metadata holds absolute paths), so each run gets
                # the history rebuilt from Bronze and Gold built on it first (untimed), then the new
                # day's Silver run (timed) and the Gold run after it (timed: the incremental rebuild).
                shutil.rmtree(lake, ignore_errors=True)
                _copy_bronze(snapshot / "bronze", lake / "bronze")
                self.finlake(lake, "bronze-to-silver", "--full-refresh")
                self.finlake(lake, "silver-to-gold")
                _copy_bronze(source / "bronze", lake / "bronze", only=f"ingest_date={new_day}")
                silver_day = self.finlake(lake, "bronze-to-silver")
                gold_samples.append(self.finlake(lake, "silver-to-gold"))
                return silver_day

            silver = self.times(f"incremental day on {label} history (Silver)", day)
            gold = summarise(gold_samples)
            self.say(f"Gold after the day on {label} history: median {gold.seconds:.1f}s over {gold.runs} runs")
            result["histories"][label] = {
                "history_copies_added": copies,
                "history_rows_added": padded,
                "silver_transactions_rows": _silver_rows(lake),
                "silver_transactions_bytes": _du(lake / "silver" / "transactions"),
                "full_refresh_setup_seconds": setup.seconds,
                "bronze_to_silver_day": silver.to_dict(),
                "silver_to_gold_after_day": gold.to_dict(),
            }
        short, long = result["histories"]["short"], result["histories"][f"{self.s.history_factor}x"]
        check_history_reached_silver(short["silver_transactions_rows"], long["silver_transactions_rows"], self.s)
        result["silver_day_long_over_short"] = round(
            long["bronze_to_silver_day"]["seconds"] / short["bronze_to_silver_day"]["seconds"], 2
        )
        result["gold_long_over_short"] = round(
            long["silver_to_gold_after_day"]["seconds"] / short["silver_to_gold_after_day"]["seconds"], 2
        )
        shutil.rmtree(root, ignore_errors=True)
        return result

    # -- 6: cold start ----------------------------------------------------------------------------
    def cold_start(self) -> dict[str, Any]:
        root = self.s.work / "cold-start"
        shutil.rmtree(root, ignore_errors=True)
        clone = root / "finlake"
        self.measured(["git", "clone", "--quiet", str(self.s.repo.resolve()), str(clone)])
        commit = _git_head(clone)
        cold = self.measured(["make", "run"], cwd=str(clone))
        self.say(f"cold `make run` (fresh clone, install included): {cold.seconds:.0f}s")

        def warm(i: int) -> Sample:
            shutil.rmtree(clone / "lake", ignore_errors=True)
            return self.measured(["make", "run"], cwd=str(clone))

        # one run each: every extra cold/warm run is a full pipeline at the default scale
        warm_s = summarise([warm(0)])
        self.say(f"warm `make run` (venv kept, lake removed): {warm_s.seconds:.0f}s")
        rerun = summarise([self.measured(["make", "run"], cwd=str(clone))])
        shutil.rmtree(root, ignore_errors=True)
        return {
            "commit": commit,
            "cold_seconds": cold.seconds,
            "cold_peak_rss_mib": round(cold.peak_rss_bytes / 2**20, 1),
            "cold_runs": 1,
            "warm": warm_s.to_dict(),
            "rerun_same_lake": rerun.to_dict(),
        }

    # -- all --------------------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        self.s.work.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        result: dict[str, Any] = {
            "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "commit": _git_head(self.s.repo),
            "settings": {
                "runs": self.s.runs,
                "scales_customers": list(self.s.scales),
                "incremental_customers": self.s.incremental_customers,
                "history_factor": self.s.history_factor,
                "stages": list(self.s.stages),
            },
            "machine": machine.describe(),
        }
        self.say(f"settings {result['settings']}; log {self.logfile}")

        def checkpoint() -> None:  # results so far are written after every part: a long run is never lost
            result["machine"]["load_average_at_end"] = machine.load_average()
            result["total_seconds"] = round(time.monotonic() - started, 1)
            self.save(result)

        if {"throughput", "model", "queries"} & set(self.s.stages):
            result["scales"] = []
            for customers in self.s.scales:
                result["scales"].append(self.scale(customers))
                checkpoint()
        if "incremental" in self.s.stages:
            result["incremental"] = self.incremental()
            checkpoint()
        if "serving" in self.s.stages:  # scoring API latency (finlake.bench.serving)
            from finlake.bench import serving

            result["serving"] = serving.run(self.s.work, self.say)
            checkpoint()
        if "stream" in self.s.stages:  # transaction monitor throughput and latency (finlake.bench.stream)
            from finlake.bench import stream

            result["stream"] = stream.run(self.say)
            checkpoint()
        if "cold_start" in self.s.stages and self.s.cold_start:
            result["cold_start"] = self.cold_start()
        checkpoint()
        return result

    def save(self, result: dict[str, Any]) -> Path:
        """bench/results/<date>.json and the markdown block in docs/benchmarks.md."""
        self.s.out.mkdir(parents=True, exist_ok=True)
        path = self.s.out / f"{result['date'][:10]}.json"
        write_markdown(self.s.doc, to_markdown(_merged(path, result), path.name))
        path.write_text(json.dumps(_merged(path, result), indent=2) + "\n", encoding="utf-8")
        return path


PARTS = ("scales", "incremental", "cold_start", "serving", "stream")
SCALE_PARTS = ("throughput", "model", "queries")


def _merged(path: Path, result: dict[str, Any]) -> dict[str, Any]:
    """The same day's earlier run keeps the parts this run did not measure (e.g. `BENCH_STAGES=cold_start`
    later in the day), each part still carrying the run it came from."""
    if not path.exists():
        return result
    earlier = json.loads(path.read_text(encoding="utf-8"))
    kept = {k: earlier[k] for k in PARTS if k in earlier and k not in result}
    if "scales" in earlier and "scales" in result:
        kept["scales"] = _merged_scales(earlier["scales"], result["scales"], result["date"])
    if not kept:
        return result
    runs = [*earlier.get("runs", [_run_header(earlier, [k for k in PARTS if k in earlier])])]
    # one entry per run: a run's checkpoints (after every part) are merged into the file repeatedly
    runs = list({r["date"]: r for r in runs if r["date"] != result["date"]}.values())
    return {**result, **kept, "runs": [*runs, _run_header(result, [k for k in PARTS if k in result])]}


def _merged_scales(earlier: list[dict[str, Any]], new: list[dict[str, Any]], date: str) -> list[dict[str, Any]]:
    """Scales by customer count: what this run measured at a scale (throughput, model, queries)
    replaces the earlier figure, the rest is kept; each figure names the run it came from."""
    by_customers = {s["customers"]: s for s in earlier}
    for scale in new:
        stamped = {k: {**v, "run": v.get("run", date)} if k in SCALE_PARTS else v for k, v in scale.items()}
        by_customers[scale["customers"]] = {**by_customers.get(scale["customers"], {}), **stamped}
    return [by_customers[c] for c in sorted(by_customers)]


def _run_header(result: dict[str, Any], parts: list[str]) -> dict[str, Any]:
    return {"date": result["date"], "commit": result["commit"], "settings": result["settings"], "parts": parts,
            "load_average": [result["machine"]["load_average_at_start"], result["machine"].get("load_average_at_end")]}  # fmt: skip


def check_history_reached_silver(short_rows: int, long_rows: int, settings: Settings) -> None:
    """The long history must be in Silver, not in the quarantine: otherwise 'a day on a 10x history'
    was timed on the short one (the first padding delivered its copies before the accounts)."""
    if long_rows < 0.8 * settings.history_factor * short_rows:
        raise FinlakeError(
            f"incremental benchmark: the {settings.history_factor}x history has {long_rows:,} Silver transactions "
            f"against {short_rows:,} for the short one; the padding did not reach Silver"
        )


def _du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink()) if path.exists() else 0


def _silver_rows(lake: Path) -> int:
    """Rows in silver.transactions' current snapshot (its summary; no scan)."""
    from finlake.lake import Lake
    from finlake.query.iceberg_tables import open_catalog

    catalog = open_catalog(Lake.local(lake))
    if catalog is None:
        return 0
    snapshot = catalog.load_table("silver.transactions").current_snapshot()
    records = snapshot.summary["total-records"] if snapshot and snapshot.summary else None
    return int(records or 0)


def _copy_bronze(src: Path, dst: Path, exclude: str | None = None, only: str | None = None) -> None:
    """Copy Bronze partition folders (hard links: Bronze files are never edited)."""
    for folder in sorted(src.glob("*/ingest_date=*")):
        if (exclude and folder.name == exclude) or (only and folder.name != only):
            continue
        target = dst / folder.parent.name / folder.name
        shutil.copytree(folder, target, copy_function=os.link, dirs_exist_ok=True)


def _git_head(repo: Path) -> str:
    import subprocess

    out = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return out.stdout.strip() or "unknown"
