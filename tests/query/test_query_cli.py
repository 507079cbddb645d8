"""`finlake crawl` and `finlake query` as a user runs them: output formats, one-line errors, exit codes."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest
import small_lake as data

from finlake.lake import Lake


@pytest.fixture(scope="module")
def lake_root(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("cli") / "lake"
    data.build_small_lake(str(root))
    crawled = finlake(str(root), "crawl")
    assert crawled.returncode == 0, crawled.stderr
    assert "crawled 7 Bronze tables" in crawled.stdout
    assert "15 Iceberg tables" in crawled.stdout  # 8 Silver (one restricted) + 7 Gold, listed not crawled
    listed = {line.split()[0]: line.split() for line in crawled.stdout.splitlines() if " snapshot " in line}
    assert listed["silver.transactions"][3:7] == [str(len(data.TRANSACTIONS)), "rows", "3", "files"]
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
        (("--sql", "SELECT * FROM read_csv('/etc/passwd')"), "table functions are not allowed"),
        (("--sql", "COPY (SELECT 1) TO '/tmp/x.csv'"), "only a SELECT (WITH, VALUES, UNION) runs locally, not COPY"),
        (("--sql", "SELECT count(*) FROM bronze.loans"), "bronze.loans in --sql needs --role engineer"),
        (("--sql", "SELECT 1", "--role", "admin"), "invalid choice: 'admin'"),
    ],
)
def test_bad_input_is_one_line_and_non_zero(lake_root, args, message):
    out = finlake(lake_root, "query", *args)
    assert out.returncode != 0
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], out.stderr
    assert "Traceback" not in out.stderr


def test_engineer_role_reads_bronze(lake_root):
    out = finlake(lake_root, "query", "--sql", "SELECT count(*) AS n FROM bronze.loans", "--role", "engineer")
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.splitlines()[2]) == len(data.LOANS)


def test_query_without_any_table_says_what_to_run(tmp_path):
    out = finlake(str(tmp_path), "query", "--sql", "SELECT 1")
    assert out.returncode == 2
    assert out.stderr.strip().endswith(
        "run `finlake bronze-to-silver` (Silver, Gold) or `finlake crawl` (Bronze) first"
    )


def test_as_of_answers_from_an_earlier_snapshot(tmp_path):
    lake = Lake.local(tmp_path / "lake")
    first = data.write_table(lake, "silver.loans", data.silver_rows()["loans"])
    time.sleep(0.05)
    between = datetime.now(UTC)
    time.sleep(0.05)
    data.write_table(lake, "silver.loans", [{"loan_id": "L9", "customer_id": "C1", "status": "CURRENT"}])
    count = "SELECT count(*) AS n FROM silver.loans"

    def rows(*args: str) -> str:
        out = finlake(str(tmp_path / "lake"), "query", "--sql", count, "--format", "csv", *args)
        assert out.returncode == 0, out.stderr
        return out.stdout.splitlines()[1]

    assert rows() == str(len(data.LOANS) + 1)
    assert rows("--as-of", str(first)) == str(len(data.LOANS))
    assert rows("--as-of", between.isoformat()) == str(len(data.LOANS))
    assert rows("--as-of", between.strftime("%Y-%m-%d %H:%M:%S.%f")) == str(len(data.LOANS))  # UTC unless told


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        ("2001-01-01T00:00:00Z", "--as-of 2001-01-01T00:00:00Z: before the first snapshot of any table"),
        ("42", "--as-of 42: no table of the lake has snapshot 42"),
        ("yesterday", "--as-of 'yesterday': expected a timestamp"),
    ],
)
def test_bad_as_of_is_one_line(lake_root, as_of, message):
    out = finlake(lake_root, "query", "--sql", "SELECT count(*) FROM silver.loans", "--as-of", as_of)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], out.stderr


def test_crawl_summary_reports_a_logged_schema_change(lake_root, tmp_path):
    root = tmp_path / "lake"
    shutil.copytree(lake_root, root, symlinks=True, ignore=shutil.ignore_patterns("iceberg.db"))  # Bronze only
    catalog = root / "_catalog" / "bronze" / "loans.json"
    entry = json.loads(catalog.read_text())
    entry["TableInput"]["StorageDescriptor"]["Columns"].pop()  # as if registered before updated_at existed
    catalog.write_text(json.dumps(entry))

    out = finlake(str(root), "crawl")

    assert out.returncode == 0, out.stderr
    assert "bronze.loans: schema change logged, definition kept: +updated_at string" in out.stdout
