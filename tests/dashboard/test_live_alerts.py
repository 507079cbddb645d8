"""The live alerts panel over the stream's outbox (<lake>/stream/alerts.jsonl), figures worked out by hand."""

from __future__ import annotations

import json
import re

from finlake.dashboard.build import OUTBOX, build_dashboard, build_page
from finlake.dashboard.live_alerts import EMPTY_TEXT, load_panel
from finlake.lake import Lake


def _alert(alert_id: str, rule: str, detected_at: str, latency: float | None = None, **extra) -> dict:
    item = {
        "alert_id": alert_id,
        "rule": rule,
        "account_id": alert_id.split(":")[1],
        "first_transaction_id": alert_id.split(":")[2],
        "first_booked_at": "2024-01-01T10:00:00Z",
        "transaction_count": 1,
        "total_amount": "12000.00",
        "detected_at": detected_at,
        **extra,
    }
    if latency is not None:
        item["detection_latency_ms"] = latency
    return item


# 4 distinct alerts (LC1 re-sent once), latencies 10..40 ms on three of them, one torn last line.
ALERTS = [
    _alert("LARGE_CASH:A1:T1", "LARGE_CASH", "2026-01-01T10:00:01Z", 40.0),
    _alert("STRUCTURING:A2:T5", "STRUCTURING", "2026-01-01T10:00:03Z", 10.0),
    _alert("LARGE_CASH:A3:T9", "LARGE_CASH", "2026-01-01T10:00:02Z", 20.0, customer_name="Ada Lovelace"),
    _alert("LARGE_CASH:A1:T1", "LARGE_CASH", "2026-01-01T10:05:00Z", 999.0),  # the repeat: counted once, at first
    _alert("VELOCITY:A4:T7", "VELOCITY", "2026-01-01T10:00:04Z"),  # no latency recorded
]


def _write(path, alerts, tail: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(a) + "\n" for a in alerts) + tail, encoding="utf-8")


def _table(page: str, table_id: str) -> list[list[str]]:
    body = re.search(rf'<table[^>]*id="{table_id}".*?<tbody>(.*?)</tbody>', page, re.S)
    assert body, table_id
    return [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body.group(1))]


def test_panel_counts_by_rule_lists_the_latest_and_gives_latency(tmp_path):
    outbox = tmp_path / "alerts.jsonl"
    _write(outbox, ALERTS, tail='{"alert_id": "LARGE_CASH:A9')
    panel = load_panel(outbox)
    assert panel.total == 4 and panel.skipped_lines == 1
    assert panel.by_rule == (("LARGE_CASH", 2), ("STRUCTURING", 1), ("VELOCITY", 1))
    assert [a["alert_id"] for a in panel.latest] == [
        "VELOCITY:A4:T7",
        "STRUCTURING:A2:T5",
        "LARGE_CASH:A3:T9",
        "LARGE_CASH:A1:T1",
    ]
    assert panel.latency_ms == (20.0, 40.0, 3)  # sorted 10, 20, 40: rank int(0.5*3)=1, int(0.99*3)=2


def test_page_shows_the_panel_without_direct_identifiers(sample_lake, tmp_path):
    outbox = tmp_path / "alerts.jsonl"
    _write(outbox, ALERTS)
    page = build_page(Lake.local(sample_lake), outbox=outbox)
    assert _table(page, "live-alerts-by-rule") == [["LARGE_CASH", "2"], ["STRUCTURING", "1"], ["VELOCITY", "1"]]
    latest = _table(page, "live-alerts-latest")
    assert [row[-1] for row in latest] == [
        "VELOCITY:A4:T7",
        "STRUCTURING:A2:T5",
        "LARGE_CASH:A3:T9",
        "LARGE_CASH:A1:T1",
    ]
    assert latest[-1][0] == "2026-01-01T10:00:01Z", "a re-sent alert shows its first detection"
    assert "p50 20 ms, p99 40 ms over 3 alerts" in page
    assert "Ada Lovelace" not in page and "customer_name" not in page
    assert 'id="visual-bar-cash-alerts-month"' in page, "the Gold visuals are still there"


def test_missing_or_empty_outbox_says_how_to_fill_it(tmp_path, empty_lake):
    empty = tmp_path / "alerts.jsonl"
    empty.write_text("")
    for outbox in (tmp_path / "missing.jsonl", empty):
        page = build_page(Lake.local(empty_lake), outbox=outbox)
        assert 'id="live-alerts-empty"' in page and EMPTY_TEXT in page


def test_command_reads_the_lakes_outbox(empty_lake, tmp_path):
    _write(empty_lake / OUTBOX, ALERTS[:2])
    page = build_dashboard(empty_lake, tmp_path / "d.html").read_text(encoding="utf-8")
    assert 'data-alerts="2"' in page
    assert "Detection latency (arrival to publication): p50 40 ms" in page
