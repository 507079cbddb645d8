"""Controlled dirt: defects, re-deliveries and fixable noise, each row tagged with what it got.

Rules that let Silver's counts reconcile exactly with the manifest:
- a row carries at most one defect, and its reason is the one the contract's precedence gives
  (OUT_OF_RANGE only on values that parse, ORPHAN_FK only on rows otherwise valid);
- a defective row is an EXTRA row, never a replacement: for transactions it has a fresh
  transaction_id no clean row uses; for change entities it is an extra version (updated_at a few
  minutes after a clean version of the same key, same ingest day), so quarantining it never
  orphans a child and never hides a clean version;
- a duplicate is an exact copy of a clean, unmodified transaction, delivered the same day or later;
- whitespace and lower-case codes go on clean rows only (Silver trims and upper-cases them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from finlake.contracts import bronze
from finlake.contracts.model import Column, Entity, RecordKind
from finlake.generate.records import Records
from finlake.generate.timeline import stream

# How dirty rows split, per entity kind: (defects, duplicates, normalised) as shares of dirty rows.
SPLIT = {RecordKind.EVENT: (0.45, 0.2, 0.35), RecordKind.CHANGE: (0.55, 0.0, 0.45)}
REASON_WEIGHTS = {
    "MISSING_REQUIRED": 0.2,
    "BAD_DATE": 0.15,
    "BAD_NUMBER": 0.15,
    "UNKNOWN_CODE": 0.2,
    "OUT_OF_RANGE": 0.15,
    "ORPHAN_FK": 0.15,
}
UNKNOWN_CODES = {
    "gender": ("U", "N/D"),
    "employment_status": ("FREELANCE", "HOMEMAKER"),
    "segment": ("VIP", "SME"),
    "account_type": ("CRYPTO", "TERM_DEPOSIT"),
    "currency": ("ZZZ", "EURO"),
    "status": ("PENDING", "IN_ARREARS", "DORMANT"),
    "loan_type": ("PAYDAY", "LEASING"),
    "direction": ("REFUND", "REVERSAL"),
    "channel": ("CHEQUE", "CRYPTO"),
    "role": ("GUARANTOR", "CO_SIGNER"),
    "card_type": ("PLATINUM", "PREPAID"),
}
# Parent keys that never exist: clean ids are C + 7 digits, A and D + 8 digits; these have one more.
ORPHAN_PREFIX = {"customers": ("C9", 7), "accounts": ("A9", 8), "dispositions": ("D9", 8)}
DRIFT_COLUMNS = {
    "transactions": ("device_type", ("MOBILE", "WEB", "POS")),
    "customers": ("preferred_language", ("EN", "DE", "FR", "CS")),
}


@dataclass(frozen=True)
class Delivered:
    """An entity's rows as delivered, clean and dirty, in delivery order, with what each one is."""

    entity: Entity
    table: pa.Table
    ingest: np.ndarray  # day number
    reason: np.ndarray  # quarantine reason code, "" for a valid row
    duplicate: np.ndarray  # bool: a re-delivered copy of a clean row
    normalised: np.ndarray  # "", "whitespace" or "lower_case"


def applicable_columns(entity: Entity, reason: str) -> list[str]:
    """The columns of this entity a defect of this reason can go on (read from the contract)."""
    cols = entity.columns
    if reason == "MISSING_REQUIRED":
        return [c.name for c in cols if c.required]
    if reason == "BAD_DATE":
        return [c.name for c in cols if c.type in ("date", "timestamp")]
    if reason == "BAD_NUMBER":
        return [c.name for c in cols if _is_number(c)]
    if reason == "UNKNOWN_CODE":
        return [c.name for c in cols if c.codes]
    if reason == "OUT_OF_RANGE":
        return [c.name for c in cols if _is_number(c) and (c.min_value is not None or c.max_value is not None)]
    if reason == "ORPHAN_FK":
        return [fk.column for fk in entity.foreign_keys]
    raise ValueError(f"no defect for reason {reason}")


def _is_number(c: Column) -> bool:
    return c.type.startswith("decimal") or c.type in ("int", "bigint", "double")


def _fill(values: pa.Array, default: str) -> pa.Array:
    return pc.fill_null(values, pa.scalar(default))


