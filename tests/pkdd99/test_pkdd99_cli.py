"""`finlake import-pkdd99` on bad input, as a user runs it: one line on stderr, non-zero exit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pkdd99_fixture import FILES, write_fixture


def _run(lake: Path, source: Path | str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "finlake", "--lake", str(lake), "import-pkdd99", "--source", str(source)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("finlake import-pkdd99: error: ")
    for fragment in fragments:
        assert fragment in lines[0]


def _broken(tmp_path: Path, name: str, lines: list[str]) -> Path:
    return write_fixture(tmp_path / "src", {**FILES, name: lines})


def test_missing_folder(tmp_path):
    _assert_one_line_error(_run(tmp_path / "lake", "/nope"), "not found", "/nope")


def test_a_file_instead_of_a_folder(tmp_path):
    a_file = write_fixture(tmp_path / "src") / "loan.asc"
    _assert_one_line_error(_run(tmp_path / "lake", a_file), "not a folder", str(a_file))


def test_folder_without_the_files(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    _assert_one_line_error(_run(tmp_path / "lake", empty), "missing account.asc", "trans.asc", str(empty))


def test_a_missing_file_is_named(tmp_path):
    source = write_fixture(tmp_path / "src")
    (source / "disp.asc").unlink()
    _assert_one_line_error(_run(tmp_path / "lake", source), "missing disp.asc")


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("loan.asc", '"loan_id";"account_id";"date";"amount";"duration";"payment";"status"'),
        ("district.asc", "A1;A2;A3"),
        ("trans.asc", '"trans_id","account_id","date"'),  # commas: not the PKDD'99 format
    ],
)
def test_a_wrong_header_names_the_file(tmp_path, name, header):
    source = _broken(tmp_path, name, [header, *FILES[name][1:]])
    _assert_one_line_error(_run(tmp_path / "lake", source), str(source / name), "unexpected header")
    assert not (tmp_path / "lake" / "bronze").exists()


def test_a_row_with_too_many_fields_names_the_file_and_writes_nothing(tmp_path):
    source = _broken(tmp_path, "account.asc", [*FILES["account.asc"], '40;1;"POPLATEK MESICNE";930101;extra'])
    _assert_one_line_error(_run(tmp_path / "lake", source), str(source / "account.asc"), "cannot be read")
    assert not (tmp_path / "lake" / "bronze").exists()


def test_an_empty_file_names_the_file(tmp_path):
    source = _broken(tmp_path, "card.asc", [])
    (source / "card.asc").write_bytes(b"")
    _assert_one_line_error(_run(tmp_path / "lake", source), str(source / "card.asc"), "empty")


def test_a_good_folder_imports_and_a_second_run_says_nothing_was_written(tmp_path):
    source = write_fixture(tmp_path / "src")
    first = _run(tmp_path / "lake", source)
    assert first.returncode == 0, first.stderr
    assert "customers 4, accounts 3, loans 4, transactions 13" in first.stdout
    second = _run(tmp_path / "lake", source)
    assert second.returncode == 0 and "nothing written" in second.stdout
