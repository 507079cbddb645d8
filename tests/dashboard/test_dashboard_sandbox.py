"""The dashboard's DuckDB connection is locked down like `finlake query`'s (issue 21 item 4)."""

from __future__ import annotations

import duckdb
import pytest

from finlake.dashboard.local_views import open_views
from finlake.lake import Lake


@pytest.fixture()
def con(sample_lake):
    connection, _ = open_views(Lake.local(sample_lake))
    yield connection
    connection.close()


def test_views_still_answer(con):
    assert con.execute("SELECT count(*) FROM gold.dash_latest_risk").fetchone()[0] == 4


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "COPY (SELECT 1) TO '{tmp}/leak.csv'",
        "ATTACH '{tmp}/other.db' AS other",
        "INSTALL httpfs",
        "SET enable_external_access = true",
        "RESET allowed_paths",
    ],
)
def test_no_other_file_and_no_setting_change(con, tmp_path, statement):
    with pytest.raises(duckdb.Error):
        con.execute(statement.format(tmp=tmp_path))
    assert not (tmp_path / "leak.csv").exists()


def test_a_parquet_file_no_view_reads_is_refused(con, tmp_path):
    # e.g. a quarantine or silver_restricted data file: outside allowed_paths
    other = tmp_path / "outside.parquet"
    duckdb.connect(":memory:").execute(f"COPY (SELECT 1 AS x) TO '{other}' (FORMAT parquet)")
    with pytest.raises(duckdb.Error):
        con.execute(f"SELECT * FROM read_parquet('{other}')")
