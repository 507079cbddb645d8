"""The query-cost benchmark on the small lake: parameters from the snapshot's partitions, bytes from its files."""

from __future__ import annotations

import json
import os

import small_lake as data

from finlake.bench import query_cost


def test_compliance_report_is_measured_on_its_latest_month(tmp_path):
    data.build_small_lake(str(tmp_path / "lake"))
    out = tmp_path / "queries.json"

    assert query_cost.main([str(tmp_path / "lake"), "1", str(out)]) == 0

    compliance = json.loads(out.read_text())["queries"]["compliance_cash_report"]
    latest = max(first.strftime("%Y-%m") for _, _, _, first, *_ in data.ALERTS)
    assert compliance["params"] == {"month": latest}
    assert (compliance["files_read"], compliance["table_files"]) == (1, 3)  # one alert month of three
    alerts = [p for p in (tmp_path / "lake" / "gold" / "compliance_cash_alerts" / "data").rglob("*.parquet")]
    month = [p for p in alerts if p.parent.name == f"alert_month={latest}"]
    assert compliance["bytes_read"] == sum(os.path.getsize(p) for p in month)
    transactions = (tmp_path / "lake" / "silver" / "transactions" / "data").rglob("*.parquet")
    assert compliance["share_of_silver_transactions"] == round(
        compliance["bytes_read"] / sum(os.path.getsize(p) for p in transactions), 4
    )
