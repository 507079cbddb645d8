"""TableInput / PartitionInput / DatabaseInput exactly as the Glue API takes them.

The shapes follow what a Glue crawler itself writes for Parquet and for CSV, so a table registered by
`finlake crawl --glue` and one registered by the crawler in crawlers/*.yaml are interchangeable.
"""

from __future__ import annotations

from typing import Any

from finlake.catalog.specs import GLUE_COMMENT_MAX, CatalogColumn, TableSpec

PARQUET_FORMAT = {
    "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    "SerdeInfo": {
        "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
        "Parameters": {"serialization.format": "1"},
    },
}

# OpenCSVSerde, not LazySimpleSerDe: Bronze CSV follows RFC 4180, so a quoted field may hold a comma
# (descriptions, street addresses) and only OpenCSVSerde honours the quotes. It reads every column as
# a string, which is what Bronze is.
CSV_FORMAT = {
    "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
    "SerdeInfo": {
        "SerializationLibrary": "org.apache.hadoop.hive.serde2.OpenCSVSerde",
        "Parameters": {"separatorChar": ",", "quoteChar": '"', "escapeChar": "\\"},
    },
}

CSV_TABLE_PARAMETERS = {"skip.header.line.count": "1", "delimiter": ",", "columnsOrdered": "true"}


def glue_column(column: CatalogColumn) -> dict[str, str]:
    return {"Name": column.name, "Type": column.type, "Comment": column.comment[:GLUE_COMMENT_MAX]}


def storage_descriptor(spec: TableSpec, location: str, columns: list[dict[str, str]]) -> dict[str, Any]:
    data_format = CSV_FORMAT if spec.data_format == "csv" else PARQUET_FORMAT
    return {
        "Columns": columns,
        "Location": location,
        "InputFormat": data_format["InputFormat"],
        "OutputFormat": data_format["OutputFormat"],
        "Compressed": False,
        "NumberOfBuckets": -1,
        "SerdeInfo": data_format["SerdeInfo"],
        "StoredAsSubDirectories": False,
    }


def table_input(spec: TableSpec, location: str) -> dict[str, Any]:
    """The Glue TableInput for a declared table stored at `location` (a folder)."""
    parameters = {
        "classification": spec.data_format,
        "EXTERNAL": "TRUE",
        "finlake.contract": spec.qualified_name,
        **spec.parameters,
    }
    if spec.data_format == "csv":
        parameters.update(CSV_TABLE_PARAMETERS)
    return {
        "Name": spec.name,
        "Description": spec.description,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": parameters,
        "PartitionKeys": [glue_column(c) for c in spec.partition_keys],
        "StorageDescriptor": storage_descriptor(spec, location, [glue_column(c) for c in spec.columns]),
    }


def partition_input(table: dict[str, Any], values: list[str], location: str) -> dict[str, Any]:
    """A PartitionInput inheriting the table's columns and SerDe (the crawlers' InheritFromTable)."""
    descriptor = {**table["StorageDescriptor"], "Location": location}
    return {"Values": values, "StorageDescriptor": descriptor, "Parameters": {}}


def database_input(name: str, description: str) -> dict[str, Any]:
    return {"Name": name, "Description": description, "Parameters": {"finlake.managed": "true"}}
