"""bench/same_output.py: two lakes' tables compared whole, as multisets of rows."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from finlake.bench.same_output import compare_lakes, diff_relations, main


def _tables(rows_before: str, rows_after: str) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for name, rows in (("before", rows_before), ("after", rows_after)):
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM (VALUES {rows}) AS t(id, amount)")
    return con


def test_the_same_rows_in_another_order_are_the_same():
    con = _tables("('t1', 10), ('t2', 20)", "('t2', 20), ('t1', 10)")
    diff = diff_relations(con, "silver.transactions", "before", "after", ["id", "amount"])
    assert diff.same and (diff.rows_before, diff.rows_after) == (2, 2)


def test_a_changed_a_lost_and_a_duplicated_row_are_each_counted():
    con = _tables("('t1', 10), ('t2', 20), ('t3', 30)", "('t1', 10), ('t1', 10), ('t2', 21)")
    diff = diff_relations(con, "silver.transactions", "before", "after", ["id", "amount"])
    assert (diff.only_before, diff.only_after) == (2, 2)  # t2 (changed) and t3 (lost); t2' and the second t1
    assert "DIFFERENT" in diff.line()


def test_columns_left_out_do_not_count():
    con = _tables("('t1', 10)", "('t1', 11)")
    assert diff_relations(con, "gold.x", "before", "after", ["id"]).same


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


def test_a_data_file_gone_is_one_line_naming_the_table(pipeline_lake, tmp_path, capsys, monkeypatch):
    import finlake.bench.same_output as same_output

    real = same_output.lake_tables

    def with_a_missing_file(lake):
        tables = real(lake)
        return [t if t.name != "transactions" or not t.files else _gone(t, tmp_path) for t in tables]

    monkeypatch.setattr(same_output, "lake_tables", with_a_missing_file)
    root = str(Path(pipeline_lake.bronze).parent)
    assert main([root, root]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "transactions" in err and "same_output: error:" in err


def _gone(table, tmp_path):
    import dataclasses

    missing = dataclasses.replace(table.files[0], path=str(tmp_path / "gone.parquet"))
    return dataclasses.replace(table, files=(missing, *table.files[1:]))
