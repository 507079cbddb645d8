"""Reading Bronze CSV into one raw, all-string frame per entity (explicit schemas, no inference).

Files are read in groups sharing the same header, each with a schema built from that header (all
strings), and the contract columns are then selected *by name*: a reordered or extra column cannot
shift values into the wrong field. Files missing a contract column are read as plain lines and held
back whole (MISSING_COLUMN). Records that do not split into the header's fields (too few or too
many, an unterminated quote) keep their raw text in `raw_line` and are flagged MALFORMED_ROW.

RFC 4180 fully: files are parsed record by record (`multiLine`), so a quoted field may hold commas,
doubled quotes and newlines; a `.csv.gz` is decompressed by Spark (checked whole in `bronze_files`).
Paths are given to Spark literally, never as glob patterns: globbing is off, and a name holding a
glob character is read on its own (Spark 3.5, with globbing off, expands every such path to the
whole path list); locally the raw file system is used, since the checksummed one cannot open a
name holding `:`.

Output columns: every contract column (raw string), `raw_line`, `structural_reason`
(MALFORMED_ROW | MISSING_COLUMN | null), `source_file` (path below the Bronze root), `ingest_date` (date).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from functools import reduce

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from finlake.contracts.model import Entity
from finlake.silver.bronze_files import BronzeFile, is_streamed
from finlake.silver.drift import FileStatus, HeaderCheck
from finlake.silver.stream_source import records, stream_lineage

CORRUPT = "_corrupt_record"
RAW_META_COLUMNS = ("raw_line", "structural_reason", "source_file", "ingest_date")

# RFC 4180: comma separated, double-quote quoting, a quote inside a field doubled.
CSV_OPTIONS = {
    "header": "true",
    "sep": ",",
    "quote": '"',
    "escape": '"',
    "encoding": "UTF-8",
    "mode": "PERMISSIVE",
    "columnNameOfCorruptRecord": CORRUPT,
    "enforceSchema": "true",  # the schema *is* the file's own header, so position == name
    "ignoreLeadingWhiteSpace": "false",  # trimming is Silver's job, after the raw value is kept
    "ignoreTrailingWhiteSpace": "false",
    "multiLine": "true",  # a quoted field may span lines (RFC 4180); a file is then one task
}
# Paths are literal: no globbing; and no checksum file system locally (`:` in a name breaks its .crc lookup).
LITERAL_PATHS = {
    "__globPaths__": "false",
    "fs.file.impl": "org.apache.hadoop.fs.RawLocalFileSystem",
    "fs.file.impl.disable.cache": "true",
}
GLOB_CHARS = frozenset("[]{}*?\\")
_URI = "_input_uri"


def _path_lineage(entity: Entity, path: Column | str) -> tuple[Column, Column]:
    # Spark reports file URIs url-encoded; keep the path below the Bronze root, which is the same
    # locally and on S3.
    decoded = F.expr(f"url_decode(replace({path}, '+', '%2B'))")  # a '+' in a name is not a space
    return (
        F.regexp_extract(decoded, rf"(?:^|/)({entity.name}/ingest_date=.*)$", 1),
        F.to_date(F.regexp_extract(decoded, r"ingest_date=(\d{4}-\d{2}-\d{2})/", 1)),
    )


per_row_lineage = _path_lineage  # the fallback (a name of its own, so a test can prove it unused)


def _with_lineage(spark: SparkSession, entity: Entity, df: DataFrame) -> DataFrame:
    """Adds `source_file` and `ingest_date`, worked out once per file, not once per row: the file
    Spark read each row from (`input_file_name()`, the same URI string as `inputFiles()`) is looked
    up in a broadcast table of the files (decoding and two regexes per row cost Silver ~1/3 more
    CPU on 1M transactions). A row whose file were somehow missing from the table falls back to the
    per-row form, never to a null."""
    uris = df.inputFiles()
    files = spark.createDataFrame([(u,) for u in uris], f"{_URI} string")
    source_file, ingest_date = _path_lineage(entity, _URI)
    files = files.select(_URI, source_file.alias("_file_source"), ingest_date.alias("_file_date"))
    joined = df.withColumn(_URI, F.input_file_name()).join(F.broadcast(files), on=_URI, how="left")
    row_source, row_date = per_row_lineage(entity, _URI)  # coalesce evaluates these only on a miss
    return joined.withColumn("source_file", F.coalesce(F.col("_file_source"), row_source)).withColumn(
        "ingest_date", F.when(F.col("_file_source").isNotNull(), F.col("_file_date")).otherwise(row_date)
    )


def read_csv_literally(spark: SparkSession, schema: T.StructType, uris: Sequence[str]) -> DataFrame:
    """The files exactly as named, with the contract's CSV options."""
    plain = [u for u in uris if not GLOB_CHARS & set(u)]
    reads = [[u] for u in uris if GLOB_CHARS & set(u)] + ([plain] if plain else [])
    reader = spark.read.options(**CSV_OPTIONS, **LITERAL_PATHS).schema(schema)
    return reduce(DataFrame.unionByName, [reader.csv(paths) for paths in reads])


