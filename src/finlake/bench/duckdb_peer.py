"""Baseline (b), the single-node peer: DuckDB doing Silver's core work and the customer loan summary.

For each change entity, the latest `updated_at` per key; for transactions, the first delivery per
`transaction_id`; values typed with TRY_CAST; Silver-shaped Parquet (transactions partitioned by
booked_month); then gold.customer_loan_summary in SQL. It does *less* than our Silver job: no
per-row reasons or quarantine (malformed lines are skipped with `ignore_errors`), no orphan check,
no lineage columns, no run report. It is the speed a single-node engine reaches on the core work.

    python -m finlake.bench.duckdb_peer BRONZE_ROOT OUT_DIR
"""

from __future__ import annotations

import glob
import os
import sys

import duckdb

from finlake.contracts.bronze import ENTITIES, ENTITY_ORDER
from finlake.contracts.model import Entity


def _typed(entity: Entity) -> str:
    cols = []
    for c in entity.columns:
        expr = f"trim({c.name})"
        cols.append(
            f"{expr} AS {c.name}" if c.type == "string" else f"TRY_CAST({expr} AS {c.type.upper()}) AS {c.name}"
        )
    return ", ".join(cols)


def _source(bronze: str, entity: Entity) -> str:
    files = f"{bronze}/{entity.name}/ingest_date=*/*.csv"
    return (
        f"read_csv('{files}', header = true, all_varchar = true, union_by_name = true, "
        "hive_partitioning = true, ignore_errors = true, quote = '\"', escape = '\"')"
    )


def silver_sql(bronze: str, entity: Entity) -> str:
    """Typed rows, one per key: latest version (change entities) or first delivery (events)."""
    order = f"{entity.version_column} DESC NULLS LAST, ingest_date DESC" if entity.version_column else "ingest_date ASC"
    return (
        f"SELECT * EXCLUDE (_rank) FROM (SELECT {_typed(entity)}, CAST(ingest_date AS DATE) AS ingest_date, "
        f"row_number() OVER (PARTITION BY trim({entity.key}) ORDER BY {order}) AS _rank "
        f"FROM {_source(bronze, entity)} WHERE trim({entity.key}) <> '') WHERE _rank = 1"
    )


LOAN_SUMMARY = """
SELECT l.customer_id, count(*) AS loan_count,
       count_if(l.status IN ('CURRENT', 'LATE', 'DEFAULT')) AS open_loan_count,
       count_if(l.status IN ('DEFAULT', 'CHARGED_OFF')) AS defaulted_loan_count,
       sum(l.principal) AS total_principal, round(avg(l.principal), 2) AS avg_principal,
       max(l.principal) AS max_principal,
       coalesce(sum(l.principal) FILTER (WHERE l.status IN ('CURRENT', 'LATE', 'DEFAULT')), 0) AS open_principal,
       min(l.origination_date) AS first_origination_date, max(l.origination_date) AS last_origination_date,
       any_value(c.segment) AS segment, any_value(c.district) AS district
FROM loans l LEFT JOIN customers c USING (customer_id)
GROUP BY l.customer_id
"""


def main(argv: list[str]) -> int:
    bronze, out = argv
    os.makedirs(out, exist_ok=True)
    con = duckdb.connect(":memory:")
    con.execute("SET preserve_insertion_order = false")
    for name in ENTITY_ORDER:
        entity = ENTITIES[name]
        if not glob.glob(f"{bronze}/{name}/ingest_date=*/*.csv"):
            continue  # e.g. no fx_rates in an all-EUR Bronze: nothing to read, as Silver reads nothing
        con.execute(f"CREATE TABLE {name} AS {silver_sql(bronze, entity)}")
        if name == "transactions":
            con.execute(
                f"COPY (SELECT *, strftime(booked_at, '%Y-%m') AS booked_month FROM {name}) TO '{out}/{name}' "
                "(FORMAT parquet, PARTITION_BY (booked_month), OVERWRITE_OR_IGNORE true)"
            )
        else:
            con.execute(f"COPY {name} TO '{out}/{name}.parquet' (FORMAT parquet)")
    con.execute(f"COPY ({LOAN_SUMMARY}) TO '{out}/customer_loan_summary.parquet' (FORMAT parquet)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
