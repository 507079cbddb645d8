"""The same SQL on AWS Athena (engine v3, Trino) through boto3.

Databases are filled in with their AWS names (`${gold_db}` -> `finlake_dev_gold`), parameters go as
Athena ExecutionParameters (the `?` placeholders stay in the text), the views in athena/views/ are
created first (CREATE OR REPLACE VIEW), then the query runs: start_query_execution, poll
get_query_execution, and read every page of get_query_results.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from finlake.errors import FinlakeError
from finlake.query import sqltext
from finlake.query.local import Result
from finlake.query.named import QueryText, view_files

FINAL_STATES = ("SUCCEEDED", "FAILED", "CANCELLED")


def _convert(value: str | None, athena_type: str) -> Any:
    """An Athena result cell (always text) as a Python value of its column type."""
    if value is None:
        return None
    t = athena_type.lower()
    if t in ("integer", "bigint", "smallint", "tinyint"):
        return int(value)
    if t in ("double", "float", "real"):
        return float(value)
    if t == "decimal":
        return Decimal(value)
    if t == "boolean":
        return value.lower() == "true"
    if t == "date":
        return date.fromisoformat(value)
    if t.startswith("timestamp"):
        return datetime.fromisoformat(value)
    return value


class AthenaRunner:
    def __init__(
        self,
        client: Any,
        *,
        workgroup: str,
        database_prefix: str,
        output_location: str | None = None,
        database: str | None = None,
        poll_seconds: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.workgroup = workgroup
        self.names = sqltext.database_names(database_prefix)
        self.database = database or self.names["gold_db"]
        self.output_location = output_location
        self.poll_seconds = poll_seconds
        self.sleep = sleep

    def _start(self, sql: str, parameters: list[str]) -> str:
        request: dict[str, Any] = {
            "QueryString": sql,
            "QueryExecutionContext": {"Database": self.database, "Catalog": "AwsDataCatalog"},
            "WorkGroup": self.workgroup,
        }
        if self.output_location:
            request["ResultConfiguration"] = {"OutputLocation": self.output_location}
        if parameters:
            request["ExecutionParameters"] = parameters
        return str(self.client.start_query_execution(**request)["QueryExecutionId"])

    def _wait(self, execution_id: str, source: str) -> None:
        delay = self.poll_seconds
        while True:
            status = self.client.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]["Status"]
            if status["State"] in FINAL_STATES:
                break
            self.sleep(delay)
            delay = min(delay * 2, 10.0)
        if status["State"] != "SUCCEEDED":
            reason = " ".join(str(status.get("StateChangeReason", "no reason given")).split())
            raise FinlakeError(f"Athena {status['State'].lower()} {source} ({execution_id}): {reason}")

    def _results(self, execution_id: str) -> Result:
        pages = self.client.get_paginator("get_query_results").paginate(QueryExecutionId=execution_id)
        columns: list[str] = []
        types: list[str] = []
        rows: list[tuple[Any, ...]] = []
        for number, page in enumerate(pages):
            result_set = page["ResultSet"]
            if number == 0:
                info = result_set.get("ResultSetMetadata", {}).get("ColumnInfo", [])
                columns, types = [c["Name"] for c in info], [c["Type"] for c in info]
            data = result_set.get("Rows", [])
            if number == 0 and data:  # a SELECT's first row repeats the column names
                data = data[1:]
            for row in data:
                cells = [c.get("VarCharValue") for c in row["Data"]]
                rows.append(
                    tuple(_convert(v, t) for v, t in zip(cells, types or ["varchar"] * len(cells), strict=False))
                )
        return Result(columns, types, rows)

    def execute(self, sql: str, parameters: list[str], source: str, *, fetch: bool = True) -> Result:
        execution_id = self._start(sql, parameters)
        self._wait(execution_id, source)
        return self._results(execution_id) if fetch else Result([], [], [])

    def create_views(self, views_dir: Path | None = None) -> None:
        for file in view_files(views_dir):
            text = sqltext.substitute_databases(file.read_text(encoding="utf-8"), self.names, str(file))
            self.execute(text, [], str(file), fetch=False)  # DDL: nothing to read back

    def run(self, query: QueryText, params: dict[str, str] | None = None, views_dir: Path | None = None) -> Result:
        text = sqltext.substitute_databases(query.sql, self.names, query.source)
        literals = query.literals(params or {})
        if sqltext.placeholder_count(text, query.source) != len(literals):
            sqltext.bind_parameters(text, literals, query.source)  # raises the one-line count mismatch
        sqltext.parse_trino(text, query.source)  # fail fast on a syntax error, before paying for Athena
        self.create_views(views_dir)
        return self.execute(text, literals, query.source)
