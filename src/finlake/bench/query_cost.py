"""Query cost: each named Athena query on the local engine, its time and the data it reads.

Bytes read are the sizes of the files DuckDB's profile says its scans opened
(`LocalEngine.profile` + `files_read`), compared with every data file of the tables the query names
at the snapshot the engine reads (its `share`) and with all of silver.transactions (the table the
compliance target is about).

    python -m finlake.bench.query_cost LAKE RUNS OUT_JSON
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from finlake.catalog.store import LocalCatalog
from finlake.errors import FinlakeError
from finlake.lake import Lake
from finlake.query import sqltext
from finlake.query.local import DEFAULT_DATABASE, LocalEngine, files_read
from finlake.query.named import QueryText, named_queries

TOP_N = "20"


def _partition_values(engine: LocalEngine, database: str, table: str, key: str) -> list[str]:
    snapshot = engine.snapshots.get((database, table))
    return snapshot.partition_values(key) if snapshot else []


def parameters(engine: LocalEngine, query: QueryText) -> dict[str, str]:
    """Realistic parameter values: the latest month that has compliance alerts, the last 3 booking months."""
    alert_months = _partition_values(engine, "gold", "compliance_cash_alerts", "alert_month")
    booked = _partition_values(engine, "silver", "transactions", "booked_month")
    values: dict[str, str] = {}
    for p in query.params:
        if p.type == "integer":
            values[p.name] = TOP_N
        elif p.type == "month" and p.name == "from_month":
            values[p.name] = booked[-3] if len(booked) >= 3 else (booked or ["2024-01"])[0]
        elif p.type == "month" and p.name == "to_month":
            values[p.name] = (booked or ["2024-01"])[-1]
        elif p.type == "month":
            values[p.name] = (alert_months or booked or ["2024-01"])[-1]
        else:
            raise ValueError(f"no benchmark value for parameter {p.name} ({p.type}) of {query.name}")
    return values


def _table_files(engine: LocalEngine, catalog: LocalCatalog, database: str, table: str) -> list[str]:
    """The data files a full scan reads: the Iceberg snapshot's files, or Bronze's registered partitions."""
    if (database, table) in engine.snapshots:
        return engine.snapshots[(database, table)].paths
    entry = catalog.read_table(database, table)
    if entry is None:
        return []
    t = entry["TableInput"]
    locations = (
        [p["StorageDescriptor"]["Location"] for p in entry["PartitionInputs"]]
        if t["PartitionKeys"]
        else [t["StorageDescriptor"]["Location"]]
    )
    return [str(f) for loc in locations for f in Path(loc).glob("*.csv")]


def _size(files: list[str]) -> int:
    return sum(os.path.getsize(f) for f in files if os.path.exists(f))


def measure_query(engine: LocalEngine, catalog: LocalCatalog, query: QueryText, runs: int) -> dict[str, Any]:
    params = parameters(engine, query)
    text = sqltext.substitute_databases(query.sql, sqltext.database_names(), query.source)
    refs = sorted(
        {
            (db or DEFAULT_DATABASE, name)
            for db, name in sqltext.table_references(
                sqltext.parse_trino(sqltext.bind_parameters(text, query.literals(params), query.source), query.source)
            )
        }
    )
    table_files = [f for db, name in refs for f in _table_files(engine, catalog, db, name)]
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        engine.run(query, params)
        seconds.append(time.perf_counter() - started)
    scans = files_read(engine.profile(query, params))
    read = sorted(set(scans))  # a table scanned twice (a self-join) is counted once
    transactions = _table_files(engine, catalog, "silver", "transactions")
    bytes_read, table_bytes = _size(read), _size(table_files)
    return {
        "params": params,
        "tables": [f"{db}.{name}" for db, name in refs],
        "seconds": round(statistics.median(seconds), 4),
        "runs": runs,
        "file_scans": len(scans),
        "files_read": len(read),
        "table_files": len(table_files),
        "bytes_read": bytes_read,
        "table_bytes": table_bytes,
        "share_of_tables": round(bytes_read / table_bytes, 4) if table_bytes else None,
        "share_of_silver_transactions": round(bytes_read / _size(transactions), 4) if transactions else None,
    }


def main(argv: list[str]) -> int:
    lake_root, runs, out = argv
    lake = Lake.local(lake_root)
    started = time.perf_counter()
    engine = LocalEngine(lake)
    setup = time.perf_counter() - started
    catalog = LocalCatalog(lake.catalog)
    results: dict[str, Any] = {}
    for name, q in named_queries().items():
        try:
            results[name] = measure_query(engine, catalog, q, int(runs))
        except FinlakeError as exc:  # e.g. a table not published yet: reported, the others still measured
            results[name] = {"error": str(exc)}
    Path(out).write_text(json.dumps({"engine_setup_seconds": round(setup, 3), "queries": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
