"""The storage layer on a real Iceberg catalog: one commit per write, time travel, WAP, races, old lakes."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from pyspark.sql import functions as F

from finlake import storage
from finlake.contracts.silver import SILVER_TABLES
from finlake.errors import FinlakeError
from finlake.lake import Lake
from finlake.maintenance import maintain

NAME = "silver.transactions"


def _tx(spark, ids, month="2024-01"):
    cols = SILVER_TABLES["transactions"].column_names
    rows = [{c: None for c in cols} | {"transaction_id": i, "booked_month": month, "account_id": "A1"} for i in ids]
    return spark.createDataFrame(rows, SILVER_TABLES["transactions"].spark_schema())


def _ids(df):
    return sorted(r.transaction_id for r in df.select("transaction_id").collect())


@pytest.fixture
def lake(tmp_path):
    return Lake.local(tmp_path / "lake")


def test_insert_only_merge_never_duplicates_and_time_travel_reads_the_past(spark, lake):
    storage.merge_insert_new(spark, lake, NAME, _tx(spark, ["T1", "T2"]), "transaction_id", partitions=["2024-01"])
    first = storage.current_snapshot_id(spark, lake, NAME)
    after_first = datetime.now(UTC)
    storage.merge_insert_new(spark, lake, NAME, _tx(spark, ["T2", "T3"]), "transaction_id", partitions=["2024-01"])
    assert _ids(storage.read_table(spark, lake, NAME)) == ["T1", "T2", "T3"]
    assert _ids(storage.read_table(spark, lake, NAME, snapshot_id=first)) == ["T1", "T2"]
    assert _ids(storage.read_table(spark, lake, NAME, as_of=after_first)) == ["T1", "T2"]
    assert storage.current_snapshot(spark, lake, NAME) == (storage.current_snapshot_id(spark, lake, NAME), 3)


def test_a_new_table_starts_with_one_empty_snapshot_readers_and_branches_can_use(spark, lake):
    storage.ensure_table(spark, lake, NAME)
    snapshot = storage.current_snapshot(spark, lake, NAME)
    assert snapshot is not None and snapshot[1] == 0
    assert storage.read_table(spark, lake, NAME).columns == SILVER_TABLES["transactions"].column_names
    assert storage.read_table(spark, lake, NAME, snapshot_id=snapshot[0]).isEmpty()
    storage.ensure_table(spark, lake, NAME)  # a second call commits nothing
    assert storage.current_snapshot(spark, lake, NAME) == snapshot


def test_two_writers_at_once_no_lost_update_no_duplicates(spark, lake):
    storage.ensure_table(spark, lake, NAME)
    outcomes: dict[str, str] = {}

    def writer(name, ids):
        try:
            storage.merge_insert_new(spark, lake, NAME, _tx(spark, ids), "transaction_id", partitions=["2024-01"])
            outcomes[name] = "ok"
        except FinlakeError as exc:
            outcomes[name] = str(exc)

    threads = [threading.Thread(target=writer, args=(n, ids)) for n, ids in (("a", ["T1", "T2"]), ("b", ["T2", "T3"]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = _ids(storage.read_table(spark, lake, NAME))
    assert len(ids) == len(set(ids))  # never a key twice
    written = {"a": {"T1", "T2"}, "b": {"T2", "T3"}}
    expected = sorted(set().union(*(written[n] for n, outcome in outcomes.items() if outcome == "ok")))
    assert "ok" in outcomes.values()  # a race has a winner
    assert ids == expected  # everything a successful writer wrote is there
    for outcome in outcomes.values():  # a loser fails in one line that says what to do
        assert outcome == "ok" or (
            "another writer committed a conflicting change first" in outcome and "\n" not in outcome
        )


def test_staged_data_is_invisible_until_published(spark, lake):
    storage.replace_rows(spark, lake, NAME, _tx(spark, ["T1"]))
    staged = storage.stage(spark, lake, NAME, _tx(spark, ["T9"]), "run-1", storage.replace_rows)
    assert _ids(storage.read_table(spark, lake, NAME)) == ["T1"]
    assert _ids(staged.read(spark)) == ["T9"]
    storage.publish(spark, staged)
    assert _ids(storage.read_table(spark, lake, NAME)) == ["T9"]
    refs = spark.sql(f"SELECT name FROM {storage.ref(NAME).identifier(lake)}.refs").collect()
    assert [r.name for r in refs] == ["main"]


def test_audit_branches_left_by_a_dead_run_are_dropped_and_other_branches_kept(spark, lake):
    ident = storage.ensure_table(spark, lake, NAME)
    spark.sql(f"ALTER TABLE {ident} CREATE BRANCH `{storage.AUDIT_BRANCH_PREFIX}20240101T000000Z`")
    spark.sql(f"ALTER TABLE {ident} CREATE BRANCH `analyst_sandbox`")
    storage.drop_stale_audit_branches(spark, lake, NAME)
    branches = {r[0] for r in spark.sql(f"SELECT name FROM {ident}.refs WHERE type = 'BRANCH'").collect()}
    assert branches == {"main", "analyst_sandbox"}


def test_maintain_compacts_and_expires(spark, lake):
    for i in range(6):  # six commits, six small files in one partition
        storage.merge_insert_new(spark, lake, NAME, _tx(spark, [f"T{i}"]), "transaction_id", partitions=["2024-01"])
    files = spark.sql(f"SELECT count(*) FROM {storage.ref(NAME).identifier(lake)}.files").first()[0]
    done = {
        m.table: m
        for m in maintain(spark, lake, older_than_days=0, retain_last=1, now=datetime.now(UTC) + timedelta(seconds=1))
    }
    result = done[NAME]
    assert result.files_rewritten == files and result.files_added == 1
    assert result.snapshots_after == 1 and result.snapshots_before >= 7
    assert _ids(storage.read_table(spark, lake, NAME)) == [f"T{i}" for i in range(6)]


def test_an_old_lake_is_told_to_rebuild(spark, tmp_path):
    lake = Lake.local(tmp_path / "old")
    (tmp_path / "old" / "silver" / "_versions").mkdir(parents=True)
    with pytest.raises(FinlakeError, match=r"previous \(pre-Iceberg\) layout: rebuild it .*--full-refresh"):
        storage.read_table(spark, lake, NAME)


def test_unknown_table_names_are_one_line():
    with pytest.raises(FinlakeError, match=r"unknown table 'silver\.nope'"):
        storage.ref("silver.nope")
    assert storage.ref("silver.customer_pii").namespace_layer == "silver_restricted"
    assert storage.ref("quarantine.loans").identifier(Lake.local("/x")) == "finlake.quarantine.loans"


def test_a_copied_lake_is_refused_in_one_line(spark, lake, tmp_path):
    import shutil

    storage.replace_rows(spark, lake, NAME, _tx(spark, ["T1"]))
    shutil.copytree(tmp_path / "lake", tmp_path / "copy")
    with pytest.raises(FinlakeError, match=r"was copied or moved from .*/lake \(its Iceberg tables point there\)"):
        storage.read_table(spark, Lake.local(tmp_path / "copy"), NAME)


def test_a_table_from_an_earlier_release_gains_the_new_declared_columns(spark, lake):
    # as if the table had been made before `balance_after` and `channel` were declared
    storage.merge_insert_new(spark, lake, NAME, _tx(spark, ["T1"]), "transaction_id", partitions=["2024-01"])
    ident = storage.ref(NAME).identifier(lake)
    spark.sql(f"ALTER TABLE {ident} DROP COLUMNS (balance_after, channel)")
    assert "channel" not in spark.table(ident).columns

    new = _tx(spark, ["T2"]).withColumn("channel", F.lit("ATM"))
    storage.merge_insert_new(spark, lake, NAME, new, "transaction_id", partitions=["2024-01"])
    rows = {r.transaction_id: r.channel for r in storage.read_table(spark, lake, NAME).collect()}
    assert rows == {"T1": None, "T2": "ATM"}  # the earlier row reads the new column as null


def test_a_writes_spark_jobs_are_described_by_its_table_and_the_description_is_restored(spark):
    context = spark.sparkContext
    context.setJobDescription("outer step")
    try:
        with storage._one_commit(spark, storage.ref(NAME)):
            assert context.getLocalProperty("spark.job.description") == f"write {NAME}"
        assert context.getLocalProperty("spark.job.description") == "outer step"
    finally:
        context.setLocalProperty("spark.job.description", None)
    assert context.getLocalProperty("spark.job.description") is None
