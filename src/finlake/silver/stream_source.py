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

import zlib
from collections.abc import Callable, Sequence
from functools import reduce

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from finlake.contracts.model import Entity
from finlake.silver.bronze_files import GZIP_MAGIC, STREAMED_FORMS, BronzeFile, gunzip_head, read_head
from finlake.silver.drift import FileStatus, HeaderCheck, rejected
from finlake.stream.tick import TICK_TYPE  # watermark ticks are control records, not transactions

SUFFIXES = (".gz", ".jsonl")  # Firehose's GZIP objects (file_extension .jsonl.gz), or plain JSON Lines


def is_stream_file(file: BronzeFile) -> bool:
    return file.rel.split("/", 1)[0] in STREAMED_FORMS


def inspect_stream(entity: Entity, file: BronzeFile) -> HeaderCheck:
    """OK (columns: the contract's, by name in every record) or REJECTED as a whole file, with its reason."""
    if not file.rel.endswith(SUFFIXES):
        return rejected("UNSUPPORTED_COMPRESSION", "streamed transactions are read as .jsonl or .gz (GZIP) only")
    try:
        if file.gzipped:
            if not read_head(file).startswith(GZIP_MAGIC):
                return rejected("CORRUPT_GZIP", "named .gz but not gzip data; file rejected")
            head, _ = gunzip_head(file)  # the whole archive is decompressed once: a truncated one is refused here
        else:
            head = read_head(file)
    except (zlib.error, EOFError) as exc:
        return rejected("CORRUPT_GZIP", f"the gzip archive cannot be decompressed ({exc}); file rejected")
    except OSError as exc:
        return rejected("UNREADABLE", f"the file cannot be read ({type(exc).__name__}: {exc}); file rejected")
    if not head.strip():
        return HeaderCheck(FileStatus.EMPTY, problems=["no records"])
    return HeaderCheck(FileStatus.OK, columns=tuple(entity.column_names))


def _text_lines(spark: SparkSession, uris: Sequence[str]) -> DataFrame:
    from finlake.silver.reader import GLOB_CHARS, LITERAL_PATHS  # the same literal-path reading as the CSV files

    plain = [u for u in uris if not GLOB_CHARS & set(u)]
    reads = [[u] for u in uris if GLOB_CHARS & set(u)] + ([plain] if plain else [])
    reader = spark.read.options(**LITERAL_PATHS)
    return reduce(DataFrame.unionByName, [reader.text(paths) for paths in reads])


def _lineage() -> list[Column]:
    path = F.expr("url_decode(replace(input_file_name(), '+', '%2B'))")  # as reader._lineage
    folders = "|".join(STREAMED_FORMS)
    return [
        F.regexp_extract(path, rf"(?:^|/)((?:{folders})/ingest_date=.*)$", 1).alias("source_file"),
        F.to_date(F.regexp_extract(path, r"ingest_date=(\d{4}-\d{2}-\d{2})/", 1)).alias("ingest_date"),
    ]


def records(entity: Entity) -> Callable[[DataFrame], DataFrame]:
    """Lines (`value`, plus lineage) -> the raw frame reader.py gives for CSV rows."""
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


def read_stream(spark: SparkSession, entity: Entity, files: Sequence[BronzeFile]) -> DataFrame:
    """The streamed files' records as one raw frame (gzip is decompressed by Spark, by the .gz suffix)."""
    lines = _text_lines(spark, [f.uri for f in files]).select(
        # Spark's text source keeps bytes as they are; decoding them makes bad UTF-8 U+FFFD, as the CSV reader does
        F.decode(F.col("value").cast("binary"), "UTF-8").alias("line"),
        *_lineage(),
    )
    return lines.transform(records(entity))
