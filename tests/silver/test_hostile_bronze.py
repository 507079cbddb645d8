"""Issue 21, items 1-3: one delivery holding every hostile Bronze file at once. The run succeeds for
the good files, every bad one is listed with its reason and size, nothing else is read, and a later
day still loads."""

from __future__ import annotations

import gzip
import json

from bronze_rows import csv_text, row

from finlake import storage
from finlake.lake import Lake
from finlake.silver.job import run_bronze_to_silver

D = "2024-01-01"
TX_COLUMNS = list(row("transactions"))


def _tx(tid: str, **changes: str) -> dict[str, str]:
    return row("transactions", transaction_id=tid, **changes)


def _hostile_delivery(bronze) -> dict[str, str]:
    """Writes the delivery; returns {transaction_id: file name} of the rows that must load."""
    bronze("customers", D, [row("customers")])
    bronze("accounts", D, [row("accounts")])
    good = {
        "export_2024-07-04T10:00:00.csv": "COLON",  # ':' is legal on S3
        "tx[1].csv": "BRACKET",
        "tx{a,b}.csv": "BRACE",
        "tx*.csv": "STAR",  # as a glob it would also read every sibling
        "tx?.csv": "QMARK",
        "plus+sign%20.csv": "PLUS",
    }
    for name, tid in good.items():
        bronze("transactions", D, [_tx(tid)], name=name)
    multiline = csv_text("transactions", [_tx("MULTI", description='two\nlines, "quoted"')])
    bronze("transactions", D, name="multiline.csv", content=multiline.encode())
    quoted_header = (
        ",".join(f'"{c}"' for c in TX_COLUMNS) + "\n" + csv_text("transactions", [_tx("BOM")]).split("\n", 1)[1]
    )
    bronze("transactions", D, name="excel.csv", content=quoted_header.encode("utf-8-sig"))
    bronze(
        "transactions", D, name="zipped.csv.gz", content=gzip.compress(csv_text("transactions", [_tx("GZ")]).encode())
    )
    # the bad ones
    dup = ",".join([*TX_COLUMNS, "amount"]) + "\n" + ",".join([*_tx("DUP").values(), "1"]) + "\n"
    bronze("transactions", D, name="dup_header.csv", content=dup.encode())
    truncated = gzip.compress(csv_text("transactions", [_tx(f"TR{i}") for i in range(200)]).encode())
    bronze("transactions", D, name="truncated.csv.gz", content=truncated[: len(truncated) // 2])
    headerless = csv_text("transactions", [_tx("SECRET1", description="secret@example.com")]).split("\n", 1)[1]
    bronze("transactions", D, name="headerless.csv", content=headerless.encode())
    bronze("transactions", D, name="binary.csv", content=b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    bronze("transactions", D, name="other.csv.bz2", content=b"BZh91AY&SY")
    bronze("transactions", "2024-13-45", [_tx("BADDATE")])
    bronze("transactions", D, [_tx("HIDDEN")], name="_hidden.csv")
    bronze("transactions", D, [_tx("DOT")], name=".dot.csv")
    (bronze.root / "bronze" / "transactions" / "loose.csv").write_text(csv_text("transactions", [_tx("LOOSE")]))
    nested = bronze.root / "bronze" / "transactions" / f"ingest_date={D}" / "sub"
    nested.mkdir()
    (nested / "nested.csv").write_text(csv_text("transactions", [_tx("NESTED")]))
    other = bronze.root / "bronze" / "fx_quotes" / f"ingest_date={D}"
    other.mkdir(parents=True)
    (other / "rates.csv").write_text("currency,rate\nUSD,1.1\n")
    return {tid: name for name, tid in good.items()} | {
        "MULTI": "multiline.csv",
        "BOM": "excel.csv",
        "GZ": "zipped.csv.gz",
    }


def test_hostile_delivery_loads_the_good_files_and_lists_the_bad(spark, bronze):
    lake = Lake.local(bronze.root)
    expected = _hostile_delivery(bronze)
    report = run_bronze_to_silver(spark, lake, full_refresh=False, run_id="run1")
    assert report.status == "succeeded" and report.unbalanced() == []
    tx = report.entity("transactions", "silver")
    assert (tx.rows_read, tx.rows_written, tx.rows_quarantined) == (len(expected), len(expected), 0)
    silver = storage.read_table(spark, lake, "silver.transactions").collect()
    assert {r.transaction_id: r.source_file.rsplit("/", 1)[-1] for r in silver} == expected
    multi = next(r for r in silver if r.transaction_id == "MULTI")
    assert multi.description == 'two\nlines, "quoted"'

    rejected = {f["file"].rsplit("/", 1)[-1]: f["reason"] for f in tx.bad_files}
    assert rejected == {
        "dup_header.csv": "DUPLICATE_COLUMN",
        "truncated.csv.gz": "CORRUPT_GZIP",
        "headerless.csv": "NO_HEADER",
        "binary.csv": "BINARY_FILE",
        "other.csv.bz2": "UNSUPPORTED_COMPRESSION",
        "part-0.csv": "INVALID_INGEST_DATE",
    }
    assert all(f["bytes"] > 0 and f["message"].startswith(f["file"]) for f in tx.bad_files)
    skipped = {f["file"]: f["reason"] for f in tx.skipped_files}
    assert skipped == {
        f"transactions/ingest_date={D}/_hidden.csv": "HIDDEN_NAME",
        f"transactions/ingest_date={D}/.dot.csv": "HIDDEN_NAME",
        "transactions/loose.csv": "NO_INGEST_DATE",
        f"transactions/ingest_date={D}/sub/nested.csv": "NO_INGEST_DATE",
    }
    assert tx.files == {"seen": 9 + 6 + 4, "loaded": 9, "rejected": 6, "skipped": 4}
    unknown = report.entity("fx_quotes", "bronze")
    assert [f["reason"] for f in unknown.skipped_files] == ["UNKNOWN_ENTITY"]
    # the headerless file's first record is neither a header nor in any report or log
    text = (bronze.root / "_runs" / "run1.json").read_text()
    assert "secret" not in text.lower() and "SECRET1" not in text
    assert json.loads(text)["entities"]

    bronze("transactions", "2024-01-02", [_tx("DAY2")])
    later = run_bronze_to_silver(spark, lake, full_refresh=False, run_id="run2")
    assert later.status == "succeeded"
    tx2 = later.entity("transactions", "silver")
    assert (tx2.rows_read, tx2.rows_written, tx2.files) == (1, 1, {"seen": 1, "loaded": 1, "rejected": 0, "skipped": 0})
    ids = {r.transaction_id for r in storage.read_table(spark, lake, "silver.transactions").collect()}
    assert ids == set(expected) | {"DAY2"}
