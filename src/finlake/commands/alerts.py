"""`finlake alerts`: what the high-risk alerting Lambda would send, from the local lake."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from finlake.alerting import (
    ALERT_QUERY_NAME,
    DEFAULT_BATCH_SIZE,
    RISK_ROSE_QUERY_NAME,
    batches,
    build_message,
    parse_risk_rose,
    parse_rows,
)
from finlake.lake import Lake
from finlake.query.local import LocalEngine
from finlake.query.named import named_query


def main(args: argparse.Namespace) -> int:
    return execute(args.lake)


def execute(lake: str) -> int:
    lake_root = Path(lake).absolute()
    engine = LocalEngine(Lake.local(lake_root))
    _risk_rose(engine)
    result = engine.run(named_query(ALERT_QUERY_NAME))
    customers = parse_rows(dict(zip(result.columns, row, strict=True)) for row in result.rows)
    if not customers:
        print("no customer entered the HIGH risk band in the latest scoring run: nothing would be sent")
        return 0
    dashboard_url = (lake_root / "dashboard.html").as_uri()
    messages = list(batches(customers, DEFAULT_BATCH_SIZE))
    print(f"{len(customers)} customer(s) entered the HIGH risk band: {len(messages)} message(s) would be sent")
    for batch in messages:
        subject, body = build_message(batch, dashboard_url)
        print(f"\n{subject}")
        for customer in json.loads(body)["customers"]:
            print(
                f"  {customer['customer_id']:<14} p(default)={customer['default_probability']:.3f} "
                f"{customer['risk_band']:<6} model v{customer['model_version']}"
            )
    return 0


def _risk_rose(engine: LocalEngine) -> None:
    """Customers whose early-warning risk rose at the latest month end (gold.loan_early_warning)."""
    if "loan_early_warning" not in engine.tables.get("gold", set()):
        print("early warning: gold.loan_early_warning not published yet (`finlake score --model early-warning`)")
        return
    result = engine.run(named_query(RISK_ROSE_QUERY_NAME))  # athena/loans_whose_risk_rose.sql
    rows = parse_risk_rose(dict(zip(result.columns, row, strict=True)) for row in result.rows)
    print(f"early warning: {len(rows)} loan(s) whose risk rose at the latest month end")
    for r in rows:
        print(f"  {r.line()}")
