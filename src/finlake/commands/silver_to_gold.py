"""`finlake silver-to-gold`: the Gold job on the local lake (defaults from `finlake.contracts.gold`)."""

from __future__ import annotations

import argparse

from finlake.gold.models import GoldParams
from finlake.lake import Lake
from finlake.runs import new_run_id


def main(args: argparse.Namespace) -> int:
    overrides = {
        "large_cash_threshold": args.large_cash_threshold,
        "structuring_window_days": args.structuring_window_days,
    }  # not given: the defaults apply
    params = GoldParams(**{k: v for k, v in overrides.items() if v is not None})
    return execute(args.lake, params, full_refresh=bool(args.full_refresh))


def execute(lake_root: str, params: GoldParams | None = None, full_refresh: bool = False) -> int:
    from finlake.gold.job import run_silver_to_gold
    from finlake.spark import local_session

    lake = Lake.local(lake_root)
    spark = local_session("finlake-silver-to-gold")
    report = run_silver_to_gold(spark, lake, params, run_id=new_run_id(), full_refresh=full_refresh)
    print(f"run report: {lake.run_report(report.run_id)}")
    return 0
