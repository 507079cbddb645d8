"""The Bronze -> Silver job (what `glue_jobs/bronze_to_silver.py` and `finlake bronze-to-silver` run).

Per entity, parents first (ENTITY_ORDER; entities whose parents are done run concurrently): list the Bronze files not processed yet, judge their
headers, read them with an explicit all-string schema, type and validate every row, flag orphans,
rank against what Silver holds (latest change record wins / first delivery of an event wins),
then publish the new Silver version and the quarantine atomically. The incremental state is saved
only after every table is published; a failed run leaves the last good version of each table
readable, and the next run redoes the unsaved files (what those files produced before is replaced,
never duplicated).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from finlake import storage
from finlake.contracts.bronze import ENTITIES, ENTITY_ORDER, REASONS
from finlake.contracts.model import Entity, RecordKind
from finlake.contracts.silver import SILVER_TABLES
from finlake.errors import FinlakeError
from finlake.lake import Lake
from finlake.report import RunReport, TableLineage
from finlake.silver import breaker, conflicts, failure, intake, orphans, tables
from finlake.silver.bronze_files import BronzeFile, inspect, list_bronze_files
from finlake.silver.dedupe import RANK, classify, rank_change_records, rank_events
from finlake.silver.drift import HeaderCheck
from finlake.silver.integrity import flag_orphans, known_parent_keys
from finlake.silver.pii import customer_pii, customers_without_pii
from finlake.silver.quarantine import to_quarantine
from finlake.silver.reader import read_bronze
from finlake.silver.state import SilverState, load_state, save_state
from finlake.silver.validation import is_valid, validate
from finlake.spark import run_concurrently

JOB_NAME = "bronze_to_silver"
# ~1M rows is 30-80 MB of snappy Parquet for these tables: big enough for Athena, small enough to
# write in one task.
ROWS_PER_FILE = 1_000_000
SILVER_OUTPUTS: dict[str, tuple[str, ...]] = {
    "customers": ("customers", "customer_pii"),
    "accounts": ("accounts",),
    "loans": ("loans",),
    "transactions": ("transactions",),
}
# Silver table builders per change entity (customers are split into public + restricted PII).
BUILDERS: dict[str, dict[str, Callable[[DataFrame], DataFrame]]] = {
    "customers": {"customers": customers_without_pii, "customer_pii": customer_pii},
    "accounts": {"accounts": tables.build_accounts},
    "loans": {"loans": tables.build_loans},
}
PARENTS = {fk.parent for e in ENTITIES.values() for fk in e.foreign_keys}


def entity_levels(order: Sequence[str] = ENTITY_ORDER) -> list[list[str]]:
    """ENTITY_ORDER grouped into levels: an entity comes one level after its last parent, so the
    entities of one level need nothing from each other and run concurrently (loans and transactions)."""
    level: dict[str, int] = {}
    for name in order:
        level[name] = 1 + max((level[fk.parent] for fk in ENTITIES[name].foreign_keys), default=-1)
    return [[n for n in order if level[n] == i] for i in range(max(level.values()) + 1)]


class _EntityFailed(Exception):
    def __init__(self, entity: str):
        super().__init__(entity)
        self.entity = entity


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


def configure_session(spark: SparkSession) -> None:
    """Settings the parsing relies on, whatever the session's defaults (Glue's or ours)."""
    spark.conf.set("spark.sql.session.timeZone", "UTC")  # a timestamp without offset is UTC
    spark.conf.set("spark.sql.ansi.enabled", "false")  # a bad value becomes null -> a reason, not a crash


def plan(lake: Lake, state: SilverState) -> dict[str, EntityBatch]:
    """The files each entity has not processed yet (all of them with an empty state)."""
    batches = {}
    for name in ENTITY_ORDER:
        batch = EntityBatch(ENTITIES[name])
        for f in list_bronze_files(lake.bronze, name):
            if state.is_processed(name, f.rel):
                continue
            if f.skip:
                batch.skipped.append(f)
            else:
                batch.files.append((f, inspect(batch.entity, f)))
        batches[name] = batch
    return batches


def _report_files(report: RunReport, batch: EntityBatch) -> None:
    intake.report_files(report, batch.entity.name, batch.files, batch.skipped)


def _mark_existing(df: DataFrame, entity: Entity) -> DataFrame:
    return (
        df.withColumn("_existing", F.lit(True))
        .withColumn("reasons", F.array().cast("array<string>"))
        .withColumn("_row_hash", F.xxhash64(*entity.column_names))
    )


def _count(ranked: DataFrame, duplicate_kind: str, extra: list[Column] = ()) -> dict[str, Any]:  # type: ignore[assignment]
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


class _Run:
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
            storage.replace_partition_values(self.spark, self.lake, name, kept.unionByName(new_rows), "ingest_date", dates)
        self.record_lineage(name, batch)

    def process_change_entity(self, batch: EntityBatch) -> None:
        """customers / accounts / loans: rank the batch against the Silver rows of the same keys (the
        latest change record wins) and MERGE the winners, one commit per output table."""
        entity = batch.entity
        assert entity.version_column
        rows = self.validated_batch(batch)
        existing = self.existing_rows(entity)
        if not self.full_refresh:
            same_keys = existing.join(rows.select(entity.key).distinct(), on=entity.key, how="left_semi")
            rows = rows.unionByName(_mark_existing(same_keys, entity), allowMissingColumns=True)
        ranked = rows.transform(rank_change_records(entity.key, entity.version_column)).transform(
            classify("SUPERSEDED")
        )
        ranked = _materialized(ranked)
        counts = _count(ranked, "SUPERSEDED")
        self.fill_counts(entity.name, counts, "SUPERSEDED")
        breaker.check(entity.name, counts, ranked, self.accept_quarantine_rate)
        winners = ranked.where((F.col(RANK) == 1) & ~F.col("_existing"))
        write = storage.replace_rows if self.full_refresh else partial(storage.merge_upsert, key=entity.key)

        def publish(table_name: str, build: Callable[[DataFrame], DataFrame]) -> Callable[[], None]:
            def task() -> None:
                write(self.spark, self.lake, f"silver.{table_name}", build(winners))
                self.record_lineage(f"silver.{table_name}", batch)

            return task

        # every output is written from the cached ranking: independent, so written concurrently
        tasks = {name: publish(name, build) for name, build in BUILDERS[entity.name].items()}
        run_concurrently({**tasks, "quarantine": lambda: self.publish_quarantine(batch, ranked)})
        valid_new = ranked.where(is_valid() & ~F.col("_existing"))
        known = self.spark.createDataFrame([], f"{entity.key} string") if self.full_refresh else existing
        self.parent_keys[entity.name] = known_parent_keys(entity.key, valid_new, known.select(entity.key))

    def process_transactions(self, batch: EntityBatch) -> None:
        """transactions: drop re-deliveries, insert the new ones with an insert-only MERGE that reads
        only the booking months the batch touches."""
        entity = batch.entity
        rows = self.validated_batch(batch).transform(conflicts.with_content_hash(entity)).persist()
        self.persisted.append(rows)
        month = F.date_format("booked_at", "yyyy-MM")
        months = sorted(r[0] for r in rows.where(is_valid()).select(month).distinct().collect())
        if not self.full_refresh:
            # Only published ids of the months this batch touches, and only those it repeats, can change
            # its ranking: a day costs the same whatever the history (make bench). Rows that came from
            # this batch's files before (a failed run being redone) are ranked as new again.
            published = (
                self.read_before("silver.transactions")
                .where(F.col("booked_month").isin(*months))
                .where(~F.col("source_file").isin(*batch.rels))
            )
            repeated = published.join(rows.select(entity.key), on=entity.key, how="left_semi").transform(
                conflicts.with_content_hash(entity)
            )
            rows = rows.unionByName(_mark_existing_ids(repeated, entity.key), allowMissingColumns=True)
        ranked = _materialized(rows.transform(rank_events(entity.key)).transform(classify("DUPLICATE_DELIVERY")))
        written = ~F.col("_existing") & (F.col("outcome") == "WRITTEN")
        months_written = F.array_sort(F.collect_set(F.when(written, month))).alias("months")
        counts = _count(ranked, "DUPLICATE_DELIVERY", [months_written])
        self.fill_counts(entity.name, counts, "DUPLICATE_DELIVERY")
        breaker.check(entity.name, counts, ranked, self.accept_quarantine_rate)
        if counts.get("duplicates_removed"):  # a copy whose business fields differ is reported, not just dropped
            self.report.entity(entity.name, "silver").conflicts = conflicts.find_conflicts(
                ranked, entity, "DUPLICATE_DELIVERY"
            )

        new_rows = tables.build_transactions(ranked.where(written))
        if self.full_refresh:
            storage.replace_rows(self.spark, self.lake, "silver.transactions", new_rows)
        else:  # a redone file's rows are already there: the MERGE leaves them alone
            storage.merge_insert_new(
                self.spark, self.lake, "silver.transactions", new_rows, entity.key, partitions=months
            )
        parts = [f"booked_month={m}" for m in counts.get("months") or []]
        self.record_lineage("silver.transactions", batch, parts).upstream.append("silver.accounts")
        self.publish_quarantine(batch, ranked)

    def process(self, batch: EntityBatch) -> None:
        """One entity, timed; a failure is labelled with the entity it happened in."""
        name = batch.entity.name
        started = time.monotonic()
        try:
            with self.report.timed(name):
                if batch.entity.kind is RecordKind.CHANGE:
                    self.process_change_entity(batch)
                else:
                    self.process_transactions(batch)
        except Exception as exc:
            raise _EntityFailed(name) from exc
        self.report.entity(name, "silver").seconds = round(time.monotonic() - started, 3)

    def load_parent_keys(self, entity: Entity) -> None:
        """Parent keys for children when the parent had nothing new: what Silver holds."""
        existing = self.existing_rows(entity).select(entity.key)
        no_batch = self.spark.createDataFrame([], f"{entity.key} string, ingest_date date")
        self.parent_keys[entity.name] = known_parent_keys(entity.key, no_batch, existing)

    def snapshots(self) -> dict[str, int]:
        """Every Silver table's current snapshot: the consistent cut Gold reads."""
        names = [f"silver.{t}" for t in SILVER_TABLES]
        ids = {n: storage.current_snapshot_id(self.spark, self.lake, n) for n in names}
        return {n: i for n, i in ids.items() if i is not None}

    def release(self) -> None:
        for df in self.persisted:
            df.unpersist()
        self.persisted.clear()


