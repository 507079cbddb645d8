"""The dashboard as one self-contained HTML page: plotly charts, HTML tables and headline numbers.

plotly.js is embedded once, inline; the page loads nothing from the network (no CDN scripts, no web
fonts), so it opens offline and can be mailed as a file. Visuals sit on the same 36-column grid as in
QuickSight. A visual without data says so instead of drawing an empty chart.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from finlake.contracts.gold import RISK_BANDS
from finlake.dashboard.definition import Dashboard, Field, Visual

ROW_PX = 30  # height of one grid row
MANIFEST_ID = "dashboard-manifest"
_TICK = {"money": ",.0f", "percent": ".0%", "probability": ".2f", "count": ",.0f"}
_HOVER = {"money": ",.2f", "percent": ".1%", "probability": ".3f", "count": ",.0f"}
_PLOTLY_CONFIG = {"displaylogo": False, "responsive": True, "showLink": False}


@dataclass(frozen=True)
class PageMeta:
    as_of: str | None  # when the latest scoring run scored
    model: str | None  # "<model name> v<version>" of that run
    scoring_run_id: str | None
    generated_at: str
    notices: tuple[str, ...]  # what is missing, in words


@dataclass(frozen=True)
class VisualResult:
    visual: Visual
    frame: pd.DataFrame
    gold_columns: list[str]


def format_number(value: Any, kind: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return "—"
    if isinstance(value, pd.Timestamp):
        return value.isoformat(sep=" ", timespec="seconds")
    if not isinstance(value, int | float):
        return str(value)
    return {
        "money": f"{value:,.2f}",
        "percent": f"{value:.1%}",
        "probability": f"{value:.3f}",
        "count": f"{value:,.0f}",
    }[kind]


def _labels(series: pd.Series) -> list[str]:
    return ["(none)" if pd.isna(v) else format_number(v, "count") if isinstance(v, float) else str(v) for v in series]


def _numbers(series: pd.Series) -> list[float | None]:
    return [None if pd.isna(v) else float(v) for v in series]


def _axis_values(field: Field, series: pd.Series) -> list[Any]:
    if field.granularity:
        return [None if pd.isna(v) else pd.Timestamp(v).isoformat() for v in series]
    return _labels(series)


def _bar_trace(visual: Visual, name: str, categories: list[Any], values: list[float | None]) -> go.Bar:
    hover = f"%{{{'y' if visual.orientation == 'HORIZONTAL' else 'x'}}}: %{{{'x' if visual.orientation == 'HORIZONTAL' else 'y'}:{_HOVER[visual.format]}}}<extra>{html.escape(name)}</extra>"
    if visual.orientation == "HORIZONTAL":
        return go.Bar(name=name, x=values, y=categories, orientation="h", hovertemplate=hover)
    return go.Bar(name=name, x=categories, y=values, hovertemplate=hover)


def _value_axis(visual: Visual, frame: pd.DataFrame) -> dict[str, Any]:
    axis: dict[str, Any] = {"tickformat": _TICK[visual.format], "rangemode": "tozero"}
    largest = max((frame[m.alias].max() for m in visual.values), default=0)
    if visual.format == "count" and pd.notna(largest) and largest <= 10:
        axis["dtick"] = 1  # small counts: whole-number ticks only
    return axis


def _bar_figure(visual: Visual, frame: pd.DataFrame) -> go.Figure:
    dimension = visual.group_by[0]
    order = list(dict.fromkeys(_labels(frame[dimension.alias])))  # the query's order, once each
    if dimension.column == "risk_band":  # bands read in risk order (LOW, MEDIUM, HIGH), not alphabetically
        rank = {band: i for i, (band, _, _) in enumerate(RISK_BANDS)}
        order.sort(key=lambda band: rank.get(band, len(rank)))
    fig = go.Figure()
    if visual.color_by:
        measure = visual.values[0]
        for key, part in frame.groupby(visual.color_by.alias, sort=True, dropna=False):
            name = "(none)" if pd.isna(key) else str(key)
            fig.add_trace(_bar_trace(visual, name, _labels(part[dimension.alias]), _numbers(part[measure.alias])))
        fig.update_layout(barmode="stack")
    else:
        for measure in visual.values:
            fig.add_trace(
                _bar_trace(visual, measure.display, _labels(frame[dimension.alias]), _numbers(frame[measure.alias]))
            )
        fig.update_layout(barmode="group")
    category_axis = {"categoryorder": "array", "categoryarray": order, "type": "category"}
    value_axis = _value_axis(visual, frame)
    if visual.orientation == "HORIZONTAL":
        fig.update_layout(yaxis={**category_axis, "autorange": "reversed"}, xaxis=value_axis)
    else:
        fig.update_layout(xaxis=category_axis, yaxis=value_axis)
    return fig


def _line_figure(visual: Visual, frame: pd.DataFrame) -> go.Figure:
    dimension = visual.group_by[0]
    fig = go.Figure()
    for measure in visual.values:
        fig.add_trace(
            go.Scatter(
                name=measure.display,
                x=_axis_values(dimension, frame[dimension.alias]),
                y=_numbers(frame[measure.alias]),
                mode="lines+markers",
                hovertemplate=f"%{{x}}: %{{y:{_HOVER[visual.format]}}}<extra></extra>",
            )
        )
    fig.update_layout(yaxis=_value_axis(visual, frame))
    return fig


def _chart_html(visual: Visual, frame: pd.DataFrame) -> str:
    fig = _bar_figure(visual, frame) if visual.type == "bar" else _line_figure(visual, frame)
    fig.update_layout(
        height=visual.layout.height * ROW_PX - 56,
        margin={"l": 60, "r": 16, "t": 8, "b": 40},
        showlegend=len(fig.data) > 1,
        legend={"orientation": "h", "y": -0.2},
        template="plotly_white",
    )
    return pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=f"chart-{visual.id}", config=_PLOTLY_CONFIG)


def _kpi_html(visual: Visual, frame: pd.DataFrame) -> str:
    value = frame.iloc[0, 0]
    return f'<p class="kpi-value">{html.escape(format_number(value, visual.format))}</p>'


def _table_html(visual: Visual, frame: pd.DataFrame) -> str:
    fields: Sequence[Field] = visual.columns or (*visual.group_by, *visual.values)
    head = "".join(f"<th>{html.escape(f.display)}</th>" for f in fields)
    rows = []
    for row in frame.to_dict("records"):
        cells = "".join(
            f"<td>{html.escape(format_number(row[f.alias], visual.format_of(f.column)))}</td>" for f in fields
        )
        rows.append(f"<tr>{cells}</tr>")
    return f'<table class="data-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _visual_body(result: VisualResult) -> str:
    visual, frame = result.visual, result.frame
    if frame.empty:
        return '<p class="empty">No data yet.</p>'
    if visual.type == "kpi":
        return _kpi_html(visual, frame)
    if visual.type == "table":
        return _table_html(visual, frame)
    return _chart_html(visual, frame)


def _visual_section(dashboard: Dashboard, result: VisualResult) -> str:
    v = result.visual
    grid = f"grid-column: {v.layout.col + 1} / span {v.layout.width}; grid-row: {v.layout.row + 1} / span {v.layout.height};"
    view = dashboard.dataset_of(v).view
    return (
        f'<section class="visual visual-{v.type}" id="visual-{v.id}" data-visual-id="{v.id}" '
        f'data-visual-type="{v.type}" data-rows="{len(result.frame)}" style="{grid}">'
        f"<h2>{html.escape(v.title)}</h2>{_visual_body(result)}"
        f'<p class="source">gold.{html.escape(view)}</p></section>'
    )


def manifest(dashboard: Dashboard, results: Sequence[VisualResult], meta: PageMeta) -> dict[str, Any]:
    """What the page shows, machine-readable: the tests compare it with the QuickSight definition."""
    return {
        "dashboard": dashboard.id,
        "definition": dashboard.source.name,
        "as_of": meta.as_of,
        "model": meta.model,
        "visuals": [
            {
                "id": r.visual.id,
                "type": r.visual.type,
                "title": r.visual.title,
                "view": dashboard.dataset_of(r.visual).view,
                "fields": [{"column": f.column, "aggregation": f.aggregation} for f in r.visual.fields],
                "gold_columns": r.gold_columns,
                "rows": len(r.frame),
            }
            for r in results
        ],
    }


def _header(dashboard: Dashboard, meta: PageMeta) -> str:
    facts = [
        f"Data as of <time>{html.escape(meta.as_of)}</time>" if meta.as_of else "Data as of: no scoring run yet",
        f"Model {html.escape(meta.model)}" if meta.model else "Model: none yet",
    ]
    if meta.scoring_run_id:
        facts.append(f"Scoring run {html.escape(meta.scoring_run_id)}")
    facts.append(f"Page built {html.escape(meta.generated_at)}")
    notices = "".join(f'<p class="notice">{html.escape(n)}</p>' for n in meta.notices)
    return (
        f'<header><h1>{html.escape(dashboard.name)}</h1><p class="description">{html.escape(dashboard.description)}</p>'
        f'<p class="meta">{" · ".join(facts)}</p>{notices}</header>'
    )


_STYLE = f"""
body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; margin: 0; background: #f4f5f7; color: #1d2330; }}
header {{ padding: 16px 24px 8px; }}
h1 {{ margin: 0 0 4px; font-size: 24px; }}
.description, .meta {{ margin: 2px 0; color: #4a5263; }}
.notice {{ margin: 8px 0 0; padding: 8px 12px; background: #fff4d6; border-left: 4px solid #e0a100; }}
.grid {{ display: grid; grid-template-columns: repeat(36, minmax(0, 1fr)); grid-auto-rows: {ROW_PX}px; gap: 8px; padding: 8px 24px 24px; }}
.visual {{ background: #fff; border-radius: 6px; box-shadow: 0 1px 2px rgba(0,0,0,.12); padding: 8px 12px; overflow: auto; position: relative; }}
.visual h2 {{ font-size: 14px; margin: 0 0 4px; }}
.kpi-value {{ font-size: 30px; font-weight: 600; margin: 8px 0 0; }}
.empty {{ color: #6b7385; font-style: italic; }}
.source {{ position: absolute; right: 12px; bottom: 4px; margin: 0; font-size: 11px; color: #98a0b0; }}
.data-table {{ border-collapse: collapse; width: 100%; font-size: 13px; }}
.data-table th, .data-table td {{ text-align: left; padding: 3px 8px; border-bottom: 1px solid #e3e6ec; }}
.data-table td:not(:nth-child(-n+1)) {{ font-variant-numeric: tabular-nums; }}
"""


def render_page(dashboard: Dashboard, results: Sequence[VisualResult], meta: PageMeta, after_grid: str = "") -> str:
    """The page; `after_grid` is HTML placed under the grid (the live alerts panel, not a QuickSight visual)."""
    sections = "".join(_visual_section(dashboard, r) for r in results)
    data = json.dumps(manifest(dashboard, results, meta), sort_keys=True).replace("</", "<\\/")
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(dashboard.name)}</title><style>{_STYLE}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script></head><body>'
        f'{_header(dashboard, meta)}<main class="grid">{sections}</main>{after_grid}'
        f'<script type="application/json" id="{MANIFEST_ID}">{data}</script></body></html>'
    )
