"""Exact money aggregates: decimal sums made double once, so the result does not depend on row order."""

from decimal import Decimal as D

from pyspark.sql import functions as F

from finlake.gold.amounts import exact_avg, exact_sum


def test_exact_sum_and_mean_where_doubles_drift(spark):
    # 0.10 + 0.20 + 0.30 in that order, as doubles: 0.6000000000000001; as decimals exactly 0.60
    rows = [(D("0.10"),), (D("0.20"),), (D("0.30"),), (None,)]
    df = spark.createDataFrame(rows, "amount decimal(18,2)").coalesce(1)
    row = df.agg(
        exact_sum(F.col("amount")).alias("exact"),
        F.sum(F.col("amount").cast("double")).alias("doubles"),
        exact_avg(F.col("amount")).alias("mean"),
    ).first()
    assert row.doubles != 1.0  # what the helpers avoid
    assert (row.exact, row.mean) == (0.6, 0.6 / 3)


def test_no_values_give_null(spark):
    df = spark.createDataFrame([(None,)], "amount decimal(18,2)")
    row = df.agg(exact_sum(F.col("amount")).alias("s"), exact_avg(F.col("amount")).alias("m")).first()
    assert (row.s, row.m) == (None, None)
