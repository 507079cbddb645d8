"""Atomic publish on S3: a new versioned prefix, then a Glue Data Catalog repoint, then `_CURRENT`.

S3 has no rename, so the local symlink swap (finlake.publish) becomes a pointer swap. For a table
path `s3://<bucket>/<table>`:

    s3://<bucket>/_versions/<table>/<version>/...            the files of one version (Spark writes them)
    s3://<bucket>/_versions/<table>/<version>/_MANIFEST.json where every partition of that version lives
    s3://<bucket>/<table>/_CURRENT                           a copy of the current version's manifest

Publishing, in this order:
1. the writer (Spark, passed in) fills a fresh version prefix; for a partitioned table published
   incrementally it writes only the rewritten partitions, the others keep their old prefixes;
2. the version's manifest is written (partition -> prefix, carried-over partitions included);
3. if the table's root is bound to a Glue database (`bind_catalog`), the catalog is repointed:
   CreateTable/UpdateTable (StorageDescriptor.Location = the new version, columns from the contract
   declaration) and BatchCreatePartition / BatchUpdatePartition / BatchDeletePartition for the
   partitions that changed. Athena and every catalog reader switch here;
4. `_CURRENT` is written last (one PUT: readers get the old or the new object), for readers that go
   by path (the Silver and Gold jobs themselves, through `read_version`);
5. old versions are deleted, keeping the newest `keep_versions` published ones and everything any
   kept manifest, `_CURRENT` or the catalog still points at. S3 deletes are not atomic, but only
   unreferenced prefixes are deleted, so a half-deleted one is invisible; the next publish finishes it.

A failure before step 3 removes the new prefix and leaves catalog and `_CURRENT` on the old version.
A failure during step 3 keeps the new prefix (the catalog may already point at part of it) and says
so; rerunning the job republishes. Glue has no multi-call transaction: an unpartitioned table
switches in one UpdateTable call; a partitioned one switches partition by partition within seconds,
each partition being complete (old or new). One writer per table at a time is assumed, as locally.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from finlake import textstore
from finlake.errors import FinlakeError

if TYPE_CHECKING:
    from finlake.catalog.specs import TableSpec

VERSIONS_DIR = "_versions"
CURRENT_OBJECT = "_CURRENT"
MANIFEST_OBJECT = "_MANIFEST.json"
MANIFEST_FORMAT = 1
# Glue API limits per call (CreatePartition/UpdatePartition: 100 entries, DeletePartition: 25).
BATCH_CREATE_MAX = 100
BATCH_UPDATE_MAX = 100
BATCH_DELETE_MAX = 25
S3_DELETE_MAX = 1000


def _s3() -> Any:  # clients are created on use, never at import time
    import boto3

    return boto3.client("s3")


def _glue() -> Any:
    import boto3

    return boto3.client("glue")


# Table root (s3://bucket[/prefix], no trailing slash) -> (Glue database, contract layer).
_catalog_bindings: dict[str, tuple[str, str]] = {}


def is_s3(path: str) -> bool:
    return path.startswith("s3://")


def bind_catalog(root: str, database: str, layer: str) -> None:
    """Declare that the tables under `root` are registered in Glue `database` (contract `layer`)."""
    _catalog_bindings[root.rstrip("/")] = (database, layer)


def bind_lake_catalog(silver_root: str, gold_root: str, database_prefix: str) -> None:
    """On AWS: Silver tables live in `<prefix>_silver`, Gold tables in `<prefix>_gold` (brief item 7).

    Only the analyst-facing roots are bound: silver_restricted (customer_pii) and quarantine have no
    Glue database and are published by `_CURRENT` alone. Local roots are never bound.
    """
    for root, layer in ((silver_root, "silver"), (gold_root, "gold")):
        if database_prefix and is_s3(root):
            bind_catalog(root, f"{database_prefix}_{layer}", layer)


def clear_catalog_bindings() -> None:
    _catalog_bindings.clear()


# --- locations -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class S3Table:
    """Where a table path's versions and pointer live."""

    path: str  # s3://bucket[/prefix]/<table>, no trailing slash

    @classmethod
    def of(cls, table_path: str) -> S3Table:
        parsed = urlparse(table_path.rstrip("/"))
        if parsed.scheme != "s3" or not parsed.netloc or not parsed.path.strip("/"):
            raise FinlakeError(f"{table_path} is not an s3://<bucket>/<table> path")
        return cls(table_path.rstrip("/"))

    @property
    def bucket(self) -> str:
        return urlparse(self.path).netloc

    @property
    def key(self) -> str:  # <prefix>/<table>
        return urlparse(self.path).path.strip("/")

    @property
    def name(self) -> str:
        return self.key.rsplit("/", 1)[-1]

    @property
    def root(self) -> str:  # s3://bucket[/prefix]
        return self.path.rsplit("/", 1)[0]

    @property
    def versions_prefix(self) -> str:  # key prefix, e.g. "_versions/customers/"
        parent = self.key.rsplit("/", 1)[0] + "/" if "/" in self.key else ""
        return f"{parent}{VERSIONS_DIR}/{self.name}/"

    @property
    def current_uri(self) -> str:
        return f"{self.path}/{CURRENT_OBJECT}"

    def version_uri(self, version: str) -> str:
        return f"s3://{self.bucket}/{self.versions_prefix}{version}/"

    def version_of(self, uri: str) -> str | None:
        """The version name a location belongs to, or None if it is not under this table's versions."""
        base = f"s3://{self.bucket}/{self.versions_prefix}"
        if not uri.startswith(base):
            return None
        return uri[len(base) :].split("/", 1)[0] or None


