"""generate -> Bronze -> Silver -> Gold at tiny scale: the gate passes on clean-enough data, Gold is
complete, and a second Gold run on the same Silver gives identical tables."""

from __future__ import annotations

import pytest
from chispa import assert_df_equality
from lake_tables import read

from finlake.generate import GeneratorConfig, generate
from finlake.gold.job import UPSTREAM, GoldParams, run_silver_to_gold
from finlake.lake import Lake
from finlake.silver.job import run_bronze_to_silver

pytestmark = pytest.mark.slow


def test_generated_data_through_gold_twice(spark, tmp_path):
    lake = Lake.local(tmp_path)
    generate(str(tmp_path), GeneratorConfig.resolve(customers=25, days=3, seed=11), log=lambda _: None)
    run_bronze_to_silver(spark, lake, full_refresh=False, run_id="20260101T000000Z-silver")

    first = run_silver_to_gold(spark, lake, GoldParams(), run_id="20260101T000100Z-gold1")
    blocking = [q for q in first.quality if q["outcome"] == "failed" and q["severity"] == "blocking"]
    assert first.status == "succeeded" and not blocking
    silver_rows = {n: read(spark, lake, f"silver.{n}").count() for n in ("customers", "loans")}
    assert first.tables["gold.loan_features"].rows == silver_rows["loans"] > 0
    assert first.tables["gold.product_recommendations"].rows == silver_rows["customers"] > 0
    assert first.tables["gold.account_monthly_activity"].rows > 0

    snapshot = {n: read(spark, lake, f"gold.{n}").collect() for n in UPSTREAM}
    second = run_silver_to_gold(spark, lake, GoldParams(), run_id="20260101T000200Z-gold2")
    assert second.status == "succeeded"
    for name in UPSTREAM:
        again = read(spark, lake, f"gold.{name}")
        assert_df_equality(again, spark.createDataFrame(snapshot[name], again.schema), ignore_row_order=True)
