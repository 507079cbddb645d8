"""SQL text handling shared by the local engine and the Athena runner.

- Databases appear in the .sql files only as `${bronze_db}`, `${silver_db}`, `${gold_db}` (the
  placeholders Terraform's templatefile fills); locally they become `bronze`, `silver`, `gold`.
- Parameters are Athena's `?` execution parameters; locally each `?` token (found by sqlglot's
  tokenizer, so a '?' inside a string or comment is left alone) is replaced by the value's literal.
- The Athena (Trino) dialect is translated to DuckDB's by sqlglot, never by hand.
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp
from sqlglot.dialects.trino import Trino
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import TokenType

from finlake.contracts.model import Layer
from finlake.errors import UsageError

LOCAL_DATABASES = {f"{layer}_db": str(layer) for layer in Layer}
_TEMPLATE = re.compile(r"\$\{(\w+)\}")


def database_names(prefix: str = "") -> dict[str, str]:
    """Template variable -> database name: {"gold_db": "gold"} locally, "finlake_dev_gold" with a prefix."""
    return {var: prefix + name for var, name in LOCAL_DATABASES.items()}


def substitute_databases(sql: str, names: dict[str, str], source: str) -> str:
    def replace(match: re.Match[str]) -> str:
        if match[1] not in names:
            raise UsageError(f"{source}: unknown placeholder ${{{match[1]}}} (only {', '.join(names)})")
        return names[match[1]]

    text = _TEMPLATE.sub(replace, sql)
    if "${" in text or "%{" in text:
        raise UsageError(
            f"{source}: stray '${{' or '%{{' (only ${{bronze_db}}, ${{silver_db}}, ${{gold_db}} are allowed)"
        )
    return text


def _tokens(sql: str, source: str) -> list:  # type: ignore[type-arg]
    try:
        return list(Trino().tokenize(sql))
    except TokenError as exc:
        raise UsageError(f"SQL syntax error in {source}: {_first_line(exc)}") from None


def placeholder_count(sql: str, source: str) -> int:
    return sum(1 for t in _tokens(sql, source) if t.token_type == TokenType.PLACEHOLDER)


def bind_parameters(sql: str, literals: list[str], source: str) -> str:
    """Replace the `?` placeholders, in order, by the given SQL literals."""
    positions = [t for t in _tokens(sql, source) if t.token_type == TokenType.PLACEHOLDER]
    if len(positions) != len(literals):
        raise UsageError(f"{source} has {len(positions)} '?' placeholders but {len(literals)} declared parameters")
    for token, literal in zip(reversed(positions), reversed(literals), strict=True):
        sql = sql[: token.start] + literal + sql[token.end + 1 :]
    return sql


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return " ".join(text.splitlines()[0].split()) if text else type(exc).__name__


def parse_trino(sql: str, source: str) -> exp.Expression:
    """One statement in the Athena (Trino) dialect, or a one-line syntax error naming the source."""
    try:
        statements = [s for s in sqlglot.parse(sql, read="trino") if s is not None]
    except (ParseError, TokenError) as exc:
        raise UsageError(f"SQL syntax error in {source}: {_first_line(exc)}") from None
    if len(statements) != 1:
        raise UsageError(f"{source} must hold exactly one SQL statement, found {len(statements)}")
    return statements[0]


def to_duckdb(statement: exp.Expression) -> str:
    return statement.sql(dialect="duckdb")


def table_references(statement: exp.Expression) -> list[tuple[str, str]]:
    """(database, table) of every table the statement reads, except its own CTEs; database may be ''."""
    ctes = {cte.alias_or_name.lower() for cte in statement.find_all(exp.CTE)}
    created = statement.find(exp.Table) if isinstance(statement, exp.Create) else None
    refs = []
    for table in statement.find_all(exp.Table):
        if table is created or not table.name or isinstance(table.this, exp.Func):
            continue
        if not table.db and table.name.lower() in ctes:
            continue
        refs.append((table.db.lower(), table.name.lower()))
    return refs