@dataclass(frozen=True)
class S3Version:
    """One version of a table: its own prefix and where each of its partitions lives.

    `str()` is the version's prefix, so a Spark writer can write to it and a reader of an
    unpartitioned table can read it; partitioned tables are read with `read_version`.
    """

    name: str
    location: str  # s3://bucket/_versions/<table>/<version>/
    partition_keys: tuple[str, ...] = ()
    partitions: Mapping[str, str] = field(default_factory=dict)  # "k=v[/k2=v2]" -> s3://.../ (trailing /)
    written: tuple[str, ...] = ()
    empty: bool = False

    def __str__(self) -> str:
        return self.location.rstrip("/")

    def is_dir(self) -> bool:
        return True

    def referenced_versions(self, table: S3Table) -> set[str]:
        refs = {self.name}
        for uri in self.partitions.values():
            version = table.version_of(uri)
            if version:
                refs.add(version)
        return refs

    def to_json(self, table: S3Table) -> str:
        return json.dumps(
            {
                "format": MANIFEST_FORMAT,
                "table": table.path,
                "version": self.name,
                "location": self.location,
                "partition_keys": list(self.partition_keys),
                "partitions": dict(sorted(self.partitions.items())),
                "written": list(self.written),
                "empty": self.empty,
                "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str, where: str) -> S3Version:
        try:
            raw = json.loads(text)
            return cls(
                name=raw["version"],
                location=raw["location"],
                partition_keys=tuple(raw.get("partition_keys", [])),
                partitions=dict(raw.get("partitions", {})),
                written=tuple(raw.get("written", [])),
                empty=bool(raw.get("empty", False)),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise FinlakeError(f"{where} is not a finlake version manifest: {exc}") from None


def new_version_name() -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return f"v{stamp}-{secrets.token_hex(4)}"


# --- reading the current version -------------------------------------------------------------------


def current_version(table_path: str) -> S3Version | None:
    """The version `_CURRENT` names, or None when the table was never published."""
    table = S3Table.of(table_path)
    text = textstore.read_text(table.current_uri)
    return None if text is None else S3Version.from_json(text, table.current_uri)


def read_version(spark: Any, version: S3Version, schema: Any) -> Any:
    """A DataFrame over exactly the files of `version` (partitions may live in older prefixes).

    Partitions are read grouped by the version prefix they live in, each group with that prefix as
    `basePath` so Spark still derives the partition columns from the folder names (and prunes on
    them); Spark refuses one read over several roots ("conflicting directory structures").
    """
    if not version.partition_keys:
        if version.empty:
            return spark.createDataFrame([], schema)
        return spark.read.schema(schema).parquet(str(version))
    by_prefix: dict[str, list[str]] = {}
    for rel, uri in sorted(version.partitions.items()):
        by_prefix.setdefault(uri[: -len(rel) - 1], []).append(uri)
    frames = [spark.read.schema(schema).option("basePath", base).parquet(*uris) for base, uris in by_prefix.items()]
    if not frames:
        return spark.createDataFrame([], schema)
    result = frames[0]
    for frame in frames[1:]:
        result = result.unionByName(frame)
    return result


# --- listing what a writer wrote -----------------------------------------------------------------


def _list_keys(s3: Any, bucket: str, prefix: str) -> list[str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return [obj["Key"] for page in pages for obj in page.get("Contents", [])]


def _is_data(rel: str) -> bool:
    return not any(part.startswith(("_", ".")) for part in rel.split("/"))


@dataclass(frozen=True)
class Layout:
    """What a writer put under a staging prefix."""

    partition_keys: tuple[str, ...]
    partitions: tuple[str, ...]  # leaf folders, "k=v[/k2=v2]"
    has_data: bool


def _written_layout(s3: Any, table: S3Table, staging: S3Version) -> Layout:
    prefix = staging.location[len(f"s3://{table.bucket}/") :]
    rels = [key[len(prefix) :] for key in _list_keys(s3, table.bucket, prefix)]
    data = [rel for rel in rels if _is_data(rel)]
    folders = sorted({rel.rsplit("/", 1)[0] for rel in data if "/" in rel})
    layouts = {tuple(part.split("=", 1)[0] for part in folder.split("/")) for folder in folders}
    not_hive = [f for f in folders if not all("=" in part for part in f.split("/"))]
    mixed = folders and any("/" not in rel for rel in data)
    if not_hive or len(layouts) > 1 or mixed:
        raise FinlakeError(f"{staging.location}: the files written are not one Hive partition layout ({folders})")
    return Layout(next(iter(layouts)) if layouts else (), tuple(folders), bool(data))


def _manifest(
    table: S3Table, staging: S3Version, layout: Layout, previous: S3Version | None, carry: bool, drop: Sequence[str]
) -> S3Version:
    """The new version: what was written, plus (when carrying) the previous version's other partitions."""
    keys = layout.partition_keys
    partitions = {rel: f"{staging.location}{rel}/" for rel in layout.partitions}
    if carry and previous is not None and previous.partition_keys:
        if keys and tuple(previous.partition_keys) != keys:
            raise FinlakeError(f"{table.path}: partition keys changed from {previous.partition_keys} to {keys}")
        keys = tuple(previous.partition_keys)
        for rel, uri in previous.partitions.items():
            if rel not in partitions and rel not in drop:
                partitions[rel] = uri
    empty = not layout.has_data and not partitions
    return S3Version(staging.name, staging.location, keys, partitions, layout.partitions, empty)


# --- the catalog -----------------------------------------------------------------------------------


def catalog_binding(table: S3Table) -> tuple[str, str] | None:
    return _catalog_bindings.get(table.root)


def _partition_values(rel: str, keys: Sequence[str]) -> list[str]:
    pairs = dict(part.split("=", 1) for part in rel.split("/"))
    return [pairs[k] for k in keys]


def _glue_errors(response: Mapping[str, Any], what: str, table: str) -> None:
    errors = response.get("Errors") or []
    if errors:
        first = errors[0]
        detail = first.get("ErrorDetail", {}).get("ErrorMessage", "unknown error")
        raise FinlakeError(f"Glue refused to {what} partition {first.get('PartitionValues')} of {table}: {detail}")


def catalog_locations(glue: Any, database: str, name: str) -> tuple[str | None, dict[tuple[str, ...], str]]:
    """(table location, {partition values: location}) as the catalog holds them now."""
    try:
        table = glue.get_table(DatabaseName=database, Name=name)["Table"]
    except glue.exceptions.EntityNotFoundException:
        return None, {}
    pages = glue.get_paginator("get_partitions").paginate(DatabaseName=database, TableName=name)
    partitions = {tuple(p["Values"]): p["StorageDescriptor"]["Location"] for page in pages for p in page["Partitions"]}
    return table["StorageDescriptor"]["Location"], partitions


def declared_spec(layer: str, table: S3Table, version: S3Version) -> TableSpec:
    """The contract's catalog view of the table, checked against what was written (before any repoint)."""
    from finlake.catalog.specs import table_spec

    spec = table_spec(layer, table.name)
    declared_keys = tuple(c.name for c in spec.partition_keys)
    if version.partitions and declared_keys != version.partition_keys:
        raise FinlakeError(
            f"{table.path}: written partitions {version.partition_keys} differ from the contract's {declared_keys}"
        )
    return spec


def repoint_catalog(glue: Any, database: str, spec: TableSpec, table: S3Table, version: S3Version) -> None:
    """Point the Glue table (and its partitions) at `version`; create the table if it is missing."""
    from finlake.catalog.glue_shapes import partition_input, table_input

    declared_keys = tuple(c.name for c in spec.partition_keys)
    where = f"{database}.{table.name}"
    table_in = table_input(spec, version.location)
    location, existing = catalog_locations(glue, database, table.name)
    wanted = {tuple(_partition_values(rel, declared_keys)): uri for rel, uri in version.partitions.items()}
    if location is None:
        glue.create_table(DatabaseName=database, TableInput=table_in)
    create = [partition_input(table_in, list(v), uri) for v, uri in sorted(wanted.items()) if v not in existing]
    update = [
        {"PartitionValueList": list(v), "PartitionInput": partition_input(table_in, list(v), uri)}
        for v, uri in sorted(wanted.items())
        if v in existing and existing[v] != uri
    ]
    delete = [{"Values": list(v)} for v in sorted(existing) if v not in wanted]
    for batch in _chunks(create, BATCH_CREATE_MAX):
        _glue_errors(
            glue.batch_create_partition(DatabaseName=database, TableName=table.name, PartitionInputList=batch),
            "create",
            where,
        )
    for batch in _chunks(update, BATCH_UPDATE_MAX):
        _glue_errors(
            glue.batch_update_partition(DatabaseName=database, TableName=table.name, Entries=batch), "update", where
        )
    for batch in _chunks(delete, BATCH_DELETE_MAX):
        _glue_errors(
            glue.batch_delete_partition(DatabaseName=database, TableName=table.name, PartitionsToDelete=batch),
            "delete",
            where,
        )
    if location is not None:
        glue.update_table(DatabaseName=database, TableInput=table_in)


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- publishing ------------------------------------------------------------------------------------


@dataclass
class Staging:
    """What `staged_version` yields: where to write, and (after the block) what was published."""

    table: S3Table
    version: S3Version
    published: S3Version | None = None
    removed_versions: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.version.name

    def __str__(self) -> str:
        return str(self.version)


def _delete_prefix(s3: Any, bucket: str, prefix: str) -> None:
    keys = _list_keys(s3, bucket, prefix)
    for batch in _chunks(keys, S3_DELETE_MAX):
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True})


@contextmanager
def staged_version(
    table_path: str,
    *,
    carry_unchanged_partitions: bool = False,
    drop_partitions: Sequence[str] = (),
    keep_versions: int = 2,
) -> Iterator[Staging]:
    """Yield a fresh version prefix to write into; publish it (manifest, catalog, `_CURRENT`) on success."""
    table = S3Table.of(table_path)
    name = new_version_name()
    staging = Staging(table, S3Version(name, table.version_uri(name)))
    s3 = _s3()
    repointing = False
    try:
        yield staging
        layout = _written_layout(s3, table, staging.version)
        previous = current_version(table_path)
        version = _manifest(table, staging.version, layout, previous, carry_unchanged_partitions, drop_partitions)
        textstore.write_text(f"{version.location}{MANIFEST_OBJECT}", version.to_json(table))
        binding = catalog_binding(table)
        if binding is not None:
            spec = declared_spec(binding[1], table, version)
            repointing = True
            repoint_catalog(_glue(), binding[0], spec, table, version)
        textstore.write_text(table.current_uri, version.to_json(table))
        staging.published = version
    except BaseException as exc:
        if not repointing:
            _delete_prefix(s3, table.bucket, staging.version.location[len(f"s3://{table.bucket}/") :])
            raise
        raise FinlakeError(
            f"publishing {table.path} failed while repointing the Glue catalog to {name} ({exc}); "
            "the catalog may point at part of the new version, rerun the job to finish"
        ) from exc
    staging.removed_versions = cleanup_versions(table_path, keep_versions)


def cleanup_versions(table_path: str, keep_versions: int = 2) -> tuple[str, ...]:
    """Delete old version prefixes; never one that a kept manifest, `_CURRENT` or the catalog uses."""
    table = S3Table.of(table_path)
    s3 = _s3()
    listing = s3.get_paginator("list_objects_v2").paginate(
        Bucket=table.bucket, Prefix=table.versions_prefix, Delimiter="/"
    )
    names = sorted(
        (
            p["Prefix"][len(table.versions_prefix) :].rstrip("/")
            for page in listing
            for p in page.get("CommonPrefixes", [])
        ),
        reverse=True,
    )
    protected = _protected_versions(table, names, max(keep_versions, 1))
    doomed = [n for n in names if n not in protected]
    for name in doomed:
        _delete_prefix(s3, table.bucket, f"{table.versions_prefix}{name}/")
    return tuple(doomed)


def _protected_versions(table: S3Table, names: list[str], keep: int) -> set[str]:
    protected: set[str] = set()
    current = current_version(table.path)
    if current is not None:
        protected |= current.referenced_versions(table)
    kept = 0
    for name in names:  # newest first: the newest `keep` published versions and what they use
        if kept >= keep:
            break
        text = textstore.read_text(f"{table.version_uri(name)}{MANIFEST_OBJECT}")
        if text is not None:
            protected |= S3Version.from_json(text, name).referenced_versions(table)
            kept += 1
    binding = catalog_binding(table)
    if binding is not None:
        location, partitions = catalog_locations(_glue(), binding[0], table.name)
        for uri in [location or "", *partitions.values()]:
            version = table.version_of(uri)
            if version:
                protected.add(version)
    return protected
