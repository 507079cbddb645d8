"""Issue 21 item 8: one writer per lake, no lake created by a command that needs one, disk full in one line."""

from __future__ import annotations

import errno

import pytest

from finlake import cli
from finlake.lakelock import LakeBusy, writer_lock


def test_a_second_writer_is_refused_with_the_holder_named(tmp_path, capsys):
    (tmp_path / "lake").mkdir()
    root = str(tmp_path / "lake")
    with writer_lock(root, "bronze-to-silver"):
        busy = pytest.raises(LakeBusy, match=r"being written by pid \d+ \(`finlake bronze-to-silver`")
        with busy, writer_lock(root, "silver-to-gold"):
            pass
        assert cli.main(["--lake", root, "silver-to-gold"]) == 1
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "one writer at a time" in err
    with writer_lock(root, "silver-to-gold"):  # released when the first writer is done
        pass


@pytest.mark.parametrize("command", ["crawl", "silver-to-gold", "bronze-to-silver"])
def test_missing_lake_is_named_and_not_created(tmp_path, capsys, command):
    root = tmp_path / "no_such_lake"
    assert cli.main(["--lake", str(root), command]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"finlake {command}: error: no lake at {root}") and len(err.splitlines()) == 1
    assert not root.exists()


def test_disk_full_is_one_line(tmp_path, capsys, monkeypatch):
    def fill_disk(args):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "lake" / "silver" / "x.parquet"))

    monkeypatch.setattr(cli, "handler", lambda command: fill_disk)
    assert cli.main(["--lake", str(tmp_path / "lake"), "generate"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "error: no space left on device" in err[0]
