"""The local engine: DuckDB over the lake's tables, read the way Athena reads them on AWS.

- Silver, Gold, the quarantine and silver_restricted come from the Iceberg catalog: PyIceberg plans
  each table's snapshot (the current one, or the one `--as-of` names) and its view `<layer>.<table>`
  reads exactly those data files (`read_parquet` over the list) with the declared column types.
  Iceberg writes a partitioned table's files under `data/<col>=<value>/`, so the partition columns
  are taken from the paths and a filter on them prunes whole files (see `files_read`).
- Bronze comes from the crawled local catalog (`finlake crawl`): a view over its registered
  partitions' CSV files, every column text, as the Glue crawler registers it.
Then every view in athena/views/ is created (CREATE OR REPLACE VIEW, translated like any query).

Only the databases of the engine's role get views (`sandbox.ROLES`: an analyst reads Silver and Gold),
and once the views exist DuckDB is locked down to exactly their data files (`sandbox.lock_down`); every
query must pass `sandbox.check_read_only` first.
"""

from __future__ import annotations

import glob
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from finlake.catalog.store import LocalCatalog
from finlake.errors import FinlakeError, UsageError
from finlake.iceberg import NAMESPACES
from finlake.lake import Lake
from finlake.query import sandbox, sqltext
from finlake.query.iceberg_tables import AsOf, SnapshotTable, lake_tables, parse_as_of
from finlake.query.named import QueryText, view_files

BRONZE_DATABASE = "bronze"  # the only database `finlake crawl` registers; the others are Iceberg
DEFAULT_DATABASE = "gold"  # unqualified table names resolve here, as in the Athena workgroup's default
_SIMPLE_TYPES = {
    "string": "VARCHAR",
    "int": "INTEGER",
    "bigint": "BIGINT",
    "smallint": "SMALLINT",
    "tinyint": "TINYINT",
    "double": "DOUBLE",
    "float": "FLOAT",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
}
_DATA_GLOB = {"parquet": "*.parquet", "csv": "*.csv"}


def duckdb_type(hive_type: str) -> str:
    t = hive_type.strip().lower()
    if t in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[t]
    if m := re.fullmatch(r"decimal\((\d+),\s*(\d+)\)", t):
        return f"DECIMAL({m[1]},{m[2]})"
    if m := re.fullmatch(r"array<(.+)>", t):
        return f"{duckdb_type(m[1])}[]"
    raise FinlakeError(f"no DuckDB type for catalog type {hive_type!r}")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _registered_files(entry: dict[str, Any], data_format: str) -> list[str]:
    """Data files under the registered locations (partitions if any); a vanished folder reads as no rows."""
    table = entry["TableInput"]
    locations = (
        [p["StorageDescriptor"]["Location"] for p in entry["PartitionInputs"]]
        if table["PartitionKeys"]
        else [table["StorageDescriptor"]["Location"]]
    )
    return sorted(f for loc in locations for f in glob.glob(os.path.join(glob.escape(loc), _DATA_GLOB[data_format])))


def registered_files(entry: dict[str, Any]) -> list[str]:
    """The data files a crawled table's view reads."""
    return _registered_files(entry, entry["TableInput"]["Parameters"].get("classification", "parquet"))


def table_view_sql(database: str, entry: dict[str, Any], files: list[str] | None = None) -> str:
    """The view over a crawled table's files (`files`: as `registered_files` lists them, if known)."""
    table = entry["TableInput"]
    data_format = table["Parameters"].get("classification", "parquet")
    columns = table["StorageDescriptor"]["Columns"]
    keys = table["PartitionKeys"]
    files = _registered_files(entry, data_format) if files is None else files
    name = f"{_quote(database)}.{_quote(table['Name'])}"
    if not files:  # registered but empty
        return _empty_view(name, [(c["Name"], c["Type"]) for c in columns + keys])
    hive_types = ", ".join(f"{_literal(k['Name'])}: {_literal(duckdb_type(k['Type']))}" for k in keys)
    options = f"hive_partitioning = {'true' if keys else 'false'}, union_by_name = true"
    if keys:
        options += f", hive_types = {{{hive_types}}}"
    file_list = "[" + ", ".join(_literal(f) for f in files) + "]"
    if data_format == "csv":
        reader = f"read_csv({file_list}, header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"', {options})"
    else:
        reader = f"read_parquet({file_list}, {options})"
    # Data columns take the registered type; partition columns come straight from the folder names so
    # a filter on them prunes files before anything is read.
    select = [f"CAST({_quote(c['Name'])} AS {duckdb_type(c['Type'])}) AS {_quote(c['Name'])}" for c in columns]
    select += [_quote(k["Name"]) for k in keys]
    return f"CREATE OR REPLACE VIEW {name} AS SELECT {', '.join(select)} FROM {reader}"


