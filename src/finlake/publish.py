"""Atomic publish of a table directory: readers see the old version or the new one, never a mix.

Local layout (what `Lake.silver_table(name)` / `Lake.gold_table(name)` point at)::

    silver/customers -> _versions/customers/v20260101T101500Z-1a2b3c4d     (relative symlink)
    silver/_versions/customers/v20260101T101500Z-1a2b3c4d/part-*.parquet  (the complete version)

A new version is written into a fresh directory under `_versions/<table>/`; only when it is complete
is the table path repointed, by creating a temporary symlink and `os.replace`-ing it over the old one
(rename(2) is atomic on POSIX). A writer that fails part-way leaves the old symlink untouched; its
half-written directory is removed. `_versions` starts with an underscore, so Spark, Glue crawlers
(`**/_*` exclusions) and Athena never mistake it for data.

Partitioned tables can be published incrementally: the new version receives only the rewritten
partitions from the writer and every other partition of the current version is hard-linked into it
(no bytes copied; the old version stays intact for readers that still hold it).

Old versions are deleted after a publish, keeping the newest `keep_versions` (default 2: current
and previous), so a reader that resolved the previous version a moment ago can still finish.
One writer per table at a time is assumed (jobs run one at a time; on Glue, max concurrency 1).

S3: an `s3://` table path is handed to `finlake.publish_s3` by every public function here. S3 has no
rename, so the protocol there is "write a new versioned prefix, then repoint": the version is written
to `s3://bucket/_versions/<table>/<version>/`, unchanged partitions keep their old prefixes, the Glue
Data Catalog table and partition locations are switched to the new prefixes, and a `_CURRENT` object
naming the version is written last for readers that go by path. Read a current version with
`read_version` (on S3 a partitioned table's partitions may live under several version prefixes).
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from finlake import publish_s3
from finlake.errors import FinlakeError
from finlake.publish_s3 import S3Version, is_s3

VERSIONS_DIR = "_versions"
DEFAULT_KEEP_VERSIONS = 2


@dataclass(frozen=True)
class PublishResult:
    """What a publish did: the table path, the version now current and where partitions came from."""

    table_path: str
    version: str
    version_path: str
    partitions_written: tuple[str, ...] = ()  # e.g. ("booked_month=2024-01",)
    partitions_linked: tuple[str, ...] = ()  # carried over unchanged from the previous version
    removed_versions: tuple[str, ...] = field(default=())


def _require_local(table_path: str) -> Path:
    if "://" in table_path:
        raise FinlakeError(
            f"atomic publish to {table_path} is not implemented: only local lakes and s3:// are supported"
        )
    return Path(table_path)


def versions_root(table_path: str) -> Path:
    """Directory holding every version of the table: `<parent>/_versions/<table>/`."""
    path = _require_local(table_path)
    return path.parent / VERSIONS_DIR / path.name


def current_version_path(table_path: str) -> Path | S3Version | None:
    """The directory the table path resolves to now, or None when the table was never published.

    On S3: the version `_CURRENT` names (its partitions may live under older prefixes: read it with
    `read_version`, not by its path)."""
    if is_s3(table_path):
        return publish_s3.current_version(table_path)
    path = _require_local(table_path)
    if not path.exists():
        return None
    return path.resolve()


def _new_version_name() -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return f"v{stamp}-{secrets.token_hex(4)}"


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:  # another filesystem, or one without hard links: a copy is still correct
        shutil.copy2(src, dst)


def _partition_dirs(version: Path) -> list[str]:
    """Relative paths of the leaf partition directories (`a=1/b=2`) of a version."""
    leaves = []
    for dirpath, dirnames, filenames in os.walk(version):
        dirnames[:] = [d for d in dirnames if "=" in d]
        rel = os.path.relpath(dirpath, version)
        if rel != "." and any(not f.startswith((".", "_")) for f in filenames):
            leaves.append(rel)
    return sorted(leaves)


def _carry_over(previous: Path, staging: Path, skip: set[str]) -> tuple[str, ...]:
    """Hard-link every partition of `previous` that the new version did not write or drop."""
    carried = []
    for rel in _partition_dirs(previous):
        if rel in skip or (staging / rel).exists():
            continue
        target = staging / rel
        target.mkdir(parents=True, exist_ok=True)
        for entry in os.scandir(previous / rel):
            if entry.is_file() and not entry.name.startswith((".", "_")):
                _link_or_copy(Path(entry.path), target / entry.name)
        carried.append(rel)
    return tuple(carried)


def _swap(table_path: Path, version_dir: Path) -> None:
    """Point `table_path` at `version_dir` in one atomic rename."""
    if table_path.exists() and not table_path.is_symlink():
        # A plain directory from before versioning: adopt it as a version first (one-off, not atomic).
        table_path.rename(versions_root(str(table_path)) / _new_version_name())
    tmp_link = table_path.parent / f".{table_path.name}.link-{secrets.token_hex(4)}"
    os.symlink(os.path.relpath(version_dir, table_path.parent), tmp_link)
    os.replace(tmp_link, table_path)


def cleanup_versions(table_path: str, keep_versions: int = DEFAULT_KEEP_VERSIONS) -> tuple[str, ...]:
    """Delete all but the newest `keep_versions` versions; never the current one. Returns removed names."""
    if is_s3(table_path):
        return publish_s3.cleanup_versions(table_path, keep_versions)
    root = versions_root(table_path)
    current = current_version_path(table_path)
    if not root.is_dir():
        return ()
    versions = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.name, reverse=True)
    doomed = [p for p in versions[max(keep_versions, 1) :] if p != current]
    for p in doomed:
        shutil.rmtree(p, ignore_errors=True)
    return tuple(p.name for p in doomed)


@contextmanager
def staged_version(
    table_path: str,
    *,
    carry_unchanged_partitions: bool = False,
    drop_partitions: Sequence[str] = (),
    keep_versions: int = DEFAULT_KEEP_VERSIONS,
) -> Iterator[Path | publish_s3.Staging]:
    """Yield an empty directory to write the new version into; publish it atomically on success.

    With `carry_unchanged_partitions`, every partition directory of the current version that the
    body did not write (and that is not in `drop_partitions`) is hard-linked into the new version
    before the swap. If the body raises, the directory is removed and the table is untouched.
    On S3 it yields a `publish_s3.Staging` (`str()` is the prefix to write to, `.name` the version).
    """
    if is_s3(table_path):
        with publish_s3.staged_version(
            table_path,
            carry_unchanged_partitions=carry_unchanged_partitions,
            drop_partitions=drop_partitions,
            keep_versions=keep_versions,
        ) as s3_staging:
            yield s3_staging
        return
    with _staged_local_version(table_path, carry_unchanged_partitions, drop_partitions, keep_versions) as staging:
        yield staging


@contextmanager
def _staged_local_version(
    table_path: str, carry_unchanged_partitions: bool, drop_partitions: Sequence[str], keep_versions: int
) -> Iterator[Path]:
    path = _require_local(table_path)
    root = versions_root(table_path)
    root.mkdir(parents=True, exist_ok=True)
    staging = root / _new_version_name()
    try:
        staging.mkdir()
        yield staging
        previous = current_version_path(table_path)
        if carry_unchanged_partitions and isinstance(previous, Path):
            _carry_over(previous, staging, set(drop_partitions))
        _swap(path, staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    cleanup_versions(table_path, keep_versions)


def publish_dataframe(
    df: Any,
    table_path: str,
    *,
    partition_by: Sequence[str] = (),
    only_changed_partitions: bool = False,
    drop_partitions: Sequence[str] = (),
    files_per_partition: int = 1,
    max_records_per_file: int = 0,
    keep_versions: int = DEFAULT_KEEP_VERSIONS,
    write: Callable[[Any, str], None] | None = None,
) -> PublishResult:
    """Write a Spark DataFrame as the new version of a Parquet table and publish it atomically.

    - Unpartitioned: `df` is the whole table, written as `files_per_partition` files.
    - Partitioned, `only_changed_partitions=False`: `df` is the whole table.
    - Partitioned, `only_changed_partitions=True`: `df` holds the complete new content of the
      partitions it touches; every other partition of the current version is hard-linked in,
      except those named in `drop_partitions` (e.g. "ingest_date=2024-01-01") that `df` left empty.

    Rows are repartitioned by the partition columns so each partition gets `files_per_partition`
    files instead of one small file per task; `max_records_per_file` (0: no cap) splits a big
    partition into several files of bounded size without needing a count first. `write(df, path)` overrides the Parquet writer (tests
    use it to inject failures).
    """
    shaped = _shape_files(df, partition_by, files_per_partition)
    writer = write or _write_parquet(partition_by, max_records_per_file)
    if is_s3(table_path):
        return _publish_s3(shaped, table_path, writer, only_changed_partitions, drop_partitions, keep_versions)
    with _staged_local_version(table_path, only_changed_partitions, drop_partitions, keep_versions) as staging:
        writer(shaped, str(staging))
        written = tuple(_partition_dirs(staging)) if partition_by else ()
    version = current_version_path(table_path)
    assert isinstance(version, Path)
    linked = tuple(p for p in _partition_dirs(version) if p not in written) if partition_by else ()
    return PublishResult(table_path, version.name, str(version), written, linked)


def _publish_s3(
    df: Any,
    table_path: str,
    writer: Callable[[Any, str], None],
    carry: bool,
    drop_partitions: Sequence[str],
    keep_versions: int,
) -> PublishResult:
    with publish_s3.staged_version(
        table_path, carry_unchanged_partitions=carry, drop_partitions=drop_partitions, keep_versions=keep_versions
    ) as staging:
        writer(df, str(staging))
    version = staging.published
    assert version is not None
    linked = tuple(p for p in sorted(version.partitions) if p not in version.written)
    return PublishResult(table_path, version.name, version.location, version.written, linked, staging.removed_versions)


def read_version(spark: Any, version: Path | S3Version, schema: Any) -> Any:
    """A DataFrame over exactly the files of a version returned by `current_version_path`."""
    if isinstance(version, S3Version):
        return publish_s3.read_version(spark, version, schema)
    return spark.read.schema(schema).parquet(str(version))


def _shape_files(df: Any, partition_by: Sequence[str], files_per_partition: int) -> Any:
    """At most `files_per_partition` files per partition value (or in total, if unpartitioned)."""
    from pyspark.sql import functions as F

    if not partition_by:
        # repartition, not coalesce: coalesce(1) would also squeeze the upstream stage into one task
        return df.repartition(files_per_partition)
    if files_per_partition == 1:
        return df.repartition(*partition_by)
    # A salt spreads a big partition over several tasks, hence several files of a sensible size.
    salt = F.floor(F.rand(7) * files_per_partition)
    return df.repartition(*partition_by, salt)


def _write_parquet(partition_by: Sequence[str], max_records_per_file: int = 0) -> Callable[[Any, str], None]:
    def write(df: Any, path: str) -> None:
        writer = df.write.mode("overwrite").option("maxRecordsPerFile", max_records_per_file)
        if partition_by:
            writer = writer.partitionBy(*partition_by)
        writer.parquet(path)

    return write
