"""The Silver job end to end on tiny Bronze: accounting, idempotency, incremental == full refresh,
a failure injected mid-publish, and bad files."""

from __future__ import annotations

import json

import pytest
from bronze_rows import csv_text, row, write_bronze
from chispa import assert_df_equality

import finlake.silver.job as job_module
from finlake import storage
from finlake.contracts.silver import SILVER_TABLES
from finlake.errors import FinlakeError
from finlake.lake import Lake
from finlake.silver.job import run_bronze_to_silver

ENTITY_NAMES = ("customers", "accounts", "loans", "transactions")


def _day1(bronze):
    bronze(
        "customers",
        "2024-01-01",
        [
            row("customers"),
            row("customers", customer_id="C2", first_name="Grace"),
            row("customers", customer_id="C3", gender="Q"),  # UNKNOWN_CODE
            row("customers", first_name="Old", updated_at="2023-12-01T00:00:00Z"),  # SUPERSEDED
        ],
    )
    bronze(
        "accounts",
        "2024-01-01",
        [
            row("accounts"),
            row("accounts", account_id="A2", customer_id="C2"),
            row("accounts", account_id="A9", customer_id="C3"),  # parent quarantined -> ORPHAN_FK
        ],
    )
    bronze("loans", "2024-01-01", [row("loans"), row("loans", loan_id="L2", principal="-1")])  # OUT_OF_RANGE
    bronze(
        "transactions",
        "2024-01-01",
        [
            row("transactions"),
            row("transactions"),  # DUPLICATE_DELIVERY within the batch
            row("transactions", transaction_id="T2", account_id="A2", booked_at="2024-02-01T08:00:00Z"),
            row("transactions", transaction_id="T3", booked_at="31/01/2024"),  # BAD_DATE
        ],
    )


def _day2(bronze):
    bronze("customers", "2024-01-02", [row("customers", segment="AFFLUENT", updated_at="2024-01-02T00:00:00Z")])
    bronze("loans", "2024-01-02", [row("loans", status="DEFAULT", updated_at="2024-01-02T00:00:00Z")])
    bronze(
        "transactions",
        "2024-01-02",
        [
            row("transactions", transaction_id="T2", account_id="A2", booked_at="2024-02-01T08:00:00Z"),  # re-delivery
            row("transactions", transaction_id="T4", booked_at="2024-01-20T08:00:00Z"),
            row("transactions", transaction_id="T5", account_id="A7"),  # ORPHAN_FK
        ],
    )


def _snapshot(spark, lake):
    """Every Silver table and quarantine, as in-memory frames without run_id (it names the run)."""
    frames = {}
    names = [f"silver.{t}" for t in SILVER_TABLES] + [f"quarantine.{e}" for e in ENTITY_NAMES]
    for name in names:
        df = storage.read_table(spark, lake, name).drop("run_id")
        frames[name] = spark.createDataFrame(df.collect(), df.schema)
    return frames


def _assert_same(a, b):
    assert a.keys() == b.keys()
    for name in a:
        assert_df_equality(a[name], b[name], ignore_row_order=True, ignore_nullable=True)


def _counts(report):
    return {
        e.name: (e.rows_read, e.rows_written, e.rows_quarantined, e.duplicates_removed, e.quarantine_reasons)
        for e in report.entities
    }


