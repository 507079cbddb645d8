"""Silver, Gold and the quarantine as the local engine sees them: one Iceberg snapshot per table, no Spark.

PyIceberg opens the lake's catalog (`<lake>/_catalog/iceberg.db`, the same SQLite file Spark's
JdbcCatalog writes) and plans each declared table's data files at its current snapshot, or at the
snapshot an `--as-of` names. DuckDB then reads exactly those files (`finlake.query.local`), so a
query never sees a half-written commit, a file a later commit replaced, or an orphan left by a crash.

The jobs write copy-on-write (MERGE and overwrites rewrite data files), so a snapshot is its data
files alone; a snapshot with delete files is refused in one line rather than read wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.exceptions import NoSuchTableError
from pyiceberg.table import Table as IcebergTable
from pyiceberg.table.snapshots import Snapshot

from finlake import iceberg, storage
from finlake.contracts.model import Table
from finlake.errors import FinlakeError, UsageError
from finlake.lake import Lake

# Partition values DuckDB can take from a path segment exactly as written (Iceberg URL-encodes others).
_PLAIN_VALUE = re.compile(r"[A-Za-z0-9_.\-]+")


@dataclass(frozen=True)
class AsOf:
    """`--as-of`: a snapshot id of some table, or a point in time."""

    text: str
    snapshot_id: int | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class DataFile:
    path: str  # a local path DuckDB can open
    size: int
    partition: dict[str, str | None]  # partition column -> value as Iceberg writes it in the path


@dataclass(frozen=True)
class SnapshotTable:
    """A declared table at one snapshot: what the engine registers as `<database>.<name>`."""

    database: str  # silver | silver_restricted | quarantine | gold
    contract: Table
    snapshot_id: int | None  # None: the table has no snapshot (no rows, declared columns)
    rows: int
    files: tuple[DataFile, ...]

    @property
    def name(self) -> str:
        return self.contract.name

    @property
    def paths(self) -> list[str]:
        return [f.path for f in self.files]

    @property
    def prunable(self) -> bool:
        """Every file's path names its partition values (`<col>=<value>/`), so DuckDB may prune by path."""
        keys = self.contract.partition_by
        return bool(keys) and all(
            value is not None and _PLAIN_VALUE.fullmatch(value) and f"/{key}={value}/" in f.path
            for f in self.files
            for key, value in f.partition.items()
        )

    def partition_values(self, key: str) -> list[str]:
        return sorted({v for f in self.files if (v := f.partition.get(key)) is not None})


def parse_as_of(text: str) -> AsOf:
    """A snapshot id (digits) or an ISO-8601 time; a time without an offset is UTC."""
    value = text.strip()
    if value.isdigit():
        return AsOf(text=value, snapshot_id=int(value))
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"--as-of {text!r}: expected a timestamp (e.g. 2026-11-24T06:00:00Z) or a snapshot id"
        ) from None
    return AsOf(text=value, at=at if at.tzinfo else at.replace(tzinfo=UTC))


def open_catalog(lake: Lake) -> SqlCatalog | None:
    """PyIceberg on the lake's SQLite catalog; None when no job has created it yet (never creates one)."""
    storage.check_lake_format(lake)
    path = Path(iceberg.catalog_file(lake))
    if not path.is_file():
        return None
    iceberg.check_not_moved(lake)
    return SqlCatalog(iceberg.CATALOG, uri=f"sqlite:///{path}", warehouse=iceberg.catalog_properties(lake)["warehouse"])


def _load(catalog: SqlCatalog, lake: Lake) -> dict[storage.TableRef, IcebergTable]:
    tables = {}
    for ref in storage.all_refs():
        try:
            tables[ref] = catalog.load_table((iceberg.namespace(lake, ref.namespace_layer), ref.contract.name))
        except NoSuchTableError:
            continue
    return tables


def _local_path(location: str) -> str:
    if location.startswith("file:"):
        return "/" + location.removeprefix("file:").lstrip("/")
    if "://" in location:
        raise FinlakeError(f"the local engine reads local files only, not {location}")
    return location


def _data_files(name: str, table: IcebergTable, snapshot: Snapshot) -> tuple[DataFile, ...]:
    schema, spec = table.schema(), table.spec()
    files = []
    for task in table.scan(snapshot_id=snapshot.snapshot_id).plan_files():
        if task.delete_files:
            raise FinlakeError(
                f"{name} snapshot {snapshot.snapshot_id} has delete files (merge-on-read): the local engine "
                "reads copy-on-write snapshots only; rewrite the table's data files first"
            )
        data = task.file
        partition = {
            field.name: (
                None
                if data.partition[i] is None
                else field.transform.to_human_string(schema.find_type(field.source_id), data.partition[i])
            )
            for i, field in enumerate(spec.fields)
        }
        files.append(DataFile(_local_path(data.file_path), data.file_size_in_bytes, partition))
    return tuple(sorted(files, key=lambda f: f.path))


def _snapshot_table(ref: storage.TableRef, table: IcebergTable, snapshot: Snapshot | None) -> SnapshotTable:
    if snapshot is None:
        return SnapshotTable(ref.namespace_layer, ref.contract, None, 0, ())
    files = _data_files(ref.name, table, snapshot)
    total = (snapshot.summary.get("total-records") if snapshot.summary else None) or 0
    return SnapshotTable(ref.namespace_layer, ref.contract, snapshot.snapshot_id, int(total), files)


def _pick(tables: dict[storage.TableRef, IcebergTable], as_of: AsOf) -> dict[storage.TableRef, Snapshot | None]:
    """Each table's snapshot at `as_of`; a table without one then is left out (it did not exist yet)."""
    at_ms = int(as_of.at.timestamp() * 1000) if as_of.at else 0
    if as_of.snapshot_id is not None:  # that table at that snapshot, the others as they were when it was made
        owner = next((t for t in tables.values() if t.snapshot_by_id(as_of.snapshot_id)), None)
        if owner is None:
            raise UsageError(f"--as-of {as_of.text}: no table of the lake has snapshot {as_of.snapshot_id}")
        at_ms = owner.snapshot_by_id(as_of.snapshot_id).timestamp_ms  # type: ignore[union-attr]
    picked: dict[storage.TableRef, Snapshot | None] = {}
    for ref, table in tables.items():
        exact = table.snapshot_by_id(as_of.snapshot_id) if as_of.snapshot_id is not None else None
        snapshot = exact or table.snapshot_as_of_timestamp(at_ms)
        if snapshot is not None:
            picked[ref] = snapshot
    if not picked:
        first = min((e.timestamp_ms for t in tables.values() for e in t.metadata.snapshot_log), default=None)
        since = f" (the first is from {_iso(first)})" if first is not None else ""
        raise UsageError(f"--as-of {as_of.text}: before the first snapshot of any table{since}")
    return picked


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def lake_tables(lake: Lake, as_of: AsOf | None = None) -> list[SnapshotTable]:
    """Every declared table in the lake's Iceberg catalog, at its current snapshot or at `as_of`."""
    catalog = open_catalog(lake)
    if catalog is None:
        if as_of is not None:
            raise UsageError(f"--as-of {as_of.text}: the lake has no Iceberg tables ({iceberg.catalog_file(lake)})")
        return []
    tables = _load(catalog, lake)
    if as_of is None:
        picked: dict[storage.TableRef, Any] = {ref: t.current_snapshot() for ref, t in tables.items()}
    else:
        picked = _pick(tables, as_of)
    return [_snapshot_table(ref, tables[ref], snapshot) for ref, snapshot in picked.items()]