def read_text_literally(spark: SparkSession, uris: Sequence[str]) -> DataFrame:
    """The files' lines (`value`), exactly as named (gzip decompressed by the .gz suffix)."""
    plain = [u for u in uris if not GLOB_CHARS & set(u)]
    reads = [[u] for u in uris if GLOB_CHARS & set(u)] + ([plain] if plain else [])
    reader = spark.read.options(**LITERAL_PATHS)
    return reduce(DataFrame.unionByName, [reader.text(paths) for paths in reads])


def _read_streamed(spark: SparkSession, entity: Entity, uris: list[str]) -> DataFrame:
    lines = read_text_literally(spark, uris).select(
        # the text source keeps bytes as they are; decoding makes bad UTF-8 U+FFFD, as the CSV reader does
        F.decode(F.col("value").cast("binary"), "UTF-8").alias("line"),
        *stream_lineage(),
    )
    return lines.transform(records(entity))


def _string_schema(columns: Sequence[str]) -> T.StructType:
    return T.StructType([T.StructField(c, T.StringType()) for c in columns] + [T.StructField(CORRUPT, T.StringType())])


def _read_ok_group(spark: SparkSession, entity: Entity, columns: Sequence[str], uris: list[str]) -> DataFrame:
    df = _with_lineage(spark, entity, read_csv_literally(spark, _string_schema(columns), uris))
    return df.select(
        *[F.col(c) for c in entity.column_names],
        F.col(CORRUPT).alias("raw_line"),
        F.when(F.col(CORRUPT).isNotNull(), F.lit("MALFORMED_ROW")).alias("structural_reason"),
        "source_file",
        "ingest_date",
    )


def _read_held_group(spark: SparkSession, entity: Entity, columns: Sequence[str], uris: list[str]) -> DataFrame:
    # Parsed with the file's own header, so a record spanning lines is one held row; its raw text is
    # the record as written back in CSV (or the unparsed text of a malformed record).
    df = _with_lineage(spark, entity, read_csv_literally(spark, _string_schema(columns), uris))
    raw = F.coalesce(F.col(CORRUPT), F.to_csv(F.struct(*[F.col(c) for c in columns])))
    return df.select(
        *[F.lit(None).cast("string").alias(c) for c in entity.column_names],
        raw.alias("raw_line"),
        F.lit("MISSING_COLUMN").alias("structural_reason"),
        "source_file",
        "ingest_date",
    )


def empty_raw_frame(spark: SparkSession, entity: Entity) -> DataFrame:
    fields = [T.StructField(c, T.StringType()) for c in (*entity.column_names, *RAW_META_COLUMNS[:-1])]
    return spark.createDataFrame([], T.StructType([*fields, T.StructField("ingest_date", T.DateType())]))


def read_bronze(spark: SparkSession, entity: Entity, files: Sequence[tuple[BronzeFile, HeaderCheck]]) -> DataFrame:
    """One raw frame for the given files (files with nothing to read are skipped; the caller reports them)."""
    # With CSV column pruning Spark parses only the selected columns and stops flagging lines with
    # too few fields as corrupt; every line must be judged whole, whatever is selected downstream.
    spark.conf.set("spark.sql.csv.parser.columnPruning.enabled", "false")
    ok: dict[tuple[str, ...], list[str]] = defaultdict(list)
    held: dict[tuple[str, ...], list[str]] = defaultdict(list)
    streamed = [file.uri for file, check in files if is_streamed(file) and check.status is FileStatus.OK]
    for file, check in files:
        if is_streamed(file):  # Firehose's JSON Lines (stream_source.py)
            continue
        if check.status is FileStatus.OK:
            ok[check.columns].append(file.uri)
        elif check.status is FileStatus.HELD:
            held[check.columns].append(file.uri)
    frames = [_read_ok_group(spark, entity, cols, uris) for cols, uris in ok.items()]
    frames += [_read_held_group(spark, entity, cols, uris) for cols, uris in held.items()]
    frames += [_read_streamed(spark, entity, streamed)] if streamed else []
    if not frames:
        return empty_raw_frame(spark, entity)
    return reduce(DataFrame.unionByName, frames)
