"""Builds the JVM class archive (`finlake.class_archive`) once: `make class-archive`, i.e.
`python -m finlake.class_archive_build`. A small `finlake run` on a throw-away lake, in a JVM started
with `-XX:ArchiveClassesAtExit`, loads the classes a run needs; the JVM writes them as it exits."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from pyspark import SparkContext

from finlake.class_archive import archive_path
from finlake.commands import run
from finlake.errors import FinlakeError
from finlake.spark import check_java, local_session

WORKLOAD_CUSTOMERS = 150  # enough for every step of `finlake run` (the models need some defaults)


def _run_workload(target: Path) -> None:
    """A small `finlake run` in a JVM that writes its classes to `target`; returns once it has exited."""
    with tempfile.TemporaryDirectory(prefix="finlake-class-archive-") as lake, _output_to(Path(lake) / "run.log"):
        spark = local_session("finlake-class-archive", dump_class_archive=target)
        try:
            args = argparse.Namespace(
                lake=lake, customers=WORKLOAD_CUSTOMERS, days=2, start_date=None, seed=None, dirty_rate=None
            )
            run.main(args)
        finally:
            _stop_jvm(spark)


def _stop_jvm(spark) -> None:
    """Stop the session and its JVM and wait for it: the JVM writes the archive in its exit path (at
    the end of its standard input), so the file is whole, or absent, when this returns — also after a
    failed run, whose JVM would otherwise write it after the caller has cleaned up."""
    gateway = SparkContext._gateway
    assert gateway is not None  # the session started it
    spark.stop()
    gateway.shutdown()
    gateway.proc.stdin.close()
    gateway.proc.wait(timeout=600)


@contextlib.contextmanager
def _output_to(log: Path) -> Iterator[None]:
    """Send this process's and its JVM's output to `log` (the run's own output is not the point
    here); on a failure, show its last lines."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    failed = False
    with open(log, "w") as out:
        os.dup2(out.fileno(), 1)
        os.dup2(out.fileno(), 2)
        try:
            yield
        except BaseException:
            failed = True
            raise
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            for fd, copy in zip((1, 2), saved, strict=True):
                os.dup2(copy, fd)
                os.close(copy)
            if failed:
                print("".join(log.read_text(errors="replace").splitlines(keepends=True)[-20:]), file=sys.stderr)


def build() -> Path:
    """Build the archive for this JVM and class path unless it exists; older ones are removed."""
    path = archive_path(check_java())
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.partial")
    print(f"building the JVM class archive once (~1.5 min): {path}", flush=True)
    started = time.monotonic()
    try:
        _run_workload(partial)
        if not partial.is_file():
            raise FinlakeError("the JVM wrote no archive")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    for old in path.parent.glob("*.jsa"):
        if old != path:
            old.unlink()
    size = path.stat().st_size / 2**20
    print(f"JVM class archive built in {time.monotonic() - started:.0f}s ({size:.0f} MiB)", flush=True)
    return path


def main() -> int:
    """`python -m finlake.class_archive_build`: build the archive; a failure is one line, not an error
    (Spark runs without the archive, only its start is slower)."""
    try:
        build()
    except Exception as exc:  # any failure (the run's last lines were shown): Spark starts as it did before
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"could not build the JVM class archive ({first}): Spark starts without it (~3 s slower)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
