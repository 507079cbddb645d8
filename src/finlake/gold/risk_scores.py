"""gold.customer_risk_scores is written by the scoring step; Gold only reserves its declared schema."""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession

from finlake.contracts.gold import CUSTOMER_RISK_SCORES


def empty_customer_risk_scores(spark: SparkSession) -> DataFrame:
    """No rows, exactly the declared columns and types (partition column included, as a plain column).

    Published only when the table does not exist yet, so the catalog and readers find the table with
    its schema before the first scoring run; scoring then replaces it with partitioned data.
    """
    return spark.createDataFrame([], CUSTOMER_RISK_SCORES.spark_schema())
