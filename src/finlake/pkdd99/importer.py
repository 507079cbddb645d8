"""Import the PKDD'99 files into a lake's Bronze: one delivery, under one ingest_date.

The whole extract lands in `bronze/<entity>/ingest_date=1999-01-01/pkdd99-<entity>.csv` (the day
after the last transaction, the extract date). Files are first written to a hidden staging folder
inside `bronze/` and then renamed into place, so a failed import leaves nothing visible. Bronze is
immutable: a lake that already holds this import is left alone (same source files: nothing to
do), and a lake holding any other Bronze data is refused. What was read, written and what Silver
should quarantine is recorded in `_generator/pkdd99_manifest.json`.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from finlake import __version__
from finlake.contracts.bronze import ENTITY_ORDER
from finlake.errors import UsageError
from finlake.lake import Lake
from finlake.pkdd99 import codes
from finlake.pkdd99.checks import contract_violations
from finlake.pkdd99.load import load_sources
from finlake.pkdd99.mapping import build_outputs
from finlake.pkdd99.source import FULL_TRANS_FILE, FULL_TRANS_ROWS, SourceFiles, locate, sha256
from finlake.runs import new_run_id
from finlake.textstore import read_text, write_text

INGEST_DATE = codes.EXTRACT_DATE
MANIFEST_NAME = "pkdd99_manifest.json"
DUCKDB_SETTINGS = {"threads": 2, "memory_limit": "2GB"}  # a shared laptop-sized machine


@dataclass(frozen=True)
class ImportResult:
    manifest_path: str
    manifest: dict[str, Any]
    skipped: bool  # the lake already held this very import; nothing was written


def manifest_path(lake: Lake) -> str:
    return f"{lake.generator}/{MANIFEST_NAME}"


def bronze_file(lake: Lake, entity: str) -> str:
    return f"{lake.bronze_entity(entity, INGEST_DATE)}/pkdd99-{entity}.csv"


def import_pkdd99(source: str | Path, lake: Lake, run_id: str | None = None) -> ImportResult:
    """Map the PKDD'99 files in `source` into `lake`'s Bronze; UsageError on bad input or a used lake."""
    files = locate(source)
    fingerprints = {table: {"file": p.name, "sha256": sha256(p)} for table, p in files.paths.items()}
    previous = _previous_import(lake)
    if previous is not None:
        return _already_imported(lake, previous, fingerprints)
    _refuse_other_bronze(lake)

    run_id = run_id or new_run_id()
    con = duckdb.connect()
    for setting, value in DUCKDB_SETTINGS.items():
        con.execute(f"SET {setting} = '{value}'")
    rows_read = load_sources(con, files)
    build_outputs(con)
    rows_written = _publish(con, lake, run_id)

    manifest = _manifest(con, files, fingerprints, rows_read, rows_written, lake, run_id)
    write_text(manifest_path(lake), json.dumps(manifest, indent=2) + "\n")
    return ImportResult(manifest_path(lake), manifest, skipped=False)


def _previous_import(lake: Lake) -> dict[str, Any] | None:
    text = read_text(manifest_path(lake))
    return None if text is None else json.loads(text)


def _already_imported(lake: Lake, previous: dict[str, Any], fingerprints: dict[str, Any]) -> ImportResult:
    if previous.get("source_files_sha256") == {t: f["sha256"] for t, f in fingerprints.items()}:
        return ImportResult(manifest_path(lake), previous, skipped=True)
    raise UsageError(
        f"{lake.bronze} already holds a PKDD'99 import from different source files "
        f"(see {manifest_path(lake)}); Bronze is immutable: import into a fresh --lake"
    )


def _refuse_other_bronze(lake: Lake) -> None:
    for entity in ENTITY_ORDER:
        folder = Path(lake.bronze_entity(entity))
        if folder.is_dir() and any(p.is_file() for p in folder.rglob("*")):
            raise UsageError(
                f"{folder} already holds Bronze files that are not a PKDD'99 import; "
                "import PKDD'99 into a fresh --lake so real and other data do not mix"
            )


def _publish(con: duckdb.DuckDBPyConnection, lake: Lake, run_id: str) -> dict[str, int]:
    """Write every entity to staging, then rename each into its ingest_date folder (undone on failure)."""
    staging = Path(lake.bronze) / f".pkdd99-staging-{run_id}"
    published: list[Path] = []
    try:
        rows = {entity: _write_csv(con, entity, staging / entity) for entity in ENTITY_ORDER}
        for entity in ENTITY_ORDER:
            target = Path(lake.bronze_entity(entity, INGEST_DATE))
            target.parent.mkdir(parents=True, exist_ok=True)
            os.rename(staging / entity, target)
            published.append(target)
        return rows
    except BaseException:
        for target in published:
            shutil.rmtree(target, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_csv(con: duckdb.DuckDBPyConnection, entity: str, folder: Path) -> int:
    folder.mkdir(parents=True)
    path = str(folder / f"pkdd99-{entity}.csv").replace("'", "''")
    con.execute(f"COPY out_{entity} TO '{path}' (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"')")
    (rows,) = con.execute(f"SELECT count(*) FROM out_{entity}").fetchone() or (0,)
    return int(rows)


def _group_counts(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, int]:
    return {str(k): int(n) for k, n in con.execute(sql).fetchall()}


def _mapping_counts(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, int]]:
    """How the source codes were mapped, for the README and for reconciling with Silver and Gold."""
    return {
        "loan_status_source": _group_counts(con, "SELECT status, count(*) FROM src_loan GROUP BY 1 ORDER BY 1"),
        "loan_status": _group_counts(con, "SELECT status, count(*) FROM out_loans GROUP BY 1 ORDER BY 1"),
        "gender": _group_counts(con, "SELECT gender, count(*) FROM out_customers GROUP BY 1 ORDER BY 1"),
        "segment": _group_counts(con, "SELECT segment, count(*) FROM out_customers GROUP BY 1 ORDER BY 1"),
        "transaction_direction": _group_counts(
            con, "SELECT direction, count(*) FROM out_transactions GROUP BY 1 ORDER BY 1"
        ),
        "transaction_channel": _group_counts(
            con, "SELECT channel, count(*) FROM out_transactions GROUP BY 1 ORDER BY 1"
        ),
        "card_type": _group_counts(con, "SELECT type, count(*) FROM src_card GROUP BY 1 ORDER BY 1"),
        "loan_interest_rate": _group_counts(
            con, "SELECT interest_rate, count(*) FROM out_loans GROUP BY 1 ORDER BY 1 LIMIT 20"
        ),
    }


def partial_trans_note(files: SourceFiles, rows: int, last_booked: str | None) -> str | None:
    """The one line saying the transactions are the partial stand-in, or None for the full file."""
    if not files.trans_is_partial:
        return None
    return (
        f"{FULL_TRANS_FILE} is absent from {files.folder}; imported {files.paths['trans'].name} instead: "
        f"{rows:,} of {FULL_TRANS_ROWS:,} transactions, booked up to {last_booked}; "
        "transaction aggregates and models on this lake are not representative"
    )


def _manifest(
    con: duckdb.DuckDBPyConnection,
    files: SourceFiles,
    fingerprints: dict[str, dict[str, str]],
    rows_read: dict[str, int],
    rows_written: dict[str, int],
    lake: Lake,
    run_id: str,
) -> dict[str, Any]:
    (last_booked,) = con.execute("SELECT max(left(booked_at, 10)) FROM out_transactions").fetchone() or (None,)
    return {
        "source": "PKDD'99 (Berka) financial data set",
        "source_folder": str(files.folder),
        "run_id": run_id,
        "imported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "finlake_version": __version__,
        "ingest_date": INGEST_DATE,
        "updated_at": codes.EXTRACT_TIMESTAMP,
        "source_files": {t: {**fingerprints[t], "rows": rows_read[t]} for t in fingerprints},
        "source_files_sha256": {t: f["sha256"] for t, f in fingerprints.items()},
        "transactions_partial": files.trans_is_partial,
        "transactions_note": partial_trans_note(files, rows_read["trans"], last_booked),
        "bronze_files": {e: os.path.relpath(bronze_file(lake, e), Path(lake.bronze).parent) for e in ENTITY_ORDER},
        "rows_written": rows_written,
        "expected_quarantine": {e: contract_violations(con, e) for e in ENTITY_ORDER},
        "mapping_counts": _mapping_counts(con),
        "cards_issued": _cards_issued(con),
    }


def _cards_issued(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The range of card.issued ("931107 00:00:00": a date with a dummy time; cards.issued_date in Bronze)."""
    first, last, unparsed = con.execute(
        "SELECT strftime(min(issued), '%Y-%m-%d'), strftime(max(issued), '%Y-%m-%d'), "
        "count(*) FILTER (WHERE raw IS NOT NULL AND issued IS NULL) "
        "FROM (SELECT issued AS raw, yymmdd(split_part(issued, ' ', 1)) AS issued FROM src_card)"
    ).fetchone() or (None, None, 0)
    return {"first": first, "last": last, "unparsed": int(unparsed)}
