"""What `finlake query` may do locally: read the tables its role may read, and nothing else.

Two layers, so that a gap in one is closed by the other (issue 21 item 7):

1. `check_read_only`, before DuckDB sees the text: the parsed Athena statement must be one SELECT
   (WITH ..., VALUES, UNION ...) whose FROM items are tables by name, UNNEST or subqueries. No table
   function anywhere (read_csv, read_parquet, glob, query, duckdb_settings, ...), no statement nested
   anywhere (COPY, ATTACH, INSTALL/LOAD, SET/RESET, PRAGMA, CREATE, DROP, INSERT, UPDATE, DELETE, ...).
2. `lock_down`, in DuckDB once the engine has made its views: external access off except exactly the
   data files those views read (`allowed_paths`), extensions neither installed nor loaded, and the
   configuration locked so that no SET can undo any of it.

Roles: an analyst reads Silver (public) and Gold; Bronze, the quarantine and silver_restricted hold
personal data as delivered and need the engineer role, as on AWS (the analyst IAM role in Terraform).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

import duckdb
from sqlglot import exp

from finlake.errors import UsageError

ROLES: dict[str, tuple[str, ...]] = {
    "analyst": ("silver", "gold"),
    "engineer": ("bronze", "silver", "silver_restricted", "quarantine", "gold"),
}
DEFAULT_ROLE = "analyst"

_READS = (exp.Select, exp.SetOperation, exp.Values)
# Statement nodes sqlglot can put anywhere in a tree (a CTE may hold an INSERT): none may appear.
_STATEMENT_NAMES = (  # noqa: SIM905 - a list literal would take 28 lines
    "DDL DML Command Copy Set Pragma Use Alter Transaction Commit Rollback Describe Attach Detach Install "
    "Export Drop Kill LoadData Cache Uncache Refresh Grant Revoke Analyze Show Summarize Declare"
).split()
_STATEMENTS = tuple(getattr(exp, n) for n in _STATEMENT_NAMES if hasattr(exp, n))


def check_role(role: str) -> tuple[str, ...]:
    """The databases `role` may read; a one-line error for an unknown role."""
    if role not in ROLES:
        raise UsageError(f"unknown role {role!r}: expected one of {', '.join(ROLES)}")
    return ROLES[role]


def role_needed(database: str) -> str | None:
    """The least role that may read `database` (None: no role may, it is not a database of the lake)."""
    return next((role for role, databases in ROLES.items() if database in databases), None)


@functools.cache
def _table_functions() -> frozenset[str]:
    """DuckDB's table functions that have no scalar or aggregate namesake (`range` has one: kept)."""
    rows = (
        duckdb.connect(":memory:")
        .execute(
            "SELECT function_name FROM duckdb_functions() WHERE function_type IN ('table', 'table_macro') "
            "EXCEPT SELECT function_name FROM duckdb_functions() WHERE function_type IN ('scalar', 'aggregate', 'macro')"
        )
        .fetchall()
    )
    return frozenset(name.lower() for (name,) in rows) - {"unnest"}


def _function_name(node: exp.Func) -> str:
    return (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()


def _kind(node: exp.Expression) -> str:
    if isinstance(node, exp.Command):
        return str(node.this).upper()
    return node.key.upper()


def check_read_only(statement: exp.Expression, source: str) -> None:
    """One read of tables by name, or a one-line error naming what is not allowed."""
    root = statement
    while isinstance(root, exp.Subquery):
        root = root.this
    if not isinstance(root, _READS):
        raise UsageError(f"{source}: only a SELECT (WITH, VALUES, UNION) runs locally, not {_kind(statement)}")
    for node in statement.walk():
        if isinstance(node, _STATEMENTS):
            raise UsageError(f"{source}: only a SELECT runs locally; {_kind(node)} is not allowed")
        if isinstance(node, exp.Table) and not isinstance(node.this, exp.Identifier):
            raise UsageError(
                f"{source}: table functions are not allowed ({node.this.sql('trino')}): read tables by name"
            )
        if isinstance(node, exp.Table) and node.catalog:
            raise UsageError(f"{source}: name tables as <database>.<table>, without a catalog ({node.sql('trino')})")
        if isinstance(node, exp.Lateral) and not isinstance(node.this, exp.Subquery):
            raise UsageError(f"{source}: LATERAL takes a subquery only ({node.this.sql('trino')})")
        if isinstance(node, exp.Func) and _function_name(node) in _table_functions():
            raise UsageError(f"{source}: table functions are not allowed ({_function_name(node)}): read tables by name")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def lock_down(con: duckdb.DuckDBPyConnection, files: Iterable[str]) -> None:
    """From now on `con` opens exactly `files` and no other file, and its settings cannot change."""
    allowed = "[" + ", ".join(_literal(f) for f in sorted(set(files))) + "]"
    con.execute(f"SET allowed_paths = {allowed}")
    con.execute("SET enable_external_access = false")  # no other file, COPY, ATTACH, INSTALL, LOAD
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    con.execute("SET lock_configuration = true")  # last: every SET/RESET/PRAGMA that changes a setting fails
