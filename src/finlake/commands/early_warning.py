"""`finlake train --model early-warning` and `finlake score --model early-warning`: the behavioural
early-warning model on gold.loan_monthly_snapshots (finlake/ml/early_warning.py)."""

from __future__ import annotations

import json
from pathlib import Path


def _figure(value: object, spec: str = ".3f") -> str:
    return "n/a" if value is None else format(value, spec)


def train(lake_root: str, report: str | None = None) -> int:
    from finlake.lake import Lake
    from finlake.ml.early_warning import headline, log_early_warning, train_early_warning
    from finlake.spark import local_session

    lake = Lake.local(lake_root)
    run = train_early_warning(local_session("finlake-train-early-warning"), lake)
    _, version = log_early_warning(lake, run)
    m, split = headline(run.report), run.report["split"]
    print(
        f"trained {run.settings.model_name} version {version} (alias {run.settings.alias}); out-of-time test from "
        f"{split['first_test_month']}: {int(m['loans'])} loan-months ({int(m['defaults'])} defaulting within 6 months)"
    )
    print(
        f"ROC-AUC {m['roc_auc']:.3f} (95% CI {m['roc_auc_ci95_low']:.3f}-{m['roc_auc_ci95_high']:.3f}), "
        f"PR-AUC {m['pr_auc']:.3f}; alert threshold {m['alert_threshold']:.3f}: loan alert precision "
        f"{_figure(m['loan_alert_precision'])}, defaults caught {_figure(m['share_of_defaults_caught'])}, "
        f"median lead {_figure(m['median_lead_months'], '.1f')} months"
    )
    if "best_possible_roc_auc" in m:
        print(
            f"best possible ROC-AUC (generator's latent truth) {m['best_possible_roc_auc']:.3f}; model/best {m['ratio']:.3f}"
        )
    if report:
        Path(report).parent.mkdir(parents=True, exist_ok=True)
        Path(report).write_text(json.dumps({**m, "details": run.report}, indent=2, default=str) + "\n")
        print(f"report written to {report}")
    return 0


def score(lake_root: str) -> int:
    from finlake.lake import Lake
    from finlake.ml.early_warning_scoring import TABLE, score_early_warning
    from finlake.spark import local_session

    done = score_early_warning(local_session("finlake-score-early-warning"), Lake.local(lake_root))
    print(
        f"scored {done.rows:,} loan-months with {done.model_name} version {done.model_version} into {TABLE} "
        f"(alert threshold {done.threshold:.3f}); {done.loans_risk_rose_latest} loans' risk rose in {done.latest_month}"
    )
    return 0
