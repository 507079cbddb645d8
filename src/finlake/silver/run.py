"""One Silver run's shared context: its session, lake, report, the snapshot of each table when it
started, and what entities hand to their children; plus the steps every entity shares (validating a
batch, counting outcomes, publishing the quarantine, recording lineage). The two ways an entity is
merged live apart: silver/change_entities.py and silver/transactions_append.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from finlake import storage
from finlake.contracts.bronze import REASONS
from finlake.contracts.model import Entity
from finlake.contracts.silver import SILVER_TABLES
from finlake.lake import Lake
from finlake.report import RunReport, TableLineage
from finlake.silver import orphans
from finlake.silver.bronze_files import BronzeFile
from finlake.silver.dedupe import RANK
from finlake.silver.drift import HeaderCheck
from finlake.silver.integrity import flag_orphans, known_parent_keys
from finlake.silver.quarantine import to_quarantine
from finlake.silver.reader import read_bronze
from finlake.silver.validation import is_valid, validate


@dataclass
class EntityBatch:
    """The Bronze files of one entity this run will process, with what their headers said."""

    entity: Entity
    files: list[tuple[BronzeFile, HeaderCheck]] = field(default_factory=list)
    skipped: list[BronzeFile] = field(default_factory=list)  # never read, listed with `BronzeFile.skip`

    @property
    def rels(self) -> list[str]:
        return [f.rel for f, _ in self.files] + [f.rel for f in self.skipped]

    @property
    def ingest_dates(self) -> list[str]:
        return sorted({f.ingest_date for f, _ in self.files if f.ingest_date})


def count_outcomes(ranked: DataFrame, duplicate_kind: str, extra: list[Column] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    """Every number the report needs for one entity, in one aggregation pass over the ranked rows."""
    batch = ~F.col("_existing") & ~F.col(orphans.RETRIED)  # read from Bronze this run

    def n(cond: Column) -> Column:
        return F.sum(F.when(cond, 1).otherwise(0))

    row = ranked.agg(
        n(batch).alias("rows_read"),
        n(batch & (F.col("outcome") == "WRITTEN")).alias("rows_written"),
        n(batch & (F.col("outcome") == "QUARANTINED")).alias("rows_quarantined"),
        n(batch & (F.col("outcome") == duplicate_kind)).alias("duplicates_removed"),
        n(F.col(RANK) == 1).alias("current_rows"),
        *[n(batch & F.array_contains("reasons", code)).alias(f"reason_{code}") for code in REASONS.codes],
        *orphans.count_columns(),
        *extra,
    ).first()
    return row.asDict() if row else {}


def materialized(ranked: DataFrame) -> DataFrame:
    """The ranking computed once and kept (local checkpoint): every count and write reads it, and a
    MERGE needs a source whose lineage holds no non-deterministic step (the Bronze file metadata)."""
    return ranked.localCheckpoint(eager=True)


# Broadcast budget for key sets (FK parent keys, repeated transaction ids): ~1M short ids are ~50 MB,
# far below the driver's memory
BROADCAST_KEYS = 1_000_000


class SilverRun:
    """One run of the job: its session, lake, report, and what entities hand to their children."""

    def __init__(self, spark: SparkSession, lake: Lake, run_id: str, full_refresh: bool, report: RunReport):
        self.spark, self.lake, self.run_id, self.full_refresh, self.report = spark, lake, run_id, full_refresh, report
        self.parent_keys: dict[str, DataFrame] = {}
        self.persisted: list[DataFrame] = []
        self.accept_quarantine_rate: float | None = None  # None: the declared breaker threshold
        # Each table's snapshot when the run started: everything this run reads of Silver is read at
        # these, so a commit made meanwhile (by this run or another writer) cannot change it.
        self.before: dict[str, int | None] = {}
        self.clock: dt.date | None = None  # the latest ingest_date this run processes: expires held orphans
        self.held: dict[str, list[str]] = {}  # entity -> ingest_dates of its held orphans (silver/orphans.py)

    # -- reading what is published ------------------------------------------------------------
    def read_before(self, name: str) -> DataFrame:
        """`name` as it was when the run started (empty, with its schema, if it did not exist)."""
        if name not in self.before:
            self.before[name] = storage.current_snapshot_id(self.spark, self.lake, name)
        snapshot = self.before[name]
        if snapshot is None:
            return self.spark.createDataFrame([], storage.contract(name).spark_schema())
        return storage.read_table(self.spark, self.lake, name, snapshot_id=snapshot)

    def existing_rows(self, entity: Entity) -> DataFrame:
        """What Silver held for a change entity at the start: contract columns plus lineage."""
        lineage = ["source_file", "ingest_date", "run_id"]
        if entity.name == "customers":
            public = self.read_before("silver.customers")
            pii = self.read_before("silver.customer_pii")
            joined = public.join(pii.select("customer_id", *entity.pii_columns), on="customer_id", how="left")
            return joined.select(*entity.column_names, *lineage)
        return self.read_before(f"silver.{entity.name}").select(*entity.column_names, *lineage)

    def held_dates(self, batch: EntityBatch) -> list[str]:
        """The ingest_dates of the entity's held orphans (none on a full refresh: Bronze is re-read whole)."""
        name = batch.entity.name
        if name not in self.held:
            held = []
            if batch.entity.foreign_keys and not self.full_refresh:
                quarantine = self.read_before(f"quarantine.{name}").where(orphans.is_held())
                held = sorted(str(r[0]) for r in quarantine.select("ingest_date").distinct().collect())
            self.held[name] = held
        return self.held[name]

    # -- one entity ---------------------------------------------------------------------------
    def validated_batch(self, batch: EntityBatch) -> DataFrame:
        entity = batch.entity
        rows = read_bronze(self.spark, entity, batch.files)
        if self.held_dates(batch):  # held orphans are judged again with the new rows
            quarantine = self.read_before(f"quarantine.{entity.name}")
            rows = rows.unionByName(orphans.held_rows(quarantine, entity, batch.rels))
        rows = rows.transform(validate(entity))
        for fk in entity.foreign_keys:
            rows = rows.transform(flag_orphans(fk, self.parent_keys[fk.parent], entity.orphan_retry_days))
        rows = rows.transform(orphans.expire(self.clock, entity.orphan_retry_days))
        return (
            # The raw values are kept only where the quarantine needs them: a valid row carries a null
            # instead of a second copy of every field through the dedupe shuffle and the cache.
            rows.withColumn("raw", F.when(~is_valid(), F.col("raw")))
            .withColumn("run_id", F.lit(self.run_id))
            .withColumn("_existing", F.lit(False))
            .withColumn("_row_hash", F.xxhash64(*entity.column_names))
            .transform(orphans.mark_retried([f.rel for f, _ in batch.files]))
        )

    def fill_counts(self, entity: str, counts: dict[str, Any], duplicate_kind: str) -> None:
        e = self.report.entity(entity, "silver")
        for key in ("rows_read", "rows_written", "rows_quarantined", "duplicates_removed"):
            setattr(e, key, int(counts.get(key) or 0))
        e.quarantine_reasons = {c: int(counts[f"reason_{c}"]) for c in REASONS.codes if counts.get(f"reason_{c}")}
        e.duplicate_reasons = {duplicate_kind: e.duplicates_removed} if e.duplicates_removed else {}
        e.orphans = orphans.orphan_counts(counts)

    def record_lineage(self, name: str, batch: EntityBatch, written: Sequence[str] = ()) -> TableLineage:
        lineage = self.report.table(name, storage.ref(name).identifier(self.lake))
        snapshot_id, rows = storage.current_snapshot(self.spark, self.lake, name) or (None, 0)
        lineage.version = str(snapshot_id or "")
        lineage.snapshot_id = snapshot_id
        lineage.rows = rows
        lineage.inputs = [f.rel for f, _ in batch.files]
        lineage.ingest_dates = batch.ingest_dates
        lineage.partitions_written = list(written)
        lineage.upstream = [f"bronze.{batch.entity.name}"]
        return lineage

    def publish_quarantine(self, batch: EntityBatch, ranked: DataFrame) -> None:
        """Rewrite the ingest_date partitions of this batch: rows of other files kept, rows of these
        files replaced (so a redo after a failure never duplicates them). One commit."""
        entity = batch.entity
        name = f"quarantine.{entity.name}"
        new_rows = ranked.where(~F.col("_existing")).transform(to_quarantine(entity, self.run_id))
        if self.full_refresh:
            storage.replace_rows(self.spark, self.lake, name, new_rows)
        else:
            held = self.held_dates(batch)  # held orphans were judged again: new_rows holds what is left of them
            dates = sorted({*batch.ingest_dates, *held})
            kept = self.read_before(name).where(F.col("ingest_date").isin(*[F.lit(d).cast("date") for d in dates]))
            if batch.rels:
                kept = kept.where(~F.col("source_file").isin(*batch.rels))  # rows from these files are being redone
            if held:
                kept = kept.where(~orphans.is_held())
            # whole partitions replaced, so one whose last held orphan loaded is emptied, not left behind
            storage.replace_partition_values(
                self.spark, self.lake, name, kept.unionByName(new_rows), "ingest_date", dates
            )
        self.record_lineage(name, batch)

    def load_parent_keys(self, entity: Entity) -> None:
        """Parent keys for children when the parent had nothing new: what Silver holds."""
        existing = self.existing_rows(entity).select(entity.key)
        no_batch = self.spark.createDataFrame([], f"{entity.key} string, ingest_date date")
        self.set_parent_keys(entity, known_parent_keys(entity.key, no_batch, existing))

    def set_parent_keys(self, entity: Entity, keys: DataFrame) -> None:
        """What the entity's children check their foreign keys against. Silver's table of the entity
        holds exactly these keys once written, so its row count (Iceberg metadata, no scan) says
        whether they can be broadcast: then the child rows are not shuffled for the check."""
        table = f"silver.{entity.name}"
        current = storage.current_snapshot(self.spark, self.lake, table) if entity.name in SILVER_TABLES else None
        small = current is not None and current[1] <= BROADCAST_KEYS
        self.parent_keys[entity.name] = F.broadcast(keys) if small else keys

    def snapshots(self) -> dict[str, int]:
        """Every Silver table's current snapshot: the consistent cut Gold reads."""
        names = [f"silver.{t}" for t in SILVER_TABLES]
        ids = {n: storage.current_snapshot_id(self.spark, self.lake, n) for n in names}
        return {n: i for n, i in ids.items() if i is not None}

    def release(self) -> None:
        for df in self.persisted:
            df.unpersist()
        self.persisted.clear()
