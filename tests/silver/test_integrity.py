"""Referential integrity: unknown parents are flagged ORPHAN_FK, never joined away."""

from __future__ import annotations

import datetime as dt

from chispa import assert_df_equality
from pyspark.sql import types as T

from finlake.contracts.model import ForeignKey
from finlake.silver.integrity import flag_orphans, known_parent_keys

D1, D2 = dt.date(2024, 1, 1), dt.date(2024, 1, 2)
CHILD = T.StructType(
    [
        T.StructField("account_id", T.StringType()),
        T.StructField("customer_id", T.StringType()),
        T.StructField("ingest_date", T.DateType()),
        T.StructField("reasons", T.ArrayType(T.StringType())),
    ]
)


def test_known_parent_keys_takes_the_earliest_date(spark):
    batch = spark.createDataFrame([("C1", D2), ("C1", D1), ("C2", D2)], "customer_id string, ingest_date date")
    silver = spark.createDataFrame([("C3",)], "customer_id string")
    actual = known_parent_keys("customer_id", batch, silver).orderBy("key")
    expected = spark.createDataFrame([("C1", D1), ("C2", D2), ("C3", dt.date(1, 1, 1))], "key string, known_from date")
    assert_df_equality(actual, expected, ignore_nullable=True)


def test_orphans_are_flagged_only_on_otherwise_valid_rows(spark):
    parents = spark.createDataFrame([("C1", D1), ("C2", D2)], "key string, known_from date")
    children = spark.createDataFrame(
        [
            ("A1", "C1", D1, []),  # parent known
            ("A2", "C9", D1, []),  # parent unknown
            ("A3", "C9", D1, ["BAD_DATE"]),  # already invalid: no ORPHAN_FK on top
            ("A4", "C2", D1, []),  # parent only arrives the next day
            ("A5", "C2", D2, []),  # parent arrives the same day
            ("A6", None, D1, ["MISSING_REQUIRED"]),
        ],
        CHILD,
    )
    actual = children.transform(flag_orphans(ForeignKey("customer_id", "customers", "customer_id"), parents))
    expected = spark.createDataFrame(
        [
            ("A1", "C1", D1, []),
            ("A2", "C9", D1, ["ORPHAN_FK"]),
            ("A3", "C9", D1, ["BAD_DATE"]),
            ("A4", "C2", D1, ["ORPHAN_FK"]),
            ("A5", "C2", D2, []),
            ("A6", None, D1, ["MISSING_REQUIRED"]),
        ],
        CHILD,
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)