def _materialized(ranked: DataFrame) -> DataFrame:
    """The ranking computed once and kept (local checkpoint): every count and write reads it, and a
    MERGE needs a source whose lineage holds no non-deterministic step (the Bronze file metadata)."""
    return ranked.localCheckpoint(eager=True)


def _mark_existing_ids(published: DataFrame, key: str) -> DataFrame:
    # what a conflicting re-delivery is compared with and reported against (silver/conflicts.py)
    shown = (conflicts.CONTENT_HASH, "amount", "account_id", "booked_at", "source_file")
    return (
        published.select(key, *shown)
        .withColumn("_existing", F.lit(True))
        .withColumn("reasons", F.array().cast("array<string>"))
    )


def _outputs_exist(spark: SparkSession, lake: Lake, entity: str) -> bool:
    return all(storage.table_exists(spark, lake, f"silver.{t}") for t in SILVER_OUTPUTS[entity])


def run_bronze_to_silver(
    spark: SparkSession, lake: Lake, full_refresh: bool, run_id: str, accept_quarantine_rate: float | None = None
) -> RunReport:
    """Process new Bronze files (all of them with `full_refresh`) into Silver. Returns the run report,
    which is also written to `<runs>/<run_id>.json` and summarised on stdout. Raises FinlakeError
    (after writing a `failed` report) if a step fails; what was published before stays readable."""
    configure_session(spark)
    storage.check_lake_format(lake)
    report = RunReport(run_id=run_id, job=JOB_NAME)
    state = SilverState() if full_refresh else load_state(lake)
    with report.timed("plan"):
        batches = plan(lake, state)
        intake.report_unknown_folders(report, lake.bronze, state, run_id)
    for batch in batches.values():
        _report_files(report, batch)
    todo = {n: full_refresh or bool(b.files) or not _outputs_exist(spark, lake, n) for n, b in batches.items()}
    if not any(todo.values()):
        for batch in batches.values():
            state.mark(batch.entity.name, batch.rels, run_id)  # e.g. a misplaced file: reported once
        save_state(lake, state)
        report.notes.append("nothing new in Bronze: Silver unchanged")
        _finish(report, lake, "nothing_new")
        return report

    run = _Run(spark, lake, run_id, full_refresh, report)
    run.accept_quarantine_rate = accept_quarantine_rate
    run.clock = max((dt.date.fromisoformat(d) for b in batches.values() for d in b.ingest_dates), default=None)
    step = "planning"
    try:
        for name, batch in batches.items():  # an entity with held orphans retries them even without new files
            todo[name] = todo[name] or bool(run.held_dates(batch))
        for level in entity_levels():
            for name in level:
                if not todo[name] and name in PARENTS:
                    step = name
                    run.load_parent_keys(batches[name].entity)
            try:
                run_concurrently({name: partial(run.process, batches[name]) for name in level if todo[name]})
            except _EntityFailed as failed:
                step = failed.entity
                raise failed.__cause__ or failed from None
        step = "saving state"
        for name, batch in batches.items():
            state.mark(name, batch.rels, run_id)
        state.snapshots = run.snapshots()
        save_state(lake, state)
    except Exception as exc:
        message = (
            f"bronze-to-silver failed at {step}: {failure.describe(exc, lake, run_id)}; "
            "the last good Silver is still published, rerun to finish"
        )
        _finish(report, lake, "failed", message)
        raise FinlakeError(message) from exc
    finally:
        run.release()
    _finish(report, lake, "succeeded")
    return report


def _finish(report: RunReport, lake: Lake, status: str, message: str = "") -> None:
    report.finish(status, message)
    report.write(lake)
    print(report.summary(), flush=True)


__all__ = ["run_bronze_to_silver"]
