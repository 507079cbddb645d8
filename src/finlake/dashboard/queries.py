"""Each visual's query, generated from its definition: what QuickSight computes from the field wells.

A KPI, bar, line or aggregated table groups its view by the `group_by` (and `color_by`) columns and
applies each value's aggregation, exactly as QuickSight aggregates a dataset for a visual; an
unaggregated table lists the view's rows. Names come from the checked definition (lower_snake_case
columns of a declared dataset), and are quoted all the same.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from finlake.dashboard.definition import Dashboard, Field, Visual
from finlake.errors import FinlakeError

# QuickSight aggregation -> SQL (COUNT counts non-null values in both).
_AGGREGATE = {
    "SUM": "sum({})",
    "AVERAGE": "avg({})",
    "MIN": "min({})",
    "MAX": "max({})",
    "COUNT": "count({})",
    "DISTINCT_COUNT": "count(DISTINCT {})",
}


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _dimension(field: Field) -> str:
    column = _quoted(field.column)
    if field.granularity:
        column = f"date_trunc('{field.granularity.lower()}', {column})"
    return f"{column} AS {_quoted(field.alias)}"


def _measure(field: Field) -> str:
    assert field.aggregation is not None  # the definition checks that values carry one
    # Cast to double: a sum of decimal(18,2) must not overflow into DuckDB's int128 decimals.
    expression = _AGGREGATE[field.aggregation].format(_quoted(field.column))
    if field.aggregation in ("SUM", "AVERAGE"):
        expression = f"CAST({expression} AS DOUBLE)"
    return f"{expression} AS {_quoted(field.alias)}"


def _order_by(visual: Visual) -> str:
    if visual.sort is None:
        keys = [_quoted(f.alias) for f in visual.dimensions] or [_quoted(f.alias) for f in visual.columns[:1]]
        return f" ORDER BY {', '.join(keys)}" if keys else ""
    field = next(f for f in visual.fields if f.column == visual.sort.column)
    # Ties and NULLs broken by the dimensions, so the page is the same on every build.
    tie_breaks = [_quoted(f.alias) for f in visual.dimensions if f is not field]
    keys = [f"{_quoted(field.alias)} {visual.sort.direction} NULLS LAST", *tie_breaks]
    return f" ORDER BY {', '.join(keys)}"


def visual_sql(dashboard: Dashboard, visual: Visual) -> str:
    view = f"gold.{_quoted(dashboard.dataset_of(visual).view)}"
    if not visual.aggregated:
        columns = ", ".join(_quoted(f.column) for f in visual.columns)
        return f"SELECT {columns} FROM {view}{_order_by(visual)}"
    select = [_dimension(f) for f in visual.dimensions] + [_measure(f) for f in visual.values]
    group_by = f" GROUP BY {', '.join(str(i + 1) for i in range(len(visual.dimensions)))}" if visual.dimensions else ""
    return f"SELECT {', '.join(select)} FROM {view}{group_by}{_order_by(visual)}"


def run_visual(con: duckdb.DuckDBPyConnection, dashboard: Dashboard, visual: Visual) -> pd.DataFrame:
    sql = visual_sql(dashboard, visual)
    try:
        frame = con.execute(sql).fetch_df()
    except duckdb.Error as exc:
        raise FinlakeError(f"visual {visual.id!r}: query failed: {str(exc).splitlines()[0]}") from None
    if visual.type == "kpi" and frame.iloc[0].isna().all():
        return frame.iloc[0:0]  # an aggregate over no rows is one NULL row: no data, not a zero
    return frame
