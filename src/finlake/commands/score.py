"""`finlake score`: open loans scored by the champion model into gold.customer_risk_scores (a new run)."""

from __future__ import annotations

import argparse

from finlake.lake import Lake


def main(args: argparse.Namespace) -> int:
    if getattr(args, "model", "default") == "early-warning":
        from finlake.commands import early_warning

        return early_warning.score(args.lake)
    return execute(args.lake)


def execute(lake_root: str) -> int:
    from finlake.ml.scoring import run_batch_scoring
    from finlake.spark import local_session

    run = run_batch_scoring(local_session("finlake-score"), Lake.local(lake_root))
    print(
        f"scoring run {run.run_id}: {run.customers} customers scored by {run.model_name} "
        f"version {run.model_version} into {run.table} (scored_date={run.scored_at:%Y-%m-%d}, "
        f"snapshot {run.snapshot_id}; features snapshot {run.features_snapshot_id})"
    )
    return 0
