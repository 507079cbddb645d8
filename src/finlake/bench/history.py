"""A longer transaction history for the incremental benchmark, made from the generated one.

The generator always writes a fixed backfill (`HISTORY_DAYS`) in its first ingest_date, so "ten
times the history" cannot come from its options. Instead the first day's transaction files are
copied `copies` times, each copy shifted back by another HISTORY_DAYS in booking time (so the copies
extend the booking months backwards, as an older bank's would) and with its transaction ids
suffixed `-H<k>` (so they are new events, not re-deliveries). Rows DuckDB cannot parse are left out
of the copies. Customers, accounts and loans are not copied: the history that grows with time is
the transactions'.

The copies are delivered in the *same* ingest_date as the backfill (a bank migrating a longer
history on its first day), not in earlier ones: the accounts arrive on that first day, and a
transaction delivered before its account is an orphan (ORPHAN_FK), so earlier deliveries would
have sent the whole padding to the quarantine instead of Silver.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from finlake.contracts.bronze import TRANSACTIONS
from finlake.generate.config import HISTORY_DAYS


def _copy_select(source_files: str, k: int) -> str:
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
        f"SELECT {', '.join(cols)} FROM read_csv({source_files}, header = true, all_varchar = true, "
        "union_by_name = true, ignore_errors = true, quote = '\"', escape = '\"')"
    )


def extend_history(bronze_root: str, first_ingest_date: str, copies: int) -> int:
    """Write `copies` shifted copies of the first day's transactions; returns the rows written."""
    folder = Path(bronze_root) / "transactions" / f"ingest_date={first_ingest_date}"
    # the day's own files, listed before any copy joins them in the same folder
    source = "[" + ", ".join(f"'{p}'" for p in sorted(folder.glob("*.csv"))) + "]"
    con = duckdb.connect(":memory:")
    total = 0
    for k in range(1, copies + 1):
        target = folder / f"history{k:02d}.csv"
        con.execute(f"COPY ({_copy_select(source, k)}) TO '{target}' (HEADER, DELIMITER ',', FORCE_QUOTE *)")
        total += int(con.execute(f"SELECT count(*) FROM read_csv('{target}', header = true)").fetchone()[0])  # type: ignore[index]
    return total
