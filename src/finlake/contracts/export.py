"""The table list Terraform reads (`terraform/modules/iceberg_tables/tables.json`), exported from the
contracts so IAM grants and table optimizers never repeat table names by hand.

`python -m finlake.contracts.export` rewrites the file; tests/contracts/test_export.py fails when it
is stale."""

from __future__ import annotations

import json
import sys
from pathlib import Path

TABLES_JSON = Path(__file__).resolve().parents[3] / "terraform" / "modules" / "iceberg_tables" / "tables.json"


def iceberg_tables() -> dict[str, list[str]]:
    """Glue namespace (layer) -> table names, in declaration order."""
    from finlake.storage import all_refs

    out: dict[str, list[str]] = {}
    for ref in all_refs():
        out.setdefault(ref.namespace_layer, []).append(ref.contract.name)
    return out


def render() -> str:
    return json.dumps(iceberg_tables(), indent=2) + "\n"


if __name__ == "__main__":
    TABLES_JSON.write_text(render(), encoding="utf-8")
    print(f"wrote {TABLES_JSON}", file=sys.stderr)
