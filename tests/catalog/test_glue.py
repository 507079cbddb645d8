"""The local catalog pushed to Glue (moto): create, read back, compare; policies apply there too."""

from __future__ import annotations

import shutil
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from finlake.catalog.crawler import crawl
from finlake.catalog.definitions import load_crawlers
from finlake.catalog.glue import GluePusher, read_glue_catalog
from finlake.lake import Lake

PREFIX = "finlake_dev_"


@pytest.fixture
def lake(small_lake_template, tmp_path) -> Lake:
    root = tmp_path / "lake"
    # Bronze and the crawled catalog only: an Iceberg catalog cannot be copied (its paths are absolute)
    shutil.copytree(
        Path(small_lake_template.bronze).parent, root, symlinks=True, ignore=shutil.ignore_patterns("iceberg.db")
    )
    lake = Lake.local(root)
    crawl(lake)
    return lake


@pytest.fixture
def glue(monkeypatch):
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "eu-central-1",
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        yield boto3.client("glue", region_name="eu-central-1")


def _pusher(glue, lake, **kwargs) -> GluePusher:
    return GluePusher(
        glue, lake, database_prefix=PREFIX, bucket_prefix="finlake-dev", crawlers=load_crawlers(), **kwargs
    )


def test_catalog_round_trips_through_glue(glue, lake):
    pusher = _pusher(glue, lake)
    reports = pusher.push()

    assert {r.action for r in reports} == {"created"}
    databases = [f"{PREFIX}bronze"]  # Silver and Gold are registered in Glue by their Iceberg commits
    assert sorted(d["Name"] for d in glue.get_databases()["DatabaseList"]) == databases
    expected = {
        PREFIX + db: {
            e["TableInput"]["Name"]: {k: e[k] for k in ("TableInput", "PartitionInputs")}
            for e in pusher.glue_definitions(db)
        }
        for db in ("bronze",)
    }
    assert read_glue_catalog(glue, databases) == expected

    transactions = glue.get_table(DatabaseName=f"{PREFIX}bronze", Name="transactions")["Table"]
    assert transactions["StorageDescriptor"]["Location"] == "s3://finlake-dev-bronze/transactions/"
    partitions = glue.get_partitions(DatabaseName=f"{PREFIX}bronze", TableName="transactions")["Partitions"]
    assert sorted(p["StorageDescriptor"]["Location"] for p in partitions) == [
        f"s3://finlake-dev-bronze/transactions/ingest_date=2024-04-0{d}/" for d in (1, 2)
    ]


def test_a_second_push_is_a_no_op_and_new_partitions_are_added(glue, lake):
    _pusher(glue, lake).push()
    folder = Path(lake.bronze_entity("accounts", "2024-04-05"))
    folder.mkdir(parents=True)
    shutil.copy(Path(lake.bronze_entity("accounts", "2024-04-01")) / "extract.csv", folder / "late.csv")
    crawl(lake)

    reports = {f"{r.database}.{r.table}": r for r in _pusher(glue, lake).push()}

    assert {r.action for r in reports.values()} == {"unchanged"}
    assert reports[f"{PREFIX}bronze.accounts"].partitions_created == 1
    assert sum(r.partitions_created for r in reports.values()) == 1


def test_a_changed_glue_table_keeps_its_columns_under_log(glue, lake):
    _pusher(glue, lake).push()
    table = glue.get_table(DatabaseName=f"{PREFIX}bronze", Name="loans")["Table"]
    descriptor = {**table["StorageDescriptor"], "Columns": table["StorageDescriptor"]["Columns"][:-1]}
    glue.update_table(
        DatabaseName=f"{PREFIX}bronze",
        TableInput={k: table[k] for k in ("Name", "Description", "TableType", "Parameters", "PartitionKeys")}
        | {"StorageDescriptor": descriptor},
    )

    reports = {r.table: r for r in _pusher(glue, lake).push()}

    assert [str(c) for c in reports["loans"].schema_changes] == ["+updated_at string"]
    assert reports["loans"].schema_action == "logged"
    after = glue.get_table(DatabaseName=f"{PREFIX}bronze", Name="loans")["Table"]
    assert [c["Name"] for c in after["StorageDescriptor"]["Columns"]][-1] == "status"

    _pusher(glue, lake, update_schema=True).push()
    after = glue.get_table(DatabaseName=f"{PREFIX}bronze", Name="loans")["Table"]
    assert [c["Name"] for c in after["StorageDescriptor"]["Columns"]][-1] == "updated_at"
