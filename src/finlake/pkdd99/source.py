"""The PKDD'99 (Berka) source files: what must be there, and checking that it is.

The physical format is described in ../shared/data/pkdd99/SOURCE.md: ASCII, CRLF line ends, `;`
separators, one header line with double-quoted names (district.asc: unquoted A1..A16), text values
in double quotes, numbers bare. Every check here fails with a one-line `UsageError` naming the file.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from finlake.errors import UsageError

# Each source table and its header, in file order. The importer reads exactly these columns.
HEADERS: dict[str, tuple[str, ...]] = {
    "account": ("account_id", "district_id", "frequency", "date"),
    "client": ("client_id", "birth_number", "district_id"),
    "disp": ("disp_id", "client_id", "account_id", "type"),
    "loan": ("loan_id", "account_id", "date", "amount", "duration", "payments", "status"),
    "card": ("card_id", "disp_id", "type", "issued"),
    "order": ("order_id", "account_id", "bank_to", "account_to", "amount", "k_symbol"),
    "district": tuple(f"A{i}" for i in range(1, 17)),
    "trans": (
        "trans_id",
        "account_id",
        "date",
        "type",
        "operation",
        "amount",
        "balance",
        "k_symbol",
        "bank",
        "account",
    ),
}

FULL_TRANS_FILE = "trans.asc"
PARTIAL_TRANS_FILE = "trans.partial-first-100000-lines.asc"
FULL_TRANS_ROWS = 1_056_320  # the published row count of the complete trans.asc


@dataclass(frozen=True)
class SourceFiles:
    """The files one import reads: table name -> path, and whether trans is the partial stand-in."""

    folder: Path
    paths: dict[str, Path]
    trans_is_partial: bool


def locate(folder: str | Path) -> SourceFiles:
    """Find every source file in `folder` and check its header; raise UsageError naming what is wrong."""
    root = Path(folder).expanduser().resolve()
    if not root.exists():
        raise UsageError(f"PKDD'99 source folder not found: {root}")
    if not root.is_dir():
        raise UsageError(f"PKDD'99 source is not a folder: {root}")
    paths = {table: root / f"{table}.asc" for table in HEADERS if table != "trans"}
    trans_is_partial = not (root / FULL_TRANS_FILE).is_file() and (root / PARTIAL_TRANS_FILE).is_file()
    paths["trans"] = root / (PARTIAL_TRANS_FILE if trans_is_partial else FULL_TRANS_FILE)
    missing = [p.name for p in paths.values() if not p.is_file()]
    if FULL_TRANS_FILE in missing:  # either transaction file will do
        missing[missing.index(FULL_TRANS_FILE)] = f"{FULL_TRANS_FILE} (or {PARTIAL_TRANS_FILE})"
    if missing:
        raise UsageError(f"{root} is not a PKDD'99 folder: missing {', '.join(missing)}")
    for table, path in paths.items():
        check_header(path, HEADERS[table])
    return SourceFiles(folder=root, paths=paths, trans_is_partial=trans_is_partial)


def read_header(path: Path) -> tuple[str, ...]:
    """The column names on the first line, unquoted (quoted and bare headers both occur)."""
    try:
        with path.open("rb") as handle:
            first = handle.readline(4096)
    except OSError as exc:
        raise UsageError(f"{path}: cannot be opened: {exc.strerror}") from None
    try:
        line = first.decode("ascii").rstrip("\r\n")
    except UnicodeDecodeError:
        raise UsageError(f"{path}: header is not ASCII text; is this a PKDD'99 file?") from None
    if not line:
        raise UsageError(f"{path}: file is empty; expected a header line")
    return tuple(name.strip().strip('"') for name in line.split(";"))


def check_header(path: Path, expected: tuple[str, ...]) -> None:
    found = read_header(path)
    if found != expected:
        raise UsageError(f"{path}: unexpected header {';'.join(found)!r}; expected {';'.join(expected)!r}")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
