"""Time travel: `--as-of TIMESTAMP|SNAPSHOT_ID`, resolved to the one Iceberg snapshot a reader will use.

Reading "as of a time" through Iceberg's own option would leave the caller not knowing which snapshot
it read; resolving first (the same rule Iceberg applies: the last snapshot made current at or before
the time) lets a run record the exact snapshot id and read by that id, so a Gold commit landing
in between cannot slip in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from pyspark.sql import SparkSession

from finlake import storage
from finlake.errors import FinlakeError, UsageError
from finlake.lake import Lake

_SNAPSHOT_ID = re.compile(r"^-?\d{6,}$")  # Iceberg ids are 64-bit integers; dates always hold a "-"


@dataclass(frozen=True)
class AsOf:
    """An earlier state of a table: a snapshot id, or a point in time (UTC when no offset is given)."""

    snapshot_id: int | None = None
    timestamp: datetime | None = None

    def __str__(self) -> str:
        if self.snapshot_id is not None:
            return f"snapshot {self.snapshot_id}"
        return self.timestamp.isoformat() if self.timestamp else "current"


@dataclass(frozen=True)
class Snapshot:
    table: str
    snapshot_id: int
    committed_at: datetime  # when this snapshot was made current (UTC)


def parse_as_of(text: str) -> AsOf:
    """`5834769112373951112` (a snapshot id), `2026-03-02`, `2026-03-02T09:30:00` or with an offset."""
    text = text.strip()
    if _SNAPSHOT_ID.match(text):
        return AsOf(snapshot_id=int(text))
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"--as-of expects a snapshot id or an ISO timestamp such as 2026-03-02T09:30:00, got {text!r}"
        ) from None
    return AsOf(timestamp=moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)  # as storage.read_table passes as-of-timestamp


def _at(millis: int) -> datetime:
    return datetime.fromtimestamp(millis / 1000, tz=UTC)


def resolve(spark: SparkSession, lake: Lake, name: str, as_of: AsOf | None = None) -> Snapshot:
    """The snapshot of `name` a read at `as_of` (None: now) sees; one line if there is none."""
    current = storage.current_snapshot_id(spark, lake, name)  # also: one line if the table is missing
    if current is None:
        storage.read_table(spark, lake, name)  # raises the "run `finlake ...` first" line
        raise FinlakeError(f"{name} has no snapshot yet")
    # The table's snapshot log (small: bounded by snapshot expiry), oldest first.
    history = [
        (int(r[0]), int(r[1]))
        for r in spark.sql(
            f"SELECT snapshot_id, unix_millis(made_current_at) FROM {storage.ref(name).identifier(lake)}.history "
            "ORDER BY made_current_at"
        ).collect()
    ]
    if as_of is None or (as_of.snapshot_id is None and as_of.timestamp is None):
        made = [at for sid, at in history if sid == current]
        return Snapshot(name, current, _at(made[-1] if made else history[-1][1]))
    if as_of.snapshot_id is not None:
        return _by_id(name, as_of.snapshot_id, history)
    assert as_of.timestamp is not None
    limit = _millis(as_of.timestamp)
    before = [(sid, at) for sid, at in history if at <= limit]
    if not before:
        first = _at(history[0][1]).isoformat() if history else "none"
        raise FinlakeError(f"{name} had no snapshot at or before {as_of} (its oldest kept snapshot: {first})")
    return Snapshot(name, before[-1][0], _at(before[-1][1]))


def _by_id(name: str, snapshot_id: int, history: list[tuple[int, int]]) -> Snapshot:
    made = [at for sid, at in history if sid == snapshot_id]
    if not made:
        kept = ", ".join(str(sid) for sid, _ in history[-5:])
        raise FinlakeError(
            f"{name} has no snapshot {snapshot_id} in its history (expired, or of another table?); latest: {kept}"
        )
    return Snapshot(name, snapshot_id, _at(made[-1]))
