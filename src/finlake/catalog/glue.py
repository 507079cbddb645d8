"""Push the local catalog to an AWS Glue Data Catalog (boto3), and read a Glue catalog back.

The definitions are the ones `finlake crawl` wrote locally, with local folders mapped to the layer
buckets (`s3://<bucket-prefix>-<layer>/...`, one per layer as terraform/modules/data_lake makes them)
and database names prefixed (`finlake_dev_silver`). The schema change policy of crawlers/<layer>.yaml
applies here too: an existing Glue table whose columns differ keeps them under LOG, and the
difference is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from finlake.catalog.changes import ColumnChange, column_changes, table_columns
from finlake.catalog.definitions import CrawlerDefinition
from finlake.catalog.store import LocalCatalog
from finlake.contracts.model import Layer
from finlake.errors import FinlakeError
from finlake.lake import Lake

BATCH_CREATE_PARTITION_MAX = 100  # Glue's limit per BatchCreatePartition call
TABLE_KEYS = ("Name", "Description", "TableType", "Parameters", "PartitionKeys", "StorageDescriptor")
DESCRIPTOR_KEYS = (
    "Columns",
    "Location",
    "InputFormat",
    "OutputFormat",
    "Compressed",
    "NumberOfBuckets",
    "SerdeInfo",
    "StoredAsSubDirectories",
)


def layer_buckets(lake: Lake, bucket_prefix: str) -> dict[str, str]:
    """Local layer root -> s3 root, e.g. /x/lake/silver -> s3://finlake-dev-silver."""
    return {getattr(lake, str(layer)): f"s3://{bucket_prefix}-{layer}" for layer in Layer}


def relocate(location: str, roots: dict[str, str]) -> str:
    for local_root in sorted(roots, key=len, reverse=True):
        if location == local_root or location.startswith(local_root.rstrip("/") + "/"):
            return roots[local_root] + location[len(local_root.rstrip("/")) :].rstrip("/") + "/"
    raise FinlakeError(f"cannot map local folder {location} to an S3 location (it is outside the lake's layers)")


def normalized_table(table: dict[str, Any]) -> dict[str, Any]:
    """A Glue GetTable answer reduced to the TableInput fields we write."""
    out = {k: table[k] for k in TABLE_KEYS if k in table}
    out["StorageDescriptor"] = {
        k: table["StorageDescriptor"][k] for k in DESCRIPTOR_KEYS if k in table["StorageDescriptor"]
    }
    out.setdefault("PartitionKeys", [])
    return out


def normalized_partition(partition: dict[str, Any]) -> dict[str, Any]:
    descriptor = {k: partition["StorageDescriptor"][k] for k in DESCRIPTOR_KEYS if k in partition["StorageDescriptor"]}
    return {
        "Values": partition["Values"],
        "StorageDescriptor": descriptor,
        "Parameters": partition.get("Parameters", {}),
    }


@dataclass
class GlueTableReport:
    database: str
    table: str
    action: str  # created | updated | unchanged
    partitions_created: int = 0
    partitions_not_on_disk: int = 0
    schema_changes: list[ColumnChange] = field(default_factory=list)
    schema_action: str = ""


def _get_table(client: Any, database: str, name: str) -> dict[str, Any] | None:
    try:
        return dict(client.get_table(DatabaseName=database, Name=name)["Table"])
    except client.exceptions.EntityNotFoundException:
        return None


def existing_partitions(client: Any, database: str, table: str) -> list[dict[str, Any]]:
    pages = client.get_paginator("get_partitions").paginate(DatabaseName=database, TableName=table)
    return [normalized_partition(p) for page in pages for p in page["Partitions"]]


def _ensure_database(client: Any, database_input: dict[str, Any]) -> None:
    try:
        client.get_database(Name=database_input["Name"])
    except client.exceptions.EntityNotFoundException:
        client.create_database(DatabaseInput=database_input)


