"""`finlake dashboard`: the risk dashboard as one HTML file, from the local Gold tables.

Reads Gold only through the dashboard views (athena/views/), runs each visual's query as defined in
quicksight/dashboard.yaml, and writes the page atomically: a failed build never leaves a half-written
page where the previous one was.
"""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from finlake.dashboard.definition import Dashboard, load_definition
from finlake.dashboard.lineage import visual_gold_columns
from finlake.dashboard.live_alerts import load_panel, render_panel
from finlake.dashboard.local_views import GoldState, open_views
from finlake.dashboard.queries import run_visual
from finlake.dashboard.render import PageMeta, VisualResult, render_page
from finlake.errors import FinlakeError
from finlake.lake import Lake

DEFAULT_FILE_NAME = "dashboard.html"
OUTBOX = Path("stream") / "alerts.jsonl"  # below the lake root: what `finlake stream` writes


def _latest_run(con: duckdb.DuckDBPyConnection) -> tuple[str | None, str | None, str | None]:
    row = con.execute(
        "SELECT max(scored_at), any_value(model_name), any_value(model_version), any_value(scoring_run_id) "
        "FROM gold.dash_latest_risk"
    ).fetchone()
    if row is None or row[0] is None:
        return None, None, None
    scored_at, model_name, model_version, run_id = row
    return scored_at.isoformat(sep=" ", timespec="seconds"), f"{model_name} v{model_version}", run_id


def _notices(state: GoldState, results: list[VisualResult], as_of: str | None) -> tuple[str, ...]:
    notices = []
    if as_of is None:
        notices.append(
            "No risk scores yet: run `finlake train` and `finlake score` (or `finlake run`) to fill this page."
        )
    read = {column.split(".")[0] for r in results for column in r.gold_columns}
    missing = [t for t in state.missing if t in read]  # only the tables this dashboard reads
    if missing:
        tables = ", ".join(f"gold.{t}" for t in missing)
        notices.append(f"Not published yet: {tables}. The visuals that read them show no data.")
    return tuple(notices)


def build_page(
    lake: Lake, dashboard: Dashboard | None = None, now: datetime | None = None, outbox: Path | None = None
) -> str:
    """The page's HTML for the lake's current Gold tables, and the live alerts of `outbox` (if given)."""
    dashboard = dashboard or load_definition()
    con, state = open_views(lake)
    try:
        results = [
            VisualResult(visual=v, frame=run_visual(con, dashboard, v), gold_columns=visual_gold_columns(dashboard, v))
            for v in dashboard.visuals
        ]
        as_of, model, run_id = _latest_run(con)
    finally:
        con.close()
    meta = PageMeta(
        as_of=as_of,
        model=model,
        scoring_run_id=run_id,
        generated_at=(now or datetime.now(UTC)).isoformat(sep=" ", timespec="seconds"),
        notices=_notices(state, results, as_of),
    )
    live = render_panel(load_panel(outbox), f"<lake>/{OUTBOX.as_posix()}") if outbox is not None else ""
    return render_page(dashboard, results, meta, after_grid=live)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; a page is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build_dashboard(lake_root: str | os.PathLike[str], out: str | os.PathLike[str] | None = None) -> Path:
    """Write the dashboard for the lake at `lake_root` to `out` (default `<lake>/dashboard.html`)."""
    root = Path(lake_root)
    if not root.is_dir():
        raise FinlakeError(f"no lake at {root} (run `finlake generate` or `finlake run` first, or pass --lake)")
    target = Path(out) if out else root / DEFAULT_FILE_NAME
    if not target.parent.is_dir():
        raise FinlakeError(f"cannot write {target}: folder {target.parent} does not exist")
    write_atomically(target, build_page(Lake.local(root), outbox=root / OUTBOX))
    return target.absolute()
