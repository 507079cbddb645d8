"""`finlake crawl` and `finlake query` as a user runs them: output formats, one-line errors, exit codes."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def lake_root(small_lake_template, tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("cli") / "lake"
    shutil.copytree(Path(small_lake_template.bronze).parent, root, symlinks=True)
    crawled = finlake(str(root), "crawl")
    assert crawled.returncode == 0, crawled.stderr
    assert "crawled 14 tables" in crawled.stdout
    return str(root)


def finlake(lake: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "finlake", "--lake", lake, *args], capture_output=True, text=True, timeout=120
    )


def test_named_query_as_csv_and_json(lake_root):
    out = finlake(lake_root, "query", "compliance_cash_report", "--param", "month=2024-03", "--format", "csv")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [(r["alert_id"], r["total_amount"]) for r in rows] == [("AL4", "11000.00")]

    out = finlake(
        lake_root,
        "query",
        "--sql",
        "SELECT loan_id, is_default FROM silver.loans ORDER BY 1 LIMIT 2",
        "--format",
        "json",
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [{"loan_id": "L1", "is_default": False}, {"loan_id": "L2", "is_default": True}]


def test_sql_file(lake_root, tmp_path):
    sql = tmp_path / "mine.sql"
    sql.write_text(
        "-- @param band string Risk band.\nSELECT count(*) AS n FROM ${gold_db}.customer_risk_scores WHERE risk_band = ?\n"
    )
    out = finlake(lake_root, "query", "--file", str(sql), "--param", "band=HIGH")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[2].strip() == "7"  # R1: C2 C3 C4; R2: C1 C3 C4 C6


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--sql", "SELECT * FROM gold.no_such_table"), "unknown table gold.no_such_table"),
        (("no_such_query",), "unknown named query 'no_such_query'"),
        (("--sql", "SELEC * FROM gold.loan_features"), "SQL syntax error in --sql"),
        (("--sql", "SELECT loan_id FROM gold.loan_features WHERE"), "SQL syntax error in --sql"),
        (("compliance_cash_report",), "compliance_cash_report needs parameter month"),
        (
            ("compliance_cash_report", "--param", "month=2024-13"),
            "parameter month of compliance_cash_report must be a month",
        ),
        (("compliance_cash_report", "--param", "month=2024-02", "--param", "day=1"), "has no parameter day"),
        (("--file", "/no/such.sql"), "cannot read SQL file /no/such.sql"),
    ],
)
def test_bad_input_is_one_line_and_non_zero(lake_root, args, message):
    out = finlake(lake_root, "query", *args)
    assert out.returncode != 0
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], out.stderr
    assert "Traceback" not in out.stderr


def test_query_without_a_catalog_says_to_crawl(tmp_path):
    out = finlake(str(tmp_path), "query", "--sql", "SELECT 1")
    assert out.returncode == 2
    assert out.stderr.strip().endswith("run `finlake crawl` first")


def test_crawl_summary_reports_a_logged_schema_change(lake_root, tmp_path):
    root = tmp_path / "lake"
    shutil.copytree(lake_root, root, symlinks=True)
    catalog = root / "_catalog" / "gold" / "loan_features.json"
    entry = json.loads(catalog.read_text())
    entry["TableInput"]["StorageDescriptor"]["Columns"].pop()  # as if registered before is_default existed
    catalog.write_text(json.dumps(entry))

    out = finlake(str(root), "crawl")

    assert out.returncode == 0, out.stderr
    assert "gold.loan_features: schema change logged, definition kept: +is_default int" in out.stdout
