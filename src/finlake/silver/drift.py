"""Schema drift of a Bronze file, judged from its header line alone (no Spark, no data read).

A file's header is compared with the entity's contract:
- a contract column missing from the header: the file cannot be read safely (its other columns may
  have shifted), so every row of it is held back in the quarantine as MISSING_COLUMN;
- a column not in the contract: reported as schema drift; the contract columns are still read by
  name (never by position), so the extra column is neither loaded nor allowed to shift the others;
- a header with a single field that contains `;`, tab or `|`: the file uses the wrong delimiter;
- an empty file, or a header with no rows: reported, nothing to load;
- a file that cannot be read safely at all is REJECTED as a file, with a reason code: a repeated
  column name (which column would be read?), a first record that is not a header (it holds data,
  which must neither become column names nor appear in a report), binary content.
A UTF-8 byte order mark before the header (quoted or not) is ignored, and the header is parsed as
an RFC 4180 record, so a quoted header name is read like any other.
A retyped column (e.g. a date column now holding epoch seconds) cannot be seen in a header; it
surfaces as BAD_DATE/BAD_NUMBER quarantines on its rows.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from finlake.contracts.model import Entity

OTHER_DELIMITERS = (";", "\t", "|")


class FileStatus(StrEnum):
    OK = "ok"  # read it
    HELD = "held"  # a contract column is missing: all rows quarantined as MISSING_COLUMN
    EMPTY = "empty"  # no bytes (or only blank lines): nothing to read
    HEADER_ONLY = "header_only"  # a header and no rows: nothing to read
    REJECTED = "rejected"  # the file cannot be read safely: rejected as a file (`HeaderCheck.reason`)


@dataclass(frozen=True)
class HeaderCheck:
    """What the header of one file says about how to read it."""

    status: FileStatus
    columns: tuple[str, ...] = ()  # normalised header names, in file order
    header_line: str = ""  # the first line exactly as it appears (to drop it from a text read)
    missing: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    problems: list[str] = field(default_factory=list)  # one-line explanations, for the report
    reason: str = ""  # for a REJECTED file: its reason code (DUPLICATE_COLUMN, NO_HEADER, ...)

    @property
    def readable(self) -> bool:
        """Rows will be read from the file (into Silver, or held in the quarantine)."""
        return self.status in (FileStatus.OK, FileStatus.HELD)


def rejected(reason: str, problem: str) -> HeaderCheck:
    return HeaderCheck(FileStatus.REJECTED, problems=[problem], reason=reason)


def normalise_name(name: str) -> str:
    return name.strip().strip("\ufeff").strip().lower()


def _guess_delimiter(header_line: str) -> str | None:
    counts = {d: header_line.count(d) for d in OTHER_DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else None


def _records(text: str) -> list[list[str]]:
    """The CSV records (RFC 4180: quoted fields may hold commas, doubled quotes and newlines)."""
    return list(csv.reader(io.StringIO(text, newline="")))


def _no_header(entity: Entity, columns: tuple[str, ...]) -> HeaderCheck | None:
    """A first record naming fewer than half the contract's columns is data, not a header. Its values
    (personal data, perhaps) are not echoed: only how many names matched."""
    found = sum(1 for c in entity.column_names if c in columns)
    if 2 * found >= len(entity.column_names):
        return None
    return rejected(
        "NO_HEADER",
        f"no header: the first line names {found} of the {len(entity.column_names)} contract columns, "
        "so it is data; file rejected, nothing loaded",
    )


def check_header(entity: Entity, head: bytes, *, whole_file: bool) -> HeaderCheck:
    """Judge a file from its first bytes (`whole_file`: `head` is the entire file)."""
    if b"\x00" in head:
        return rejected("BINARY_FILE", "binary content (NUL bytes): not a CSV text file; file rejected")
    text = head.decode("utf-8", errors="replace")
    lines = text.splitlines()
    try:
        records = _records(text.removeprefix("\ufeff"))
    except csv.Error as exc:
        return rejected("UNPARSEABLE", f"the header cannot be parsed as CSV ({exc}); file rejected")
    non_blank = [r for r in records if any(v.strip() for v in r)]
    if not non_blank:
        return HeaderCheck(FileStatus.EMPTY, problems=["empty file: no header and no rows"])
    header_line = lines[0]
    columns = tuple(normalise_name(c) for c in records[0])
    wrong_delimiter = _guess_delimiter(header_line) if len(columns) == 1 else None
    if not wrong_delimiter and (no_header := _no_header(entity, columns)):
        return no_header
    repeated = sorted(c for c, n in Counter(columns).items() if n > 1)
    if repeated:
        return rejected(
            "DUPLICATE_COLUMN",
            f"repeated column name(s) {', '.join(repeated) or '(empty)'}: the file cannot be read by name; file rejected",
        )
    missing = tuple(c for c in entity.column_names if c not in columns)
    extra = tuple(c for c in columns if c not in entity.column_names)
    problems = []
    if "\ufffd" in header_line:
        problems.append("header line is not valid UTF-8")
    if wrong_delimiter:
        problems.append(f"wrong delimiter: the header looks {wrong_delimiter!r}-separated, the contract says ','")
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