def _create_partitions(client: Any, database: str, table: str, partitions: list[dict[str, Any]]) -> None:
    for start in range(0, len(partitions), BATCH_CREATE_PARTITION_MAX):
        batch = partitions[start : start + BATCH_CREATE_PARTITION_MAX]
        errors = client.batch_create_partition(DatabaseName=database, TableName=table, PartitionInputList=batch)
        if errors.get("Errors"):
            first = errors["Errors"][0]
            detail = first.get("ErrorDetail", {}).get("ErrorMessage", "unknown error")
            raise FinlakeError(f"Glue refused partition {first.get('PartitionValues')} of {database}.{table}: {detail}")


class GluePusher:
    def __init__(
        self,
        client: Any,
        lake: Lake,
        *,
        database_prefix: str,
        bucket_prefix: str,
        crawlers: list[CrawlerDefinition],
        update_schema: bool = False,
    ) -> None:
        self.client = client
        self.catalog = LocalCatalog(lake.catalog)
        self.database_prefix = database_prefix
        self.roots = layer_buckets(lake, bucket_prefix)
        self.policies = {str(c.layer): c for c in crawlers}
        self.update_schema = update_schema

    def glue_definitions(self, database: str) -> list[dict[str, Any]]:
        """The local catalog's entries for one database, with S3 locations (what is pushed)."""
        entries = []
        for name in self.catalog.table_names(database):
            entry = self.catalog.read_table(database, name) or {}
            table = entry["TableInput"]
            table["StorageDescriptor"]["Location"] = relocate(table["StorageDescriptor"]["Location"], self.roots)
            for p in entry["PartitionInputs"]:
                p["StorageDescriptor"]["Location"] = relocate(p["StorageDescriptor"]["Location"], self.roots)
            entries.append(entry)
        return entries

    def push(self) -> list[GlueTableReport]:
        reports = []
        for database in self.catalog.databases():
            glue_database = self.database_prefix + database
            _ensure_database(self.client, {**self.catalog.read_database(database), "Name": glue_database})
            for entry in self.glue_definitions(database):
                reports.append(self._push_table(database, glue_database, entry))
        return reports

    def _push_table(self, database: str, glue_database: str, entry: dict[str, Any]) -> GlueTableReport:
        table = entry["TableInput"]
        report = GlueTableReport(glue_database, table["Name"], action="created")
        existing = _get_table(self.client, glue_database, table["Name"])
        if existing is None:
            self.client.create_table(DatabaseName=glue_database, TableInput=table)
        else:
            current = normalized_table(existing)
            report.schema_changes = column_changes(table_columns(current), table_columns(table))
            policy = self.policies.get(database)
            apply = self.update_schema or (policy is not None and policy.update_behavior == "UPDATE_IN_DATABASE")
            if report.schema_changes and not apply:
                report.schema_action = "logged"
                table["StorageDescriptor"]["Columns"] = current["StorageDescriptor"]["Columns"]
                table["PartitionKeys"] = current["PartitionKeys"]
            elif report.schema_changes:
                report.schema_action = "applied"
            report.action = "unchanged" if current == table else "updated"
            if report.action == "updated":
                self.client.update_table(DatabaseName=glue_database, TableInput=table)
        known = {tuple(p["Values"]) for p in existing_partitions(self.client, glue_database, table["Name"])}
        columns = table["StorageDescriptor"]["Columns"]
        missing = [
            {**p, "StorageDescriptor": {**p["StorageDescriptor"], "Columns": columns}}
            for p in entry["PartitionInputs"]
            if tuple(p["Values"]) not in known
        ]
        _create_partitions(self.client, glue_database, table["Name"], missing)
        report.partitions_created = len(missing)
        local = {tuple(p["Values"]) for p in entry["PartitionInputs"]}
        report.partitions_not_on_disk = len(known - local)  # kept: deletes are never pushed silently
        return report


def read_glue_catalog(client: Any, databases: list[str]) -> dict[str, dict[str, dict[str, Any]]]:
    """{database: {table: {"TableInput", "PartitionInputs"}}} as Glue holds them, normalized."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for database in databases:
        pages = client.get_paginator("get_tables").paginate(DatabaseName=database)
        out[database] = {
            t["Name"]: {
                "TableInput": normalized_table(t),
                "PartitionInputs": sorted(existing_partitions(client, database, t["Name"]), key=lambda p: p["Values"]),
            }
            for page in pages
            for t in page["TableList"]
        }
    return out
