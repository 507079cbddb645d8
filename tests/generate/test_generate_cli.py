"""`finlake generate` from the command line: nonsense refused in one line, reruns are safe."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from finlake.cli import main

TINY = ["--customers", "20", "--days", "2", "--start-date", "2024-03-01", "--seed", "3"]


def _one_line_error(capsys, argv: list[str]) -> str:
    code = main(argv)
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--seed", "-1"], "--seed"),
        (["--start-date", "1850-01-01"], "--start-date"),
        (["--customers", "150000", "--days", "300"], "transactions"),
        (["--customers", "999999"], "--customers"),
    ],
)
def test_nonsense_is_refused_in_one_line(capsys, tmp_path, args, says):
    err = _one_line_error(capsys, ["--lake", str(tmp_path), "generate", *args])
    assert says in err
    assert not (tmp_path / "bronze").exists()


def test_argparse_errors_are_one_line_without_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "finlake", "--lake", str(tmp_path), "generate", "--customers", "0"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "Traceback" not in proc.stderr


def test_rerun_with_the_same_arguments_skips_and_keeps_the_files(capsys, tmp_path):
    lake = str(tmp_path / "lake")
    assert main(["--lake", lake, "generate", *TINY]) == 0
    files = {p: p.stat().st_mtime_ns for p in Path(lake, "bronze").rglob("*.csv")}
    capsys.readouterr()
    assert main(["--lake", lake, "generate", *TINY]) == 0
    assert "already generated for these arguments; skipping" in capsys.readouterr().out
    assert {p: p.stat().st_mtime_ns for p in Path(lake, "bronze").rglob("*.csv")} == files


def test_other_arguments_on_a_generated_lake_are_refused(capsys, tmp_path):
    lake = str(tmp_path / "lake")
    assert main(["--lake", lake, "generate", *TINY]) == 0
    before = sorted(Path(lake, "bronze").rglob("*.csv"))
    capsys.readouterr()
    err = _one_line_error(capsys, ["--lake", lake, "generate", *TINY[:-1], "4"])
    assert "never overwritten" in err and "seed=3" in err
    assert sorted(Path(lake, "bronze").rglob("*.csv")) == before


def test_bronze_from_elsewhere_is_never_overwritten(capsys, tmp_path):
    foreign = tmp_path / "bronze" / "loans" / "ingest_date=2024-03-01" / "loans.csv"
    foreign.parent.mkdir(parents=True)
    foreign.write_text("loan_id\nL1\n")
    err = _one_line_error(capsys, ["--lake", str(tmp_path), "generate", *TINY])
    assert "not written by `finlake generate`" in err
    assert foreign.read_text() == "loan_id\nL1\n"
    assert not (tmp_path / "_generator" / "manifest.json").exists()


def test_a_damaged_lake_is_reported(capsys, tmp_path):
    lake = tmp_path / "lake"
    assert main(["--lake", str(lake), "generate", *TINY]) == 0
    next(lake.joinpath("bronze", "transactions").rglob("*.csv")).unlink()
    capsys.readouterr()
    code = main(["--lake", str(lake), "generate", *TINY])
    err = capsys.readouterr().err.strip()
    assert code == 1 and len(err.splitlines()) == 1 and "damaged" in err
