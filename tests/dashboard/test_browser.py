"""The dashboard page in a real browser: headless Chromium (Debian's package, `make browser`).

Console errors, uncaught exceptions and failed requests are collected by Playwright over the DevTools
protocol; every chart must have drawn its data points, the table must have rows. A screenshot is kept
under test-artifacts/ (gitignored) for a person to look at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from finlake.dashboard.build import build_dashboard

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("FINLAKE_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# --headless and a throw-away --user-data-dir are added by Playwright itself.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"headless Chromium not found at {CHROMIUM}: run `make browser` (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (dev dependency) is not installed")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield chromium
        chromium.close()


def _open(browser, page_file: Path):
    """Load the page offline; return it with every console error, page error and failed request."""
    context = browser.new_context(viewport={"width": 1600, "height": 1400}, offline=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    page.goto(page_file.as_uri(), wait_until="load")
    return page, problems


def test_dashboard_renders_every_visual_with_data(browser, sample_lake, tmp_path):
    page_file = build_dashboard(sample_lake, tmp_path / "dashboard.html")
    page, problems = _open(browser, page_file)

    # Every plotly chart has drawn at least one bar or line point, and says how many traces it has.
    charts = page.eval_on_selector_all(
        ".js-plotly-plot",
        """divs => divs.map(d => ({
            id: d.id,
            traces: (d._fullData || []).length,
            points: d.querySelectorAll('g.point, path.js-line, .scatterlayer .point').length,
        }))""",
    )
    assert len(charts) == 7, charts
    for chart in charts:
        assert chart["traces"] >= 1 and chart["points"] >= 1, chart

    rows = page.eval_on_selector_all("#visual-table-top-high-risk tbody tr", "rs => rs.map(r => r.innerText)")
    assert len(rows) == 2 and rows[0].split("\t")[:2] == ["1", "C4"]
    kpis = page.eval_on_selector_all(".kpi-value", "ps => ps.map(p => p.innerText)")
    assert kpis == ["8,500.00", "1,040.00", "2", "4"]
    assert page.locator(".empty").count() == 0, "no visual without data"
    assert "Data as of 2024-03-02 06:00:00" in page.inner_text("header")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
    assert problems == []


def test_empty_dashboard_opens_without_errors(browser, empty_lake):
    page_file = build_dashboard(empty_lake)
    page, problems = _open(browser, page_file)
    assert "No risk scores yet" in page.inner_text("header")
    assert page.locator(".js-plotly-plot").count() == 0
    # Only "customers scored" has a value (a distinct count over no rows is 0); the rest say so.
    assert page.locator(".visual .empty").count() == page.locator(".visual").count() - 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-empty.png"), full_page=True)
    assert problems == []


def test_console_errors_are_really_caught(browser, tmp_path):
    """The check above can fail: a page with a broken script is reported."""
    broken = tmp_path / "broken.html"
    broken.write_text("<html><body><script>console.error('boom'); undefinedFunction();</script></body></html>")
    _, problems = _open(browser, broken)
    assert any("boom" in p for p in problems) and any("undefinedFunction" in p for p in problems)
