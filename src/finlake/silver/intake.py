"""Accounting for every Bronze file a Silver run sees: loaded, rejected (as a file) or skipped.

Per entity the run report gets `files` (seen == loaded + rejected + skipped), `bad_files` (each
rejected file: path, reason code, one-line message, byte size) and `skipped_files` (the same for
files that are never read). Files in folders the contract does not know are reported under their
folder's name in the `bronze` layer. Messages name files and columns, never values: a rejected
file's content (personal data, perhaps) stays in Bronze.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from finlake.contracts.bronze import ENTITIES
from finlake.report import RunReport
from finlake.silver.bronze_files import BronzeFile, scan_bronze
from finlake.silver.drift import FileStatus, HeaderCheck
from finlake.silver.state import SilverState

FILE_REASONS = {
    FileStatus.EMPTY: "EMPTY_FILE",
    FileStatus.HEADER_ONLY: "HEADER_ONLY",
    FileStatus.HELD: "MISSING_COLUMN",
}
SKIP_MESSAGES = {
    "HIDDEN_NAME": "name or folder starts with '_' or '.': not data, skipped",
    "UNKNOWN_ENTITY": "not in a folder of an entity the contract knows: skipped",
    "NO_INGEST_DATE": "not directly under <entity>/ingest_date=YYYY-MM-DD/: skipped",
}
UNKNOWN_FOLDER = "(bronze root)"


def _entry(f: BronzeFile, reason: str, message: str) -> dict[str, object]:
    return {"file": f.rel, "reason": reason, "message": f"{f.rel}: {message}", "bytes": f.size}


def report_files(
    report: RunReport, entity: str, files: Sequence[tuple[BronzeFile, HeaderCheck]], skipped: Sequence[BronzeFile]
) -> None:
    """Fill the entity's file accounting, rejected and skipped files and schema drift."""
    if not files and not skipped:
        return  # nothing new for this entity: no record
    e = report.entity(entity, "silver")
    e.skipped_files = [_entry(f, f.skip, SKIP_MESSAGES[f.skip]) for f in skipped]
    for f, check in files:
        message = "; ".join(check.problems)
        if check.status is FileStatus.REJECTED:
            e.bad_files.append(_entry(f, check.reason, message))
        elif check.status is not FileStatus.OK:
            e.bad_files.append(_entry(f, FILE_REASONS[check.status], message))
        if check.extra or check.missing:
            e.schema_drift.append(
                {
                    "file": f.rel,
                    "missing_columns": list(check.missing),
                    "extra_columns": list(check.extra),
                    "message": f"{f.rel}: {message}",
                }
            )
    loaded = sum(1 for _, check in files if check.readable)
    e.files = {
        "seen": len(files) + len(skipped),
        "loaded": loaded,
        "rejected": len(files) - loaded,
        "skipped": len(skipped),
    }


def report_unknown_folders(report: RunReport, bronze_root: str, state: SilverState, run_id: str) -> None:
    """List (once: they are marked in the state) the files in folders of no known entity."""
    unknown: dict[str, list[BronzeFile]] = defaultdict(list)
    for f in scan_bronze(bronze_root):
        folder = f.entity or UNKNOWN_FOLDER
        if folder not in ENTITIES and not state.is_processed(folder, f.rel):
            unknown[folder].append(f)
    for folder, files in unknown.items():
        e = report.entity(folder, "bronze")
        e.skipped_files = [_entry(f, f.skip, SKIP_MESSAGES[f.skip]) for f in files]
        e.files = {"seen": len(files), "loaded": 0, "rejected": 0, "skipped": len(files)}
        state.mark(folder, [f.rel for f in files], run_id)
