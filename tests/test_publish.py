"""Atomic publish: readers see the old or the new version, never a mix; failures leave the old one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from chispa import assert_df_equality
from pyspark.sql import types as T

from finlake.errors import FinlakeError
from finlake.publish import cleanup_versions, current_version_path, publish_dataframe, staged_version

SCHEMA = T.StructType([T.StructField("id", T.IntegerType()), T.StructField("month", T.StringType())])


def _files(path: Path) -> dict[str, str]:
    return {
        str(p.relative_to(path)): p.read_text()
        for p in sorted(path.rglob("*"))
        if p.is_file() and not p.name.startswith((".", "_"))
    }


def test_staged_version_swaps_symlink_only_on_success(tmp_path):
    table = str(tmp_path / "silver" / "t")
    with staged_version(table) as d:
        (d / "a.txt").write_text("one")
    assert os.path.islink(table)
    assert _files(Path(table)) == {"a.txt": "one"}

    with pytest.raises(RuntimeError), staged_version(table) as d:
        (d / "a.txt").write_text("two, half written")
        raise RuntimeError("disk full")
    assert _files(Path(table)) == {"a.txt": "one"}
    # the failed staging directory is gone: only the published version remains
    assert [p.name for p in (tmp_path / "silver" / "_versions" / "t").iterdir()] == [current_version_path(table).name]


def test_carry_over_hard_links_unchanged_partitions(tmp_path):
    table = str(tmp_path / "t")
    with staged_version(table) as d:
        for month in ("m=1", "m=2"):
            (d / month).mkdir()
            (d / month / "part-0.parquet").write_text(f"old {month}")
    first = current_version_path(table)
    with staged_version(table, carry_unchanged_partitions=True) as d:
        (d / "m=2").mkdir()
        (d / "m=2" / "part-0.parquet").write_text("new m=2")
        (d / "m=3").mkdir()
        (d / "m=3" / "part-0.parquet").write_text("new m=3")
    assert _files(Path(table)) == {
        "m=1/part-0.parquet": "old m=1",
        "m=2/part-0.parquet": "new m=2",
        "m=3/part-0.parquet": "new m=3",
    }
    # unchanged partition shares its inode with the previous version; the previous version is intact
    assert os.stat(Path(table) / "m=1" / "part-0.parquet").st_ino == os.stat(first / "m=1" / "part-0.parquet").st_ino
    assert _files(first) == {"m=1/part-0.parquet": "old m=1", "m=2/part-0.parquet": "old m=2"}


def test_drop_partitions_are_not_carried(tmp_path):
    table = str(tmp_path / "t")
    with staged_version(table) as d:
        (d / "m=1").mkdir()
        (d / "m=1" / "f").write_text("x")
    with staged_version(table, carry_unchanged_partitions=True, drop_partitions=["m=1"]):
        pass
    assert _files(Path(table)) == {}


def test_cleanup_keeps_newest_versions(tmp_path):
    table = str(tmp_path / "t")
    for i in range(4):
        with staged_version(table, keep_versions=10) as d:
            (d / "f").write_text(str(i))
    assert len(list((tmp_path / "_versions" / "t").iterdir())) == 4
    removed = cleanup_versions(table, keep_versions=2)
    assert len(removed) == 2
    assert _files(Path(table)) == {"f": "3"}
    assert len(list((tmp_path / "_versions" / "t").iterdir())) == 2


def test_adopts_plain_directory_from_before_versioning(tmp_path):
    table = tmp_path / "t"
    table.mkdir()
    (table / "f").write_text("legacy")
    with staged_version(str(table)) as d:
        (d / "f").write_text("new")
    assert _files(table) == {"f": "new"}


def test_other_object_stores_are_refused_clearly():
    # s3:// is published by finlake.publish_s3 (tests/test_publish_s3.py); anything else is refused
    with pytest.raises(FinlakeError, match="only local lakes and s3://"), staged_version("gs://bucket/silver/t"):
        pass


def test_publish_dataframe_partial_partitions(spark, tmp_path):
    table = str(tmp_path / "silver" / "tx")
    first = spark.createDataFrame([(1, "2024-01"), (2, "2024-02")], SCHEMA)
    publish_dataframe(first, table, partition_by=["month"])
    update = spark.createDataFrame([(3, "2024-02"), (2, "2024-02"), (4, "2024-03")], SCHEMA)
    result = publish_dataframe(update, table, partition_by=["month"], only_changed_partitions=True)
    assert result.partitions_written == ("month=2024-02", "month=2024-03")
    assert result.partitions_linked == ("month=2024-01",)
    expected = spark.createDataFrame([(1, "2024-01"), (2, "2024-02"), (3, "2024-02"), (4, "2024-03")], SCHEMA)
    actual = spark.read.schema(SCHEMA).parquet(table)
    assert_df_equality(actual, expected, ignore_row_order=True)


def test_write_failure_mid_publish_keeps_last_good_version(spark, tmp_path):
    table = str(tmp_path / "silver" / "tx")
    good = spark.createDataFrame([(1, "2024-01")], SCHEMA)
    publish_dataframe(good, table, partition_by=["month"])

    def write_some_then_fail(df, path):
        df.limit(1).write.mode("overwrite").partitionBy("month").parquet(path)  # some files land
        raise OSError("simulated failure after writing part of the table")

    bad = spark.createDataFrame([(9, "2024-01"), (8, "2024-05")], SCHEMA)
    with pytest.raises(OSError, match="simulated"):
        publish_dataframe(bad, table, partition_by=["month"], write=write_some_then_fail)
    assert_df_equality(spark.read.schema(SCHEMA).parquet(table), good)

    publish_dataframe(bad, table, partition_by=["month"])  # the next run completes
    assert_df_equality(spark.read.schema(SCHEMA).parquet(table), bad, ignore_row_order=True)


def test_files_per_partition_bounds_file_count(spark, tmp_path):
    table = str(tmp_path / "tx")
    df = spark.createDataFrame([(i, f"2024-0{i % 3 + 1}") for i in range(60)], SCHEMA).repartition(6)
    publish_dataframe(df, table, partition_by=["month"], files_per_partition=2)
    for month in ("2024-01", "2024-02", "2024-03"):
        files = [p for p in (Path(table) / f"month={month}").iterdir() if p.suffix == ".parquet"]
        assert 1 <= len(files) <= 2
