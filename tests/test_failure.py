"""Issue 21 item 1: a failure is one line naming the cause and the file; the trace goes to a log file."""

from __future__ import annotations

import errno

import pytest

from finlake.failure import describe, summary
from finlake.lake import Lake
from finlake.spark import DEFAULT_DRIVER_MEMORY

PY4J_TEXT = """An error occurred while calling o806.count.
: org.apache.spark.SparkException: Job aborted due to stage failure: Task 0 in stage 3.0 failed 1 times, most recent failure: Lost task 0.0: org.apache.spark.SparkException: Encountered error while reading file file:///lake/bronze/transactions/ingest_date=2024-01-01/x.csv. Details:
\tat org.apache.spark.sql.errors.QueryExecutionErrors$.cannotReadFilesError(QueryExecutionErrors.scala:863)
Caused by: java.io.EOFException: Unexpected end of input stream
\tat org.apache.hadoop.io.compress.DecompressorStream.decompress(DecompressorStream.java:165)
"""


class FakePy4JError(Exception):
    def __str__(self) -> str:
        return PY4J_TEXT


def test_a_java_failure_is_its_root_cause_and_file_in_one_line():
    line = summary(FakePy4JError())
    assert line == (
        "EOFException: Unexpected end of input stream "
        "(file file:///lake/bronze/transactions/ingest_date=2024-01-01/x.csv)"
    )


def test_java_out_of_memory_names_the_setting_to_raise(spark):
    # a real OutOfMemoryError from the driver's JVM (no `Caused by`): an 8 GiB array fits no test heap
    jvm = spark.sparkContext._jvm
    with pytest.raises(Exception) as raised:
        jvm.java.lang.reflect.Array.newInstance(jvm.java.lang.Long.TYPE, 2**30)
    line = summary(raised.value)
    assert line.startswith("OutOfMemoryError: Java heap space: ") and "\n" not in line
    assert line.endswith(
        f"raise FINLAKE_DRIVER_MEMORY (the local Spark driver's heap, default {DEFAULT_DRIVER_MEMORY}), "
        "or on Glue the worker type"
    )


def test_disk_full_says_so():
    assert summary(OSError(errno.ENOSPC, "No space left on device")) == "no space left on device"


def test_the_trace_goes_to_the_file_the_message_names(tmp_path):
    lake = Lake.local(tmp_path)
    line = describe(FakePy4JError(), lake, "run7")
    trace = tmp_path / "_runs" / "run7.trace.log"
    assert line.endswith(f"(stack trace: {trace})") and "\n" not in line
    assert "DecompressorStream.decompress" in trace.read_text()
