"""crawlers/*.yaml: what Terraform deploys agrees with the contracts and with Glue's rules."""

from __future__ import annotations

import pytest

from finlake.catalog.definitions import load_crawler, load_crawlers
from finlake.catalog.scan import is_excluded
from finlake.contracts.bronze import ENTITIES
from finlake.contracts.gold import GOLD_TABLES
from finlake.contracts.silver import SILVER_TABLES
from finlake.errors import FinlakeError

CRAWLERS = {str(c.layer): c for c in load_crawlers()}


def test_targets_are_exactly_the_declared_tables_readable_by_analysts():
    assert CRAWLERS["bronze"].table_names == list(ENTITIES)
    assert sorted(CRAWLERS["silver"].table_names) == sorted(n for n, t in SILVER_TABLES.items() if not t.restricted)
    assert sorted(CRAWLERS["gold"].table_names) == sorted(GOLD_TABLES)
    assert "customer_pii" not in CRAWLERS["silver"].table_names


@pytest.mark.parametrize("layer", ["bronze", "silver", "gold"])
def test_policies_never_rewrite_a_table_silently(layer):
    crawler = CRAWLERS[layer]
    assert crawler.update_behavior == "LOG"
    assert crawler.delete_behavior in ("LOG", "DEPRECATE_IN_DATABASE")
    if crawler.recrawl_behavior == "CRAWL_NEW_FOLDERS_ONLY":  # Glue accepts nothing but LOG/LOG with it
        assert (crawler.update_behavior, crawler.delete_behavior) == ("LOG", "LOG")
    assert crawler.configuration["CrawlerOutput"]["Partitions"] == {"AddOrUpdateBehavior": "InheritFromTable"}
    assert crawler.configuration["Grouping"]["TableGroupingPolicy"] == "CombineCompatibleSchemas"
    if all(t.catalog for t in crawler.targets):
        # Glue: catalog targets take LOG deletes only, and are always crawled in full
        assert crawler.delete_behavior == "LOG"
        assert crawler.recrawl_behavior == "CRAWL_EVERYTHING"
    else:  # S3 targets: a misread layout fails the crawl instead of creating a table per folder
        assert crawler.configuration["CrawlerOutput"]["Tables"]["TableThreshold"] == len(crawler.targets)


def test_jobs_own_silver_and_gold_locations_so_those_crawl_the_catalog():
    assert not any(t.catalog for t in CRAWLERS["bronze"].targets)
    assert all(t.catalog for t in CRAWLERS["silver"].targets + CRAWLERS["gold"].targets)


def test_a_definition_with_both_kinds_of_targets_is_refused(tmp_path):
    (tmp_path / "silver.yaml").write_text(
        "layer: silver\ntargets: [{path: loans/}]\ncatalog_targets: [{table: loans}]\n"
        "schema_change_policy: {update_behavior: LOG, delete_behavior: LOG}\n"
    )
    with pytest.raises(FinlakeError, match="either targets"):
        load_crawler("silver", tmp_path)


def test_catalog_targets_with_a_deprecating_delete_policy_are_refused(tmp_path):
    (tmp_path / "gold.yaml").write_text(
        "layer: gold\ncatalog_targets: [{table: loan_features}]\n"
        "schema_change_policy: {update_behavior: LOG, delete_behavior: DEPRECATE_IN_DATABASE}\n"
    )
    with pytest.raises(FinlakeError, match="delete_behavior LOG"):
        load_crawler("gold", tmp_path)


def test_only_append_only_bronze_crawls_new_folders_only():
    assert CRAWLERS["bronze"].recrawl_behavior == "CRAWL_NEW_FOLDERS_ONLY"
    assert CRAWLERS["silver"].recrawl_behavior == CRAWLERS["gold"].recrawl_behavior == "CRAWL_EVERYTHING"


@pytest.mark.parametrize(
    ("path", "excluded"),
    [
        ("_SUCCESS", True),
        ("booked_month=2024-01/_SUCCESS", True),
        ("_temporary/0/part-0.parquet", True),
        ("booked_month=2024-01/_temporary/part-0.parquet", True),
        ("booked_month=2024-01/.part-0.parquet.crc", True),
        ("x/_restricted/part-0.parquet", True),
        ("booked_month=2024-01/part-0.parquet", False),
        ("part-00000.snappy.parquet", False),
        ("ingest_date=2024-04-01/extract.csv", False),
    ],
)
def test_exclusions_match_markers_staging_and_hidden_files(path, excluded):
    exclusions = CRAWLERS["silver"].targets[0].exclusions
    assert is_excluded(path, exclusions) is excluded
