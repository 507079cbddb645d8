"""Do two lakes hold the same tables? How an optimisation shows it changed no output (issue 18).

Build one lake with the commit before a change and one with the commit after, from the same Bronze,
then compare every declared table whole, at its current snapshot:

    python -m finlake.bench.same_output LAKE_BEFORE LAKE_AFTER

PyIceberg plans each table's data files (no Spark), the local engine's view reads exactly those with
the declared types, and DuckDB compares their rows as multisets (`EXCEPT
ALL` both ways, so a duplicated or a lost row counts). Columns that name the run rather than the data
(run ids, scoring times) are left out. Exit status 0 when every table is the same, 1 when one differs.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from finlake.errors import FinlakeError
from finlake.lake import Lake
from finlake.query.iceberg_tables import SnapshotTable, lake_tables
from finlake.query.local import iceberg_view_sql

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


def diff_relations(
    con: duckdb.DuckDBPyConnection, name: str, before: str, after: str, columns: Sequence[str]
) -> TableDiff:
    """Compare two relations (tables or views on `con`) as multisets of rows over `columns`."""
    selected = ", ".join(f'"{c}"' for c in columns)
    a, b = f"SELECT {selected} FROM {before}", f"SELECT {selected} FROM {after}"
    row = con.execute(
        f"SELECT (SELECT count(*) FROM {before}), (SELECT count(*) FROM {after}), "
        f"(SELECT count(*) FROM ({a} EXCEPT ALL {b})), (SELECT count(*) FROM ({b} EXCEPT ALL {a}))"
    ).fetchone() or (0, 0, 0, 0)
    return TableDiff(name, *(int(n) for n in row))


def compare_lakes(before: Lake, after: Lake) -> list[TableDiff]:
    """Every table either lake holds, each read through the local engine's view over exactly its
    snapshot's files (`query.local.iceberg_view_sql`); a table only one lake has is compared with
    an empty one, so all its rows count as different."""
    con = duckdb.connect()
    sides = {"before": _tables(before), "after": _tables(after)}
    diffs = []
    for name in sorted(sides["before"].keys() | sides["after"].keys()):
        known = sides["before"].get(name) or sides["after"][name]
        columns = [c for c in known.contract.column_names if c not in RUN_COLUMNS]
        try:
            views = [_view(con, side, tables.get(name), known) for side, tables in sides.items()]
            diffs.append(diff_relations(con, name, views[0], views[1], columns))
        except duckdb.Error as exc:  # e.g. a data file the catalog names is gone; DuckDB adds the SQL below
            raise FinlakeError(f"{name}: {str(exc).splitlines()[0]}") from None
    return diffs


def _view(con: duckdb.DuckDBPyConnection, side: str, table: SnapshotTable | None, known: SnapshotTable) -> str:
    """`<side>_<database>.<table>`: the table's snapshot, or no rows when this lake lacks the table."""
    table = table or dataclasses.replace(known, snapshot_id=None, rows=0, files=())
    schema = f"{side}_{table.database}"
    con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    con.execute(iceberg_view_sql(schema, table))
    return f'"{schema}"."{table.name}"'


def _tables(lake: Lake) -> dict[str, SnapshotTable]:
    return {f"{t.database}.{t.name}": t for t in lake_tables(lake)}


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