def _empty_view(name: str, columns: list[tuple[str, str]]) -> str:
    """The declared columns and no rows, as Athena answers for a table without data."""
    nulls = ", ".join(f"CAST(NULL AS {duckdb_type(t)}) AS {_quote(c)}" for c, t in columns)
    return f"CREATE OR REPLACE VIEW {name} AS SELECT {nulls} WHERE false"


def iceberg_view_sql(database: str, table: SnapshotTable) -> str:
    """A view over exactly the data files of the table's snapshot, with the declared columns and types."""
    name = f"{_quote(database)}.{_quote(table.name)}"
    columns = [(c.name, c.type) for c in table.contract.columns]
    if not table.files:
        return _empty_view(name, columns)
    file_list = "[" + ", ".join(_literal(f) for f in table.paths) + "]"
    keys = table.contract.partition_by if table.prunable else ()
    options = "union_by_name = true, hive_partitioning = " + ("true" if keys else "false")
    if keys:
        types = {c.name: duckdb_type(c.type) for c in table.contract.partition_columns}
        options += ", hive_types = {" + ", ".join(f"{_literal(k)}: {_literal(types[k])}" for k in keys) + "}"
    # Partition columns come from the paths (checked equal to the file's values) so a filter on them
    # prunes files before anything is read; the others take the declared type.
    select = [_quote(c) if c in keys else f"CAST({_quote(c)} AS {duckdb_type(t)}) AS {_quote(c)}" for c, t in columns]
    return f"CREATE OR REPLACE VIEW {name} AS SELECT {', '.join(select)} FROM read_parquet({file_list}, {options})"


@dataclass
class Result:
    columns: list[str]
    types: list[str]
    rows: list[tuple[Any, ...]]


