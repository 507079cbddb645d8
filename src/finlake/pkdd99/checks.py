"""Count the imported rows that break the Bronze contract, by the reason Silver will give them.

The importer does not repair genuinely invalid source rows (a 0.00 amount stays 0.00); it writes
them as they are, and records here how many Silver should quarantine and why, so the Silver run
report can be reconciled with the import manifest. The rules are read from the contract
declaration (required, codes, numeric range, date types, foreign keys), like Silver's.
"""

from __future__ import annotations

import duckdb

from finlake.contracts.bronze import ENTITIES
from finlake.contracts.model import Column, Entity


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _column_conditions(col: Column) -> dict[str, str]:
    """Reason code -> SQL condition that is true when this column gives the row that reason."""
    ref = f'"{col.name}"'
    present = f"{ref} IS NOT NULL"
    found: dict[str, str] = {}
    if col.required:
        found["MISSING_REQUIRED"] = f"{ref} IS NULL"
    if col.codes:
        found["UNKNOWN_CODE"] = f"{present} AND upper(trim({ref})) NOT IN ({', '.join(map(_lit, col.codes))})"
    if col.type in ("date", "timestamp"):
        found["BAD_DATE"] = f"{present} AND try_cast({ref} AS {col.type.upper()}) IS NULL"
    elif col.type.startswith("decimal") or col.type in ("int", "bigint", "double"):
        parsed = f"try_cast({ref} AS {col.type.upper()})"
        found["BAD_NUMBER"] = f"{present} AND {parsed} IS NULL"
        bounds = []
        if col.min_value is not None:
            bounds.append(f"{parsed} < {col.min_value!r}")
        if col.max_value is not None:
            bounds.append(f"{parsed} > {col.max_value!r}")
        if bounds:
            found["OUT_OF_RANGE"] = f"({' OR '.join(bounds)})"
    return found


def _conditions(entity: Entity) -> dict[str, str]:
    by_reason: dict[str, list[str]] = {}
    for col in entity.columns:
        for reason, condition in _column_conditions(col).items():
            by_reason.setdefault(reason, []).append(f"coalesce({condition}, false)")
    return {reason: " OR ".join(parts) for reason, parts in by_reason.items()}


def _orphan_condition(entity: Entity, table: str) -> str | None:
    parts = [
        f'(t."{fk.column}" IS NOT NULL AND t."{fk.column}" NOT IN '
        f'(SELECT "{fk.parent_column}" FROM {table.format(fk.parent)} WHERE "{fk.parent_column}" IS NOT NULL))'
        for fk in entity.foreign_keys
    ]
    return " OR ".join(parts) if parts else None


def contract_violations(con: duckdb.DuckDBPyConnection, name: str, table: str = "out_{}") -> dict[str, int]:
    """Rows of `table.format(name)` per reason they break the contract, plus `rows` (any reason).

    As in Silver, ORPHAN_FK is counted only on rows that are otherwise valid. Each condition is
    evaluated once per row (as a flag column), then counted.
    """
    entity = ENTITIES[name]
    flags = _conditions(entity)  # reason -> condition on the Bronze columns
    orphan = _orphan_condition(entity, table)
    if orphan:
        flags["ORPHAN_FK"] = f"coalesce({orphan}, false)"
    per_row = {reason: reason for reason in flags}  # reason -> condition on the flag columns
    if orphan:
        others = " OR ".join(r for r in flags if r != "ORPHAN_FK") or "false"
        per_row["ORPHAN_FK"] = f"ORPHAN_FK AND NOT ({others})"
    flag_columns = ", ".join(f"({condition}) AS {reason}" for reason, condition in flags.items())
    counts = ", ".join(f"count(*) FILTER (WHERE {condition}) AS {reason}" for reason, condition in per_row.items())
    any_reason = " OR ".join(flags) or "false"
    sql = (
        f"SELECT count(*) FILTER (WHERE {any_reason}) AS rows, {counts} "
        f"FROM (SELECT {flag_columns} FROM {table.format(name)} t)"
    )
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    values = cursor.fetchone() or ()
    return {n: int(v) for n, v in zip(names, values, strict=True) if n == "rows" or v}