def defect_values(entity: Entity, column: str, reason: str, values: pa.Array, rng: np.random.Generator) -> pa.Array:
    """Replacement values that give exactly `reason` for `column` (given otherwise valid rows)."""
    n = len(values)
    col = entity.column(column) if reason != "ORPHAN_FK" else None
    variant = pa.array(rng.integers(0, 3, n))
    if reason == "MISSING_REQUIRED":
        return pa.nulls(n, pa.string())
    if reason == "BAD_DATE":
        v = _fill(values, "2023-12-31T00:00:00" if col and col.type == "timestamp" else "2023-12-31")
        day_first = pc.binary_join_element_wise(  # 31/12/2023: day first, slashes
            pc.utf8_slice_codeunits(v, 8, 10), pc.utf8_slice_codeunits(v, 5, 7), pc.utf8_slice_codeunits(v, 0, 4), "/"
        )
        dotted = pc.replace_substring(v, "-", ".")  # 2023.12.31
        return pc.choose(variant, day_first, dotted, pa.scalar("TBD"))
    if reason == "BAD_NUMBER":
        v = _fill(values, "12.50")
        if col and col.type in ("int", "bigint"):
            return pc.if_else(
                pc.equal(variant, 0),
                pc.binary_join_element_wise(v, pa.scalar("months"), " "),
                pc.binary_join_element_wise(v, pa.scalar("x"), ""),
            )
        comma = pc.replace_substring(v, ".", ",")  # 12,50: a decimal comma
        prefixed = pc.binary_join_element_wise(pa.scalar("EUR"), v, " ")
        return pc.choose(variant, comma, prefixed, pc.binary_join_element_wise(v, pa.scalar("-"), ""))
    if reason == "UNKNOWN_CODE":
        options = UNKNOWN_CODES.get(column, ("ZZ",))
        return pa.array(np.array(options)[rng.integers(0, len(options), n)], type=pa.string())
    if reason == "OUT_OF_RANGE":
        assert col is not None
        if col.min_value is not None and col.min_value >= 0:  # a negative value where none may be
            positive = pc.if_else(pc.starts_with(_fill(values, "0"), "0"), pa.scalar("1"), _fill(values, "1"))
            return pc.binary_join_element_wise(pa.scalar("-"), positive, "")
        assert col.max_value is not None
        return pa.array([f"{col.max_value * 2:.2f}"] * n, type=pa.string())
    if reason == "ORPHAN_FK":
        parent = next(fk.parent for fk in entity.foreign_keys if fk.column == column)
        prefix, width = ORPHAN_PREFIX[parent]
        digits = pc.utf8_lpad(pa.array(rng.integers(0, 10**width, n)).cast(pa.string()), width, "0")
        return pc.binary_join_element_wise(pa.scalar(prefix), digits, "")
    raise ValueError(reason)


def _replace_rows(table: pa.Table, column: str, rows: np.ndarray, values: pa.Array) -> pa.Table:
    """`table` with `column` set to `values` on the given row positions."""
    if rows.size == 0:
        return table
    full = table[column].combine_chunks()
    position = np.full(table.num_rows, -1)
    position[rows] = np.arange(rows.size)
    patched = pc.if_else(pa.array(position >= 0), values.take(pa.array(np.maximum(position, 0))), full)
    return table.set_column(table.column_names.index(column), column, patched)


def _later(timestamps: pa.Array, seconds: np.ndarray) -> pa.Array:
    parsed = pc.strptime(timestamps, format="%Y-%m-%dT%H:%M:%S", unit="s")
    moved = pc.add(parsed, pa.array(seconds.astype("timedelta64[s]")))
    return pc.replace_substring(moved.cast(pa.string()), " ", "T")


