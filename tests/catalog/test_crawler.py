"""The local crawler: Glue shapes from the contracts, partitions from the folders, the change policy."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from finlake.catalog.crawler import crawl
from finlake.catalog.definitions import load_crawlers
from finlake.catalog.store import LocalCatalog
from finlake.lake import Lake


@pytest.fixture
def lake(small_lake_template, tmp_path) -> Lake:
    root = tmp_path / "lake"
    shutil.copytree(Path(small_lake_template.bronze).parent, root, symlinks=True)
    return Lake.local(root)


def _entry(lake: Lake, database: str, table: str) -> dict:
    return json.loads((Path(lake.catalog) / database / f"{table}.json").read_text())


def test_every_declared_table_is_registered_with_its_partitions(lake):
    report = crawl(lake)

    statuses = {t.qualified_name: t.status for t in report.tables}
    expected_tables = {f"{c.layer}.{name}" for c in load_crawlers() for name in c.table_names}
    assert statuses == dict.fromkeys(expected_tables, "created")
    catalog = LocalCatalog(lake.catalog)
    assert catalog.databases() == ["bronze", "gold", "silver"]
    assert "customer_pii" not in catalog.table_names("silver")

    transactions = _entry(lake, "silver", "transactions")
    assert [p["Values"] for p in transactions["PartitionInputs"]] == [["2024-01"], ["2024-02"], ["2024-03"]]
    assert (
        transactions["PartitionInputs"][1]["StorageDescriptor"]["Location"]
        == lake.silver_table("transactions") + "/booked_month=2024-02"
    )
    assert transactions["TableInput"]["PartitionKeys"] == [
        {"Name": "booked_month", "Type": "string", "Comment": "Partition: booking month, YYYY-MM."}
    ]
    customers = _entry(lake, "bronze", "customers")
    assert [p["Values"] for p in customers["PartitionInputs"]] == [["2024-04-01"], ["2024-04-02"]]


def test_parquet_and_csv_tables_have_the_glue_crawler_shapes(lake):
    crawl(lake)
    loans = _entry(lake, "silver", "loans")["TableInput"]
    descriptor = loans["StorageDescriptor"]
    assert loans["Parameters"]["classification"] == "parquet"
    assert (
        descriptor["SerdeInfo"]["SerializationLibrary"] == "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    )
    assert descriptor["InputFormat"] == "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    assert ("principal", "decimal(18,2)") in [(c["Name"], c["Type"]) for c in descriptor["Columns"]]
    assert loans["PartitionKeys"] == []

    raw = _entry(lake, "bronze", "customers")["TableInput"]
    assert raw["Parameters"]["classification"] == "csv"
    assert raw["Parameters"]["skip.header.line.count"] == "1"
    assert raw["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"] == "org.apache.hadoop.hive.serde2.OpenCSVSerde"
    assert {c["Type"] for c in raw["StorageDescriptor"]["Columns"]} == {"string"}


def test_a_second_crawl_with_nothing_new_changes_nothing(lake):
    crawl(lake)
    before = {p: json.loads(p.read_text()) for p in Path(lake.catalog).glob("[!_]*/[!_]*.json")}
    report = crawl(lake)
    assert {t.status for t in report.tables} == {"unchanged"}
    after = {p: json.loads(p.read_text()) for p in Path(lake.catalog).glob("[!_]*/[!_]*.json")}
    assert len(after) == 14
    strip = lambda entry: {k: v for k, v in entry.items() if k != "CrawledAt"}  # noqa: E731
    assert {p: strip(e) for p, e in after.items()} == {p: strip(e) for p, e in before.items()}


def test_a_new_partition_folder_is_added(lake):
    crawl(lake)
    folder = Path(lake.bronze_entity("loans", "2024-04-03"))
    folder.mkdir(parents=True)
    shutil.copy(Path(lake.bronze_entity("loans", "2024-04-01")) / "extract.csv", folder / "more.csv")
    (folder / "_SUCCESS").write_text("")

    report = {t.qualified_name: t for t in crawl(lake).tables}

    assert report["bronze.loans"].status == "updated"
    assert report["bronze.loans"].partitions_added == 1
    assert report["bronze.loans"].ignored == []  # _SUCCESS matches the exclusions
    assert [p["Values"] for p in _entry(lake, "bronze", "loans")["PartitionInputs"]][-1] == ["2024-04-03"]


def _rewrite_with_extra_column(path: Path) -> None:
    table = pq.read_table(path)
    pq.write_table(table.append_column("loyalty_tier", pa.array(["GOLD"] * table.num_rows)), path)


def test_a_schema_change_is_logged_and_the_definition_kept(lake, monkeypatch):
    crawl(lake)
    from finlake.catalog import specs

    original = specs.table_spec

    def spec_with_new_column(layer, name):
        spec = original(layer, name)
        if spec.qualified_name == "gold.product_recommendations":
            extra = specs.CatalogColumn("loyalty_tier", "string", "New in the contract.")
            return specs.TableSpec(**{**spec.__dict__, "columns": (*spec.columns, extra)})
        return spec

    monkeypatch.setattr("finlake.catalog.crawler.table_spec", spec_with_new_column)
    report = {t.qualified_name: t for t in crawl(lake).tables}

    changed = report["gold.product_recommendations"]
    assert [str(c) for c in changed.schema_changes] == ["+loyalty_tier string"]
    assert changed.schema_action == "logged"
    columns = [
        c["Name"] for c in _entry(lake, "gold", "product_recommendations")["TableInput"]["StorageDescriptor"]["Columns"]
    ]
    assert "loyalty_tier" not in columns  # LOG: never silently rewritten
    log = (Path(lake.catalog) / "_log" / "schema_changes.jsonl").read_text().splitlines()
    assert [json.loads(line)["column"] for line in log] == ["loyalty_tier"]
    # the file itself lacks the new column: reported as drift from the contract
    assert [(n, of, [str(c) for c in cs]) for n, of, cs in changed.drift] == [(1, 1, ["-loyalty_tier string"])]

    applied = {t.qualified_name: t for t in crawl(lake, update_schema=True).tables}
    assert applied["gold.product_recommendations"].schema_action == "applied"
    columns = [
        c["Name"] for c in _entry(lake, "gold", "product_recommendations")["TableInput"]["StorageDescriptor"]["Columns"]
    ]
    assert columns[-1] == "loyalty_tier"


def test_files_that_drift_from_the_contract_are_reported(lake):
    version = Path(lake.gold_table("customer_loan_summary")).resolve()
    _rewrite_with_extra_column(next(version.glob("*.parquet")))

    report = {t.qualified_name: t for t in crawl(lake).tables}

    drift = report["gold.customer_loan_summary"].drift
    assert [(n, [str(c) for c in cs]) for n, _, cs in drift] == [(1, ["+loyalty_tier string"])]
    assert report["gold.loan_features"].drift == []


def test_a_vanished_table_is_logged_not_dropped(lake):
    crawl(lake)
    before = _entry(lake, "gold", "product_recommendations")["TableInput"]
    Path(lake.gold_table("product_recommendations")).unlink()  # the published symlink disappears

    report = {t.qualified_name: t for t in crawl(lake).tables}

    assert report["gold.product_recommendations"].status == "missing (kept)"  # gold.yaml: LOG (catalog targets)
    assert _entry(lake, "gold", "product_recommendations")["TableInput"] == before


def test_deprecate_policy_flags_a_vanished_table(lake):
    crawlers = [
        replace(c, delete_behavior="DEPRECATE_IN_DATABASE") if c.layer == "gold" else c for c in load_crawlers()
    ]
    crawl(lake, crawlers=crawlers)
    Path(lake.gold_table("product_recommendations")).unlink()

    report = {t.qualified_name: t for t in crawl(lake, crawlers=crawlers).tables}

    assert report["gold.product_recommendations"].status == "deprecated"
    table = _entry(lake, "gold", "product_recommendations")["TableInput"]
    assert "DEPRECATED_BY_CRAWLER" in table["Parameters"]


def test_restricted_data_is_never_catalogued(lake):
    assert Path(lake.silver_table("customer_pii")).exists()
    crawl(lake)
    tables = list(Path(lake.catalog).glob("[!_]*/[!_]*.json"))
    text = "".join(p.read_text() for p in tables)
    assert len(tables) == 14
    assert "customer_pii" not in text and lake.silver_restricted not in text
    analysts = [p for p in tables if p.parent.name in ("silver", "gold")]
    columns = {
        c["Name"] for p in analysts for c in json.loads(p.read_text())["TableInput"]["StorageDescriptor"]["Columns"]
    }
    assert columns.isdisjoint({"first_name", "last_name", "email", "phone", "street_address"})


def test_a_published_table_with_no_rows_yet_is_registered_empty(tmp_path):
    from finlake.contracts.gold import CUSTOMER_RISK_SCORES
    from finlake.query.local import LocalEngine
    from finlake.query.named import QueryText

    empty_lake = Lake.local(tmp_path)
    folder = Path(empty_lake.gold_table("customer_risk_scores"))
    folder.mkdir(parents=True)
    (folder / "_SUCCESS").write_text("")  # what Spark leaves for an empty write
    report = crawl(empty_lake)
    scores = next(t for t in report.tables if t.table == "customer_risk_scores")
    assert scores.status == "created"
    entry = _entry(empty_lake, "gold", "customer_risk_scores")
    assert [c["Name"] for c in entry["TableInput"]["StorageDescriptor"]["Columns"]] == [
        c.name for c in CUSTOMER_RISK_SCORES.data_columns
    ]
    assert entry["PartitionInputs"] == []
    result = LocalEngine(empty_lake).run(QueryText("n", "SELECT count(*) FROM gold.customer_risk_scores"))
    assert result.rows == [(0,)]
    absent = next(t for t in report.tables if t.table == "product_recommendations")
    assert absent.status == "not found"  # no folder at all: still not a table


def test_spark_markers_and_checksums_are_not_reported_as_ignored(lake):
    table = Path(lake.silver_table("loans"))
    (table / "_SUCCESS").write_text("")
    (table / "._SUCCESS.crc").write_text("")
    (table / "notes.txt").write_text("not data")

    report = {t.qualified_name: t for t in crawl(lake).tables}

    assert report["silver.loans"].ignored == ["notes.txt"]
