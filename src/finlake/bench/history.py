"""A longer transaction history for the incremental benchmark, made from the generated one.

The generator always writes a fixed backfill (`HISTORY_DAYS`) in its first ingest_date, so "ten
times the history" cannot come from its options. Instead the first day's transaction files are
copied `copies` times into earlier ingest_date partitions, each copy shifted back by another
HISTORY_DAYS (so the copies extend the booking months backwards, as an older bank's would) and
with its transaction ids suffixed `-H<k>` (so they are new events, not re-deliveries). Rows DuckDB
cannot parse are left out of the copies. Customers, accounts and loans are not copied: the
history that grows with time is the transactions'.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb

from finlake.contracts.bronze import TRANSACTIONS
from finlake.generate.config import HISTORY_DAYS


def _copy_select(source_glob: str, k: int) -> str:
    cols = []
    for name in TRANSACTIONS.column_names:
        if name == "transaction_id":
            cols.append(f"transaction_id || '-H{k}' AS transaction_id")
        elif name == "booked_at":
            shifted = (
                f"strftime(TRY_CAST(booked_at AS TIMESTAMP) - INTERVAL {k * HISTORY_DAYS} DAY, '%Y-%m-%dT%H:%M:%S')"
            )
            cols.append(f"coalesce({shifted}, booked_at) AS booked_at")
        else:
            cols.append(name)
    return (
        f"SELECT {', '.join(cols)} FROM read_csv('{source_glob}', header = true, all_varchar = true, "
        "union_by_name = true, ignore_errors = true, quote = '\"', escape = '\"')"
    )


def extend_history(bronze_root: str, first_ingest_date: str, copies: int) -> int:
    """Write `copies` shifted copies of the first day's transactions; returns the rows written."""
    source = f"{bronze_root}/transactions/ingest_date={first_ingest_date}/*.csv"
    con = duckdb.connect(":memory:")
    total = 0
    for k in range(1, copies + 1):
        day = (date.fromisoformat(first_ingest_date) - timedelta(days=k)).isoformat()
        folder = Path(bronze_root) / "transactions" / f"ingest_date={day}"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"transactions-{day}-history{k:02d}.csv"
        con.execute(f"COPY ({_copy_select(source, k)}) TO '{target}' (HEADER, DELIMITER ',', FORCE_QUOTE *)")
        total += int(con.execute(f"SELECT count(*) FROM read_csv('{target}', header = true)").fetchone()[0])  # type: ignore[index]
    return total
