"""The dashboard definition is checked on load; each mistake is one line naming the file and visual."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from finlake.dashboard.definition import DEFINITION_FILE, VIEWS_DIR, load_definition
from finlake.errors import FinlakeError


def test_repository_definition_loads_and_covers_the_risk_teams_visuals():
    dashboard = load_definition()
    ids = [v.id for v in dashboard.visuals]
    assert {
        "kpi-open-exposure",
        "kpi-expected-loss",
        "table-top-high-risk",
        "line-risk-trend",
        "bar-cash-alerts-month",
    } <= set(ids)
    assert {v.type for v in dashboard.visuals} == {"kpi", "bar", "line", "table"}
    for dataset in dashboard.datasets.values():
        assert (VIEWS_DIR / f"{dataset.view}.sql").is_file(), dataset.view


def _broken(tmp_path: Path, change) -> Path:
    raw = yaml.safe_load(DEFINITION_FILE.read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / "dashboard.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["visuals"][0]["values"][0].update(column="salary"),
            "visual 'kpi-open-exposure': values: column 'salary' is not a column",
        ),
        (lambda d: d["visuals"][4]["values"][0].update(aggregation="SUM"), "aggregation of customer_id (STRING)"),
        (lambda d: d["visuals"][1].update(id="kpi-open-exposure"), "visual ids: duplicated ['kpi-open-exposure']"),
        (lambda d: d["visuals"][0].update(dataset="nope"), "dataset 'nope' is not declared"),
        (lambda d: d["visuals"][0]["layout"].update(col=30), "does not fit the 36-column grid"),
        (lambda d: d["datasets"]["latest_risk"]["columns"].update(segment="TEXT"), "expected one of"),
    ],
)
def test_mistakes_are_reported_in_one_line(tmp_path, change, message):
    with pytest.raises(FinlakeError) as caught:
        load_definition(_broken(tmp_path, change))
    text = str(caught.value)
    assert message in text and "\n" not in text and str(tmp_path) in text


def test_unreadable_definition(tmp_path):
    with pytest.raises(FinlakeError, match="cannot read the dashboard definition"):
        load_definition(tmp_path / "missing.yaml")
    (tmp_path / "bad.yaml").write_text("visuals: [", encoding="utf-8")
    with pytest.raises(FinlakeError, match="not valid YAML"):
        load_definition(tmp_path / "bad.yaml")


@pytest.mark.parametrize("path", sorted(VIEWS_DIR.glob("*.sql")), ids=lambda p: p.name)
def test_view_files_follow_the_athena_sql_agreement(path):
    text = path.read_text(encoding="utf-8")
    placeholders = set(re.findall(r"\$\{[^}]*\}", text))
    assert placeholders <= {"${gold_db}", "${silver_db}", "${bronze_db}"}, placeholders
    assert "%{" not in text
    assert text.startswith(f"-- View ${{gold_db}}.{path.stem}:"), "header says what the view is for"
    assert f"CREATE OR REPLACE VIEW ${{gold_db}}.{path.stem} AS" in text
