"""finlake.class_archive_build: a build that cannot make an archive is one line, not a failure, and
leaves nothing behind (the build itself runs in `make class-archive`; tests/test_spark.py checks the
test session's JVM maps what it built)."""

from __future__ import annotations

from finlake import class_archive_build
from finlake.iceberg import JARS


def test_a_build_that_fails_is_one_line_and_not_an_error(tmp_path, monkeypatch, capsys):
    for name in JARS:
        (tmp_path / name).write_bytes(b"jar")
    monkeypatch.setenv("FINLAKE_JARS_DIR", str(tmp_path))
    monkeypatch.setattr(class_archive_build, "_run_workload", lambda target: None)  # a JVM that wrote nothing
    assert class_archive_build.main() == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1] == (
        "could not build the JVM class archive (the JVM wrote no archive): Spark starts without it (~3 s slower)"
    )
    assert not list((tmp_path / "class-archive").iterdir())  # nothing partial left behind
