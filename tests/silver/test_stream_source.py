"""Silver loads Firehose's streamed transactions (bronze/transactions_stream/, GZIP JSON Lines) as transactions:
the contract's validation and quarantine reasons, and one row per transaction_id across the streamed and the
nightly (CSV) deliveries. Expected outcomes are written out by hand; the reasons are also checked against
what the real-time monitor gives the same record, so Silver and the stream agree."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from bronze_rows import row

from finlake import storage
from finlake.lake import Lake
from finlake.silver.job import run_bronze_to_silver
from finlake.stream.monitor import DeadLetter, parse_record

STREAM_DAY = "2024-01-01"
FIREHOSE_NAME = "finlake-dev-transactions-to-bronze-1-2024-01-01-10-05-00-4f1c.jsonl.gz"
BAD_UTF8 = json.dumps(row("transactions", transaction_id="T8", description="XX")).encode().replace(b"XX", b"\xff\xfe")


def _line(**changes: str) -> bytes:
    return json.dumps(row("transactions", **changes)).encode()


def _missing_channel() -> bytes:
    record = row("transactions", transaction_id="T7")
    del record["channel"]
    return json.dumps(record).encode()


# (line as Firehose lands it, Silver's expected reasons; None: not a record at all)
STREAMED: list[tuple[bytes, list[str] | None]] = [
    (_line(transaction_id="T1"), []),  # also in the nightly CSV: loaded once, from here (delivered first)
    (_line(transaction_id="T5", amount="10.00"), []),
    (_line(transaction_id="T5", amount="10.00"), []),  # re-delivered by Kinesis: a duplicate
    (b'{"type": "finlake.stream.tick.v1", "shard": "shardId-000000000000"}', None),  # a watermark tick
    (b"", None),  # a blank line is no record
    (b"not json at all", ["MALFORMED_ROW"]),
    (b"[1, 2]", ["MALFORMED_ROW"]),
    (_missing_channel(), ["MISSING_COLUMN"]),
    (_line(transaction_id="T9", amount="-3"), ["OUT_OF_RANGE"]),
    (_line(transaction_id="T10", channel="PIGEON", booked_at="yesterday"), ["BAD_DATE", "UNKNOWN_CODE"]),
    (BAD_UTF8, ["BAD_ENCODING"]),
    (_line(transaction_id="T11", account_id="A404"), ["ORPHAN_FK"]),  # the monitor has no accounts: Silver's only
]


def _write(root: Path, folder: str, day: str, name: str, data: bytes) -> None:
    path = root / "bronze" / folder / f"ingest_date={day}" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _read(spark, lake: Lake, name: str) -> list:
    return storage.read_table(spark, lake, name).collect()


@pytest.fixture
def streamed_lake(bronze):
    bronze("customers", STREAM_DAY, [row("customers")])
    bronze("accounts", STREAM_DAY, [row("accounts")])
    _write(
        bronze.root,
        "transactions_stream",
        STREAM_DAY,
        FIREHOSE_NAME,
        gzip.compress(b"\n".join(line for line, _ in STREAMED)),
    )
    # the nightly extract of the next day repeats T1 and brings T2
    bronze(
        "transactions",
        "2024-01-02",
        [row("transactions", transaction_id="T1"), row("transactions", transaction_id="T2")],
    )
    return Lake.local(bronze.root)


def test_streamed_transactions_are_loaded_validated_and_deduplicated(spark, streamed_lake):
    report = run_bronze_to_silver(spark, streamed_lake, full_refresh=False, run_id="20240102T000000Z-silver")
    silver = {r.transaction_id: r for r in _read(spark, streamed_lake, "silver.transactions")}
    assert sorted(silver) == ["T1", "T2", "T5"]
    stream_file = f"transactions_stream/ingest_date={STREAM_DAY}/{FIREHOSE_NAME}"
    assert silver["T1"].source_file == stream_file and str(silver["T5"].amount) == "10.00"
    assert silver["T2"].source_file.startswith("transactions/ingest_date=2024-01-02/")

    quarantined = sorted(sorted(r.reasons) for r in _read(spark, streamed_lake, "quarantine.transactions"))
    assert quarantined == sorted(sorted(reasons) for _, reasons in STREAMED if reasons)
    e = next(e for e in report.entities if e.name == "transactions" and e.layer == "silver")
    assert (e.rows_read, e.rows_written, e.duplicates_removed) == (12, 3, 2)  # T5 again, T1 from the CSV
    assert e.files == {"seen": 2, "loaded": 2, "rejected": 0, "skipped": 0}
    assert not [x for x in report.entities if x.layer == "bronze"]  # no longer an unknown folder

    # a later stream file repeating a loaded transaction (delivered by CSV) adds only what is new
    later = _line(transaction_id="T2") + b"\n" + _line(transaction_id="T6", booked_at="2024-01-03T09:00:00Z")
    _write(
        Path(streamed_lake.bronze).parent, "transactions_stream", "2024-01-03", "later.jsonl.gz", gzip.compress(later)
    )
    run_bronze_to_silver(spark, streamed_lake, full_refresh=False, run_id="20240103T000000Z-silver")
    ids = sorted(r.transaction_id for r in _read(spark, streamed_lake, "silver.transactions"))
    assert ids == ["T1", "T2", "T5", "T6"]


def test_the_monitor_gives_the_same_reasons():
    for line, reasons in STREAMED:
        if not reasons or reasons == ["ORPHAN_FK"]:
            continue
        verdict = parse_record(line, 0.0)
        assert isinstance(verdict, DeadLetter) and sorted(verdict.reasons) == sorted(reasons), line


def test_a_truncated_stream_archive_is_rejected_as_a_file(spark, bronze):
    bronze("customers", STREAM_DAY, [row("customers")])
    bronze("accounts", STREAM_DAY, [row("accounts")])
    _write(bronze.root, "transactions_stream", STREAM_DAY, "cut.jsonl.gz", gzip.compress(_line())[:-12])
    report = run_bronze_to_silver(spark, Lake.local(bronze.root), full_refresh=False, run_id="20240102T000000Z-silver")
    e = next(e for e in report.entities if e.name == "transactions" and e.layer == "silver")
    assert [f["reason"] for f in e.bad_files] == ["CORRUPT_GZIP"]
