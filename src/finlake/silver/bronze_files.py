"""Finding Bronze files and peeking at their headers, on a local lake or on S3.

Only the first `HEAD_BYTES` of a file are read here (one ranged GET on S3): enough to judge its
header (see `drift.py`) and, for small files, whether any rows follow it. The data itself is read by
Spark in `reader.py`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlparse

from finlake.contracts.model import Entity
from finlake.silver.drift import HeaderCheck, check_header

HEAD_BYTES = 64 * 1024
INGEST_DATE = re.compile(r"(?:^|/)ingest_date=(\d{4}-\d{2}-\d{2})/")


@dataclass(frozen=True)
class BronzeFile:
    """One landed Bronze file. `rel` is its path below the Bronze root: `<entity>/ingest_date=D/<name>`."""

    uri: str  # what Spark reads: a local path or s3://bucket/key
    rel: str
    ingest_date: str | None  # None if the folder is not `ingest_date=YYYY-MM-DD`
    size: int


def _s3_client():  # created on use, never at import time
    import boto3

    return boto3.client("s3")


def _walk_local(root: str) -> Iterator[tuple[str, int]]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
        for name in sorted(filenames):
            if not name.startswith((".", "_")):
                path = os.path.join(dirpath, name)
                yield path, os.path.getsize(path)


def _walk_s3(root: str) -> Iterator[tuple[str, int]]:
    parsed = urlparse(root)
    prefix = parsed.path.lstrip("/").rstrip("/") + "/"
    pages = _s3_client().get_paginator("list_objects_v2").paginate(Bucket=parsed.netloc, Prefix=prefix)
    for page in pages:
        for obj in page.get("Contents", []):
            name = obj["Key"].rsplit("/", 1)[-1]
            if name and not name.startswith((".", "_")):
                yield f"s3://{parsed.netloc}/{obj['Key']}", int(obj["Size"])


def list_bronze_files(bronze_root: str, entity: str) -> list[BronzeFile]:
    """Every file under `<bronze_root>/<entity>/`, sorted by (ingest_date, name)."""
    base = bronze_root.rstrip("/")
    entity_root = f"{base}/{entity}"
    walk = _walk_s3 if base.startswith("s3://") else _walk_local
    files = []
    for uri, size in walk(entity_root):
        rel = f"{entity}/{uri[len(entity_root) + 1 :]}"
        m = INGEST_DATE.search(rel)
        files.append(BronzeFile(uri=uri, rel=rel, ingest_date=m[1] if m else None, size=size))
    return sorted(files, key=lambda f: (f.ingest_date or "", f.rel))


def read_head(file: BronzeFile) -> bytes:
    """The first HEAD_BYTES of the file."""
    if file.uri.startswith("s3://"):
        parsed = urlparse(file.uri)
        obj = _s3_client().get_object(
            Bucket=parsed.netloc, Key=parsed.path.lstrip("/"), Range=f"bytes=0-{HEAD_BYTES - 1}"
        )
        return obj["Body"].read()
    with open(file.uri, "rb") as fh:
        return fh.read(HEAD_BYTES)


def inspect(entity: Entity, file: BronzeFile) -> HeaderCheck:
    return check_header(entity, read_head(file), whole_file=file.size <= HEAD_BYTES)
