"""read_bronze: by-name reading of reordered/extra columns, held files, malformed and non-UTF-8 lines."""

from __future__ import annotations

import datetime as dt

from bronze_rows import csv_text, row
from chispa import assert_df_equality
from pyspark.sql import functions as F
from pyspark.sql import types as T

from finlake.contracts.bronze import ACCOUNTS
from finlake.silver import reader
from finlake.silver.bronze_files import inspect, list_bronze_files
from finlake.silver.reader import read_bronze


def test_reads_by_name_and_holds_files_missing_a_column(spark, bronze):
    reordered = list(reversed(ACCOUNTS.column_names)) + ["loyalty_tier"]
    bronze("accounts", "2024-01-01", [row("accounts", loyalty_tier="GOLD")], name="a.csv", columns=reordered)
    no_currency = [c for c in ACCOUNTS.column_names if c != "currency"]
    held = bronze("accounts", "2024-01-01", [row("accounts", account_id="A2")], name="b.csv", columns=no_currency)
    malformed = (
        csv_text("accounts", [row("accounts", account_id="A3")]) + "A4,C1,SAVINGS\n" + "A5,C1,SAVINGS,EUR,\xe9\n"
    )
    bronze("accounts", "2024-01-02", name="c.csv", content=malformed.encode("utf-8").replace(b"\xc3\xa9", b"\xe9"))

    lake_bronze = str(bronze.root / "bronze")
    files = [(f, inspect(ACCOUNTS, f)) for f in list_bronze_files(lake_bronze, "accounts")]
    out = read_bronze(spark, ACCOUNTS, files).select(
        "account_id", "currency", "raw_line", "structural_reason", "source_file", "ingest_date"
    )
    held_line = held.read_text().splitlines()[1]
    d1, d2 = dt.date(2024, 1, 1), dt.date(2024, 1, 2)
    expected = spark.createDataFrame(
        [
            ("A1", "EUR", None, None, "accounts/ingest_date=2024-01-01/a.csv", d1),
            (None, None, held_line, "MISSING_COLUMN", "accounts/ingest_date=2024-01-01/b.csv", d1),
            ("A3", "EUR", None, None, "accounts/ingest_date=2024-01-02/c.csv", d2),
            ("A4", None, "A4,C1,SAVINGS", "MALFORMED_ROW", "accounts/ingest_date=2024-01-02/c.csv", d2),
            ("A5", "EUR", "A5,C1,SAVINGS,EUR,\ufffd", "MALFORMED_ROW", "accounts/ingest_date=2024-01-02/c.csv", d2),
        ],
        T.StructType(
            [
                T.StructField(c, T.StringType())
                for c in ("account_id", "currency", "raw_line", "structural_reason", "source_file")
            ]
            + [T.StructField("ingest_date", T.DateType())]
        ),
    )
    assert_df_equality(out, expected, ignore_row_order=True, ignore_nullable=True)


def test_lineage_is_exact_for_names_that_need_encoding(spark, bronze, monkeypatch):
    # source_file/ingest_date are looked up per file (reader._with_lineage): a name Spark reports
    # url-encoded must still come back exactly as written, on every row of its file, and from the
    # per-file table, not from the per-row fallback (disabled here).
    monkeypatch.setattr(reader, "per_row_lineage", lambda entity, path: (F.lit("FALLBACK"), F.lit(None)))
    names = ["export_2024-07-04T10:00:00.csv", "a b+c%41.csv", "x[1]{2}.csv", "caf\u00e9.csv"]
    for i, name in enumerate(names):
        rows = [row("accounts", account_id=f"A{i}{j}") for j in range(3)]
        bronze("accounts", f"2024-01-0{i + 1}", rows, name=name)

    lake_bronze = str(bronze.root / "bronze")
    files = [(f, inspect(ACCOUNTS, f)) for f in list_bronze_files(lake_bronze, "accounts")]
    out = read_bronze(spark, ACCOUNTS, files).groupBy("source_file", "ingest_date").count().collect()
    got = {(r["source_file"], r["ingest_date"], r["count"]) for r in out}
    expected = {
        (f"accounts/ingest_date=2024-01-0{i + 1}/{name}", dt.date(2024, 1, i + 1), 3) for i, name in enumerate(names)
    }
    assert got == expected
