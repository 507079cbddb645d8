"""`finlake erase-customer --customer-id ID --reason TEXT`: erase one customer's direct identifiers."""

from __future__ import annotations

import argparse

from finlake.lake import Lake


def main(args: argparse.Namespace) -> int:
    from finlake.erasure import BRONZE_RETENTION_DAYS, erase_customer
    from finlake.spark import local_session

    lake = Lake.local(args.lake)
    record = erase_customer(
        local_session("finlake-erase"),
        lake,
        args.customer_id,
        args.reason,
        args.requested_by,
        bronze_retention_days=getattr(args, "bronze_retention_days", BRONZE_RETENTION_DAYS),
    )
    for name, outcome in record.tables.items():
        print(
            f"  {name:<24} rows erased {outcome['rows_erased']:>3}  history kept: snapshot {outcome['snapshot_kept']}  "
            f"files deleted {outcome['data_files_deleted']} (+{outcome['orphan_files_deleted']} orphans)"
        )
    if record.bronze_purge_due:
        print(
            f"  Bronze keeps the raw rows: {record.bronze_files} customer file(s) hold the id; "
            f"retention expires the last on {record.bronze_purge_due}"
        )
    else:
        print("  Bronze holds no customer file with this id")
    print(f"erasure {record.erasure_id} recorded in {lake.runs}/erasure-{record.erasure_id}.json (no PII in it)")
    return 0
