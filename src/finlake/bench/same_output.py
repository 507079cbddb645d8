"""Do two lakes hold the same tables? How an optimisation shows it changed no output (issue 18).

Build one lake with the commit before a change and one with the commit after, from the same Bronze,
then compare every declared table whole, at its current snapshot:

    python -m finlake.bench.same_output LAKE_BEFORE LAKE_AFTER

PyIceberg plans each table's data files (no Spark), DuckDB compares their rows as multisets (`EXCEPT
ALL` both ways, so a duplicated or a lost row counts). Columns that name the run rather than the data
(run ids, scoring times) are left out. Exit status 0 when every table is the same, 1 when one differs.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from finlake.errors import FinlakeError
from finlake.lake import Lake
from finlake.query.iceberg_tables import SnapshotTable, lake_tables

RUN_COLUMNS = frozenset({"run_id", "scoring_run_id", "scored_at", "scored_date"})


@dataclass(frozen=True)
class TableDiff:
    name: str
    rows_before: int
    rows_after: int
    only_before: int  # rows (with multiplicity) the first lake has and the second has not
    only_after: int

    @property
    def same(self) -> bool:
        return self.only_before == 0 and self.only_after == 0

    def line(self) -> str:
        verdict = (
            "same" if self.same else f"DIFFERENT: {self.only_before:,} rows only before, {self.only_after:,} only after"
        )
        return f"{self.name}: {self.rows_before:,} vs {self.rows_after:,} rows, {verdict}"


def _relation(paths: Sequence[str], columns: Sequence[str]) -> str:
    selected = ", ".join(f'"{c}"' for c in columns)
    if not paths:  # a table without a snapshot: no rows, the same columns
        nulls = ", ".join(f'NULL AS "{c}"' for c in columns)
        return f"SELECT {selected} FROM (SELECT {nulls}) WHERE false"
    files = ", ".join("'" + p.replace("'", "''") + "'" for p in paths)
    return f"SELECT {selected} FROM read_parquet([{files}], union_by_name = true)"


def diff_files(name: str, before: Sequence[str], after: Sequence[str], columns: Sequence[str]) -> TableDiff:
    """Compare two sets of Parquet files holding the same table, as multisets of rows over `columns`."""
    con = duckdb.connect()
    a, b = _relation(before, columns), _relation(after, columns)

    def scalar(sql: str) -> int:
        row = con.execute(sql).fetchone()
        return int(row[0]) if row else 0

    return TableDiff(
        name,
        scalar(f"SELECT count(*) FROM ({a})"),
        scalar(f"SELECT count(*) FROM ({b})"),
        scalar(f"SELECT count(*) FROM ({a} EXCEPT ALL {b})"),
        scalar(f"SELECT count(*) FROM ({b} EXCEPT ALL {a})"),
    )


def compare_lakes(before: Lake, after: Lake) -> list[TableDiff]:
    """Every table either lake holds; a table only one of them has counts all its rows as different."""
    tables_before = {f"{t.database}.{t.name}": t for t in lake_tables(before)}
    tables_after = {f"{t.database}.{t.name}": t for t in lake_tables(after)}
    diffs = []
    for name in sorted(tables_before.keys() | tables_after.keys()):
        known = tables_before.get(name) or tables_after[name]
        columns = [c for c in known.contract.column_names if c not in RUN_COLUMNS]
        diffs.append(diff_files(name, _paths(tables_before.get(name)), _paths(tables_after.get(name)), columns))
    return diffs


def _paths(table: SnapshotTable | None) -> list[str]:
    return table.paths if table else []


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print("usage: python -m finlake.bench.same_output LAKE_BEFORE LAKE_AFTER", file=sys.stderr)
        return 2
    try:
        diffs = compare_lakes(Lake.local(args[0]), Lake.local(args[1]))
    except FinlakeError as exc:
        print(f"same_output: error: {exc}", file=sys.stderr)
        return 2
    if not diffs:
        print(f"same_output: error: neither lake has tables ({args[0]}, {args[1]})", file=sys.stderr)
        return 2
    for d in diffs:
        print(d.line())
    differing = [d.name for d in diffs if not d.same]
    print(
        f"{len(diffs) - len(differing)} of {len(diffs)} tables the same"
        + (f"; differ: {', '.join(differing)}" if differing else "")
    )
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