class Dirt:
    def __init__(self, records: Records, dirty_rate: float, seed: int, last_ingest: int):
        self.r = records
        self.e = records.entity
        self.rate = dirty_rate
        self.rng = stream(seed, f"dirt-{self.e.name}")
        self.last_ingest = last_ingest

    def counts(self) -> tuple[int, int, int]:
        n_dirty = self.rate * self.r.table.num_rows
        defects, duplicates, normalised = SPLIT[self.e.kind]
        return round(n_dirty * defects), round(n_dirty * duplicates), round(n_dirty * normalised)

    def reasons(self) -> list[str]:
        return [r for r in REASON_WEIGHTS if applicable_columns(self.e, r)]

    def apply(self) -> Delivered:
        n = self.r.table.num_rows
        n_defects, n_dups, n_norm = self.counts()
        rng = self.rng
        # Disjoint clean rows for re-delivery and normalisation; defects copy any clean row.
        pool = rng.permutation(n)
        dup_source = np.sort(pool[: min(n_dups, n)])
        norm_rows = np.sort(pool[min(n_dups, n) : min(n_dups + n_norm, n)])
        defect_source = rng.integers(0, n, n_defects) if n else np.zeros(0, dtype=np.int64)

        defects, defect_reason = self._defects(defect_source)
        clean, norm_kind = self._normalise(self.r.table, norm_rows)
        dups = self.r.table.take(pa.array(dup_source))
        dup_ingest = self._redelivery_day(self.r.ingest[dup_source])

        tables = [clean, dups, defects]
        ingest = np.concatenate([self.r.ingest, dup_ingest, self.r.ingest[defect_source]])
        # Injected rows are slotted in among the clean ones, near the row they came from.
        position = np.concatenate(
            [np.arange(n, dtype=float), dup_source + rng.random(dup_source.size), defect_source + rng.random(n_defects)]
        )
        normalised = np.full(n, "", dtype=object)
        normalised[norm_rows] = norm_kind
        order = np.lexsort((position, ingest))
        return Delivered(
            entity=self.e,
            table=pa.concat_tables(tables).take(pa.array(order)),
            ingest=ingest[order],
            reason=np.concatenate([np.full(n + dup_source.size, "", dtype=object), defect_reason])[order],
            duplicate=np.concatenate([np.zeros(n, bool), np.ones(dup_source.size, bool), np.zeros(n_defects, bool)])[
                order
            ],
            normalised=np.concatenate([normalised, np.full(dup_source.size + n_defects, "", dtype=object)])[order],
        )

    def _redelivery_day(self, day: np.ndarray) -> np.ndarray:
        later = day + self.rng.integers(0, np.maximum(self.last_ingest - day, 0) + 1)
        return np.where(self.rng.random(day.size) < 0.4, day, later)

    def _defects(self, source: np.ndarray) -> tuple[pa.Table, np.ndarray]:
        rng = self.rng
        table = self.r.table.take(pa.array(source))
        reasons = self.reasons()
        weights = np.array([REASON_WEIGHTS[r] for r in reasons])
        reason = np.array(reasons, dtype=object)[rng.choice(len(reasons), source.size, p=weights / weights.sum())]
        if self.e.kind is RecordKind.EVENT:  # a fresh key, past every clean one
            key = pa.array(self.r.table.num_rows + 1 + np.arange(source.size)).cast(pa.string())
            fresh = pc.binary_join_element_wise(pa.scalar("T"), pc.utf8_lpad(key, 10, "0"), "")
            table = _replace_rows(table, self.e.key, np.arange(source.size), fresh)
        else:  # an extra version, minutes after the clean one it copies
            version = self.e.version_column
            assert version is not None
            moved = _later(table[version].combine_chunks(), rng.integers(60, 3600, source.size))
            table = _replace_rows(table, version, np.arange(source.size), moved)
        for r in reasons:  # a loop over the few reasons and columns, each vectorised over rows
            columns = applicable_columns(self.e, r)
            rows = np.flatnonzero(reason == r)
            column = np.array(columns)[rng.integers(0, len(columns), rows.size)]
            for col in columns:
                at = rows[column == col]
                if at.size:
                    values = table[col].combine_chunks().take(pa.array(at))
                    table = _replace_rows(table, col, at, defect_values(self.e, col, r, values, rng))
        return table, reason.astype(object)

    def _normalise(self, table: pa.Table, rows: np.ndarray) -> tuple[pa.Table, np.ndarray]:
        """Stray spaces (never tabs: Spark's trim only removes spaces) or lower case on a code."""
        rng = self.rng
        code_columns = [c.name for c in self.e.columns if c.codes and c.required]
        kind = np.where(rng.random(rows.size) < 0.5, "whitespace", "lower_case")
        column = np.array(code_columns)[rng.integers(0, len(code_columns), rows.size)]
        for col in code_columns:
            for k in ("whitespace", "lower_case"):
                at = rows[(column == col) & (kind == k)]
                if not at.size:
                    continue
                values = table[col].combine_chunks().take(pa.array(at))
                if k == "lower_case":
                    new = pc.utf8_lower(values)
                else:
                    pad = pa.array(np.array([" ", "  ", "   "])[rng.integers(0, 3, at.size)])
                    new = pc.choose(
                        pa.array(rng.integers(0, 3, at.size)),
                        pc.binary_join_element_wise(pad, values, ""),
                        pc.binary_join_element_wise(values, pad, ""),
                        pc.binary_join_element_wise(pad, values, pad, ""),
                    )
                table = _replace_rows(table, col, at, new)
        return table, kind


def make_dirty(records: Records, dirty_rate: float, seed: int, last_ingest: int) -> Delivered:
    return Dirt(records, dirty_rate, seed, last_ingest).apply()


def check_vocabulary() -> None:
    """Unknown codes must really be unknown, even after trimming and upper-casing."""
    for entity in bronze.ENTITIES.values():
        for c in entity.columns:
            for value in UNKNOWN_CODES.get(c.name, ()):
                if c.codes and value.strip().upper() in c.codes:
                    raise AssertionError(f"{value} is a valid {entity.name}.{c.name} code")
