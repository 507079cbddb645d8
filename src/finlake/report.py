"""The run report every job leaves behind, failed or not: `<lake>/_runs/<run_id>.json`, so what ran, on what,
and why it stopped can be read after the fact.

Shape (all keys always present)::

    {
      "run_id": "20260101T101500Z-1a2b3c4d", "job": "bronze_to_silver", "status": "succeeded",
      "started_at": "...Z", "finished_at": "...Z", "seconds": 12.3, "message": "",
      "entities": [                       # one per (entity or table, layer)
        {"name": "transactions", "layer": "silver",
         "rows_read": 1000, "rows_written": 980, "rows_quarantined": 15, "duplicates_removed": 5,
         "quarantine_reasons": {"BAD_DATE": 7, ...},   # a row with two reasons counts under both
         "duplicate_reasons": {"DUPLICATE_DELIVERY": 5},
         "schema_drift": [{"file": "...", "kind": "extra_column", "columns": ["x"], "message": "..."}],
         "bad_files": [{"file": "...", "reason": "EMPTY_FILE", "message": "...", "bytes": 0}],  # rejected
         "skipped_files": [{"file": "...", "reason": "HIDDEN_NAME", "message": "...", "bytes": 10}],
         "files": {"seen": 5, "loaded": 3, "rejected": 1, "skipped": 1},
         # held ORPHAN_FK rows of earlier runs judged again (silver/orphans.py); not in rows_read
         "orphans": {"retried": 4, "loaded": 2, "expired": 1, "held": 1, "duplicates": 0},
         # re-delivered events whose business fields differ from the first delivery (silver/conflicts.py)
         "conflicts": {"count": 1, "examples": [{"transaction_id": "T2", "first_amount": "10.00", ...}]},
         "seconds": 3.2}
      ],
      "tables": {                         # lineage: what each output table was built from
        "silver.transactions": {"path": "...", "version": "v...", "rows": 5000,
                                "inputs": ["bronze/transactions/ingest_date=.../x.csv"],
                                "ingest_dates": ["2026-01-01"], "partitions_written": [...],
                                "upstream": ["silver.accounts"]}
      },
      "quality": [ {...}, ... ],          # data-quality rule results, as the quality module returns them
      "timings": {"read": 1.2, "publish": 0.8},
      "notes": ["nothing new in bronze"]
    }

`rows_quarantined` counts rows; `quarantine_reasons` counts (row, reason) pairs. The accounting that
must hold per entity: rows_read == rows_written + rows_quarantined + duplicates_removed, for the
Bronze files of a Silver run: files seen == loaded + rejected + skipped, and for the held orphans a
run retried: retried == loaded + expired + held + duplicates.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from finlake.lake import Lake
from finlake.textstore import read_text, write_text


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class EntityReport:
    """Counts for one entity (or table) in one layer of one run."""

    name: str
    layer: str
    rows_read: int = 0
    rows_written: int = 0
    rows_quarantined: int = 0
    duplicates_removed: int = 0
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    duplicate_reasons: dict[str, int] = field(default_factory=dict)
    schema_drift: list[dict[str, Any]] = field(default_factory=list)
    bad_files: list[dict[str, Any]] = field(default_factory=list)
    skipped_files: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, int] = field(default_factory=dict)  # seen / loaded / rejected / skipped (Silver runs)
    orphans: dict[str, int] = field(default_factory=dict)  # retried / loaded / expired / held / duplicates
    conflicts: dict[str, Any] = field(default_factory=dict)  # count, examples
    seconds: float = 0.0

    @property
    def balanced(self) -> bool:
        """Every row read is accounted for exactly once."""
        return self.rows_read == self.rows_written + self.rows_quarantined + self.duplicates_removed

    @property
    def files_balanced(self) -> bool:
        """Every Bronze file seen is loaded, rejected or skipped."""
        f = self.files
        return not f or f["seen"] == f["loaded"] + f["rejected"] + f["skipped"]

    @property
    def orphans_balanced(self) -> bool:
        """Every held orphan retried is loaded, expired, still held or a duplicate."""
        o = self.orphans
        return not o or o["retried"] == o["loaded"] + o["expired"] + o["held"] + o["duplicates"]


@dataclass
class TableLineage:
    """Which inputs an output table (version) was built from."""

    path: str  # where the table is: its catalog identifier (finlake.silver.loans)
    version: str = ""
    rows: int | None = None
    snapshot_id: int | None = None  # the Iceberg snapshot the run left current
    inputs: list[str] = field(default_factory=list)  # files read this run
    ingest_dates: list[str] = field(default_factory=list)
    partitions_written: list[str] = field(default_factory=list)
    upstream: list[str] = field(default_factory=list)  # tables it was derived from, e.g. silver.loans


@dataclass
class RunReport:
    """Everything one job run did. Build it during the run, `write` it at the end (also on failure)."""

    run_id: str
    job: str
    status: str = "running"  # running | succeeded | nothing_new | failed
    started_at: str = field(default_factory=_now)
    finished_at: str = ""
    seconds: float = 0.0
    message: str = ""
    entities: list[EntityReport] = field(default_factory=list)
    tables: dict[str, TableLineage] = field(default_factory=dict)
    quality: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # Gold: Silver table -> currency -> rows with no reporting-currency amount (no ECB rate; gold/fx_coverage.py)
    fx_unconverted: dict[str, dict[str, int]] = field(default_factory=dict)
    _clock: float = field(default_factory=time.monotonic, repr=False)

    def entity(self, name: str, layer: str) -> EntityReport:
        """The counts record for (name, layer), created on first use."""
        for e in self.entities:
            if (e.name, e.layer) == (name, layer):
                return e
        e = EntityReport(name=name, layer=layer)
        self.entities.append(e)
        return e

    def table(self, qualified_name: str, path: str) -> TableLineage:
        """The lineage record for an output table (`silver.loans`), created on first use."""
        return self.tables.setdefault(qualified_name, TableLineage(path=path))

    def add_quality(self, results: Iterable[Mapping[str, Any]]) -> None:
        self.quality.extend(dict(r) for r in results)

    @contextmanager
    def timed(self, step: str) -> Iterator[None]:
        """Add the wall time of the block to `timings[step]`."""
        start = time.monotonic()
        try:
            yield
        finally:
            self.timings[step] = round(self.timings.get(step, 0.0) + time.monotonic() - start, 3)

    def finish(self, status: str, message: str = "") -> RunReport:
        self.status = status
        self.message = message
        self.finished_at = _now()
        self.seconds = round(time.monotonic() - self._clock, 3)
        return self

    def unbalanced(self) -> list[str]:
        """Entities whose row accounting does not add up (should always be empty)."""
        return (
            [
                f"{e.layer}.{e.name}: read {e.rows_read} != written {e.rows_written} + quarantined "
                f"{e.rows_quarantined} + duplicates {e.duplicates_removed}"
                for e in self.entities
                if not e.balanced
            ]
            + [
                f"{e.layer}.{e.name}: files seen {e.files['seen']} != loaded {e.files['loaded']} + rejected "
                f"{e.files['rejected']} + skipped {e.files['skipped']}"
                for e in self.entities
                if not e.files_balanced
            ]
            + [
                f"{e.layer}.{e.name}: orphans {e.orphans} do not add up"
                for e in self.entities
                if not e.orphans_balanced
            ]
        )

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("_clock")
        return d

    def write(self, lake: Lake) -> str:
        """Write the report atomically to `<runs>/<run_id>.json`; returns where."""
        uri = lake.run_report(self.run_id)
        write_text(uri, json.dumps(self.to_dict(), indent=2, sort_keys=False, default=str) + "\n")
        return uri

    def summary(self) -> str:
        """A short human summary, one line per entity."""
        lines = [f"{self.job} run {self.run_id}: {self.status} in {self.seconds:.1f}s"]
        if self.message:
            lines.append(f"  {self.message}")
        for e in self.entities:
            reasons = ", ".join(f"{k} {v}" for k, v in sorted(e.quarantine_reasons.items()))
            dups = ", ".join(f"{k} {v}" for k, v in sorted(e.duplicate_reasons.items()))
            line = (
                f"  {e.layer}.{e.name:<24} read {e.rows_read:>9,}  written {e.rows_written:>9,}  "
                f"quarantined {e.rows_quarantined:>7,}  duplicates {e.duplicates_removed:>7,}"
            )
            detail = "; ".join(x for x in (reasons, dups) if x)
            lines.append(line + (f"  ({detail})" if detail else ""))
            if e.orphans:
                o = e.orphans
                lines.append(
                    f"    held orphans retried {o['retried']:,}: loaded {o['loaded']:,}, expired {o['expired']:,}, "
                    f"still held {o['held']:,}, duplicates {o['duplicates']:,}"
                )
            if e.conflicts:
                ids = ", ".join(str(x.get("transaction_id", "?")) for x in e.conflicts["examples"])
                lines.append(
                    f"    ! {e.conflicts['count']:,} re-deliveries differ from the first delivery (e.g. {ids})"
                )
            lines.extend(f"    ! {d['message']}" for d in e.schema_drift + e.bad_files)
            lines.extend(f"    - {d['message']}" for d in e.skipped_files)
        failed = [q for q in self.quality if str(q.get("outcome", q.get("status", ""))).lower() in {"failed", "fail"}]
        if self.quality:
            lines.append(f"  data quality: {len(self.quality) - len(failed)}/{len(self.quality)} rules passed")
        lines.extend(f"  note: {n}" for n in self.notes)
        lines.extend(f"  ACCOUNTING MISMATCH {u}" for u in self.unbalanced())
        return "\n".join(lines)


def load_report(lake: Lake, run_id: str) -> dict[str, Any]:
    """The stored report of a run, as a plain dict (raises FileNotFoundError if absent)."""
    text = read_text(lake.run_report(run_id))
    if text is None:
        raise FileNotFoundError(lake.run_report(run_id))
    return json.loads(text)