def test_incremental_idempotent_and_equal_to_full_refresh(spark, bronze):
    lake = Lake.local(bronze.root)
    _day1(bronze)
    first = run_bronze_to_silver(spark, lake, full_refresh=False, run_id="run1")
    assert first.status == "succeeded" and first.unbalanced() == []
    assert _counts(first) == {
        "customers": (4, 2, 1, 1, {"UNKNOWN_CODE": 1}),
        "accounts": (3, 2, 1, 0, {"ORPHAN_FK": 1}),
        "loans": (2, 1, 1, 0, {"OUT_OF_RANGE": 1}),
        "transactions": (4, 2, 1, 1, {"BAD_DATE": 1}),
        "fx_rates": (0, 0, 0, 0, {}),  # no rates delivered: published empty, so Gold can read it
        "dispositions": (0, 0, 0, 0, {}),  # likewise: none delivered, published empty
        "cards": (0, 0, 0, 0, {}),
    }
    _day2(bronze)
    second = run_bronze_to_silver(spark, lake, full_refresh=False, run_id="run2")
    assert second.unbalanced() == []
    assert _counts(second) == {
        "customers": (1, 1, 0, 0, {}),
        "accounts": (0, 0, 0, 0, {}),  # no new file, but A9 (held ORPHAN_FK) is retried: C3 is still unknown
        "loans": (1, 1, 0, 0, {}),
        "transactions": (3, 1, 1, 1, {"ORPHAN_FK": 1}),
    }
    held = {"retried": 1, "loaded": 0, "expired": 0, "held": 1, "duplicates": 0}
    assert second.entity("accounts", "silver").orphans == held
    # only the month the batch touched was read and written
    assert second.tables["silver.transactions"].partitions_written == ["booked_month=2024-01"]
    incremental = _snapshot(spark, lake)
    assert incremental["silver.customers"].where("customer_id = 'C1'").first()["segment"] == "AFFLUENT"
    assert incremental["silver.loans"].first()["is_default"] is True
    assert sorted(r.transaction_id for r in incremental["silver.transactions"].collect()) == ["T1", "T2", "T4"]

    versions = {t: storage.current_snapshot_id(spark, lake, f"silver.{t}") for t in SILVER_TABLES}
    rerun = run_bronze_to_silver(spark, lake, full_refresh=False, run_id="run3")
    assert rerun.status == "nothing_new"
    assert {t: storage.current_snapshot_id(spark, lake, f"silver.{t}") for t in SILVER_TABLES} == versions

    full = run_bronze_to_silver(spark, lake, full_refresh=True, run_id="run4")
    assert full.unbalanced() == []
    _assert_same(_snapshot(spark, lake), incremental)
    report = json.loads((bronze.root / "_runs" / "run4.json").read_text())
    assert report["tables"]["silver.loans"]["inputs"] == [
        "loans/ingest_date=2024-01-01/part-0.csv",
        "loans/ingest_date=2024-01-02/part-0.csv",
    ]


def test_ranking_every_row_when_repeated_keys_are_too_many_to_broadcast_gives_the_same_silver(
    spark, tmp_path, monkeypatch
):
    """transactions_append ranks only repeated keys' rows when they fit a broadcast, else every row
    (a re-sent history): both ways give the same tables, counts and conflicts, day 1 and day 2."""
    import finlake.silver.transactions_append as append

    results = {}
    for way, limit in (("split", append.BROADCAST_KEYS), ("every-row", 0)):
        monkeypatch.setattr(append, "BROADCAST_KEYS", limit)
        root = tmp_path / way
        lake = Lake.local(root)

        def bronze(entity, ingest_date, rows=None, root=root, **kwargs):
            return write_bronze(root, entity, ingest_date, rows, **kwargs)

        reports = []
        for day, run_id in ((_day1, "run1"), (_day2, "run2")):
            day(bronze)
            report = run_bronze_to_silver(spark, lake, full_refresh=False, run_id=run_id)
            reports.append((_counts(report), report.entity("transactions", "silver").conflicts))
        results[way] = (reports, _snapshot(spark, lake))
    assert results["split"][0] == results["every-row"][0]
    assert results["split"][0][1][0]["transactions"][3] == 1  # day 2's re-delivery reached the ranking
    _assert_same(results["split"][1], results["every-row"][1])


def test_failure_mid_publish_keeps_last_good_silver_and_next_run_completes(spark, bronze, monkeypatch):
    lake = Lake.local(bronze.root)
    _day1(bronze)
    run_bronze_to_silver(spark, lake, full_refresh=False, run_id="run1")
    before = _snapshot(spark, lake)
    _day2(bronze)

    location = storage.ref("silver.transactions").location(lake)

    def failing_merge(spark, lake, name, rows, key, partitions=None):
        rows.limit(1).write.mode("append").parquet(f"{location}/data/stray")  # data files land, no commit
        raise OSError("disk full (injected)")

    monkeypatch.setattr(storage, "merge_insert_new", failing_merge)
    with pytest.raises(FinlakeError, match=r"failed at transactions: OSError: disk full \(injected\)"):
        run_bronze_to_silver(spark, lake, full_refresh=False, run_id="run2")
    failed = json.loads((bronze.root / "_runs" / "run2.json").read_text())
    assert failed["status"] == "failed"
    after_failure = _snapshot(spark, lake)
    _assert_same({"t": after_failure["silver.transactions"]}, {"t": before["silver.transactions"]})

    monkeypatch.undo()
    retry = run_bronze_to_silver(spark, lake, full_refresh=False, run_id="run3")
    assert retry.unbalanced() == []
    # the retry redoes the day-2 files: nothing they produced is counted or stored twice
    assert _counts(retry)["transactions"] == (3, 1, 1, 1, {"ORPHAN_FK": 1})
    assert _counts(retry)["customers"] == (1, 1, 0, 0, {})
    done = _snapshot(spark, lake)
    full = run_bronze_to_silver(spark, lake, full_refresh=True, run_id="run4")
    assert full.unbalanced() == []
    _assert_same(_snapshot(spark, lake), done)


