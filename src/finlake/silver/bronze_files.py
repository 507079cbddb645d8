"""Finding Bronze files, classifying every one of them, and peeking at their headers, locally or on S3.

Every file under the Bronze root is listed, none silently ignored. A file is *skipped* (listed in the
run report with its reason, never read) when its name or a folder on its path starts with `_` or
`.` (HIDDEN_NAME), when its entity folder is not in the contract (UNKNOWN_ENTITY), or when it is
not directly in an `<entity>/ingest_date=.../` folder (NO_INGEST_DATE). A file in an
`ingest_date=` folder whose date is not a real YYYY-MM-DD date is *rejected* (INVALID_INGEST_DATE):
it would otherwise be loaded with a null date.

Only the first `HEAD_BYTES` of a file are read here (one ranged GET on S3; decompressed for
`.csv.gz`): enough to judge its header (see `drift.py`). A `.csv.gz` is also decompressed to its
end once, so a truncated or corrupt archive is rejected as a file instead of failing the Spark read
half way. The data itself is read by Spark in `reader.py`.
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlparse

from finlake.contracts.bronze import ENTITIES
from finlake.contracts.model import Entity
from finlake.silver.drift import FileStatus, HeaderCheck, check_header, rejected

HEAD_BYTES = 64 * 1024
CHUNK = 1 << 20
INGEST_FOLDER = re.compile(r"ingest_date=(.*)")
GZIP_MAGIC = b"\x1f\x8b"
# Folders holding another form of an entity: Firehose's GZIP JSON Lines of streamed transactions (stream_source.py).
STREAMED_FORMS = {"transactions_stream": "transactions"}
STREAMED_SUFFIXES = (".gz", ".jsonl")  # Firehose's GZIP objects (file_extension .jsonl.gz), or plain JSON Lines
# Hadoop would decompress these by suffix; only gzip is part of the contract.
OTHER_COMPRESSION = (".bz2", ".deflate", ".lz4", ".snappy", ".zst", ".zstd", ".zip", ".xz", ".br", ".7z")


@dataclass(frozen=True)
class BronzeFile:
    """One landed Bronze file. `rel` is its path below the Bronze root: `<entity>/ingest_date=D/<name>`."""

    uri: str  # what Spark reads: a local path or s3://bucket/key
    rel: str
    ingest_date: str | None  # None unless the folder is `ingest_date=<a real YYYY-MM-DD date>`
    size: int
    skip: str = ""  # a reason code if the file is never read: HIDDEN_NAME, UNKNOWN_ENTITY, NO_INGEST_DATE
    bad_date: bool = False  # in an `ingest_date=` folder whose date is not a real date

    @property
    def entity(self) -> str:
        folder = self.rel.split("/", 1)[0] if "/" in self.rel else ""
        return STREAMED_FORMS.get(folder, folder)

    @property
    def gzipped(self) -> bool:
        return self.rel.endswith(".gz")


def _s3_client():  # created on use, never at import time
    import boto3

    return boto3.client("s3")


def _walk_local(root: str) -> Iterator[tuple[str, int]]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            yield path, os.path.getsize(path)


def _walk_s3(root: str) -> Iterator[tuple[str, int]]:
    parsed = urlparse(root)
    folder = parsed.path.strip("/")
    prefix = f"{folder}/" if folder else ""  # Terraform's Bronze root is a whole bucket (s3://<bucket>/)
    pages = _s3_client().get_paginator("list_objects_v2").paginate(Bucket=parsed.netloc, Prefix=prefix)
    for page in pages:
        for obj in page.get("Contents", []):
            if not obj["Key"].endswith("/"):  # a "folder" marker is not a file
                yield f"s3://{parsed.netloc}/{obj['Key']}", int(obj["Size"])


def _valid_date(text: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def classify(uri: str, rel: str, size: int) -> BronzeFile:
    """A file's place in the Bronze layout: its ingest_date, or why it is skipped."""
    parts = rel.split("/")
    if any(p.startswith((".", "_")) for p in parts):
        return BronzeFile(uri, rel, None, size, skip="HIDDEN_NAME")
    if len(parts) < 2 or (parts[0] not in ENTITIES and parts[0] not in STREAMED_FORMS):
        return BronzeFile(uri, rel, None, size, skip="UNKNOWN_ENTITY")
    folder = INGEST_FOLDER.fullmatch(parts[1]) if len(parts) == 3 else None
    if folder is None:
        return BronzeFile(uri, rel, None, size, skip="NO_INGEST_DATE")
    if not _valid_date(folder[1]):
        return BronzeFile(uri, rel, None, size, bad_date=True)
    return BronzeFile(uri, rel, folder[1], size)


def scan_bronze(bronze_root: str) -> list[BronzeFile]:
    """Every file under the Bronze root, classified, sorted by (ingest_date, path)."""
    base = bronze_root.rstrip("/")
    walk = _walk_s3 if base.startswith("s3://") else _walk_local
    files = [classify(uri, uri[len(base) + 1 :], size) for uri, size in walk(base)]
    return sorted(files, key=lambda f: (f.ingest_date or "", f.rel))


