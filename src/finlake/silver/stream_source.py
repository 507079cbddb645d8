"""The streamed form of Bronze transactions: what Firehose lands under `transactions_stream/`, read as transactions.

The real-time monitor's Firehose (terraform/modules/streaming) writes every streamed record to
`bronze/transactions_stream/ingest_date=YYYY-MM-DD/<name>.gz`: GZIP JSON Lines, one JSON object per
record holding the transactions contract's fields as strings (see the Bronze contract). Silver reads these
files into the same raw frame as the CSV deliveries (`reader.py`: contract columns as raw strings,
`raw_line`, `structural_reason`, `source_file`, `ingest_date`), so the same validation, the same quarantine
reasons and the same dedupe on `transaction_id` apply — a transaction both streamed and in the nightly
extract is loaded once (the first delivery wins, `dedupe.rank_events`). Per record, as the monitor judges
it (`finlake.stream.monitor.parse_record`): a line that is not a JSON object -> MALFORMED_ROW; an object
lacking a contract field -> MISSING_COLUMN (a record, not a file, is what lacks it here); bytes that are
not UTF-8 become U+FFFD -> BAD_ENCODING. The monitor's watermark ticks (`finlake.stream.tick`), which
Firehose lands too, are control records, not transactions: they are dropped. Blank lines are no records.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from finlake.contracts.model import Entity
from finlake.silver.bronze_files import STREAMED_FORMS
from finlake.stream.tick import TICK_TYPE  # watermark ticks are control records, not transactions


def stream_lineage() -> list[Column]:
    """`source_file` (path below the Bronze root) and `ingest_date`, as reader.py gives them for CSV rows."""
    path = F.expr("url_decode(replace(input_file_name(), '+', '%2B'))")  # a '+' in a name is not a space
    folders = "|".join(STREAMED_FORMS)
    return [
        F.regexp_extract(path, rf"(?:^|/)((?:{folders})/ingest_date=.*)$", 1).alias("source_file"),
        F.to_date(F.regexp_extract(path, r"ingest_date=(\d{4}-\d{2}-\d{2})/", 1)).alias("ingest_date"),
    ]


def records(entity: Entity) -> Callable[[DataFrame], DataFrame]:
    """Decoded lines (`line`, `source_file`, `ingest_date`; reader.py reads them) -> the raw frame of CSV rows."""
    schema = T.StructType([T.StructField(c, T.StringType()) for c in entity.column_names])

    def transform(lines: DataFrame) -> DataFrame:
        keys = F.expr("json_object_keys(line)")  # null when the line is not a JSON object
        lacks = reduce(lambda a, b: a | b, [~F.array_contains(keys, c) for c in entity.column_names])
        structural = F.when(keys.isNull(), F.lit("MALFORMED_ROW")).when(lacks, F.lit("MISSING_COLUMN"))
        parsed = F.from_json("line", schema)
        is_tick = F.coalesce(F.get_json_object("line", "$.type") == F.lit(TICK_TYPE), F.lit(False))
        return (
            lines.where(F.trim("line") != "")
            .where(~is_tick)
            .withColumn("structural_reason", structural)
            .select(
                *[F.when(F.col("structural_reason").isNull(), parsed[c]).alias(c) for c in entity.column_names],
                F.when(F.col("structural_reason").isNotNull(), F.col("line")).alias("raw_line"),
                "structural_reason",
                "source_file",
                "ingest_date",
            )
        )

    return transform
