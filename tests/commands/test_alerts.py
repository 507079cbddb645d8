"""`finlake alerts` lists, from the local lake, exactly the customers who newly entered HIGH."""

from __future__ import annotations

from datetime import datetime

from small_lake import write_iceberg

from finlake.cli import main
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
    """Each scoring run is one Iceberg commit to gold.customer_risk_scores, as `finlake score` makes."""
    runs = [
        (EARLIER, datetime(2026, 11, 1, 6), [(c, b, 0.5) for c, b, _, _ in CASES if b]),
        (LATEST, datetime(2026, 11, 24, 6), [(c, b, p) for c, _, b, p in CASES]),
    ]
    for run_id, scored_at, rows in runs:
        write_iceberg(
            lake,
            "gold.customer_risk_scores",
            [
                {
                    "customer_id": customer,
                    "default_probability": probability,
                    "risk_band": band,
                    "model_name": "finlake-default",
                    "model_version": "3",
                    "scoring_run_id": run_id,
                    "scored_at": scored_at,
                    "scored_date": scored_at.date().isoformat(),
                }
                for customer, band, probability in rows
            ],
        )


def test_alerts_lists_the_new_high_risk_customers(tmp_path, capsys):
    lake = Lake.local(tmp_path)
    _write_scores(lake)  # no crawl: Gold is read from the Iceberg catalog
    assert main(["--lake", str(tmp_path), "alerts"]) == 0
    out = capsys.readouterr().out
    assert f"{len(EXPECTED)} customer(s) entered the HIGH risk band: 1 message(s)" in out
    listed = [line.split()[0] for line in out.splitlines() if line.startswith("  C")]
    assert listed == [c[0] for c in EXPECTED]
    assert LATEST in out


def test_alerts_without_any_table_says_what_to_do(tmp_path, capsys):
    assert main(["--lake", str(tmp_path), "alerts"]) == 2
    assert "run `finlake bronze-to-silver`" in capsys.readouterr().err


def test_alerts_lists_the_loans_whose_risk_rose_at_the_latest_month_end(tmp_path, capsys):
    lake = Lake.local(tmp_path)
    _write_scores(lake)
    # (loan, customer, month, probability, previous, risk_rose): only the rose loans of 2026-10 are listed.
    rows = [
        ("L1", "C1", "2026-09", 0.40, None, True),
        ("L1", "C1", "2026-10", 0.45, 0.40, False),
        ("L2", "C2", "2026-10", 0.30, 0.10, True),
        ("L3", "C3", "2026-10", 0.50, None, True),
    ]
    write_iceberg(
        lake,
        "gold.loan_early_warning",
        [
            {"loan_id": loan, "customer_id": c, "snapshot_month": m, "probability": p, "previous_probability": b}
            | {"risk_rose": rose, "risk_band": "HIGH", "model_version": "2"}
            for loan, c, m, p, b, rose in rows
        ],
    )
    assert main(["--lake", str(tmp_path), "alerts"]) == 0
    out = capsys.readouterr().out
    assert "early warning: 2 loan(s) whose risk rose at the latest month end" in out
    listed = [line.split()[:3] for line in out.splitlines() if "p(default in 6 months)" in line]
    assert listed == [["C3", "loan", "L3"], ["C2", "loan", "L2"]]
    assert "new -> 0.500" in out and "0.100 -> 0.300" in out
