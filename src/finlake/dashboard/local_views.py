"""The dashboard's Athena views, run locally in DuckDB over the Gold Parquet tables.

Each Gold table declared in `finlake.contracts.gold` becomes `gold.<table>` with exactly its declared
columns and types: a view over `Lake.gold_table(name)` (Hive partitions read from the path), or an empty
table when it has not been published yet, so the dashboard views still compile and an empty lake gives
an empty dashboard rather than an error. Then every `athena/views/*.sql` file is created as written for
Athena: `${gold_db}` becomes `gold` and sqlglot translates the Trino dialect to DuckDB's.

This is the dashboard's seam to the query engine: when `finlake.query` exposes a connection with the
same views, `open_views` is the one function to switch over.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import sqlglot

from finlake.contracts.gold import GOLD_TABLES
from finlake.contracts.model import Table
from finlake.dashboard.definition import VIEWS_DIR
from finlake.errors import FinlakeError
from finlake.lake import Lake

LOCAL_DATABASES = {"bronze_db": "bronze", "silver_db": "silver", "gold_db": "gold"}


@dataclass(frozen=True)
class GoldState:
    """What the local Gold layer holds: published tables and the declared ones not published yet."""

    present: tuple[str, ...]
    missing: tuple[str, ...]


def open_views(lake: Lake, views_dir: Path = VIEWS_DIR) -> tuple[duckdb.DuckDBPyConnection, GoldState]:
    """An in-memory DuckDB with schema `gold`: every Gold table plus every dashboard view."""
    con = duckdb.connect(":memory:")
    con.execute("CREATE SCHEMA gold")
    present: list[str] = []
    missing: list[str] = []
    for table in GOLD_TABLES.values():
        files = _parquet_files(lake.gold_table(table.name))
        try:
            con.execute(_gold_table_sql(table, files))
        except duckdb.Error as exc:
            where = lake.gold_table(table.name)
            raise FinlakeError(f"{where}: cannot read gold.{table.name}: {str(exc).splitlines()[0]}") from None
        (present if files else missing).append(table.name)
    for path in sorted(views_dir.glob("*.sql")):
        _create_view(con, path)
    return con, GoldState(present=tuple(present), missing=tuple(missing))


def render_sql(text: str) -> str:
    """A SQL file as Athena would receive it from Terraform's templatefile, with the local database names."""
    for name, local in LOCAL_DATABASES.items():
        text = text.replace("${" + name + "}", local)
    return text


def _parquet_files(table_path: str) -> list[str]:
    # The table path is a symlink to the complete current version (finlake.publish); files whose name
    # starts with _ or . are writer bookkeeping, never data.
    files = glob.glob(os.path.join(table_path, "**", "*.parquet"), recursive=True)
    return sorted(f for f in files if not any(p.startswith(("_", ".")) for p in Path(f).relative_to(table_path).parts))


def _duckdb_type(hive_type: str) -> str:
    return {"string": "VARCHAR", "array<string>": "VARCHAR[]"}.get(hive_type, hive_type.upper())


def _gold_table_sql(table: Table, files: list[str]) -> str:
    name = f'gold."{table.name}"'
    if not files:
        columns = ", ".join(f'"{c.name}" {_duckdb_type(c.type)}' for c in table.columns)
        return f"CREATE TABLE {name} ({columns})"
    # Explicit casts to the declared types: partition values come from folder names as text, and a
    # reader must not depend on how the writer happened to encode a column.
    select = ", ".join(f'CAST("{c.name}" AS {_duckdb_type(c.type)}) AS "{c.name}"' for c in table.columns)
    file_list = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
    source = f"read_parquet([{file_list}], hive_partitioning = true, hive_types_autocast = false, union_by_name = true)"
    return f"CREATE VIEW {name} AS SELECT {select} FROM {source}"


def _create_view(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    try:
        statements = sqlglot.transpile(render_sql(path.read_text(encoding="utf-8")), read="trino", write="duckdb")
        if len(statements) != 1:
            raise FinlakeError(f"{path}: expected one CREATE VIEW statement, found {len(statements)}")
        con.execute(statements[0])
    except (sqlglot.errors.ParseError, duckdb.Error) as exc:
        raise FinlakeError(f"{path}: cannot create the view locally: {str(exc).splitlines()[0]}") from None
