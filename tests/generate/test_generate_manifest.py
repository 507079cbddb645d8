"""The manifest says exactly what is in the files: recounted here from the CSVs, independently.

The reference check below re-derives every row's fate from the contract declaration alone (the way
Silver is specified to), without using any of the generator's code: required fields, date and
number formats, codes after trim + upper-case, ranges, parent keys; then duplicates and superseded
versions, for one run over all days and for day-by-day runs.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from datetime import date, datetime
from itertools import pairwise
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as csv
import pytest

from finlake.contracts.bronze import DUPLICATE_KINDS, ENTITIES, ENTITY_ORDER, REASONS
from finlake.contracts.model import Column, Entity, RecordKind

DECIMAL = re.compile(r"-?\d+(\.\d+)?")
INTEGER = re.compile(r"-?\d+")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")


def _manifest(root: str) -> dict:
    return json.loads((Path(root) / "_generator" / "manifest.json").read_text())


def _read(path: Path) -> pa.Table:
    names = csv.read_csv(path, read_options=csv.ReadOptions(block_size=1 << 26)).column_names
    return csv.read_csv(
        path,
        convert_options=csv.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=True),
    )


def load_rows(root: str, entity: str) -> list[tuple[str, dict[str, str | None]]]:
    """(ingest_date, row) for every row of the entity, in file order, days in order."""
    rows = []
    for path in sorted(Path(root, "bronze", entity).glob("ingest_date=*/*.csv")):
        day = path.parent.name.split("=", 1)[1]
        rows.extend((day, r) for r in _read(path).to_pylist())
    return rows


def _parses(column: Column, value: str) -> bool:
    try:
        if column.type == "date":
            return bool(DATE.fullmatch(value)) and bool(date.fromisoformat(value))
        if column.type == "timestamp":
            return bool(TIMESTAMP.fullmatch(value)) and bool(datetime.fromisoformat(value))
    except ValueError:
        return False
    if column.type.startswith("decimal"):
        return bool(DECIMAL.fullmatch(value))
    if column.type in ("int", "bigint"):
        return bool(INTEGER.fullmatch(value))
    return True


def reasons_for(entity: Entity, row: dict[str, str | None], parents: dict[str, set[str]]) -> set[str]:
    """Every reason the contract gives this row (OUT_OF_RANGE on parsed values, ORPHAN_FK on valid rows)."""
    found = set()
    for c in entity.columns:
        raw = row.get(c.name)
        value = (raw or "").strip()
        if not value:
            if c.required:
                found.add("MISSING_REQUIRED")
            continue
        if not _parses(c, value):
            found.add("BAD_DATE" if c.type in ("date", "timestamp") else "BAD_NUMBER")
            continue
        if c.codes and value.upper() not in c.codes:
            found.add("UNKNOWN_CODE")
        if c.min_value is not None or c.max_value is not None:
            number = float(value)
            low = c.min_value if c.min_value is not None else float("-inf")
            high = c.max_value if c.max_value is not None else float("inf")
            if not low <= number <= high:
                found.add("OUT_OF_RANGE")
    if not found:
        for fk in entity.foreign_keys:
            if (row[fk.column] or "").strip() not in parents[fk.parent]:
                found.add("ORPHAN_FK")
    return found


def recount(root: str, days: list[str] | None = None, state: dict[str, set[str]] | None = None) -> dict[str, dict]:
    """What a Silver run over the given ingest days (all, if None) should report, entity by entity.

    `state` holds the valid keys written by earlier runs (parents for the orphan check, and
    transaction ids for re-deliveries); it is updated, so runs can be chained day by day.
    """
    state = defaultdict(set) if state is None else state
    result: dict[str, dict] = {}
    for name in ENTITY_ORDER:
        entity = ENTITIES[name]
        rows = [(d, r) for d, r in load_rows(root, name) if days is None or d in days]
        quarantine: Counter[str] = Counter()
        keys = []
        for _, row in rows:
            found = reasons_for(entity, row, state)
            assert len(found) <= 1, f"{name}: a row with several defects {found}: {row}"
            if found:
                quarantine[found.pop()] += 1
            else:
                keys.append((row[entity.key] or "").strip())
        duplicates = {k: 0 for k in DUPLICATE_KINDS.codes}
        if entity.kind is RecordKind.EVENT:  # repeated in this run, or already written by an earlier one
            new = {k for k in keys if k not in state[name]}
            duplicates["DUPLICATE_DELIVERY"] = len(keys) - len(new)
        else:  # versions overtaken within this run
            new = set(keys)
            duplicates["SUPERSEDED"] = len(keys) - len(new)
        state[name] |= new
        result[name] = {
            "rows": len(rows),
            "written": len(new),
            "quarantine": {code: quarantine.get(code, 0) for code in REASONS.codes},
            "duplicates": duplicates,
        }
    return result


def _without_extras(counts: dict) -> dict:
    return {k: counts[k] for k in ("rows", "written", "quarantine", "duplicates")}


def test_one_run_over_all_days_reconciles_with_the_manifest(tiny_lake):
    manifest = _manifest(tiny_lake)
    expected = recount(tiny_lake)
    for name in ENTITY_ORDER:
        assert _without_extras(manifest["entities"][name]) == expected[name], name


def test_day_by_day_runs_reconcile_with_the_manifest(tiny_lake):
    manifest = _manifest(tiny_lake)
    state: dict[str, set[str]] = defaultdict(set)
    for day in manifest["ingest_dates"]:
        got = recount(tiny_lake, days=[day], state=state)
        for name in ENTITY_ORDER:
            by_day = manifest["entities"][name]["by_ingest_date"].get(day)
            if by_day is None:
                assert got[name]["rows"] == 0, (name, day)
            else:
                assert _without_extras(by_day) == got[name], (name, day)


def test_orphans_and_parents_arrive_in_a_workable_order(tiny_lake):
    """A valid child never arrives on an earlier day than its parent (so incremental runs keep it)."""
    first_seen: dict[str, dict[str, str]] = defaultdict(dict)
    for name in ENTITY_ORDER:
        entity = ENTITIES[name]
        for day, row in load_rows(tiny_lake, name):
            key = (row[entity.key] or "").strip()
            first_seen[name].setdefault(key, day)
            for fk in entity.foreign_keys:
                parent_day = first_seen[fk.parent].get((row[fk.column] or "").strip())
                if parent_day is not None:
                    assert parent_day <= day, (name, row)


def test_every_injected_kind_of_dirt_is_present(tiny_lake):
    manifest = _manifest(tiny_lake)
    tx = manifest["entities"]["transactions"]
    for reason in ("MISSING_REQUIRED", "BAD_DATE", "BAD_NUMBER", "UNKNOWN_CODE", "OUT_OF_RANGE", "ORPHAN_FK"):
        assert tx["quarantine"][reason] > 0, reason
    assert tx["duplicates"]["DUPLICATE_DELIVERY"] > 0
    for name in ("customers", "accounts", "loans"):
        assert manifest["entities"][name]["duplicates"]["SUPERSEDED"] > 0, name
    # negative amounts really are there
    amounts = [r["amount"] for _, r in load_rows(tiny_lake, "transactions") if r["amount"]]
    assert any(a.startswith("-") for a in amounts)


def test_normalised_counts_are_the_rows_with_stray_spaces_or_lower_case_codes(tiny_lake):
    manifest = _manifest(tiny_lake)
    for name in ENTITY_ORDER:
        entity = ENTITIES[name]
        codes = [c for c in entity.columns if c.codes]
        whitespace = lower = 0
        for _, row in load_rows(tiny_lake, name):
            if reasons_for(entity, row, defaultdict(lambda: _Everything())):
                continue
            values = [row[c.name] or "" for c in codes]
            whitespace += any(v != v.strip() for v in values)
            lower += any(v.strip() != v.strip().upper() for v in values)
        assert manifest["entities"][name]["normalised"] == {"whitespace": whitespace, "lower_case": lower}, name
        assert whitespace + lower > 0 or name == "fx_rates", name  # reference data is delivered clean


class _Everything:
    def __contains__(self, item: object) -> bool:
        return True


def test_change_records_follow_the_rules(tiny_lake):
    """Valid versions of a key have distinct updated_at; a quarantined version always has a valid sibling."""
    for name in ("customers", "accounts", "loans"):
        entity = ENTITIES[name]
        valid_versions: dict[str, list[str]] = defaultdict(list)
        bad_keys = []
        for _, row in load_rows(tiny_lake, name):
            key = (row[entity.key] or "").strip()
            if reasons_for(entity, row, defaultdict(lambda: _Everything())):
                bad_keys.append(key)
            else:
                valid_versions[key].append(row["updated_at"].strip())
        for key, stamps in valid_versions.items():
            assert len(stamps) == len(set(stamps)), (name, key)
        # A version delivered on a later day is newer than every version of earlier days, so a
        # day-by-day run never receives a version older than the one it already holds.
        stamps_by_day: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for day, row in load_rows(tiny_lake, name):
            if not reasons_for(entity, row, defaultdict(lambda: _Everything())):
                stamps_by_day[row[entity.key].strip()][day].append(row["updated_at"].strip())
        for key, per_day in stamps_by_day.items():
            days = sorted(per_day)
            assert all(max(per_day[a]) < min(per_day[b]) for a, b in pairwise(days)), (name, key)
        assert bad_keys
        assert all(k in valid_versions or k == "" for k in bad_keys), name


def test_files_listed_in_the_manifest_are_the_files_written(tiny_lake):
    manifest = _manifest(tiny_lake)
    listed = {f["path"]: f for f in manifest["files"]}
    on_disk = {str(p.relative_to(tiny_lake)) for p in Path(tiny_lake, "bronze").rglob("*.csv")}
    assert set(listed) == on_disk
    for path, f in listed.items():
        data = Path(tiny_lake, path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == f["sha256"]
        assert _read(Path(tiny_lake, path)).num_rows == f["rows"], path
        assert path.startswith(f"bronze/{f['entity']}/ingest_date={f['ingest_date']}/")


def test_headers_are_the_contract_columns_except_declared_drift(tiny_lake):
    manifest = _manifest(tiny_lake)
    drift = {d["file"]: d["extra_columns"] for d in manifest["schema_drift"]}
    assert drift, "an occasional extra column is part of the dirt"
    for f in manifest["files"]:
        header = _read(Path(tiny_lake, f["path"])).column_names
        assert header == ENTITIES[f["entity"]].column_names + drift.get(f["path"], []), f["path"]


@pytest.mark.parametrize("name", ENTITY_ORDER)
def test_valid_rows_hold_values_of_the_declared_types(tiny_lake, name):
    """Clean rows parse as the contract's types (dates, timestamps, decimals with 2 places, ints)."""
    entity = ENTITIES[name]
    checked = 0
    for _, row in load_rows(tiny_lake, name):
        if reasons_for(entity, row, defaultdict(lambda: _Everything())):
            continue
        for c in entity.columns:
            value = (row[c.name] or "").strip()
            if value and c.type.startswith("decimal"):  # 2 places for money, up to the declared scale otherwise
                scale = c.type.rstrip(")").split(",")[1].strip()
                assert re.fullmatch(rf"-?\d+\.\d{{2,{scale}}}", value), (c.name, value)
            elif value:
                assert _parses(c, value), (c.name, value)
        checked += 1
    assert checked > 0
