"""Which Gold columns a dashboard visual reads: its view columns traced through the view's SQL.

sqlglot's column lineage follows each output column of an `athena/views/*.sql` view back through CTEs
and joins to the Gold tables' columns (declared in `finlake.contracts.gold`). Both the local page and
the QuickSight definition are mapped through this one function, so "they read the same Gold columns"
is a statement about the SQL, not about a hand-kept list.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.lineage import lineage

from finlake.contracts.gold import GOLD_TABLES
from finlake.dashboard.definition import VIEWS_DIR, Dashboard, Visual
from finlake.dashboard.local_views import render_sql
from finlake.errors import FinlakeError

_GOLD_SCHEMA = {"gold": {t.name: {c.name: c.type for c in t.columns} for t in GOLD_TABLES.values()}}


@cache
def _view_select(path: Path) -> exp.Expression:
    statement = sqlglot.parse_one(render_sql(path.read_text(encoding="utf-8")), read="trino")
    if not isinstance(statement, exp.Create) or not isinstance(statement.expression, exp.Query):
        raise FinlakeError(f"{path}: expected CREATE OR REPLACE VIEW ... AS SELECT ...")
    return statement.expression


@cache
def view_column_lineage(view: str, column: str, views_dir: Path = VIEWS_DIR) -> frozenset[str]:
    """The Gold columns (`table.column`) that flow into one output column of a dashboard view."""
    select = _view_select(views_dir / f"{view}.sql")
    try:
        root = lineage(column, select, schema=_GOLD_SCHEMA, dialect="trino")
    except sqlglot.errors.SqlglotError as exc:
        raise FinlakeError(f"view {view}: cannot trace column {column!r}: {exc}") from None
    sources: set[str] = set()
    for node in root.walk():
        if not node.downstream and isinstance(node.source, exp.Table):
            sources.add(f"{node.source.name}.{node.name.split('.')[-1]}")
    return frozenset(sources)


def visual_gold_columns(dashboard: Dashboard, visual: Visual, columns: frozenset[str] | None = None) -> list[str]:
    """Sorted `table.column` names of the Gold columns behind a visual's (or the given) view columns."""
    view = dashboard.dataset_of(visual).view
    read: set[str] = set()
    for column in sorted(columns if columns is not None else visual.view_columns):
        read |= view_column_lineage(view, column)
    return sorted(read)
