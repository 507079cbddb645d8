"""`finlake bronze-to-silver [--full-refresh]`: the Silver job on the local lake."""

from __future__ import annotations

import argparse
import os

from finlake.errors import UsageError
from finlake.lake import Lake
from finlake.runs import new_run_id


def main(args: argparse.Namespace) -> int:
    return execute(args.lake, bool(args.full_refresh), getattr(args, "accept_quarantine_rate", None))


def execute(lake_root: str, full_refresh: bool = False, accept_quarantine_rate: float | None = None) -> int:
    lake = Lake.local(lake_root)
    if not os.path.isdir(lake.bronze):
        raise UsageError(f"no Bronze data at {lake.bronze}: run `finlake generate` or `finlake import-pkdd99` first")
    from finlake.silver.job import run_bronze_to_silver
    from finlake.spark import local_session

    spark = local_session("finlake-bronze-to-silver")
    # Spark's own ERROR lines carry Java stack traces; a failure is reported in one line instead, the
    # trace going to the file that line names (finlake.failure).
    spark.sparkContext.setLogLevel("FATAL")
    report = run_bronze_to_silver(
        spark,
        lake,
        full_refresh=full_refresh,
        run_id=new_run_id(),
        accept_quarantine_rate=accept_quarantine_rate,
    )
    print(f"run report: {lake.run_report(report.run_id)}")
    return 0 if not report.unbalanced() else 1
