"""Change entities (customers, accounts, loans, reference data): the batch is ranked against the Silver
rows of the same keys (the latest change record wins) and the winners are MERGEd into each Silver
table the entity publishes (silver/models.py), one commit per table, with the quarantine."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from finlake import storage
from finlake.contracts.model import Entity
from finlake.silver import breaker
from finlake.silver.dedupe import RANK, classify, rank_change_records
from finlake.silver.integrity import known_parent_keys
from finlake.silver.models import SILVER_MODELS
from finlake.silver.run import EntityBatch, SilverRun, count_outcomes, materialized
from finlake.silver.validation import is_valid
from finlake.spark import run_concurrently


def _mark_existing(df: DataFrame, entity: Entity) -> DataFrame:
    return (
        df.withColumn("_existing", F.lit(True))
        .withColumn("reasons", F.array().cast("array<string>"))
        .withColumn("_row_hash", F.xxhash64(*entity.column_names))
    )


def merge_change_entity(run: SilverRun, batch: EntityBatch) -> None:
    """customers / accounts / loans: rank the batch against the Silver rows of the same keys (the
    latest change record wins) and MERGE the winners, one commit per output table."""
    entity = batch.entity
    assert entity.version_column
    rows = run.validated_batch(batch)
    existing = run.existing_rows(entity)
    if not run.full_refresh:
        same_keys = existing.join(rows.select(entity.key).distinct(), on=entity.key, how="left_semi")
        rows = rows.unionByName(_mark_existing(same_keys, entity), allowMissingColumns=True)
    ranked = rows.transform(rank_change_records(entity.key, entity.version_column)).transform(classify("SUPERSEDED"))
    ranked = materialized(ranked)
    counts = count_outcomes(ranked, "SUPERSEDED")
    run.fill_counts(entity.name, counts, "SUPERSEDED")
    breaker.check(entity.name, counts, ranked, run.accept_quarantine_rate)
    winners = ranked.where((F.col(RANK) == 1) & ~F.col("_existing"))
    write = storage.replace_rows if run.full_refresh else partial(storage.merge_upsert, key=entity.key)

    def publish(table_name: str, build: Callable[[DataFrame], DataFrame]) -> Callable[[], None]:
        def task() -> None:
            write(run.spark, run.lake, f"silver.{table_name}", build(winners))
            run.record_lineage(f"silver.{table_name}", batch)

        return task

    # every output is written from the cached ranking: independent, so written concurrently
    tasks = {name: publish(name, build) for name, build in SILVER_MODELS[entity.name].items()}
    run_concurrently({**tasks, "quarantine": lambda: run.publish_quarantine(batch, ranked)})
    valid_new = ranked.where(is_valid() & ~F.col("_existing"))
    known = run.spark.createDataFrame([], f"{entity.key} string") if run.full_refresh else existing
    run.set_parent_keys(entity, known_parent_keys(entity.key, valid_new, known.select(entity.key)))