def list_bronze_files(bronze_root: str, entity: str) -> list[BronzeFile]:
    """Every file under `<bronze_root>/<entity>/` (skipped ones included, with their reason)."""
    return [f for f in scan_bronze(bronze_root) if f.entity == entity]


def _open(file: BronzeFile):
    if file.uri.startswith("s3://"):
        parsed = urlparse(file.uri)
        return _s3_client().get_object(Bucket=parsed.netloc, Key=parsed.path.lstrip("/"))["Body"]
    return open(file.uri, "rb")  # closed by the caller's `with`


def read_head(file: BronzeFile) -> bytes:
    """The first HEAD_BYTES of the file as stored (compressed, for a .gz)."""
    if file.uri.startswith("s3://"):
        parsed = urlparse(file.uri)
        obj = _s3_client().get_object(
            Bucket=parsed.netloc, Key=parsed.path.lstrip("/"), Range=f"bytes=0-{HEAD_BYTES - 1}"
        )
        return obj["Body"].read()
    with open(file.uri, "rb") as fh:
        return fh.read(HEAD_BYTES)


def gunzip_head(file: BronzeFile) -> tuple[bytes, bool]:
    """The first HEAD_BYTES of a .gz file's content, and whether that is all of it. The whole archive
    is decompressed (and thrown away) so a truncated or corrupt one raises zlib.error / EOFError here."""
    head, total = b"", 0
    decoder = zlib.decompressobj(zlib.MAX_WBITS | 16)
    with _open(file) as fh:
        while chunk := fh.read(CHUNK):
            while chunk:
                out = decoder.decompress(chunk)
                total += len(out)
                head += out[: max(0, HEAD_BYTES - len(head))]
                if not decoder.eof:
                    break
                chunk = decoder.unused_data  # concatenated gzip members, as gzip(1) and Hadoop read them
                decoder = zlib.decompressobj(zlib.MAX_WBITS | 16) if chunk else decoder
    if not decoder.eof:
        raise EOFError("the archive ends before its end-of-stream marker (truncated)")
    return head, total <= HEAD_BYTES


def inspect(entity: Entity, file: BronzeFile) -> HeaderCheck:
    """What the file's header says about how to read it; REJECTED (with a reason) if it must not be read."""
    if file.bad_date:
        folder = file.rel.split("/")[1]
        return rejected("INVALID_INGEST_DATE", f"{folder} is not a real date (YYYY-MM-DD); file rejected")
    if is_streamed(file):
        return _inspect_streamed(entity, file)  # JSON Lines, not CSV: no header to judge
    if file.rel.lower().endswith(OTHER_COMPRESSION):
        return rejected("UNSUPPORTED_COMPRESSION", "compressed with other than gzip; only .csv and .csv.gz are read")
    try:
        head = read_head(file)
        if file.gzipped:
            if not head.startswith(GZIP_MAGIC):
                return rejected("CORRUPT_GZIP", "named .gz but not gzip data; file rejected")
            head, whole = gunzip_head(file)
            return check_header(entity, head, whole_file=whole)
        if head.startswith(GZIP_MAGIC):
            return rejected("COMPRESSED_WITHOUT_GZ_NAME", "gzip data in a file not named .gz; file rejected")
    except (zlib.error, EOFError) as exc:
        return rejected("CORRUPT_GZIP", f"the gzip archive cannot be decompressed ({exc}); file rejected")
    except OSError as exc:
        return rejected("UNREADABLE", f"the file cannot be read ({type(exc).__name__}: {exc}); file rejected")
    return check_header(entity, head, whole_file=file.size <= HEAD_BYTES)


def is_streamed(file: BronzeFile) -> bool:
    """In a folder of another form of an entity (STREAMED_FORMS), read by silver/stream_source.py."""
    return file.rel.split("/", 1)[0] in STREAMED_FORMS


def _inspect_streamed(entity: Entity, file: BronzeFile) -> HeaderCheck:
    """OK (every record names its fields: the contract's columns) or REJECTED as a whole file, with its reason."""
    if not file.rel.endswith(STREAMED_SUFFIXES):
        return rejected("UNSUPPORTED_COMPRESSION", "streamed transactions are read as .jsonl or .gz (GZIP) only")
    try:
        head = read_head(file)
        if file.gzipped:
            if not head.startswith(GZIP_MAGIC):
                return rejected("CORRUPT_GZIP", "named .gz but not gzip data; file rejected")
            head, _ = gunzip_head(file)  # the whole archive is decompressed once: a truncated one is refused here
    except (zlib.error, EOFError) as exc:
        return rejected("CORRUPT_GZIP", f"the gzip archive cannot be decompressed ({exc}); file rejected")
    except OSError as exc:
        return rejected("UNREADABLE", f"the file cannot be read ({type(exc).__name__}: {exc}); file rejected")
    if not head.strip():
        return HeaderCheck(FileStatus.EMPTY, problems=["no records"])
    return HeaderCheck(FileStatus.OK, columns=tuple(entity.column_names))
