"""`finlake maintain`: compact, expire snapshots, remove orphan files on every table of the lake."""

from __future__ import annotations

import argparse

from finlake.lake import Lake


def main(args: argparse.Namespace) -> int:
    from finlake.maintenance import maintain
    from finlake.spark import local_session

    print("maintaining every Iceberg table of the lake ...", flush=True)
    done = maintain(local_session("finlake-maintain"), Lake.local(args.lake), args.older_than_days, args.retain_last)
    print(f"maintained {len(done)} tables")
    return 0
