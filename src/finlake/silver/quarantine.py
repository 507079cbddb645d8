"""The quarantine: every rejected Bronze row, with its raw values, reason codes, source file and run id.

Layout: `quarantine/<entity>/ingest_date=YYYY-MM-DD/part-*.parquet`, published like a Silver table
(atomic version swap). Partitioned by the Bronze ingest_date, so the quarantine of a delivery sits
next to it and a run rewrites only the ingest_date partitions whose files it processed (rows that
came from those same files are replaced, so reprocessing after a failure never duplicates them).
"""

from __future__ import annotations

from collections.abc import Callable

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from finlake.contracts.model import Entity

QUARANTINE_SCHEMA = T.StructType(
    [
        T.StructField("entity", T.StringType()),
        T.StructField("reasons", T.ArrayType(T.StringType())),
        T.StructField("raw_record", T.StringType()),  # JSON object: contract column -> value as read
        T.StructField("raw_line", T.StringType()),  # the whole line when it could not be split
        T.StructField("source_file", T.StringType()),
        T.StructField("run_id", T.StringType()),
        T.StructField("ingest_date", T.DateType()),  # partition
    ]
)
QUARANTINE_COLUMNS = [f.name for f in QUARANTINE_SCHEMA.fields]


def to_quarantine(entity: Entity, run_id: str) -> Callable[[DataFrame], DataFrame]:
    """Rejected rows (non-empty `reasons`) -> quarantine rows. Grain: one row per rejected Bronze row."""

    def transform(df: DataFrame) -> DataFrame:
        return (
            df.where(F.size("reasons") > 0)
            .withColumn("entity", F.lit(entity.name))
            .withColumn("raw_record", F.to_json("raw", {"ignoreNullFields": "false"}))
            .withColumn("run_id", F.lit(run_id))
            .select(*QUARANTINE_COLUMNS)
        )

    return transform
