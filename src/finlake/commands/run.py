"""`finlake run`: the whole pipeline in order on generated data (what `make run` calls).

Every step runs in this one process and one Spark session, called as the typed `execute` function
its own command calls (no argv is rebuilt). The run leaves a report of its own, `_runs/<run_id>.json`
(job `pipeline`, one timing per step), and a failure is one line naming the step. An optional step
the data cannot support yet (the early-warning model on a lake too small to hold defaults in its
test months) is skipped with a note in the output and the report, not a failure.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from finlake.commands import (
    alerts,
    bronze_to_silver,
    crawl,
    dashboard,
    early_warning,
    features,
    generate,
    score,
    silver_to_gold,
    train,
)
from finlake.errors import FinlakeError, NotEnoughData
from finlake.generate import GeneratorConfig
from finlake.jobrun import JobRun
from finlake.lake import Lake
from finlake.ml.settings import TrainingSettings
from finlake.report import RunReport
from finlake.runs import new_run_id
from finlake.spark import local_session

JOB_NAME = "pipeline"


@dataclass(frozen=True)
class Step:
    name: str
    execute: Callable[[str], int]  # lake root -> exit code, as the command's own
    # Optional: on NotEnoughData (a small lake with no defaults in its test months) the run goes on
    # without it and notes why; `needs` names an optional step whose skip skips this one too.
    optional: bool = False
    needs: str | None = None


def steps(config: GeneratorConfig) -> tuple[Step, ...]:
    return (
        Step("generate", lambda lake: generate.execute(lake, config)),
        Step("bronze-to-silver", bronze_to_silver.execute),
        Step("silver-to-gold", silver_to_gold.execute),
        Step("train", lambda lake: train.execute(lake, TrainingSettings())),
        Step("score", score.execute),
        Step("train --model early-warning", early_warning.train, optional=True),  # behavioural (loan_monthly_snapshots)
        # before alerts and dashboard: "risk rose" reads it (gold.loan_early_warning, reserved empty by Gold)
        Step("score --model early-warning", early_warning.score, needs="train --model early-warning"),
        Step("features publish", features.execute),  # the online store, so `finlake serve` answers straight away
        Step("crawl", crawl.execute),  # after scoring, so the catalog holds the new scoring run for the alerts
        Step("alerts", alerts.execute),
        Step("dashboard", dashboard.execute),  # last: the run ends by printing the dashboard's path
    )


def _skip(report: RunReport, skipped: set[str], step: Step, why: str) -> None:
    skipped.add(step.name)
    report.notes.append(f"skipped {step.name}: {why}")
    print(f"== skipped {step.name}: {why}", flush=True)


def _summary(report: RunReport) -> str:
    timings = ", ".join(f"{name} {seconds:.0f}s" for name, seconds in report.timings.items())
    return f"finlake run {report.status} in {report.seconds:.0f}s ({timings}); report {report.run_id}"


def main(args: argparse.Namespace) -> int:
    config = GeneratorConfig.resolve(
        customers=args.customers, days=args.days, start_date=args.start_date, seed=args.seed, dirty_rate=args.dirty_rate
    )
    lake = Lake.local(args.lake)
    report = RunReport(run_id=new_run_id(), job=JOB_NAME)
    job = JobRun(lake, report, "finlake run", "the steps before it are done", summary=_summary)
    started = time.monotonic()
    skipped: set[str] = set()
    # The JVM starts (~3 s) while the data is generated (pure Python); every step then reuses that
    # session. A failure here (no Java) is reported by the first Spark step, as one line.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="finlake-spark-start") as starter:
        starter.submit(local_session, "finlake-run")
        _run_steps(args, config, report, job, skipped)
    job.finish("succeeded")
    print(f"== finlake run finished in {time.monotonic() - started:.0f}s (lake: {Path(args.lake).absolute()})")
    return 0


def _run_steps(
    args: argparse.Namespace, config: GeneratorConfig, report: RunReport, job: JobRun, skipped: set[str]
) -> None:
    with job.guarded():
        for step in steps(config):
            if step.needs in skipped:
                _skip(report, skipped, step, f"it needs {step.needs}, which was skipped")
                continue
            print(f"== {step.name}", flush=True)
            with job.stage(step.name, timed=step.name):
                try:
                    if step.execute(args.lake):
                        raise FinlakeError(
                            f"finlake run stopped at {step.name}: the step reported a problem (see above)"
                        )
                except NotEnoughData as exc:
                    if not step.optional:
                        raise
                    _skip(report, skipped, step, str(exc))
