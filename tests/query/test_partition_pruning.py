"""A filter on the partition column reads only that partition's files (DuckDB's profile shows which).

The files are the ones PyIceberg plans for the table's current snapshot; Iceberg writes them under
`data/<col>=<value>/`, which is what lets DuckDB prune by path.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import small_lake as data

from finlake.lake import Lake
from finlake.query.iceberg_tables import lake_tables
from finlake.query.local import LocalEngine, files_read
from finlake.query.named import QueryText, named_queries


@pytest.fixture(scope="module")
def lake(tmp_path_factory) -> Lake:
    return data.build_small_lake(str(tmp_path_factory.mktemp("pruning") / "lake"))


def _partition(path: str) -> str:
    return Path(path).parent.name


def test_compliance_report_reads_only_its_month(lake):
    profile = LocalEngine(lake).profile(named_queries()["compliance_cash_report"], {"month": "2024-02"})

    read = files_read(profile)
    assert len(read) == 1 and _partition(read[0]) == "alert_month=2024-02"
    assert read[0].startswith(f"{lake.gold}/compliance_cash_alerts/data/alert_month=2024-02/")


def test_without_the_filter_every_partition_is_read(lake):
    profile = LocalEngine(lake).profile(QueryText(name="--sql", sql="SELECT alert_id FROM gold.compliance_cash_alerts"))
    assert [_partition(f) for f in files_read(profile)] == [f"alert_month=2024-0{m}" for m in (1, 2, 3)]


def test_month_range_prunes_silver_transactions(lake):
    params = {"from_month": "2024-02", "to_month": "2024-03"}
    profile = LocalEngine(lake).profile(named_queries()["monthly_transaction_volumes"], params)
    assert [_partition(f) for f in files_read(profile)] == ["booked_month=2024-02", "booked_month=2024-03"]


def test_month_scoped_query_reads_a_fraction_of_the_transaction_bytes(lake):
    """Issue 13's bar: the month-scoped query reads at most 10% of silver.transactions' bytes.

    The small lake has 3 months, so here the bound is one month's files out of three; the benchmark
    (`finlake.bench.query_cost`) measures the 10% on a generated lake with years of history."""
    sql = "SELECT count(*) FROM silver.transactions WHERE booked_month = '2024-03'"
    read = set(files_read(LocalEngine(lake).profile(QueryText(name="--sql", sql=sql))))
    table = next(t for t in lake_tables(lake) if (t.database, t.name) == ("silver", "transactions"))
    march = {f.path for f in table.files if f.partition == {"booked_month": "2024-03"}}
    assert read == march and march
    assert sum(f.size for f in table.files if f.path in read) < sum(f.size for f in table.files) / 2


def test_files_replaced_by_a_later_commit_are_not_read(tmp_path):
    """Only the current snapshot's files: after an overwrite the replaced files stay on disk, unread."""
    lake = Lake.local(tmp_path / "lake")
    rows = data.silver_rows()["transactions"]
    data.write_table(lake, "silver.transactions", rows)
    table = data.lake_catalog(lake).load_table("silver.transactions")
    table.overwrite(data.arrow_rows(table_contract(), data.complete_rows("silver.transactions", rows[:1])))

    result = LocalEngine(lake).run(QueryText(name="--sql", sql="SELECT transaction_id FROM silver.transactions"))

    assert result.rows == [(rows[0]["transaction_id"],)]
    assert len(list(Path(lake.silver, "transactions", "data").rglob("*.parquet"))) > 1


def table_contract():
    return data.storage.contract("silver.transactions")
