"""The dashboard's "Customers whose risk rose" panel: open loans whose early-warning probability crossed
the alert threshold at the latest month end, or rose by the declared amount since the month before
(gold.loan_early_warning, finlake/alerting.py's RISK_ROSE_QUERY). Under the QuickSight grid, like the
live alerts: not part of the QuickSight definition."""

from __future__ import annotations

import html

import duckdb

from finlake.alerting import RISK_ROSE_QUERY, RiskRose, parse_risk_rose
from finlake.dashboard.live_alerts import _MUTED, _PANEL

SHOWN = 25  # rows on the page; the count says how many there are
EMPTY_TEXT = "No early-warning scores, or no loan's risk rose at the latest month end."


def load_risk_rose(con: duckdb.DuckDBPyConnection) -> list[RiskRose]:
    cursor = con.execute(RISK_ROSE_QUERY.replace("${gold_db}", "gold"))
    columns = [d[0] for d in cursor.description]
    return parse_risk_rose(dict(zip(columns, row, strict=True)) for row in cursor.fetchall())


def _row(r: RiskRose) -> str:
    before = "new" if r.previous_probability is None else f"{r.previous_probability:.3f}"
    cells = (r.customer_id, r.loan_id, r.snapshot_month, before, f"{r.probability:.3f}", r.risk_band, r.model_version)
    return "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>"


def render_risk_rose(rows: list[RiskRose]) -> str:
    if not rows:
        body = f'<p id="risk-rose-empty" style="{_MUTED}">{html.escape(EMPTY_TEXT)}</p>'
    else:
        head = "".join(
            f"<th>{h}</th>" for h in ("customer", "loan", "month", "previous", "probability", "band", "model")
        )
        body = (
            f'<p class="meta">{len(rows):,} loan(s) at {html.escape(rows[0].snapshot_month)}; the highest '
            f"{min(len(rows), SHOWN)} shown.</p>"
            f'<table class="data-table" id="risk-rose-loans"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(_row(r) for r in rows[:SHOWN])}</tbody></table>"
        )
    return (
        f'<section class="risk-rose" id="risk-rose" data-loans="{len(rows)}" style="{_PANEL}">'
        '<h2 style="font-size: 14px; margin: 0 0 4px;">Customers whose risk rose (early warning, '
        f"probability of default within 6 months)</h2>{body}</section>"
    )
