"""The local driver JVM's class-data archive (Java's AppCDS): the classes of Spark, Iceberg and the
AWS SDK, parsed and verified once and then mapped by every later JVM instead of loaded from ~700 MB
of jars. A session and a small job take ~2.7 s instead of ~6 s (docs/benchmarks.md, session 16).

`make class-archive` (run by `make run`, `make test` and `make bench`) builds it once
(`finlake.class_archive_build`). The JVM checks an archive against its own build and class path and
ignores one that differs; the file name is keyed on both, so a new JDK or a reinstalled pyspark
simply has no archive until the next `make` builds one. The archive only saves time: without it (or
with `FINLAKE_CLASS_ARCHIVE=0`) Spark starts as before.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from finlake.iceberg import jar_paths, jars_dir

# The archive is an optimisation: the JVM's notes about it (an archive it cannot use, classes it
# cannot store) would only be noise in a command's output.
QUIET = "-Xlog:cds=off -Xlog:cds+dynamic=off"


def _spark_jars() -> list[Path]:
    import pyspark

    return sorted((Path(pyspark.__file__).parent / "jars").glob("*.jar"))


def archive_path(java_version: str) -> Path:
    """Where the archive for this JVM build and class path lives (whether or not it was built)."""
    key = hashlib.sha256(java_version.encode())
    for jar in [*map(Path, jar_paths()), *_spark_jars()]:
        stat = jar.stat()
        key.update(f"\n{jar.resolve()} {stat.st_size} {stat.st_mtime_ns}".encode())
    return jars_dir() / "class-archive" / f"spark-{key.hexdigest()[:16]}.jsa"


def java_options(java_version: str) -> str:
    """The driver JVM options that map the archive, or "" when there is none to map."""
    if os.environ.get("FINLAKE_CLASS_ARCHIVE") == "0":
        return ""
    path = archive_path(java_version)
    return f"-XX:SharedArchiveFile={path} {QUIET}" if path.is_file() else ""


def dump_options(target: Path) -> str:
    """The driver JVM options that write the archive to `target` as the JVM exits."""
    return f"-XX:ArchiveClassesAtExit={target} {QUIET}"
