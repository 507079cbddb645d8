"""read_bronze: by-name reading of reordered/extra columns, held files, malformed and non-UTF-8 lines."""

from __future__ import annotations

import datetime as dt

from bronze_rows import csv_text, row
from chispa import assert_df_equality
from pyspark.sql import types as T

from finlake.contracts.bronze import ACCOUNTS
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
