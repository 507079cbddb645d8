"""bench/same_output.py: two lakes' tables compared whole, as multisets of rows."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from finlake.bench.same_output import compare_lakes, diff_files, main


def _parquet(path, rows: str) -> str:
    duckdb.execute(f"COPY (SELECT * FROM (VALUES {rows}) AS t(id, amount)) TO '{path}' (FORMAT parquet)")
    return str(path)


def test_the_same_rows_in_other_files_and_order_are_the_same(tmp_path):
    before = [_parquet(tmp_path / "a.parquet", "('t1', 10), ('t2', 20)")]
    after = [_parquet(tmp_path / "b1.parquet", "('t2', 20)"), _parquet(tmp_path / "b2.parquet", "('t1', 10)")]
    diff = diff_files("silver.transactions", before, after, ["id", "amount"])
    assert diff.same and (diff.rows_before, diff.rows_after) == (2, 2)


def test_a_changed_a_lost_and_a_duplicated_row_are_each_counted(tmp_path):
    before = [_parquet(tmp_path / "a.parquet", "('t1', 10), ('t2', 20), ('t3', 30)")]
    after = [_parquet(tmp_path / "b.parquet", "('t1', 10), ('t1', 10), ('t2', 21)")]
    diff = diff_files("silver.transactions", before, after, ["id", "amount"])
    assert (diff.only_before, diff.only_after) == (2, 2)  # t2 (changed) and t3 (lost); t2' and the second t1
    assert "DIFFERENT" in diff.line()


def test_an_empty_table_equals_an_empty_table_and_not_a_full_one(tmp_path):
    full = [_parquet(tmp_path / "a.parquet", "('t1', 10)")]
    assert diff_files("gold.x", [], [], ["id", "amount"]).same
    assert diff_files("gold.x", [], full, ["id", "amount"]).only_after == 1


def test_a_lake_is_the_same_as_itself_and_the_command_says_so(pipeline_lake, capsys):
    diffs = compare_lakes(pipeline_lake, pipeline_lake)
    assert {"silver.transactions", "quarantine.transactions", "gold.loan_features"} <= {d.name for d in diffs}
    assert all(d.same for d in diffs) and any(d.rows_before for d in diffs)
    root = str(Path(pipeline_lake.bronze).parent)
    assert main([root, root]) == 0
    assert "tables the same" in capsys.readouterr().out.splitlines()[-1]


@pytest.mark.parametrize("args", [[], ["one"]])
def test_wrong_arguments_get_the_usage_line(args, capsys):
    assert main(args) == 2
    assert "usage:" in capsys.readouterr().err


def test_lakes_without_tables_are_an_error_not_a_pass(tmp_path, capsys):
    assert main([str(tmp_path / "a"), str(tmp_path / "b")]) == 2
    assert "neither lake has tables" in capsys.readouterr().err
