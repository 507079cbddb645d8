"""`finlake alerts` lists, from the local lake, exactly the customers who newly entered HIGH."""

from __future__ import annotations

import os
from datetime import datetime

import pyarrow as pa
import pyarrow.parquet as pq

from finlake.cli import main
from finlake.contracts.gold import CUSTOMER_RISK_SCORES
from finlake.lake import Lake

EARLIER, LATEST = "20261101T060000Z-00000001", "20261124T060000Z-00000002"
# (customer, band in the earlier run or None, band and probability in the latest run)
CASES = [
    ("C1", None, "HIGH", 0.61),  # new customer, straight into HIGH -> alert
    ("C2", "MEDIUM", "HIGH", 0.44),  # moved up into HIGH -> alert
    ("C3", "HIGH", "HIGH", 0.90),  # already HIGH -> no alert
    ("C4", "HIGH", "MEDIUM", 0.20),  # left HIGH -> no alert
    ("C5", "LOW", "LOW", 0.02),
]
EXPECTED = sorted([c for c in CASES if c[2] == "HIGH" and c[1] != "HIGH"], key=lambda c: -c[3])


def _write_scores(lake: Lake) -> None:
    runs = [
        (EARLIER, datetime(2026, 11, 1, 6), [(c, b, 0.5) for c, b, _, _ in CASES if b]),
        (LATEST, datetime(2026, 11, 24, 6), [(c, b, p) for c, _, b, p in CASES]),
    ]
    for run_id, scored_at, rows in runs:
        folder = f"{lake.gold_table('customer_risk_scores')}/scored_date={scored_at.date()}"
        table = pa.table(
            {
                "customer_id": [r[0] for r in rows],
                "default_probability": [r[2] for r in rows],
                "risk_band": [r[1] for r in rows],
                "open_exposure": pa.array([None] * len(rows), pa.decimal128(18, 2)),
                "expected_loss": [None] * len(rows),
                "model_name": ["finlake-default"] * len(rows),
                "model_version": ["3"] * len(rows),
                "scoring_run_id": [run_id] * len(rows),
                "scored_at": [scored_at] * len(rows),
            }
        )
        assert table.column_names == [c.name for c in CUSTOMER_RISK_SCORES.data_columns]
        os.makedirs(folder, exist_ok=True)
        pq.write_table(table, f"{folder}/part-0.parquet")


def test_alerts_lists_the_new_high_risk_customers(tmp_path, capsys):
    lake = Lake.local(tmp_path)
    _write_scores(lake)
    assert main(["--lake", str(tmp_path), "crawl"]) == 0
    capsys.readouterr()
    assert main(["--lake", str(tmp_path), "alerts"]) == 0
    out = capsys.readouterr().out
    assert f"{len(EXPECTED)} customer(s) entered the HIGH risk band: 1 message(s)" in out
    listed = [line.split()[0] for line in out.splitlines() if line.startswith("  C")]
    assert listed == [c[0] for c in EXPECTED]
    assert LATEST in out


def test_alerts_without_a_catalog_says_what_to_do(tmp_path, capsys):
    assert main(["--lake", str(tmp_path), "alerts"]) == 2
    assert "finlake crawl" in capsys.readouterr().err
