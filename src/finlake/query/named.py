"""Named queries: `athena/<name>.sql`, each with a header comment saying what it answers.

Header format (comment lines before the SQL)::

    -- Question: Which customers of the latest scoring run are most likely to default?
    -- @param top_n integer How many customers to list (e.g. 20).

Parameters are Athena execution parameters: each `?` in the SQL is bound, in order, to the
`@param` lines in order (Athena's console prompts for them in that order; `finlake query --param
top_n=20` binds them by name). Types: string, month (YYYY-MM), date (YYYY-MM-DD), integer, double.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from finlake.catalog.definitions import project_dir
from finlake.errors import FinlakeError, UsageError

PARAM_TYPES = ("string", "month", "date", "integer", "double")
_PARAM_LINE = re.compile(r"--\s*@param\s+(\w+)\s+(\w+)\s*(.*)")
_QUESTION_LINE = re.compile(r"--\s*Question:\s*(.*)", re.IGNORECASE)
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    description: str

    def literal(self, value: str, query: str) -> str:
        """The value as a SQL literal (what Athena's ExecutionParameters expect), or a one-line error."""
        try:
            if self.type == "integer":
                return str(int(value))
            if self.type == "double":
                return repr(float(value))
            if self.type == "date":
                date.fromisoformat(value)
            if self.type == "month" and not _MONTH.fullmatch(value):
                raise ValueError("expected YYYY-MM")
        except ValueError:
            raise UsageError(f"parameter {self.name} of {query} must be a {self.type}, got {value!r}") from None
        return "'" + value.replace("'", "''") + "'"


@dataclass(frozen=True)
class QueryText:
    name: str
    sql: str
    params: tuple[Param, ...] = ()
    question: str = ""
    source: str = "--sql"

    def literals(self, values: dict[str, str]) -> list[str]:
        """Parameter values, in `?` order, as SQL literals; a missing or unknown one is an error."""
        unknown = sorted(set(values) - {p.name for p in self.params})
        if unknown:
            declared = ", ".join(p.name for p in self.params) or "none"
            raise UsageError(f"{self.name} has no parameter {unknown[0]} (its parameters: {declared})")
        missing = [p for p in self.params if p.name not in values]
        if missing:
            p = missing[0]
            raise UsageError(
                f"{self.name} needs parameter {p.name} ({p.type}: {p.description}); pass --param {p.name}=..."
            )
        return [p.literal(values[p.name], self.name) for p in self.params]


def parse_header(name: str, sql: str, source: str) -> QueryText:
    params, question = [], ""
    for line in sql.splitlines():
        stripped = line.strip()
        if not stripped.startswith("--"):
            if stripped:
                break
            continue
        if m := _PARAM_LINE.match(stripped):
            if m[2] not in PARAM_TYPES:
                raise FinlakeError(
                    f"{source}: parameter {m[1]} has type {m[2]!r}, expected one of {', '.join(PARAM_TYPES)}"
                )
            params.append(Param(m[1], m[2], m[3].strip()))
        elif m := _QUESTION_LINE.match(stripped):
            question = m[1].strip()
    return QueryText(name=name, sql=sql, params=tuple(params), question=question, source=source)


def athena_dir() -> Path:
    return project_dir() / "athena"


def named_queries(directory: Path | None = None) -> dict[str, QueryText]:
    folder = directory or athena_dir()
    return {p.stem: parse_header(p.stem, p.read_text(encoding="utf-8"), str(p)) for p in sorted(folder.glob("*.sql"))}


def named_query(name: str, directory: Path | None = None) -> QueryText:
    queries = named_queries(directory)
    if name not in queries:
        raise UsageError(f"unknown named query {name!r} (available: {', '.join(queries) or 'none'}; see --list)")
    return queries[name]


def query_file(path: str) -> QueryText:
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read SQL file {path}: {exc.strerror}") from None
    return parse_header(file.stem, text, path)


def view_files(directory: Path | None = None) -> list[Path]:
    return sorted((directory or athena_dir() / "views").glob("*.sql"))