def test_bad_files_get_messages_and_quarantine_entries(spark, bronze):
    lake = Lake.local(bronze.root)
    bronze("customers", "2024-01-01", [row("customers")])
    bronze("accounts", "2024-01-01", [row("accounts")])
    bronze("loans", "2024-01-01", [row("loans")])
    d = "2024-01-01"
    cols = list(row("transactions"))
    bronze("transactions", d, [row("transactions")], name="good.csv")
    bronze(
        "transactions",
        d,
        [row("transactions", transaction_id="X1", extra="1")],
        name="extra.csv",
        columns=[*cols, "extra"],
    )
    bronze(
        "transactions",
        d,
        [row("transactions", transaction_id="M1"), row("transactions", transaction_id="M2")],
        name="missing.csv",
        columns=[c for c in cols if c != "channel"],
    )
    bronze(
        "transactions",
        d,
        name="semicolon.csv",
        content=csv_text("transactions", [row("transactions", transaction_id="S1")]).replace(",", ";").encode(),
    )
    bronze("transactions", d, name="empty.csv", content=b"")
    bronze("transactions", d, [], name="header_only.csv")
    bad_bytes = csv_text("transactions", [row("transactions", transaction_id="E1", description="caf\u00e9")])
    bronze("transactions", d, name="latin1.csv", content=bad_bytes.encode("latin-1"))
    absurd = [
        row("transactions", transaction_id="Z1", amount="99999999999999999999"),
        row("transactions", transaction_id="Z2", booked_at="9999-99-99T00:00:00Z"),
    ]
    bronze("transactions", d, absurd, name="absurd.csv")
    bronze(
        "transactions", d, name="ragged.csv", content=(csv_text("transactions", []) + 'R1,A1,"unterminated\n').encode()
    )
    bronze("transactions", "not-a-date", [row("transactions")], name="misplaced.csv")

    report = run_bronze_to_silver(spark, lake, full_refresh=False, run_id="run1")
    assert report.unbalanced() == []
    tx = report.entity("transactions", "silver")
    assert (tx.rows_read, tx.rows_written, tx.rows_quarantined, tx.duplicates_removed) == (9, 2, 7, 0)
    assert tx.quarantine_reasons == {
        "MISSING_COLUMN": 3,
        "MALFORMED_ROW": 1,
        "BAD_ENCODING": 1,
        "BAD_DATE": 1,
        "OUT_OF_RANGE": 1,
    }
    bad = {f["file"].rsplit("/", 1)[-1]: f["reason"] for f in tx.bad_files}
    assert bad == {
        "missing.csv": "MISSING_COLUMN",
        "semicolon.csv": "MISSING_COLUMN",
        "empty.csv": "EMPTY_FILE",
        "header_only.csv": "HEADER_ONLY",
        "misplaced.csv": "INVALID_INGEST_DATE",
    }
    drift = {f["file"].rsplit("/", 1)[-1]: (f["missing_columns"], f["extra_columns"]) for f in tx.schema_drift}
    assert drift["extra.csv"] == ([], ["extra"])
    assert drift["missing.csv"] == (["channel"], [])
    semicolon = next(f for f in tx.bad_files if f["file"].endswith("semicolon.csv"))
    assert "wrong delimiter: the header looks ';'-separated" in semicolon["message"]
    summary = report.summary()
    assert "! transactions/ingest_date=2024-01-01/empty.csv: empty file" in summary

    quarantine = storage.read_table(spark, lake, "quarantine.transactions")
    lines = {r.source_file.rsplit("/", 1)[-1]: r.raw_line for r in quarantine.where("raw_line is not null").collect()}
    assert lines["semicolon.csv"].startswith("S1;A1;")
    extra = storage.read_table(spark, lake, "silver.transactions").where("transaction_id = 'X1'")
    assert "extra" not in extra.columns and extra.count() == 1


def test_entities_run_one_level_after_their_last_parent():
    # accounts need customers; loans, transactions and dispositions need accounts but not each other; cards
    # need dispositions; rates need nothing
    assert job_module.entity_levels() == [
        ["customers", "fx_rates"],
        ["accounts"],
        ["loans", "transactions", "dispositions"],
        ["cards"],
    ]
