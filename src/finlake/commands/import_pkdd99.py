"""`finlake import-pkdd99 --source DIR`: the real PKDD'99 bank data into the lake's Bronze."""

from __future__ import annotations

import argparse

from finlake.lake import Lake
from finlake.pkdd99 import import_pkdd99


def main(args: argparse.Namespace) -> int:
    lake = Lake.local(args.lake)
    result = import_pkdd99(args.source, lake)
    manifest = result.manifest
    if result.skipped:
        print(f"{lake.bronze} already holds this PKDD'99 import (same source files); nothing written")
        return 0
    if manifest["transactions_note"]:
        print(f"note: {manifest['transactions_note']}")
    written = ", ".join(f"{entity} {rows:,}" for entity, rows in manifest["rows_written"].items())
    print(f"imported PKDD'99 into {lake.bronze} (ingest_date={manifest['ingest_date']}): {written}")
    to_quarantine = {e: v for e, v in manifest["expected_quarantine"].items() if v["rows"]}
    if to_quarantine:
        detail = "; ".join(
            f"{e} {v['rows']:,} ({', '.join(f'{r} {n:,}' for r, n in v.items() if r != 'rows')})"
            for e, v in to_quarantine.items()
        )
        print(f"rows invalid in the source, left for Silver to quarantine: {detail}")
    print(f"manifest: {result.manifest_path}")
    return 0
