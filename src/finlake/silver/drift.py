"""Schema drift of a Bronze file, judged from its header line alone (no Spark, no data read).

A file's header is compared with the entity's contract:
- a contract column missing from the header: the file cannot be read safely (its other columns may
  have shifted), so every row of it is held back in the quarantine as MISSING_COLUMN;
- a column not in the contract: reported as schema drift; the contract columns are still read by
  name (never by position), so the extra column is neither loaded nor allowed to shift the others;
- a header with a single field that contains `;`, tab or `|`: the file uses the wrong delimiter;
- an empty file, or a header with no rows: reported, nothing to load.
A retyped column (e.g. a date column now holding epoch seconds) cannot be seen in a header; it
surfaces as BAD_DATE/BAD_NUMBER quarantines on its rows.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from enum import StrEnum

from finlake.contracts.model import Entity

OTHER_DELIMITERS = (";", "\t", "|")


class FileStatus(StrEnum):
    OK = "ok"  # read it
    HELD = "held"  # a contract column is missing: all rows quarantined as MISSING_COLUMN
    EMPTY = "empty"  # no bytes (or only blank lines): nothing to read
    HEADER_ONLY = "header_only"  # a header and no rows: nothing to read


@dataclass(frozen=True)
class HeaderCheck:
    """What the header of one file says about how to read it."""

    status: FileStatus
    columns: tuple[str, ...] = ()  # normalised header names, in file order
    header_line: str = ""  # the first line exactly as it appears (to drop it from a text read)
    missing: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    problems: list[str] = field(default_factory=list)  # one-line explanations, for the report


def normalise_name(name: str) -> str:
    return name.strip().strip("\ufeff").strip().lower()


def _guess_delimiter(header_line: str) -> str | None:
    counts = {d: header_line.count(d) for d in OTHER_DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else None


def check_header(entity: Entity, head: bytes, *, whole_file: bool) -> HeaderCheck:
    """Judge a file from its first bytes (`whole_file`: `head` is the entire file)."""
    text = head.decode("utf-8", errors="replace")
    lines = text.splitlines()
    non_blank = [ln for ln in lines if ln.strip()]
    if not non_blank:
        return HeaderCheck(FileStatus.EMPTY, problems=["empty file: no header and no rows"])
    header_line = lines[0]
    columns = tuple(normalise_name(c) for c in next(csv.reader([header_line])))
    missing = tuple(c for c in entity.column_names if c not in columns)
    extra = tuple(c for c in columns if c not in entity.column_names)
    problems = []
    if "\ufffd" in header_line:
        problems.append("header line is not valid UTF-8")
    if len(columns) == 1 and (delimiter := _guess_delimiter(header_line)):
        problems.append(f"wrong delimiter: the header looks {delimiter!r}-separated, the contract says ','")
    if missing:
        problems.append(
            f"missing column(s) {', '.join(missing)}: every row of the file is quarantined as MISSING_COLUMN"
        )
    if extra:
        problems.append(f"extra column(s) {', '.join(extra)} not in the contract: reported as drift, not loaded")
    if missing:
        status = FileStatus.HELD
    elif whole_file and len(non_blank) == 1:
        status = FileStatus.HEADER_ONLY
        problems.append("header only: the file has no rows")
    else:
        status = FileStatus.OK
    return HeaderCheck(status, columns, header_line, missing, extra, problems)
