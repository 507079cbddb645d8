"""`finlake train [--report FILE] [--repeated-cv RxK] [--as-of TIMESTAMP|SNAPSHOT_ID]`: the loan-default
model from gold.loan_features (now, or as it was at an earlier snapshot)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from finlake.lake import Lake
from finlake.ml.settings import TrainingSettings, parse_repeated_cv

if TYPE_CHECKING:
    from finlake.asof import AsOf


def main(args: argparse.Namespace) -> int:
    from finlake.asof import parse_as_of

    if getattr(args, "model", "default") == "early-warning":
        from finlake.commands import early_warning

        return early_warning.train(args.lake, args.report)

    settings = TrainingSettings(
        repeated_cv=parse_repeated_cv(getattr(args, "repeated_cv", None)),
        challenger=not getattr(args, "no_challenger", False),
    )
    as_of = parse_as_of(args.as_of) if getattr(args, "as_of", None) else None
    return execute(args.lake, settings, as_of, args.report)


def execute(lake_root: str, settings: TrainingSettings, as_of: AsOf | None = None, report: str | None = None) -> int:
    from finlake.ml.training import train_default_model, write_report
    from finlake.spark import local_session

    result = train_default_model(local_session("finlake-train"), Lake.local(lake_root), settings, as_of=as_of)
    m = result.metrics
    print(
        f"trained {result.model_name} version {result.model_version} (alias {settings.alias}) on "
        f"{result.report['split']['description']}"
    )
    for name, read in result.report["inputs"].items():
        print(f"read {name} at snapshot {read['snapshot_id']} (committed {read['committed_at']})")
    print(
        f"test loans {int(m['loans'])} ({int(m['defaults'])} defaults): ROC-AUC {m['roc_auc']:.3f}, "
        f"PR-AUC {m['pr_auc']:.3f}, KS {m['ks']:.3f}, Brier {m['brier']:.4f}, threshold {m['threshold']:.3f}"
    )
    if "best_possible_roc_auc" in m:
        print(f"best possible ROC-AUC (generator truth) {m['best_possible_roc_auc']:.3f}; model/best {m['ratio']:.3f}")
    if "challenger" in result.report:
        c = result.report["challenger"]
        low, high = c["roc_auc_difference_ci95"]
        print(
            f"GBT challenger ROC-AUC {c['challenger_roc_auc']:.3f} vs LR {c['champion_roc_auc']:.3f}: difference "
            f"{c['roc_auc_difference']:+.3f} (95% CI {low:+.3f} to {high:+.3f}); {c['decision']}"
        )
    if "cv_roc_auc_mean" in m:
        print(f"repeated CV ROC-AUC {m['cv_roc_auc_mean']:.3f} ± {m['cv_roc_auc_std']:.3f} (mean ± sd)")
    if report:
        write_report(result, report)
        print(f"report written to {report}")
    return 0
