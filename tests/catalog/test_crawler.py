"""The local crawler: Bronze's Glue shapes from the contracts, partitions from the folders, the change
policy; Silver and Gold are Iceberg tables, listed (never crawled)."""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import small_lake as data

from finlake.catalog.crawler import crawl
from finlake.catalog.definitions import load_crawler, load_crawlers
from finlake.catalog.store import LocalCatalog
from finlake.contracts.bronze import ENTITIES
from finlake.lake import Lake
from finlake.query.local import LocalEngine
from finlake.query.named import QueryText

BRONZE = {f"bronze.{name}" for name in load_crawler("bronze").table_names}


@pytest.fixture
def lake(small_lake_template, tmp_path) -> Lake:
    # Bronze and the crawled catalog only: an Iceberg catalog cannot be copied (its paths are absolute,
    # finlake refuses a copied lake), and these tests change Bronze and the crawled catalog only.
    root = tmp_path / "lake"
    shutil.copytree(
        Path(small_lake_template.bronze).parent, root, symlinks=True, ignore=shutil.ignore_patterns("iceberg.db")
    )
    return Lake.local(root)


def _entry(lake: Lake, database: str, table: str) -> dict:
    return json.loads((Path(lake.catalog) / database / f"{table}.json").read_text())


def _write_csv(folder: Path, header: list[str], rows: list[list[str]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "extract.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])


def test_bronze_is_registered_with_its_partitions_and_nothing_else(lake):
    report = crawl(lake)  # every crawlers/*.yaml, as Terraform deploys them: only Bronze is crawled here

    assert {t.qualified_name: t.status for t in report.tables} == dict.fromkeys(BRONZE, "created")
    catalog = LocalCatalog(lake.catalog)
    assert catalog.databases() == ["bronze"]
    customers = _entry(lake, "bronze", "customers")
    assert [p["Values"] for p in customers["PartitionInputs"]] == [["2024-04-01"], ["2024-04-02"]]
    assert customers["PartitionInputs"][1]["StorageDescriptor"]["Location"] == lake.bronze_entity(
        "customers", "2024-04-02"
    )


def test_iceberg_tables_are_listed_with_their_snapshot_and_rows(small_lake_template):
    lake = small_lake_template  # crawled in place: its Iceberg catalog cannot be copied (absolute paths)
    report = crawl(lake)

    listed = {f"{t.database}.{t.name}": t for t in report.iceberg}
    expected = {f"silver.{n}": len(r) for n, r in data.silver_rows().items() if n != "customer_pii"}
    expected |= {f"gold.{n}": len(r) for n, r in data.gold_rows().items()}
    expected["silver_restricted.customer_pii"] = len(data.CUSTOMERS)
    assert {name: t.rows for name, t in listed.items()} == expected
    assert (
        listed["silver.transactions"].snapshot_id
        == json.loads((Path(lake.state) / "bronze_to_silver.json").read_text())["snapshots"]["silver.transactions"]
    )
    assert len(listed["silver.transactions"].files) == 3  # one per booking month
    summary = json.loads((Path(lake.catalog) / "_log" / "last_crawl.json").read_text())
    assert {t["table"] for t in summary["iceberg_tables"]} == set(expected)


def test_csv_tables_have_the_glue_crawler_shape(lake):
    crawl(lake)
    raw = _entry(lake, "bronze", "customers")["TableInput"]
    assert raw["Parameters"]["classification"] == "csv"
    assert raw["Parameters"]["skip.header.line.count"] == "1"
    assert raw["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"] == "org.apache.hadoop.hive.serde2.OpenCSVSerde"
    assert {c["Type"] for c in raw["StorageDescriptor"]["Columns"]} == {"string"}
    assert raw["PartitionKeys"][0]["Name"] == "ingest_date"


def test_a_second_crawl_with_nothing_new_changes_nothing(lake):
    crawl(lake)
    before = {p: json.loads(p.read_text()) for p in Path(lake.catalog).glob("[!_]*/[!_]*.json")}
    report = crawl(lake)
    assert {t.status for t in report.tables} == {"unchanged"}
    after = {p: json.loads(p.read_text()) for p in Path(lake.catalog).glob("[!_]*/[!_]*.json")}
    assert len(after) == len(BRONZE)
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


def test_a_schema_change_is_logged_and_the_definition_kept(lake, monkeypatch):
    crawl(lake)
    from finlake.catalog import specs

    original = specs.table_spec

    def spec_with_new_column(layer, name):
        spec = original(layer, name)
        if spec.qualified_name == "bronze.accounts":
            extra = specs.CatalogColumn("loyalty_tier", "string", "New in the contract.")
            return specs.TableSpec(**{**spec.__dict__, "columns": (*spec.columns, extra)})
        return spec

    monkeypatch.setattr("finlake.catalog.crawler.table_spec", spec_with_new_column)
    report = {t.qualified_name: t for t in crawl(lake).tables}

    changed = report["bronze.accounts"]
    assert [str(c) for c in changed.schema_changes] == ["+loyalty_tier string"]
    assert changed.schema_action == "logged"
    columns = [c["Name"] for c in _entry(lake, "bronze", "accounts")["TableInput"]["StorageDescriptor"]["Columns"]]
    assert "loyalty_tier" not in columns  # LOG: never silently rewritten
    log = (Path(lake.catalog) / "_log" / "schema_changes.jsonl").read_text().splitlines()
    assert [json.loads(line)["column"] for line in log] == ["loyalty_tier"]

    applied = {t.qualified_name: t for t in crawl(lake, update_schema=True).tables}
    assert applied["bronze.accounts"].schema_action == "applied"
    columns = [c["Name"] for c in _entry(lake, "bronze", "accounts")["TableInput"]["StorageDescriptor"]["Columns"]]
    assert columns[-1] == "loyalty_tier"


def test_files_that_drift_from_the_contract_are_reported(lake):
    crawl(lake)
    header = [*ENTITIES["accounts"].column_names, "loyalty_tier"]
    _write_csv(Path(lake.bronze_entity("accounts", "2024-04-05")), header, [["A9"] + [""] * (len(header) - 1)])

    report = {t.qualified_name: t for t in crawl(lake).tables}

    drift = report["bronze.accounts"].drift
    assert [(n, of, [str(c) for c in cs]) for n, of, cs in drift] == [(1, 1, ["+loyalty_tier string"])]
    assert report["bronze.loans"].drift == []


def test_a_vanished_table_is_logged_not_dropped(lake):
    crawl(lake)
    before = _entry(lake, "bronze", "loans")["TableInput"]
    shutil.rmtree(lake.bronze_entity("loans"))

    report = {t.qualified_name: t for t in crawl(lake).tables}

    assert report["bronze.loans"].status == "missing (kept)"  # bronze.yaml: delete LOG
    assert _entry(lake, "bronze", "loans")["TableInput"] == before


def test_deprecate_policy_flags_a_vanished_table(lake):
    crawlers = [replace(c, delete_behavior="DEPRECATE_IN_DATABASE") for c in load_crawlers()]
    crawl(lake, crawlers=crawlers)
    shutil.rmtree(lake.bronze_entity("loans"))

    report = {t.qualified_name: t for t in crawl(lake, crawlers=crawlers).tables}

    assert report["bronze.loans"].status == "deprecated"
    assert "DEPRECATED_BY_CRAWLER" in _entry(lake, "bronze", "loans")["TableInput"]["Parameters"]


def test_restricted_data_is_never_catalogued(lake):
    crawl(lake)
    tables = list(Path(lake.catalog).glob("[!_]*/[!_]*.json"))
    text = "".join(p.read_text() for p in tables)
    assert len(tables) == len(BRONZE)
    assert "customer_pii" not in text and lake.silver_restricted not in text


def test_an_iceberg_table_without_rows_is_listed_and_reads_as_no_rows(tmp_path):
    lake = Lake.local(tmp_path)
    data.write_iceberg(lake, "gold.customer_risk_scores", [])

    report = crawl(lake)

    assert report.tables and {t.status for t in report.tables} == {"not found"}  # no Bronze at all
    [scores] = report.iceberg
    assert (scores.name, scores.rows, scores.files) == ("customer_risk_scores", 0, ())
    result = LocalEngine(lake).run(QueryText("n", "SELECT count(*), max(scored_date) FROM gold.customer_risk_scores"))
    assert result.rows == [(0, None)]


def test_spark_markers_and_checksums_are_not_reported_as_ignored(lake):
    table = Path(lake.bronze_entity("loans", "2024-04-01"))
    (table / "_SUCCESS").write_text("")
    (table / ".extract.csv.crc").write_text("")
    (table / "notes.txt").write_text("not data")

    report = {t.qualified_name: t for t in crawl(lake).tables}

    assert report["bronze.loans"].ignored == ["ingest_date=2024-04-01/notes.txt"]
