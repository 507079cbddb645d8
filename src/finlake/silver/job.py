"""The Bronze -> Silver job (what `glue_jobs/bronze_to_silver.py` and `finlake bronze-to-silver` run).

Per entity, parents first (ENTITY_ORDER; entities whose parents are done run concurrently): list the
Bronze files not processed yet, judge their headers, read them with an explicit all-string schema,
type and validate every row, flag orphans (silver/run.py), rank against what Silver holds and publish
the new Silver version and the quarantine: the latest change record wins for change entities
(silver/change_entities.py), the first delivery of an event for transactions
(silver/transactions_append.py). This module keeps the order: planning, levels, state. The incremental state is saved
only after every table is published; a failed run leaves the last good version of each table
readable, and the next run redoes the unsaved files (what those files produced before is replaced,
never duplicated).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Sequence
from functools import partial

from pyspark.sql import SparkSession

from finlake import storage
from finlake.contracts.bronze import ENTITIES, ENTITY_ORDER
from finlake.contracts.model import RecordKind
from finlake.jobrun import JobRun
from finlake.lake import Lake
from finlake.report import RunReport
from finlake.silver import intake
from finlake.silver.bronze_files import inspect, list_bronze_files
from finlake.silver.change_entities import merge_change_entity
from finlake.silver.models import SILVER_MODELS
from finlake.silver.rate_book_export import export_rate_book
from finlake.silver.run import EntityBatch, SilverRun
from finlake.silver.state import SilverState, load_state, save_state
from finlake.silver.transactions_append import append_transactions
from finlake.spark import run_concurrently

JOB_NAME = "bronze_to_silver"
# "1": entities of one level one after another instead of concurrently. The AWS end-to-end test sets
# it: against moto (a mock S3), two entities reading Bronze through S3A at once drew spurious 403s.
SERIAL_ENV = "FINLAKE_SERIAL_ENTITIES"
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


def _process(run: SilverRun, batch: EntityBatch) -> None:
    """One entity, timed; a failure is labelled with the entity it happened in."""
    name = batch.entity.name
    started = time.monotonic()
    try:
        with run.report.timed(name):
            if batch.entity.kind is RecordKind.CHANGE:
                merge_change_entity(run, batch)
            else:
                append_transactions(run, batch)
    except Exception as exc:
        raise _EntityFailed(name) from exc
    run.report.entity(name, "silver").seconds = round(time.monotonic() - started, 3)


def _outputs_exist(spark: SparkSession, lake: Lake, entity: str) -> bool:
    return all(storage.table_exists(spark, lake, f"silver.{t}") for t in SILVER_MODELS[entity])


def run_bronze_to_silver(
    spark: SparkSession, lake: Lake, full_refresh: bool, run_id: str, accept_quarantine_rate: float | None = None
) -> RunReport:
    """Process new Bronze files (all of them with `full_refresh`) into Silver. Returns the run report,
    which is also written to `<runs>/<run_id>.json` and summarised on stdout. Raises FinlakeError
    (after writing a `failed` report) if a step fails; what was published before stays readable."""
    configure_session(spark)
    storage.check_lake_format(lake)
    report = RunReport(run_id=run_id, job=JOB_NAME)
    job = JobRun(lake, report, "bronze-to-silver", "the last good Silver is still published, rerun to finish")
    run = SilverRun(spark, lake, run_id, full_refresh, report)
    run.accept_quarantine_rate = accept_quarantine_rate
    try:
        with job.guarded():
            with job.stage("planning", timed="plan"):
                state = SilverState() if full_refresh else load_state(lake)
                batches = plan(lake, state)
                intake.report_unknown_folders(report, lake.bronze, state, run_id)
                for batch in batches.values():
                    _report_files(report, batch)
                todo = _todo(run, batches)
            if any(todo.values()):
                _process_levels(run, job, batches, todo)
            else:
                report.notes.append("nothing new in Bronze: Silver unchanged")
            with job.stage("saving state"):
                for name, batch in batches.items():  # a misplaced file is reported once, then remembered
                    state.mark(name, batch.rels, run_id)
                previous = dict(state.snapshots)
                if any(todo.values()):
                    state.snapshots = run.snapshots()
                if written := export_rate_book(spark, lake, previous, state.snapshots):  # the stream monitor's
                    report.notes.append(f"exchange-rate snapshot written: {written}")
                save_state(lake, state)
    finally:
        run.release()
    return job.finish("succeeded" if any(todo.values()) else "nothing_new")


def _todo(run: SilverRun, batches: dict[str, EntityBatch]) -> dict[str, bool]:
    """Which entities this run processes: those with new files (all on a full refresh), those whose
    Silver tables do not exist yet, and those with held orphans to retry when anything is new."""
    todo = {
        n: run.full_refresh or bool(b.files) or not _outputs_exist(run.spark, run.lake, n) for n, b in batches.items()
    }
    if any(todo.values()):
        run.clock = max((dt.date.fromisoformat(d) for b in batches.values() for d in b.ingest_dates), default=None)
        for name, batch in batches.items():
            todo[name] = todo[name] or bool(run.held_dates(batch))
    return todo


def _process_levels(run: SilverRun, job: JobRun, batches: dict[str, EntityBatch], todo: dict[str, bool]) -> None:
    """Entities parents first; the entities of one level concurrently (see entity_levels)."""
    for level in entity_levels():
        for name in level:
            if not todo[name] and name in PARENTS:
                with job.stage(name):
                    run.load_parent_keys(batches[name].entity)
        tasks = {name: partial(_process, run, batches[name]) for name in level if todo[name]}
        try:
            if os.environ.get(SERIAL_ENV) == "1":
                for task in tasks.values():
                    task()
            else:
                run_concurrently(tasks)
        except _EntityFailed as failed:
            job.step = failed.entity
            raise failed.__cause__ or failed from None


__all__ = ["run_bronze_to_silver"]
