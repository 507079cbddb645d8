"""The local crawler: registers Bronze's tables and partitions (crawlers/bronze.yaml) in the local catalog.

Silver, Gold and the quarantine are Iceberg tables: their commits register them in the Iceberg
catalog (`<lake>/_catalog/iceberg.db`; the Glue Data Catalog on AWS), so no crawler touches them.
A crawl lists them (snapshot, rows, files) beside Bronze's report.

It follows each crawler's policies as Glue would:
- schema change policy: with update_behavior LOG a table whose columns changed (in the contract, or
  between crawls) keeps its registered definition and the change is logged and reported; only
  UPDATE_IN_DATABASE (or `--update-schema`, the local equivalent of a one-off policy change) applies it.
  delete_behavior decides what happens to a registered table whose data is gone: LOG keeps it,
  DEPRECATE_IN_DATABASE keeps it flagged DEPRECATED_BY_CRAWLER, DELETE_FROM_DATABASE drops it.
- recrawl policy: with CRAWL_NEW_FOLDERS_ONLY only files in newly found partitions are schema-checked.
Files whose own schema differs from the contract (Parquet footer, CSV header) are always reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from finlake.catalog.changes import ColumnChange, column_changes, table_columns
from finlake.catalog.definitions import CrawlerDefinition, Target, load_crawlers
from finlake.catalog.glue_shapes import database_input, partition_input, table_input
from finlake.catalog.scan import ScannedTable, file_columns, scan_table
from finlake.catalog.specs import TableSpec, table_spec
from finlake.catalog.store import LocalCatalog
from finlake.contracts.model import Layer
from finlake.errors import FinlakeError
from finlake.lake import Lake
from finlake.query.iceberg_tables import SnapshotTable, lake_tables

DEPRECATED_PARAMETER = "DEPRECATED_BY_CRAWLER"


@dataclass
class TableReport:
    database: str
    table: str
    status: str  # created | updated | unchanged | not found | missing (kept) | deprecated | deleted
    partitions: int = 0
    partitions_added: int = 0
    partitions_gone: int = 0
    files: int = 0
    schema_changes: list[ColumnChange] = field(default_factory=list)
    schema_action: str = ""  # "logged" (definition kept) | "applied"
    drift: list[tuple[int, int, list[ColumnChange]]] = field(default_factory=list)  # (files, of, changes)
    ignored: list[str] = field(default_factory=list)

    @property
    def qualified_name(self) -> str:
        return f"{self.database}.{self.table}"


@dataclass
class CrawlReport:
    tables: list[TableReport] = field(default_factory=list)
    crawled_at: str = ""
    iceberg: list[SnapshotTable] = field(default_factory=list)  # listed, not crawled

    def as_dict(self) -> dict[str, Any]:
        return {
            "crawled_at": self.crawled_at,
            "iceberg_tables": [
                {"table": f"{t.database}.{t.name}", "snapshot_id": t.snapshot_id, "rows": t.rows, "files": len(t.files)}
                for t in self.iceberg
            ],
            "tables": [
                {
                    "table": t.qualified_name,
                    "status": t.status,
                    "partitions": t.partitions,
                    "partitions_added": t.partitions_added,
                    "partitions_gone": t.partitions_gone,
                    "files": t.files,
                    "schema_changes": [c.as_dict() for c in t.schema_changes],
                    "schema_action": t.schema_action,
                    "drift": [
                        {"files": n, "checked": of, "changes": [c.as_dict() for c in cs]} for n, of, cs in t.drift
                    ],
                    "ignored_files": t.ignored,
                }
                for t in self.tables
            ],
        }


def table_location(lake: Lake, layer: Layer, name: str) -> str:
    if layer != Layer.BRONZE:
        raise FinlakeError(f"{layer}.{name} is an Iceberg table, registered by its commits: nothing to crawl")
    return lake.bronze_entity(name)


def _drift(spec: TableSpec, files: list[str]) -> list[tuple[int, int, list[ColumnChange]]]:
    """Files whose own columns differ from the contract, grouped by the difference."""
    declared = [(c.name, c.type) for c in spec.columns]
    groups: dict[tuple[ColumnChange, ...], int] = {}
    for path in files:
        changes = tuple(column_changes(declared, file_columns(path, spec.data_format)))
        if changes:
            groups[changes] = groups.get(changes, 0) + 1
    return [(count, len(files), list(changes)) for changes, count in groups.items()]


class Crawler:
    def __init__(self, lake: Lake, *, update_schema: bool = False, crawlers: list[CrawlerDefinition] | None = None):
        self.lake = lake
        self.catalog = LocalCatalog(lake.catalog)
        self.update_schema = update_schema
        # Silver and Gold definitions (catalog targets on AWS) have nothing to crawl locally any more.
        everything = crawlers if crawlers is not None else load_crawlers()
        self.crawlers = [c for c in everything if c.layer == Layer.BRONZE]
        self.now = datetime.now(UTC).isoformat(timespec="seconds")
        self.change_log: list[dict[str, Any]] = []

    def run(self) -> CrawlReport:
        report = CrawlReport(crawled_at=self.now, iceberg=lake_tables(self.lake))
        for crawler in self.crawlers:
            database = str(crawler.layer)
            self.catalog.write_database(database_input(database, crawler.description))
            for target in crawler.targets:
                report.tables.append(self._crawl_table(crawler, database, target))
        self.catalog.append_log("schema_changes.jsonl", self.change_log)
        self.catalog.write_summary(report.as_dict())
        return report

    def _crawl_table(self, crawler: CrawlerDefinition, database: str, target: Target) -> TableReport:
        spec = table_spec(crawler.layer, target.table_name)
        if spec.restricted:
            raise FinlakeError(f"crawlers/{crawler.layer}.yaml targets restricted table {spec.qualified_name}")
        location = table_location(self.lake, crawler.layer, spec.name)
        scanned = scan_table(spec, location, target.exclusions)
        previous = self.catalog.read_table(database, spec.name)
        report = TableReport(database, spec.name, status="unchanged", ignored=scanned.ignored)
        if not scanned.exists:
            return self._gone(crawler, database, previous, report)
        # A published table with no rows yet (e.g. customer_risk_scores before the first scoring run)
        # is still a table: registered with its declared columns, so queries answer "no rows".
        entry = self._entry(crawler, spec, scanned, previous, report)
        self.catalog.write_table(database, entry)
        return report

    def _gone(
        self, crawler: CrawlerDefinition, database: str, previous: dict[str, Any] | None, report: TableReport
    ) -> TableReport:
        if previous is None:
            report.status = "not found"
        elif crawler.delete_behavior == "DELETE_FROM_DATABASE":
            self.catalog.table_path(database, report.table).unlink()
            report.status = "deleted"
        elif crawler.delete_behavior == "DEPRECATE_IN_DATABASE":
            previous["TableInput"]["Parameters"].setdefault(DEPRECATED_PARAMETER, self.now)
            self.catalog.write_table(database, previous)
            report.status = "deprecated"
        else:
            report.status = "missing (kept)"
        return report

    def _entry(
        self,
        crawler: CrawlerDefinition,
        spec: TableSpec,
        scanned: ScannedTable,
        previous: dict[str, Any] | None,
        report: TableReport,
    ) -> dict[str, Any]:
        new_table = table_input(spec, scanned.location)
        old_partitions = {tuple(p["Values"]): p for p in (previous or {}).get("PartitionInputs", [])}
        report.status = "created"
        if previous is not None:
            self._apply_schema_policy(crawler, previous["TableInput"], new_table, report)
        found = {p.values: p for p in scanned.partitions}
        new_folders = [p for v, p in found.items() if v not in old_partitions]
        checked = scanned.data_files
        if crawler.recrawl_behavior == "CRAWL_NEW_FOLDERS_ONLY" and previous is not None:
            checked = [f for p in new_folders for f in p.files]
        report.drift = _drift(spec, checked)
        partitions = [partition_input(new_table, list(v), p.location) for v, p in found.items()]
        gone = [p for v, p in old_partitions.items() if v not in found]
        if crawler.delete_behavior != "DELETE_FROM_DATABASE":
            partitions += gone  # kept registered, as Glue does: Athena reads an empty folder as no rows
        report.partitions, report.partitions_added, report.partitions_gone = len(found), len(new_folders), len(gone)
        report.files = len(scanned.data_files)
        partitions.sort(key=lambda p: p["Values"])
        if previous is not None:
            same = previous["TableInput"] == new_table and previous.get("PartitionInputs") == partitions
            report.status = "unchanged" if same else "updated"
        return {
            "DatabaseName": str(crawler.layer),
            "TableInput": new_table,
            "PartitionInputs": partitions,
            "CrawledAt": self.now,
        }

    def _apply_schema_policy(
        self, crawler: CrawlerDefinition, old_table: dict[str, Any], new_table: dict[str, Any], report: TableReport
    ) -> None:
        changes = column_changes(table_columns(old_table), table_columns(new_table))
        if not changes:
            return
        report.schema_changes = changes
        apply = self.update_schema or crawler.update_behavior == "UPDATE_IN_DATABASE"
        report.schema_action = "applied" if apply else "logged"
        if not apply:  # keep the registered columns; everything else (location, parameters) is refreshed
            new_table["StorageDescriptor"]["Columns"] = old_table["StorageDescriptor"]["Columns"]
            new_table["PartitionKeys"] = old_table["PartitionKeys"]
        self.change_log += [
            {"at": self.now, "table": report.qualified_name, "action": report.schema_action, **c.as_dict()}
            for c in changes
        ]


def crawl(lake: Lake, *, update_schema: bool = False, crawlers: list[CrawlerDefinition] | None = None) -> CrawlReport:
    return Crawler(lake, update_schema=update_schema, crawlers=crawlers).run()
