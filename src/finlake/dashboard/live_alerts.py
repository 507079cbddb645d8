"""The "live alerts" panel: what the real-time transaction monitor has flagged, from its outbox.

Source: `<lake>/stream/alerts.jsonl`, one JSON object per alert as `finlake stream` writes it (on AWS the
same objects are archived to S3 and read by Athena as `stream_alerts`, see terraform/modules/streaming).
The panel shows counts by rule, the latest alerts and, when the alerts carry it, the detection latency
(`detection_latency_ms`: arrival in Kinesis of the completing event to publication). Only the columns
below are shown: ids, times, amounts; no direct identifier, whatever else a line holds. An alert repeated
in the file (an archive can hold a re-sent one) is counted once, at its first detection.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LATEST = 20
COLUMNS = (  # (field, heading)
    ("detected_at", "detected at"),
    ("rule", "rule"),
    ("account_id", "account"),
    ("first_booked_at", "first booked at"),
    ("transaction_count", "transactions"),
    ("total_amount", "total amount"),
    ("alert_id", "alert id"),
)
EMPTY_TEXT = "No live alerts yet (run `finlake stream`)."
# Own classes and inline style: the panel is not one of the definition's `.visual`s (tests count those).
_PANEL = "margin: 0 24px 24px; background: #fff; border-radius: 6px; padding: 8px 12px; box-shadow: 0 1px 2px rgba(0,0,0,.12);"
_MUTED = "color: #6b7385; margin: 4px 0;"


@dataclass(frozen=True)
class LivePanel:
    total: int
    by_rule: tuple[tuple[str, int], ...]  # most alerts first, then by rule
    latest: tuple[dict[str, Any], ...]  # newest detection first
    latency_ms: tuple[float, float, int] | None  # p50, p99, alerts measured; None when none recorded
    skipped_lines: int  # lines that are not a JSON alert (e.g. one being written)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def read_outbox(path: Path) -> tuple[list[dict[str, Any]], int]:
    """(alerts, lines skipped); a missing file is no alerts."""
    if not path.is_file():
        return [], 0
    alerts, skipped = [], 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:
            skipped += 1
            continue
        if isinstance(item, dict) and item.get("alert_id") and item.get("rule"):
            alerts.append(item)
        else:
            skipped += 1
    return alerts, skipped


def summarise(alerts: list[dict[str, Any]], skipped: int = 0, latest: int = LATEST) -> LivePanel:
    first: dict[str, dict[str, Any]] = {}
    for alert in sorted(alerts, key=lambda a: str(a.get("detected_at", ""))):
        first.setdefault(str(alert["alert_id"]), alert)
    unique = list(first.values())
    counts: dict[str, int] = {}
    for alert in unique:
        counts[str(alert["rule"])] = counts.get(str(alert["rule"]), 0) + 1
    latencies = [float(a["detection_latency_ms"]) for a in unique if _is_number(a.get("detection_latency_ms"))]
    newest = sorted(unique, key=lambda a: (str(a.get("detected_at", "")), str(a["alert_id"])), reverse=True)
    return LivePanel(
        total=len(unique),
        by_rule=tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))),
        latest=tuple({f: a.get(f) for f, _ in COLUMNS} for a in newest[:latest]),
        latency_ms=(_percentile(latencies, 0.5), _percentile(latencies, 0.99), len(latencies)) if latencies else None,
        skipped_lines=skipped,
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def load_panel(path: Path) -> LivePanel:
    return summarise(*read_outbox(path))


def _cell(value: Any) -> str:
    return "—" if value is None or value == "" else html.escape(str(value))


def render_panel(panel: LivePanel, source: str) -> str:
    """The panel as one HTML section (under the QuickSight grid; not part of the QuickSight definition)."""
    if not panel.total:
        body = f'<p class="live-empty" id="live-alerts-empty" style="{_MUTED}">{html.escape(EMPTY_TEXT)}</p>'
    else:
        counts = "".join(f"<tr><td>{_cell(rule)}</td><td>{n:,}</td></tr>" for rule, n in panel.by_rule)
        if panel.latency_ms:
            p50, p99, n = panel.latency_ms
            latency = (
                f"Detection latency (arrival to publication): p50 {p50:,.0f} ms, p99 {p99:,.0f} ms over {n:,} alerts."
            )
        else:
            latency = "Detection latency: not recorded in these alerts."
        head = "".join(f"<th>{html.escape(h)}</th>" for _, h in COLUMNS)
        rows = "".join("<tr>" + "".join(f"<td>{_cell(a[f])}</td>" for f, _ in COLUMNS) + "</tr>" for a in panel.latest)
        body = (
            f'<p class="meta">{panel.total:,} alerts. <span id="live-alerts-latency">{html.escape(latency)}</span></p>'
            f'<table class="data-table" id="live-alerts-by-rule"><thead><tr><th>rule</th><th>alerts</th></tr></thead>'
            f"<tbody>{counts}</tbody></table>"
            f"<h3>Latest {len(panel.latest)} alerts</h3>"
            f'<table class="data-table" id="live-alerts-latest"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
        )
    if panel.skipped_lines:
        body += f'<p class="notice">{panel.skipped_lines:,} line(s) of the outbox are not alerts and were skipped.</p>'
    return (
        f'<section class="live-alerts" id="live-alerts" data-alerts="{panel.total}" style="{_PANEL}">'
        f'<h2 style="font-size: 14px; margin: 0 0 4px;">Live alerts (real-time monitoring)</h2>{body}'
        f'<p style="{_MUTED} font-size: 11px;">{html.escape(source)}</p></section>'
    )
