"""Read a table's folder as a Glue crawler would: partitions, data files and the schema in them.

Exclusion patterns are Glue's (Java PathMatcher) globs, matched against the path relative to the
crawl target: `*` stays inside one folder, `**` crosses folders, `{a,b}` is a choice. A folder that
matches is skipped with everything in it.
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache

from finlake.catalog.specs import DataFormat, TableSpec

DATA_SUFFIX: dict[str, str] = {"csv": ".csv", "parquet": ".parquet"}


@lru_cache(maxsize=256)
def glob_regex(pattern: str) -> re.Pattern[str]:
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "{":
            end = pattern.index("}", i)
            out.append("(?:" + "|".join(re.escape(p) for p in pattern[i + 1 : end].split(",")) + ")")
            i = end
        else:
            out.append(re.escape(ch))
        i += 1
    return re.compile("".join(out))


# What Athena, Hive and Spark never read as data, whatever a crawler's exclusions say: Spark's
# _SUCCESS marker and .crc checksums next to a table's files are not worth a warning.
HIDDEN_PREFIXES = ("_", ".")


def is_excluded(relative_path: str, exclusions: tuple[str, ...]) -> bool:
    return any(glob_regex(p).fullmatch(relative_path) for p in exclusions)


@dataclass(frozen=True)
class Partition:
    values: tuple[str, ...]
    location: str
    files: tuple[str, ...]


@dataclass
class ScannedTable:
    """What is on disk for one table."""

    location: str
    exists: bool
    root_files: list[str] = field(default_factory=list)  # data files directly in the table folder
    partitions: list[Partition] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # not data, or at the wrong depth (relative paths)

    @property
    def data_files(self) -> list[str]:
        return self.root_files + [f for p in self.partitions for f in p.files]


def _partition_values(relative_dir: str, keys: tuple[str, ...]) -> tuple[str, ...] | None:
    parts = relative_dir.split("/") if relative_dir else []
    if len(parts) != len(keys):
        return None
    values = []
    for part, key in zip(parts, keys, strict=True):
        name, sep, value = part.partition("=")
        if not sep or name != key:
            return None
        values.append(value)
    return tuple(values)


def scan_table(spec: TableSpec, location: str, exclusions: tuple[str, ...]) -> ScannedTable:
    scanned = ScannedTable(location=location, exists=os.path.isdir(location))
    if not scanned.exists:
        return scanned
    keys = tuple(c.name for c in spec.partition_keys)
    suffix = DATA_SUFFIX[spec.data_format]
    by_partition: dict[tuple[str, ...], list[str]] = {}
    for folder, dirs, files in os.walk(location, followlinks=True):
        relative_dir = os.path.relpath(folder, location).replace(os.sep, "/")
        relative_dir = "" if relative_dir == "." else relative_dir
        dirs[:] = sorted(d for d in dirs if not is_excluded(f"{relative_dir}/{d}".lstrip("/"), exclusions))
        values = _partition_values(relative_dir, keys)
        for name in sorted(files):
            relative = f"{relative_dir}/{name}".lstrip("/")
            if name.startswith(HIDDEN_PREFIXES) or is_excluded(relative, exclusions):
                continue
            if not name.endswith(suffix) or values is None:
                scanned.ignored.append(relative)
            elif keys:
                by_partition.setdefault(values, []).append(os.path.join(folder, name))
            else:
                scanned.root_files.append(os.path.join(folder, name))
    for values in sorted(by_partition):
        folder = os.path.join(location, *(f"{k}={v}" for k, v in zip(keys, values, strict=True)))
        scanned.partitions.append(Partition(values, folder, tuple(by_partition[values])))
    return scanned


def _hive_type(arrow_type: object) -> str:
    import pyarrow as pa

    t = arrow_type
    checks = (
        (pa.types.is_string, "string"),
        (pa.types.is_large_string, "string"),
        (pa.types.is_date, "date"),
        (pa.types.is_timestamp, "timestamp"),
        (pa.types.is_int8, "tinyint"),
        (pa.types.is_int16, "smallint"),
        (pa.types.is_int32, "int"),
        (pa.types.is_int64, "bigint"),
        (pa.types.is_float32, "float"),
        (pa.types.is_float64, "double"),
        (pa.types.is_boolean, "boolean"),
    )
    for check, name in checks:
        if check(t):
            return name
    if pa.types.is_decimal(t):
        return f"decimal({t.precision},{t.scale})"  # type: ignore[attr-defined]
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return f"array<{_hive_type(t.value_type)}>"  # type: ignore[attr-defined]
    return str(t)


def file_columns(path: str, data_format: DataFormat) -> list[tuple[str, str]]:
    """(name, Hive type) of the columns inside one data file: the Parquet footer, or the CSV header."""
    if data_format == "csv":
        with open(path, encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), [])
        return [(name.strip(), "string") for name in header]
    import pyarrow.parquet as pq

    schema = pq.read_schema(path)
    return [(f.name, _hive_type(f.type)) for f in schema]
