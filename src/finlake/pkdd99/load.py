"""Read the PKDD'99 files into DuckDB tables `src_<table>`, every value a cleaned string.

DuckDB reads each file with an explicit all-VARCHAR schema (no type inference, so ids stay
strings and `"706213"` keeps its digits), handles the CRLF line ends and the quoting, and fails on
a line with the wrong number of fields. Cleaning is one rule for every field: trimmed, and the
blank variants (`""`, `" "`, an empty field) and `?` become NULL (SOURCE.md, "Missing or blank
values"). Dates stay YYMMDD text here; `mapping` turns them into ISO dates.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from finlake.errors import UsageError
from finlake.pkdd99.source import HEADERS, SourceFiles

MACROS = (
    # NULL for every blank variant and for '?', the source's "unknown" marker.
    "CREATE OR REPLACE MACRO clean(x) AS nullif(nullif(trim(x), ''), '?')",
    # YYMMDD (all 19YY) -> DATE; NULL when the text is not such a date.
    "CREATE OR REPLACE MACRO yymmdd(x) AS "
    "CASE WHEN regexp_full_match(x, '[0-9]{6}') THEN CAST(try_strptime('19' || x, '%Y%m%d') AS DATE) END",
    # The ISO date, or the raw text when it does not parse, so Silver quarantines it as BAD_DATE.
    "CREATE OR REPLACE MACRO iso_date(x) AS coalesce(strftime(yymmdd(x), '%Y-%m-%d'), x)",
)


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _read_sql(table: str, path: Path) -> str:
    columns = HEADERS[table]
    schema = ", ".join(f"{_sql_string(c)}: 'VARCHAR'" for c in columns)
    cleaned = ", ".join(f'clean("{c}") AS "{c}"' for c in columns)
    return (
        f"CREATE OR REPLACE TABLE src_{table} AS SELECT {cleaned} FROM read_csv({_sql_string(str(path))}, "
        f"delim=';', quote='\"', escape='\"', header=true, auto_detect=false, columns={{{schema}}})"
    )


def _describe(exc: duckdb.Error) -> str:
    """DuckDB's multi-line CSV error cut to one line: where it failed, and the field count if that is why."""
    lines = [line.strip() for line in str(exc).strip().splitlines()]
    useful = [lines[0], *(line for line in lines[1:] if line.startswith("Expected Number of Columns"))]
    return "; ".join(useful)


def load_sources(con: duckdb.DuckDBPyConnection, files: SourceFiles) -> dict[str, int]:
    """Create `src_<table>` for every source file; return the data rows read per table."""
    for macro in MACROS:
        con.execute(macro)
    rows: dict[str, int] = {}
    for table, path in files.paths.items():
        try:
            con.execute(_read_sql(table, path))
        except duckdb.Error as exc:
            raise UsageError(f"{path}: cannot be read as a PKDD'99 file: {_describe(exc)}") from None
        (rows[table],) = con.execute(f"SELECT count(*) FROM src_{table}").fetchone() or (0,)
    return rows
