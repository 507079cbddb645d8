"""The local dashboard over a hand-checkable Gold layer (tests/dashboard/conftest.py)."""

from __future__ import annotations

import json
import re

import pytest

from finlake.cli import main as cli_main
from finlake.dashboard.build import build_dashboard, build_page
from finlake.dashboard.definition import load_definition
from finlake.dashboard.local_views import open_views
from finlake.dashboard.queries import run_visual
from finlake.errors import FinlakeError
from finlake.lake import Lake


def _frames(lake_root):
    dashboard = load_definition()
    con, _ = open_views(Lake.local(lake_root))
    try:
        return {v.id: run_visual(con, dashboard, v) for v in dashboard.visuals}
    finally:
        con.close()


def _records(frame):
    return [tuple(None if v != v else v for v in row) for row in frame.itertuples(index=False)]


def _manifest(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="dashboard-manifest">(.*?)</script>', page, re.S)
    assert match, "the page carries its manifest"
    return json.loads(match.group(1))


def test_headline_numbers_come_from_the_latest_scoring_run_only(sample_lake):
    frames = _frames(sample_lake)
    # R2: exposures 1000 + 2000 + 5000 + 500; expected loss 0.4*1000 + 0.12*2000 + 0.02*5000 + 0.6*500.
    assert frames["kpi-open-exposure"].iloc[0, 0] == pytest.approx(8500.0)
    assert frames["kpi-expected-loss"].iloc[0, 0] == pytest.approx(400 + 240 + 100 + 300)
    assert frames["kpi-high-risk-customers"].iloc[0, 0] == 2  # C1 and C4
    assert frames["kpi-customers-scored"].iloc[0, 0] == 4


def test_risk_band_charts(sample_lake):
    frames = _frames(sample_lake)
    assert _records(frames["bar-customers-by-band"]) == [("HIGH", 2), ("LOW", 1), ("MEDIUM", 1)]
    exposure = _records(frames["bar-exposure-by-band"])
    assert exposure == [
        ("HIGH", pytest.approx(1500.0), pytest.approx(700.0)),
        ("LOW", pytest.approx(5000.0), pytest.approx(100.0)),
        ("MEDIUM", pytest.approx(2000.0), pytest.approx(240.0)),
    ]


def test_default_rates_by_segment_loan_type_and_district(sample_lake):
    frames = _frames(sample_lake)
    assert _records(frames["bar-default-rate-segment"]) == [
        ("YOUTH", pytest.approx(1.0)),
        ("MASS", pytest.approx(1 / 3)),
        ("AFFLUENT", pytest.approx(0.0)),
    ]
    assert _records(frames["bar-default-rate-loan-type"]) == [
        ("PERSONAL", pytest.approx(2 / 3)),
        ("AUTO", pytest.approx(0.0)),
        ("MORTGAGE", pytest.approx(0.0)),
    ]
    assert [r[0] for r in _records(frames["bar-default-rate-district"])] == ["Ostrava", "Praha", "Brno"]


def test_trend_has_one_point_per_scoring_run(sample_lake):
    trend = _records(_frames(sample_lake)["line-risk-trend"])
    assert [(str(t), p) for t, p in trend] == [
        ("2024-03-01 06:00:00", pytest.approx((0.30 + 0.05) / 2)),
        ("2024-03-02 06:00:00", pytest.approx((0.40 + 0.12 + 0.02 + 0.60) / 4)),
    ]


def test_cash_alerts_per_month_by_rule(sample_lake):
    assert _records(_frames(sample_lake)["bar-cash-alerts-month"]) == [
        ("2024-01", "LARGE_CASH", 1),
        ("2024-01", "STRUCTURING", 1),
        ("2024-02", "LARGE_CASH", 1),
    ]


def test_top_high_risk_table_lists_high_band_of_latest_run_without_identifiers(sample_lake):
    frame = _frames(sample_lake)["table-top-high-risk"]
    assert list(frame.columns) == [
        "risk_rank",
        "customer_id",
        "segment",
        "district",
        "default_probability",
        "open_exposure",
        "expected_loss",
    ]
    rows = _records(frame)
    assert [(r[0], r[1], r[2]) for r in rows] == [(1, "C4", None), (2, "C1", "MASS")]
    assert rows[0][4] == pytest.approx(0.60)


def test_risk_rose_table_lists_the_latest_month_ends_rises(sample_lake):
    # conftest's EARLY_WARNING: at 2024-02, L1 (0.10 -> 0.25) and L4 (first month, 0.18); L5 rose in 2024-01 only.
    frame = _frames(sample_lake)["table-risk-rose"]
    assert list(frame.columns) == [
        "risk_rank",
        "customer_id",
        "loan_id",
        "snapshot_month",
        "previous_probability",
        "probability",
        "risk_band",
        "model_version",
    ]
    assert _records(frame) == [
        (1, "C1", "L1", "2024-02", pytest.approx(0.10), pytest.approx(0.25), "HIGH", "2"),
        (2, "C3", "L4", "2024-02", None, pytest.approx(0.18), "MEDIUM", "2"),
    ]


def test_page_names_as_of_date_and_model_version(sample_lake):
    page = build_page(Lake.local(sample_lake))
    assert "Data as of <time>2024-03-02 06:00:00</time>" in page
    assert "Model loan_default v3" in page
    assert "Scoring run R2" in page
    manifest = _manifest(page)
    assert {v["id"]: v["rows"] for v in manifest["visuals"]}["table-top-high-risk"] == 2
    assert all(v["rows"] > 0 for v in manifest["visuals"]), "every visual has data in the sample lake"


def test_page_is_self_contained(sample_lake):
    page = build_page(Lake.local(sample_lake))
    assert page.count('class="plotly-graph-div"') == 7  # the bar and line charts
    # No script, stylesheet or font fetched from anywhere: every <script> is inline.
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=", page)
    assert "@font-face" not in page and "@import" not in page


def test_empty_gold_gives_a_page_that_says_so(empty_lake):
    page = build_page(Lake.local(empty_lake))
    assert "No risk scores yet" in page
    assert "Not published yet: gold.customer_loan_summary, gold.loan_features, gold.compliance_cash_alerts" in page
    assert "gold.product_recommendations" not in page, "only the tables the dashboard reads are named"
    manifest = _manifest(page)
    kpis = {v["id"]: v["rows"] for v in manifest["visuals"]}
    assert kpis["bar-customers-by-band"] == 0 and kpis["table-top-high-risk"] == 0
    assert page.count("No data yet.") >= 9
    assert "plotly-graph-div" not in page, "no empty charts drawn"


def test_command_writes_to_lake_by_default_and_prints_the_path(sample_lake, capsys):
    assert cli_main(["--lake", str(sample_lake), "dashboard"]) == 0
    target = sample_lake / "dashboard.html"
    assert capsys.readouterr().out.strip() == f"dashboard written to {target}"
    assert target.stat().st_mode & 0o044, "readable by others like any other written file"


def test_command_writes_to_out(sample_lake, tmp_path, capsys):
    out = tmp_path / "risk.html"
    assert cli_main(["--lake", str(sample_lake), "dashboard", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_missing_lake_and_missing_out_folder_are_one_line_errors(tmp_path, sample_lake, capsys):
    with pytest.raises(FinlakeError, match="no lake at"):
        build_dashboard(tmp_path / "nope")
    assert cli_main(["--lake", str(sample_lake), "dashboard", "--out", str(tmp_path / "x" / "d.html")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("finlake dashboard: error: cannot write") and "\n" not in err
