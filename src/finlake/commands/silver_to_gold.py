"""`finlake silver-to-gold`: the Gold job on the local lake (defaults from `finlake.contracts.gold`)."""

from __future__ import annotations

import argparse

from finlake.lake import Lake
from finlake.runs import new_run_id


def main(args: argparse.Namespace) -> int:
    from finlake.gold.job import GoldParams, run_silver_to_gold
    from finlake.spark import local_session

    overrides = {
        "large_cash_threshold": getattr(args, "large_cash_threshold", None),
        "structuring_window_days": getattr(args, "structuring_window_days", None),
    }  # `finlake run` passes neither: the defaults apply
    params = GoldParams(**{k: v for k, v in overrides.items() if v is not None})
    lake = Lake.local(args.lake)
    spark = local_session("finlake-silver-to-gold")
    full_refresh = bool(getattr(args, "full_refresh", False))
    report = run_silver_to_gold(spark, lake, params, run_id=new_run_id(), full_refresh=full_refresh)
    print(f"run report: {lake.run_report(report.run_id)}")
    return 0
