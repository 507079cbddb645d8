"""Ranking and classification: latest change record wins, first event delivery wins, deterministically."""

from __future__ import annotations

import datetime as dt

from chispa import assert_df_equality
from pyspark.sql import types as T

from finlake.silver.dedupe import (
    classify,
    rank_change_records,
    rank_events,
    rank_unique,
    repeated_keys,
    split_repeated,
    with_key_hash,
)

SCHEMA = T.StructType(
    [
        T.StructField("id", T.StringType()),
        T.StructField("row", T.StringType()),
        T.StructField("updated_at", T.TimestampType()),
        T.StructField("ingest_date", T.DateType()),
        T.StructField("source_file", T.StringType()),
        T.StructField("_row_hash", T.LongType()),
        T.StructField("_existing", T.BooleanType()),
        T.StructField("reasons", T.ArrayType(T.StringType())),
    ]
)
D1, D2 = dt.date(2024, 1, 1), dt.date(2024, 1, 2)
T1, T2 = dt.datetime(2024, 1, 1, 9), dt.datetime(2024, 1, 2, 9)


def _outcomes(df):
    return df.select("row", "outcome").orderBy("row")


def _expected(spark, pairs):
    return spark.createDataFrame(pairs, "row string, outcome string")


def test_latest_change_record_wins_and_ties_are_deterministic(spark):
    rows = [
        ("C1", "a-old", T1, D1, "f1", 1, False, []),
        ("C1", "b-new", T2, D1, "f1", 2, False, []),
        ("C2", "c-existing", T1, D1, "f0", 5, True, []),
        ("C2", "d-same-time-later-file", T1, D2, "f2", 3, False, []),
        ("C3", "e-bad-but-newest", T2, D2, "f2", 9, False, ["BAD_DATE"]),
        ("C3", "f-valid", T1, D1, "f1", 4, False, []),
    ]
    df = spark.createDataFrame(rows, SCHEMA)
    actual = _outcomes(df.transform(rank_change_records("id", "updated_at")).transform(classify("SUPERSEDED")))
    expected = _expected(
        spark,
        [
            ("a-old", "SUPERSEDED"),
            ("b-new", "WRITTEN"),
            ("c-existing", "SUPERSEDED"),
            ("d-same-time-later-file", "WRITTEN"),
            ("e-bad-but-newest", "QUARANTINED"),
            ("f-valid", "WRITTEN"),
        ],
    )
    assert_df_equality(actual, expected, ignore_nullable=True)


def test_first_event_delivery_wins_and_silver_beats_the_batch(spark):
    rows = [
        ("T1", "a-first", None, D1, "f1", 7, False, []),
        ("T1", "b-again-next-day", None, D2, "f2", 7, False, []),
        ("T2", "c-in-silver", None, None, None, None, True, []),
        ("T2", "d-redelivered", None, D2, "f2", 1, False, []),
        ("T3", "e-new", None, D2, "f2", 2, False, []),
    ]
    df = spark.createDataFrame(rows, SCHEMA)
    actual = _outcomes(df.transform(rank_events("id")).transform(classify("DUPLICATE_DELIVERY")))
    expected = _expected(
        spark,
        [
            ("a-first", "WRITTEN"),
            ("b-again-next-day", "DUPLICATE_DELIVERY"),
            ("c-in-silver", "WRITTEN"),
            ("d-redelivered", "DUPLICATE_DELIVERY"),
            ("e-new", "WRITTEN"),
        ],
    )
    assert_df_equality(actual, expected, ignore_nullable=True)


def test_ranking_only_the_repeated_keys_gives_every_row_the_full_windows_rank(spark):
    """The same `_rank` per row, whether the window covers every row or only the repeated keys' rows."""
    import random

    rng = random.Random(7)
    rows = []
    for i in range(400):
        key = f"T{rng.randrange(250)}"  # ~40% of keys occur more than once
        existing = rng.random() < 0.1
        reasons = ["BAD_DATE"] if rng.random() < 0.1 else []
        day = D1 if rng.random() < 0.5 else D2
        rows.append((key, f"r{i:03d}", None, day, f"f{rng.randrange(3)}", rng.randrange(5), existing, reasons))
    df = spark.createDataFrame(rows, SCHEMA).transform(with_key_hash("id"))
    repeated = repeated_keys(df)
    assert 0 < repeated.count() < df.select("id").distinct().count()  # the test exercises both paths
    full = df.transform(rank_events("id")).select("row", "_rank")
    once, again = split_repeated(df, repeated)
    split = once.transform(rank_unique()).unionByName(again.transform(rank_events("id"))).select("row", "_rank")
    assert_df_equality(split, full, ignore_row_order=True, ignore_nullable=True)


def test_a_unique_key_sent_to_the_window_by_a_hash_collision_keeps_its_rank(spark):
    """`_key_hash` may collide: a unique key then counts as repeated and its rows go to the window,
    which ranks by the key itself, so every rank is what it would have been."""
    rows = [
        ("T1", "a", None, D1, "f1", 1, False, []),
        ("T1", "b", None, D2, "f2", 1, False, []),
        ("T2", "c", None, D1, "f1", 2, False, []),
        ("T3", "d", None, D1, "f1", 3, False, ["BAD_DATE"]),
    ]
    df = spark.createDataFrame(rows, SCHEMA).transform(with_key_hash("id"))
    collided = repeated_keys(df).unionByName(df.where("id in ('T2', 'T3')").select("_key_hash"))
    once, again = split_repeated(df, collided)
    assert sorted(r["row"] for r in again.collect()) == ["a", "b", "c", "d"]
    split = once.transform(rank_unique()).unionByName(again.transform(rank_events("id")))
    assert {r["row"]: r["_rank"] for r in split.collect()} == {"a": 1, "b": 2, "c": 1, "d": None}
