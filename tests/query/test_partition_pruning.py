"""A filter on the partition column reads only that partition's files (DuckDB's profile shows which)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from finlake.catalog.crawler import crawl
from finlake.lake import Lake
from finlake.query.local import LocalEngine, files_read
from finlake.query.named import QueryText, named_queries


@pytest.fixture(scope="module")
def lake(small_lake_template, tmp_path_factory) -> Lake:
    root = tmp_path_factory.mktemp("pruning") / "lake"
    shutil.copytree(Path(small_lake_template.bronze).parent, root, symlinks=True)
    lake = Lake.local(root)
    crawl(lake)
    return lake


def test_compliance_report_reads_only_its_month(lake):
    engine = LocalEngine(lake)
    profile = engine.profile(named_queries()["compliance_cash_report"], {"month": "2024-02"})

    read = files_read(profile)
    table = lake.gold_table("compliance_cash_alerts")
    assert read == [f"{table}/alert_month=2024-02/part-00000.snappy.parquet"]


def test_without_the_filter_every_partition_is_read(lake):
    engine = LocalEngine(lake)
    profile = engine.profile(QueryText(name="--sql", sql="SELECT alert_id FROM gold.compliance_cash_alerts"))
    assert [Path(f).parent.name for f in files_read(profile)] == [f"alert_month=2024-0{m}" for m in (1, 2, 3)]


def test_month_range_prunes_silver_transactions(lake):
    engine = LocalEngine(lake)
    params = {"from_month": "2024-02", "to_month": "2024-03"}
    profile = engine.profile(named_queries()["monthly_transaction_volumes"], params)
    assert [Path(f).parent.name for f in files_read(profile)] == ["booked_month=2024-02", "booked_month=2024-03"]
