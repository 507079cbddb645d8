"""Transactions (events): re-deliveries are dropped (the first delivery wins, a copy whose business
fields differ is reported as a conflict) and the new ones are inserted with an insert-only MERGE that
reads only the booking months the batch touches, so a day costs the same whatever the history."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from finlake import storage
from finlake.silver import breaker, conflicts
from finlake.silver.dedupe import (
    KEY_HASH,
    classify,
    rank_events,
    rank_unique,
    repeated_keys,
    split_repeated,
    with_key_hash,
)
from finlake.silver.models import SILVER_MODELS
from finlake.silver.run import BROADCAST_KEYS, EntityBatch, SilverRun, count_outcomes, materialized
from finlake.silver.validation import is_valid


def append_transactions(run: SilverRun, batch: EntityBatch) -> None:
    """transactions: drop re-deliveries, insert the new ones with an insert-only MERGE that reads
    only the booking months the batch touches."""
    entity = batch.entity
    # Parsed and validated once, kept as rows (a local checkpoint): every later pass reads them. A
    # columnar cache (persist) costs ~2/3 as much again as the validation to build (measured at 1M
    # rows: docs/benchmarks.md); a checkpoint ~1/4, and its lineage is deterministic for the MERGE.
    rows = (
        run.validated_batch(batch)
        .transform(conflicts.with_content_hash(entity))
        .transform(with_key_hash(entity.key))
        .localCheckpoint(eager=True)
    )
    month = F.date_format("booked_at", "yyyy-MM")
    repeated = repeated_keys(rows)
    months: list[str] = []  # the booking months the batch touches: what an incremental run reads and merges
    if not run.full_refresh:
        months = sorted(r[0] for r in rows.where(is_valid()).select(month).distinct().collect())
        # Only published ids of the months this batch touches, and only those it repeats, can change
        # its ranking: a day costs the same whatever the history (make bench). Rows that came from
        # this batch's files before (a failed run being redone) are ranked as new again.
        published = (
            run.read_before("silver.transactions")
            .where(F.col("booked_month").isin(*months))
            .where(~F.col("source_file").isin(*batch.rels))
        )
        redelivered = published.join(rows.select(entity.key), on=entity.key, how="left_semi").transform(
            conflicts.with_content_hash(entity)
        )
        existing = _mark_existing_ids(redelivered, entity.key).persist()  # read twice, below
        run.persisted.append(existing)
        repeated = repeated.unionByName(existing.select(KEY_HASH))
        rows = rows.unionByName(existing, allowMissingColumns=True)
    ranked, repeats = _rank(run, rows, entity.key, repeated)
    written = ~F.col("_existing") & (F.col("outcome") == "WRITTEN")
    months_written = F.array_sort(F.collect_set(F.when(written, month))).alias("months")
    counts = count_outcomes(ranked, "DUPLICATE_DELIVERY", [months_written])
    run.fill_counts(entity.name, counts, "DUPLICATE_DELIVERY")
    breaker.check(entity.name, counts, ranked, run.accept_quarantine_rate)
    if counts.get("duplicates_removed"):  # a copy whose business fields differ is reported, not just dropped
        few = counts["duplicates_removed"] <= BROADCAST_KEYS
        run.report.entity(entity.name, "silver").conflicts = conflicts.find_conflicts(
            repeats, entity, "DUPLICATE_DELIVERY", few_copies=few
        )

    new_rows = SILVER_MODELS[entity.name]["transactions"](ranked.where(written))
    if run.full_refresh:
        storage.replace_rows(run.spark, run.lake, "silver.transactions", new_rows)
    else:  # a redone file's rows are already there: the MERGE leaves them alone
        storage.merge_insert_new(run.spark, run.lake, "silver.transactions", new_rows, entity.key, partitions=months)
    parts = [f"booked_month={m}" for m in counts.get("months") or []]
    run.record_lineage("silver.transactions", batch, parts).upstream.append("silver.accounts")
    run.publish_quarantine(batch, ranked)


def _rank(run: SilverRun, rows: DataFrame, key: str, repeated: DataFrame) -> tuple[DataFrame, DataFrame]:
    """(every row ranked and classified, the part holding the rows of repeated keys: every duplicate
    and the delivery it lost to). When the repeated keys are few enough to broadcast (a day's
    re-deliveries), only their rows are ranked and kept (a small checkpoint); the rest is the
    checkpointed batch read again, each unique-key row rank 1: no second copy of every row. A re-sent
    history falls back to the window over every row, kept whole."""
    classified = classify("DUPLICATE_DELIVERY")
    repeated = repeated.persist()  # one action: the aggregate is computed, kept and counted
    run.persisted.append(repeated)
    if repeated.count() > BROADCAST_KEYS:
        ranked = materialized(rows.transform(rank_events(key)).transform(classified))
        return ranked, ranked
    once, again = split_repeated(rows, repeated)
    repeats = materialized(again.transform(rank_events(key)).transform(classified))
    return once.transform(rank_unique()).transform(classified).unionByName(repeats), repeats


def _mark_existing_ids(published: DataFrame, key: str) -> DataFrame:
    # what a conflicting re-delivery is compared with and reported against (silver/conflicts.py)
    shown = (conflicts.CONTENT_HASH, "amount", "account_id", "booked_at", "source_file")
    return (
        published.select(key, *shown)
        .withColumn("_existing", F.lit(True))
        .withColumn("reasons", F.array().cast("array<string>"))
        .transform(with_key_hash(key))
    )
