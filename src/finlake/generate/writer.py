"""Writing Bronze CSV files: staged first, moved into the lake only when everything is written."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as csv

from finlake.errors import FinlakeError, UsageError
from finlake.generate.dirt import DRIFT_COLUMNS, Delivered
from finlake.generate.timeline import stream
from finlake.lake import Lake

ROWS_PER_FILE = 250_000  # the backfill arrives as several files, as a real migration would
MANIFEST = "manifest.json"
TRUTH = "loan_truth.csv"
MONTH_TRUTH = "loan_month_truth.csv"  # per loan and month end: the early-warning truth (distress.py)


def _iso(day: int) -> str:
    return str(np.datetime64(int(day), "D"))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_csv(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    csv.write_csv(table, str(path))  # header row, RFC 4180 quoting, empty field for null


def drift_days(delivered: dict[str, Delivered], seed: int) -> dict[str, int]:
    """Which (entity, ingest day) gets a file with an extra column: one per drifting entity."""
    rng = stream(seed, "drift")
    chosen = {}
    for entity in DRIFT_COLUMNS:
        days = np.unique(delivered[entity].ingest)
        later = days[1:] if days.size > 1 else days
        chosen[entity] = int(later[rng.integers(0, later.size)])
    return chosen


def write_bronze(
    staging: Path, delivered: dict[str, Delivered], drift: dict[str, int], seed: int
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Write every entity's rows under staging/bronze; returns (files, schema drift entries)."""
    rng = stream(seed, "drift-values")
    files: list[dict[str, object]] = []
    drifted: list[dict[str, object]] = []
    for name, d in delivered.items():
        days, starts = np.unique(d.ingest, return_index=True)  # rows are in ingest order
        ends = np.r_[starts[1:], d.ingest.size][: starts.size]  # no file for an entity with no rows (few cards)
        for day, start, end in zip(days, starts, ends, strict=True):
            date = _iso(day)
            chunks = range(start, end, ROWS_PER_FILE)
            for part, first in enumerate(chunks):
                table = d.table.slice(first, min(ROWS_PER_FILE, end - first))
                relative = f"bronze/{name}/ingest_date={date}/{name}-{date}-part{part:03d}.csv"
                if drift.get(name) == day and part == len(chunks) - 1:
                    column, values = DRIFT_COLUMNS[name]
                    extra = pa.array(np.array(values)[rng.integers(0, len(values), table.num_rows)], type=pa.string())
                    table = table.append_column(column, extra)
                    drifted.append({"entity": name, "file": relative, "extra_columns": [column]})
                path = staging / relative
                write_csv(table, path)
                files.append(
                    {
                        "entity": name,
                        "ingest_date": date,
                        "path": relative,
                        "rows": table.num_rows,
                        "columns": table.column_names,
                        "bytes": path.stat().st_size,
                        "sha256": _sha256(path),
                    }
                )
    return files, drifted


def existing_state(lake: Lake, arguments: dict[str, object]) -> dict[str, Any] | None:
    """The manifest if this lake already holds Bronze generated with these arguments, else None.

    Refuses (UsageError) to write over Bronze made by anything else: Bronze is immutable.
    """
    manifest_path = Path(lake.generator) / MANIFEST
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("arguments") != arguments:
            previous = ", ".join(f"{k}={v}" for k, v in manifest.get("arguments", {}).items())
            raise UsageError(
                f"{lake.bronze} already holds Bronze generated with other arguments ({previous}); "
                "Bronze is never overwritten: use another --lake, or delete this lake to regenerate"
            )
        root = Path(lake.bronze).parent
        for f in manifest["files"]:
            path = root / f["path"]
            if not path.is_file() or path.stat().st_size != f["bytes"]:
                raise FinlakeError(f"{path} is missing or changed since it was generated; the lake's Bronze is damaged")
        return manifest
    bronze = Path(lake.bronze)
    if bronze.is_dir() and any(p.is_file() for p in bronze.rglob("*")):
        raise UsageError(
            f"{bronze} already holds Bronze files not written by `finlake generate`; "
            "generate into an empty --lake (Bronze is never overwritten)"
        )
    return None


def publish(staging: Path, lake: Lake, manifest: dict[str, object], truth: dict[str, pa.Table]) -> None:
    """Move the staged Bronze into the lake, then the truth files (name -> table), then (last) the manifest."""
    bronze = Path(lake.bronze)
    if bronze.is_dir():  # only empty folders can be here (existing_state refused anything else)
        shutil.rmtree(bronze)
    bronze.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staging / "bronze", bronze)
    generator = Path(lake.generator)
    for name, table in truth.items():
        write_csv(table, staging / name)
        os.replace(staging / name, generator / name)
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    os.replace(staging / MANIFEST, generator / MANIFEST)
