"""The dashboard's Athena views, run locally in DuckDB over the Gold Iceberg tables.

Each Gold table declared in `finlake.contracts.gold` becomes `gold.<table>` with exactly its declared
columns and types: a view over the data files of the table's current Iceberg snapshot (planned by
PyIceberg, the same views `finlake query` builds), or an empty table when it does not exist yet, so
the dashboard views still compile and an empty lake gives an empty dashboard rather than an error.
Then every `athena/views/*.sql` file is created as written for Athena: `${gold_db}` becomes `gold`
and sqlglot translates the Trino dialect to DuckDB's. Once the views exist the connection is locked
down as `finlake query`'s is (`query.sandbox.lock_down`): it may open exactly the Gold data files of
those views, no other file, no extension, and no setting can be changed back.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import sqlglot

from finlake.contracts.gold import GOLD_TABLES
from finlake.contracts.model import Table
from finlake.dashboard.definition import VIEWS_DIR
from finlake.errors import FinlakeError
from finlake.lake import Lake
from finlake.query.iceberg_tables import lake_tables
from finlake.query.local import duckdb_type, iceberg_view_sql
from finlake.query.sandbox import lock_down

LOCAL_DATABASES = {"bronze_db": "bronze", "silver_db": "silver", "gold_db": "gold"}


@dataclass(frozen=True)
class GoldState:
    """What the local Gold layer holds: published tables and the declared ones not published yet."""

    present: tuple[str, ...]
    missing: tuple[str, ...]


def open_views(lake: Lake, views_dir: Path = VIEWS_DIR) -> tuple[duckdb.DuckDBPyConnection, GoldState]:
    """An in-memory DuckDB with schema `gold`: every Gold table plus every dashboard view."""
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")  # timestamptz columns read as UTC wall time, as Spark wrote them
    con.execute("CREATE SCHEMA gold")
    published = {t.name: t for t in lake_tables(lake) if t.database == "gold"}
    files = [path for t in published.values() for path in t.paths]  # all the locked connection may open
    for table in GOLD_TABLES.values():
        sql = iceberg_view_sql("gold", published[table.name]) if table.name in published else _empty_table_sql(table)
        try:
            con.execute(sql)
        except duckdb.Error as exc:
            raise FinlakeError(f"cannot read gold.{table.name}: {str(exc).splitlines()[0]}") from None
    for path in sorted(views_dir.glob("*.sql")):
        _create_view(con, path)
    lock_down(con, files)
    present = tuple(n for n in GOLD_TABLES if n in published)
    return con, GoldState(present=present, missing=tuple(n for n in GOLD_TABLES if n not in published))


def render_sql(text: str) -> str:
    """A SQL file as Athena would receive it from Terraform's templatefile, with the local database names."""
    for name, local in LOCAL_DATABASES.items():
        text = text.replace("${" + name + "}", local)
    return text


def _empty_table_sql(table: Table) -> str:
    columns = ", ".join(f'"{c.name}" {duckdb_type(c.type)}' for c in table.columns)
    return f'CREATE TABLE gold."{table.name}" ({columns})'


def _create_view(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    try:
        statements = sqlglot.transpile(render_sql(path.read_text(encoding="utf-8")), read="trino", write="duckdb")
        if len(statements) != 1:
            raise FinlakeError(f"{path}: expected one CREATE VIEW statement, found {len(statements)}")
        con.execute(statements[0])
    except (sqlglot.errors.ParseError, duckdb.Error) as exc:
        raise FinlakeError(f"{path}: cannot create the view locally: {str(exc).splitlines()[0]}") from None
