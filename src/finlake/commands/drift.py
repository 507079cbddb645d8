"""`finlake drift [--recent-days N] [--report FILE]`: PSI of each feature and of the scores vs training."""

from __future__ import annotations

import argparse
import json
from datetime import date, timedelta
from pathlib import Path

from finlake.errors import FinlakeError
from finlake.lake import Lake


def recent_loans(rows: list[dict], recent_days: int | None) -> list[dict]:
    """Open loans (what is scored today), or every loan originated in the last N days of the store."""
    from finlake.contracts.bronze import OPEN_LOAN_STATUSES

    if recent_days is None:
        return [r for r in rows if r.get("status") in OPEN_LOAN_STATUSES]
    dates = [date.fromisoformat(r["origination_date"]) for r in rows if r.get("origination_date")]
    if not dates:
        return []
    start = max(dates) - timedelta(days=recent_days)
    return [r for r in rows if r.get("origination_date") and date.fromisoformat(r["origination_date"]) > start]


def main(args: argparse.Namespace) -> int:
    from finlake.serving import drift
    from finlake.serving.model import ScoringModel
    from finlake.serving.registry import load_by_alias
    from finlake.serving.store import LOAN, SqliteFeatureStore, online_root

    lake = Lake.local(args.lake)
    model = ScoringModel.from_file(args.artifact) if args.artifact else load_by_alias(lake, args.model_name, args.alias)
    rows = recent_loans(list(SqliteFeatureStore(online_root(args.lake) / "features.db").scan(LOAN)), args.recent_days)
    if not rows:
        raise FinlakeError("no recent loans in the online store to compare: run `finlake features publish` first")
    scores = [model.score(r).probability for r in rows]
    results = drift.compare(model.document["population"], rows, scores)
    which = "open loans" if args.recent_days is None else f"loans originated in the last {args.recent_days} days"
    print(f"{len(rows)} {which} vs the training population ({model.document['population']['loans']} loans) "
          f"of {model.name} version {model.version}; PSI < {drift.SHIFTED} stable, >= {drift.DRIFTED} drifted")  # fmt: skip
    for r in sorted(results, key=lambda r: -r.psi):
        print(f"  {r.name:<24} PSI {r.psi:7.3f}  {r.verdict}")
    drifted = [r.name for r in results if r.verdict == "drifted"]
    print(f"drifted: {', '.join(drifted)}" if drifted else "drifted: none")
    if args.report:
        document = {"population": which, "loans": len(rows), "model_version": model.version,
                    "psi": {r.name: r.psi for r in results}, "drifted": drifted}  # fmt: skip
        Path(args.report).write_text(json.dumps(document, indent=2) + "\n")
    return 0
