"""Header checks: missing, extra and reordered columns, wrong delimiter, empty and header-only files."""

from __future__ import annotations

from finlake.contracts.bronze import ACCOUNTS
from finlake.silver.drift import FileStatus, check_header

HEADER = ",".join(ACCOUNTS.column_names)


def _check(text: bytes, whole_file: bool = True):
    return check_header(ACCOUNTS, text, whole_file=whole_file)


def test_contract_header_is_ok():
    check = _check(f"{HEADER}\nA1,C1,CHECKING,EUR,2020-01-01,,OPEN,,2024-01-01T00:00:00Z\n".encode())
    assert (check.status, check.missing, check.extra, check.problems) == (FileStatus.OK, (), (), [])


def test_reordered_header_with_bom_and_spaces_is_ok():
    cols = list(reversed(ACCOUNTS.column_names))
    check = _check(("\ufeff" + ", ".join(c.upper() for c in cols) + "\nx\n").encode())
    assert check.status is FileStatus.OK
    assert check.columns == tuple(cols)


def test_missing_column_holds_the_file():
    cols = [c for c in ACCOUNTS.column_names if c != "currency"]
    check = _check((",".join(cols) + "\nrow\n").encode())
    assert check.status is FileStatus.HELD
    assert check.missing == ("currency",)
    assert "missing column(s) currency" in check.problems[0]


def test_extra_column_is_drift_not_failure():
    check = _check((HEADER + ",loyalty_tier\nrow\n").encode())
    assert check.status is FileStatus.OK
    assert check.extra == ("loyalty_tier",)
    assert check.problems == ["extra column(s) loyalty_tier not in the contract: reported as drift, not loaded"]


def test_wrong_delimiter_is_named():
    check = _check((HEADER.replace(",", ";") + "\nrow\n").encode())
    assert check.status is FileStatus.HELD
    assert check.problems[0] == "wrong delimiter: the header looks ';'-separated, the contract says ','"


def test_empty_and_header_only():
    assert _check(b"").status is FileStatus.EMPTY
    assert _check(b"\n \n").status is FileStatus.EMPTY
    assert _check(f"{HEADER}\n\n".encode()).status is FileStatus.HEADER_ONLY
    # a big file's head cannot prove there are no rows
    assert _check(f"{HEADER}\n".encode(), whole_file=False).status is FileStatus.OK


def test_non_utf8_header():
    check = _check(HEADER.replace("currency", "curr").encode() + b"\xff\xfe\nrow\n")
    assert check.status is FileStatus.HELD
    assert "header line is not valid UTF-8" in check.problems
