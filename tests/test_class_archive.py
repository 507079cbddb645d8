"""finlake.class_archive: the archive's name follows the JVM build and the class path; a session's
options map it only when it exists (the session's own JVM is checked in tests/test_spark.py)."""

from __future__ import annotations

import pytest

from finlake import class_archive
from finlake.iceberg import JARS


@pytest.fixture
def jars(tmp_path, monkeypatch):
    for name in JARS:
        (tmp_path / name).write_bytes(b"jar")
    monkeypatch.setenv("FINLAKE_JARS_DIR", str(tmp_path))
    monkeypatch.delenv("FINLAKE_CLASS_ARCHIVE", raising=False)
    return tmp_path


def test_the_archive_is_named_by_the_jvm_build_and_the_class_path(jars):
    path = class_archive.archive_path('openjdk version "17.0.15"')
    assert path.parent == jars / "class-archive" and path.suffix == ".jsa"
    assert class_archive.archive_path('openjdk version "17.0.15"') == path
    assert class_archive.archive_path('openjdk version "17.0.16"') != path  # another JDK build
    (jars / JARS[0]).write_bytes(b"a newer jar")
    assert class_archive.archive_path('openjdk version "17.0.15"') != path  # another class path


def test_a_session_maps_the_archive_only_when_it_was_built(jars, monkeypatch):
    version = 'openjdk version "17.0.15"'
    assert class_archive.java_options(version) == ""  # not built: the JVM starts as before
    path = class_archive.archive_path(version)
    path.parent.mkdir()
    path.write_bytes(b"archive")
    options = class_archive.java_options(version).split()
    assert options[0] == f"-XX:SharedArchiveFile={path}"
    assert set(class_archive.QUIET.split()) <= set(options)  # an archive the JVM refuses is not news
    monkeypatch.setenv("FINLAKE_CLASS_ARCHIVE", "0")
    assert class_archive.java_options(version) == ""


def test_the_dump_options_write_the_archive_where_asked(tmp_path):
    target = tmp_path / "x.jsa"
    assert class_archive.dump_options(target).split()[0] == f"-XX:ArchiveClassesAtExit={target}"