class LocalEngine:
    """An in-memory DuckDB with one schema per layer and one view per catalogued table and athena view."""

    def __init__(
        self,
        lake: Lake,
        views_dir: Path | None = None,
        as_of: str | AsOf | None = None,
        role: str = sandbox.DEFAULT_ROLE,
    ) -> None:
        """`as_of`: answer from an earlier state (a snapshot id or a time, see `parse_as_of`); Bronze,
        immutable and append-only, is read as crawled. `role`: which databases are readable (`sandbox.ROLES`)."""
        self.role, self.databases = role, sandbox.check_role(role)
        self.as_of = parse_as_of(as_of) if isinstance(as_of, str) else as_of
        self.snapshots = {(t.database, t.name): t for t in lake_tables(lake, self.as_of)}
        bronze = LocalCatalog(lake.catalog)
        if not self.snapshots and BRONZE_DATABASE not in bronze.databases():
            raise UsageError(
                f"no tables in the lake at {Path(lake.catalog).parent}: run `finlake bronze-to-silver` "
                "(Silver, Gold) or `finlake crawl` (Bronze) first"
            )
        self.con = duckdb.connect(":memory:")
        self.con.execute("SET TimeZone = 'UTC'")  # timestamptz columns read as UTC wall time, as Spark wrote them
        self.tables: dict[str, set[str]] = {}
        self.files: list[str] = []  # every data file a view reads: all DuckDB may open once locked
        for database in (BRONZE_DATABASE, *NAMESPACES):
            if database in self.databases:
                self.con.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(database)}")
                self.tables[database] = set()
        if BRONZE_DATABASE in self.databases:
            self._create_bronze_views(bronze)
        for (database, name), table in self.snapshots.items():
            if database in self.databases:
                self.con.execute(iceberg_view_sql(database, table))
                self.tables[database].add(name)
                self.files += table.paths
        self.con.execute(f"SET schema = {_literal(DEFAULT_DATABASE)}")
        self.view_errors: dict[tuple[str, str], str] = {}
        self._create_views(view_files(views_dir) if views_dir is None or views_dir.is_dir() else [])
        sandbox.lock_down(self.con, self.files)

    def _create_bronze_views(self, bronze: LocalCatalog) -> None:
        for name in bronze.table_names(BRONZE_DATABASE):
            entry = bronze.read_table(BRONZE_DATABASE, name)
            if entry is not None:
                files = registered_files(entry)
                self.con.execute(table_view_sql(BRONZE_DATABASE, entry, files))
                self.tables[BRONZE_DATABASE].add(name)
                self.files += files

    def _create_views(self, files: list[Path]) -> None:
        """CREATE OR REPLACE every view; a view over another view is retried until nothing more succeeds."""
        pending = {f: self._view_statement(f) for f in files}
        while pending:
            failed = {}
            for file, (key, sql) in pending.items():
                try:
                    self.con.execute(sql)
                    self.tables.setdefault(key[0], set()).add(key[1])
                    self.view_errors.pop(key, None)
                except duckdb.Error as exc:
                    failed[file] = (key, sql)
                    self.view_errors[key] = sqltext._first_line(exc)
            if len(failed) == len(pending):
                break
            pending = failed

    def _view_statement(self, file: Path) -> tuple[tuple[str, str], str]:
        text = sqltext.substitute_databases(file.read_text(encoding="utf-8"), sqltext.database_names(), str(file))
        statement = sqltext.parse_trino(text, str(file))
        target = statement.find(sqltext.exp.Table)
        if target is None:
            raise FinlakeError(f"{file}: expected CREATE OR REPLACE VIEW <db>.<name> AS ...")
        key = (target.db.lower() or DEFAULT_DATABASE, target.name.lower())
        return key, sqltext.to_duckdb(statement)

    def check_tables(self, statement: sqltext.exp.Expression, source: str) -> None:
        for database, name in sqltext.table_references(statement):
            database = database or DEFAULT_DATABASE
            needed = sandbox.role_needed(database)
            if needed is not None and database not in self.databases:
                raise UsageError(
                    f"{database}.{name} in {source} needs --role {needed} "
                    f"(the {self.role} role reads {', '.join(self.databases)})"
                )
            if name in self.tables.get(database, set()):
                continue
            if (database, name) in self.view_errors:
                raise UsageError(f"view {database}.{name} could not be created: {self.view_errors[(database, name)]}")
            known = ", ".join(sorted(self.tables.get(database, set()))) or "none"
            raise UsageError(
                f"unknown table {database}.{name} in {source} ({database} holds: {known}{self._hint(database)})"
            )

    def _hint(self, database: str) -> str:
        if database == BRONZE_DATABASE:
            return "; run `finlake crawl` if it exists in the lake"
        if self.as_of is not None:
            return f"; as of {self.as_of.text}"
        return ""

    def prepare(self, query: QueryText, params: dict[str, str]) -> str:
        """The query as DuckDB SQL: databases filled in, parameters bound, dialect translated, the
        statement checked to be a read (`sandbox.check_read_only`) of tables the role may read."""
        text = sqltext.substitute_databases(query.sql, sqltext.database_names(), query.source)
        text = sqltext.bind_parameters(text, query.literals(params), query.source)
        statement = sqltext.parse_trino(text, query.source)
        sandbox.check_read_only(statement, query.source)
        self.check_tables(statement, query.source)
        return sqltext.to_duckdb(statement)

    def run(self, query: QueryText, params: dict[str, str] | None = None) -> Result:
        sql = self.prepare(query, params or {})
        try:
            cursor = self.con.execute(sql)
        except duckdb.ParserException as exc:
            raise UsageError(f"SQL syntax error in {query.source}: {sqltext._first_line(exc)}") from None
        except duckdb.Error as exc:
            raise FinlakeError(f"query {query.name} failed: {sqltext._first_line(exc)}") from None
        description = cursor.description or []
        return Result([d[0] for d in description], [str(d[1]) for d in description], cursor.fetchall())

    def profile(self, query: QueryText, params: dict[str, str] | None = None) -> dict[str, Any]:
        """Run the query under EXPLAIN ANALYZE and return its JSON profile (operators, files read).

        EXPLAIN ANALYZE returns the profile as a result row: no profiling setting to change and no
        output file to write, neither of which the locked-down connection would allow."""
        sql = self.prepare(query, params or {})
        try:
            row = self.con.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}").fetchone()
        except duckdb.Error as exc:
            raise FinlakeError(f"query {query.name} failed: {sqltext._first_line(exc)}") from None
        profile = json.loads(row[1]) if row is not None else {}
        if "operator" not in profile and "children" not in profile:  # DuckDB 2.0 cannot profile e.g. count(*)
            raise FinlakeError(f"query {query.name}: DuckDB returned no profile ({json.dumps(profile)})")
        return dict(profile)


def files_read(profile: dict[str, Any]) -> list[str]:
    """Every data file the profiled query's table scans actually opened."""
    found: list[str] = []

    def walk(node: dict[str, Any]) -> None:
        info = node.get("extra_info") or {}
        names = info.get("Filename(s)")
        if names:
            found.extend(names if isinstance(names, list) else re.split(r"\n|, ", str(names)))
        for child in node.get("children", []) + node.get("operator", []):  # DuckDB 1.x / 2.x layouts
            walk(child)

    walk(profile)
    return sorted(f.strip() for f in found if f.strip())
