"""What `finlake stream` sends: a lake's transactions as stream records, in booking order or shuffled.

Silver: clean events (read by name through finlake.storage), each one JSON object of the contract's
fields as strings. Bronze: every row as delivered, dirt included, in file order (ingest date, file, line):
a row that splits into the header's fields becomes a JSON object of them; one that does not is sent as
its raw line, which the monitor dead-letters as MALFORMED_ROW, as Silver quarantines it.
"""

from __future__ import annotations

import csv
import io
import json
import random
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from finlake.contracts.bronze import TRANSACTIONS
from finlake.contracts.fx_rates import RateBook
from finlake.stream.validation import parse_timestamp

Record = tuple[str, bytes, float]  # (partition key, data, event time in seconds or +inf when unreadable)


def silver_rows(lake: Any) -> list[dict[str, str | None]]:
    """silver.transactions as contract strings (booked_at in UTC, ISO-8601)."""
    from pyspark.sql import functions as F

    from finlake.spark import local_session
    from finlake.storage import read_table

    spark = local_session("finlake-stream")
    columns = [
        F.date_format("booked_at", "yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").alias("booked_at")
        if c == "booked_at"
        else F.col(c).cast("string").alias(c)
        for c in TRANSACTIONS.column_names
    ]
    return [row.asDict() for row in read_table(spark, lake, "silver.transactions").select(*columns).toLocalIterator()]


def silver_rate_book(lake: Any) -> RateBook:
    """silver.fx_rates as the monitor's rate book (an empty book when the lake has no such table)."""
    from finlake.spark import local_session
    from finlake.storage import read_table, table_exists

    spark = local_session("finlake-stream")
    if not table_exists(spark, lake, "silver.fx_rates"):
        return RateBook()
    rates = read_table(spark, lake, "silver.fx_rates").select("currency", "rate_date", "rate_per_eur", "published_at")
    return RateBook.from_rows(tuple(row) for row in rates.toLocalIterator())


def silver_records(rows: Sequence[dict[str, str | None]]) -> list[Record]:
    out = []
    for row in rows:
        stamp = parse_timestamp(str(row["booked_at"]))
        out.append((str(row["account_id"]), json.dumps(row).encode(), stamp.timestamp() if stamp else float("inf")))
    return sorted(out, key=lambda r: r[2])


def bronze_records(bronze_root: Path) -> list[Record]:
    """Every Bronze row in booking order; a row whose booked_at does not parse keeps its place in the files."""
    return [record for _, record in bronze_sourced_records(bronze_root)]


def bronze_sourced_records(bronze_root: Path) -> list[tuple[str, Record]]:
    """(source file below the Bronze root, as Silver names it; record) for every Bronze row, in booking order."""
    out: list[tuple[str, Record]] = []
    last_t = float("-inf")
    for path in sorted((bronze_root / TRANSACTIONS.name).glob("ingest_date=*/*.csv")):
        source = path.relative_to(bronze_root).as_posix()
        text = path.read_bytes().decode("utf-8", errors="replace")  # as Spark decodes: bad bytes become U+FFFD
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None)
        for fields in reader if header else ():
            if not fields or fields == [""]:
                continue  # a blank line is no row, for Spark's reader too
            if len(fields) != len(header or ()):
                out.append((source, ("malformed", ",".join(fields).encode(), last_t)))
                continue
            row = dict(zip(header or (), fields, strict=True))
            stamp = parse_timestamp(row.get("booked_at", "").strip(" "))
            last_t = stamp.timestamp() if stamp else last_t
            out.append((source, (row.get("account_id") or "unknown", json.dumps(row).encode(), last_t)))
    return sorted(out, key=lambda r: r[1][2])  # stable: rows without a time stay behind their predecessor


def deliver(records: list[Record], shuffle_within: float, duplicate_rate: float, seed: int) -> list[Record]:
    """Each record delayed by up to `shuffle_within` seconds of event time; some sent twice (re-deliveries)."""
    rng = random.Random(seed)
    keyed: list[tuple[float, int, Record]] = []
    for position, record in enumerate(records):
        base = record[2] if record[2] != float("-inf") else float(position)
        copies = 2 if rng.random() < duplicate_rate else 1
        keyed.extend((base + rng.uniform(0, shuffle_within), position, record) for _ in range(copies))
    return [r for *_, r in sorted(keyed, key=lambda k: (k[0], k[1]))]


def produce(
    kinesis: Any, stream: str, records: Sequence[Record], rate: float | None, sent: Callable[[int], None]
) -> None:
    """put_records in batches of up to 500, paced to `rate` events per second when given."""
    start = time.monotonic()
    for offset, chunk in _chunks(records, 500):
        if rate:
            time.sleep(max(0.0, start + offset / rate - time.monotonic()))
        entries = [{"Data": data, "PartitionKey": key[:256] or "empty"} for key, data, _ in chunk]
        while entries:
            response = kinesis.put_records(StreamName=stream, Records=entries)
            entries = [e for e, r in zip(entries, response["Records"], strict=True) if "ErrorCode" in r]
        sent(len(chunk))


def _chunks(records: Sequence[Record], size: int) -> Iterator[tuple[int, Sequence[Record]]]:
    for start in range(0, len(records), size):
        yield start, records[start : start + size]
