"""Issue 21 item 5: a child that arrives before its parent is held, retried, loaded when the parent
arrives within the declared retry days, expired after them; a re-delivery that differs is a conflict."""

from __future__ import annotations

import json

import pytest
from bronze_rows import row
from chispa import assert_df_equality

from finlake import storage
from finlake.contracts.bronze import ORPHAN_RETRY_DAYS
from finlake.lake import Lake
from finlake.silver.job import run_bronze_to_silver

pytestmark = pytest.mark.slow
NAMES = ["silver.accounts", "silver.transactions", "quarantine.accounts", "quarantine.transactions"]


def _ids(spark, lake, name, key):
    return sorted(r[key] for r in storage.read_table(spark, lake, name).collect())


def _quarantined(spark, lake, entity, key):
    rows = storage.read_table(spark, lake, f"quarantine.{entity}").collect()
    return sorted((json.loads(r.raw_record)[key], tuple(r.reasons)) for r in rows)


def _frames(spark, lake):
    out = {}
    for name in NAMES:
        df = storage.read_table(spark, lake, name).drop("run_id")
        out[name] = spark.createDataFrame(df.collect(), df.schema)
    return out


def test_late_parents_load_expire_and_conflicts_are_reported(spark, bronze):
    assert ORPHAN_RETRY_DAYS == 3  # the dates below are chosen around it
    lake = Lake.local(bronze.root)
    bronze("customers", "2024-01-01", [row("customers")])
    bronze("accounts", "2024-01-01", [row("accounts"), row("accounts", account_id="A2", customer_id="C2")])
    bronze(
        "transactions",
        "2024-01-01",
        [
            row("transactions"),
            row("transactions", transaction_id="T2", account_id="A2"),  # its account is itself an orphan
            row("transactions", transaction_id="T3", account_id="A9"),  # A9 never arrives
            row("transactions", transaction_id="T5", amount="5.00"),
            row("transactions", transaction_id="T5", amount="6.00"),  # differs within the batch
        ],
    )
    first = run_bronze_to_silver(spark, lake, full_refresh=False, run_id="day1")
    assert first.unbalanced() == []
    assert _quarantined(spark, lake, "transactions", "transaction_id") == [
        ("T2", ("ORPHAN_FK",)),
        ("T3", ("ORPHAN_FK",)),
    ]
    tx = first.entity("transactions", "silver")
    assert tx.conflicts["count"] == 1 and tx.conflicts["examples"][0]["transaction_id"] == "T5"

    # day 2: the customer of A2 arrives; A2 loads, and so does T2 with it; T1 is re-sent, once as it was
    # and once with another amount (a conflict, still counted as a duplicate, first delivery kept)
    bronze("customers", "2024-01-02", [row("customers", customer_id="C2")])
    bronze("transactions", "2024-01-02", [row("transactions"), row("transactions", amount="99.00")])
    second = run_bronze_to_silver(spark, lake, full_refresh=False, run_id="day2")
    assert second.unbalanced() == []
    assert second.entity("accounts", "silver").orphans == {
        "retried": 1,
        "loaded": 1,
        "expired": 0,
        "held": 0,
        "duplicates": 0,
    }
    tx = second.entity("transactions", "silver")
    assert tx.orphans == {"retried": 2, "loaded": 1, "expired": 0, "held": 1, "duplicates": 0}
    assert (tx.rows_read, tx.rows_written, tx.duplicates_removed) == (2, 0, 2)
    assert tx.conflicts["count"] == 1
    example = tx.conflicts["examples"][0]
    assert (example["transaction_id"], example["first_amount"], example["redelivered_amount"]) == (
        "T1",
        "25.00",
        "99.00",
    )
    assert _ids(spark, lake, "silver.accounts", "account_id") == ["A1", "A2"]
    assert _ids(spark, lake, "silver.transactions", "transaction_id") == ["T1", "T2", "T5"]
    t1 = storage.read_table(spark, lake, "silver.transactions").where("transaction_id = 'T1'").first()
    assert str(t1.amount) == "25.00"
    assert _quarantined(spark, lake, "accounts", "account_id") == []
    assert _quarantined(spark, lake, "transactions", "transaction_id") == [("T3", ("ORPHAN_FK",))]

    # day 5: T3's account is more than 3 days late: expired, and never retried again
    bronze("customers", "2024-01-05", [row("customers", customer_id="C5")])
    fifth = run_bronze_to_silver(spark, lake, full_refresh=False, run_id="day5")
    assert fifth.entity("transactions", "silver").orphans == {
        "retried": 1,
        "loaded": 0,
        "expired": 1,
        "held": 0,
        "duplicates": 0,
    }
    assert _quarantined(spark, lake, "transactions", "transaction_id") == [("T3", ("ORPHAN_FK", "ORPHAN_FK_EXPIRED"))]
    incremental = _frames(spark, lake)

    bronze("customers", "2024-01-06", [row("customers", customer_id="C6")])
    sixth = run_bronze_to_silver(spark, lake, full_refresh=False, run_id="day6")
    assert [e.name for e in sixth.entities if e.orphans] == []

    # a full refresh over the same Bronze judges every row as the day-by-day runs did
    full = run_bronze_to_silver(spark, lake, full_refresh=True, run_id="full")
    assert full.unbalanced() == []
    for name, frame in _frames(spark, lake).items():
        assert_df_equality(frame, incremental[name], ignore_row_order=True, ignore_nullable=True)
