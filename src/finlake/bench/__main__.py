"""`python -m finlake.bench` (what `make bench` runs): settings from BENCH_* (see runner.py)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

from finlake.bench.report import to_markdown, write_markdown
from finlake.bench.runner import Bench, Settings
from finlake.errors import FinlakeError


def main() -> int:
    try:
        settings = Settings.from_env()
        result = Bench(settings).run()
    except FinlakeError as exc:
        print(f"bench: error: {exc}", file=sys.stderr)
        return 1
    settings.out.mkdir(parents=True, exist_ok=True)
    name = f"{datetime.now(UTC).strftime('%Y-%m-%d')}.json"
    path = settings.out / name
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    write_markdown(settings.doc, to_markdown(result, name))
    print(f"bench: results in {path}; table in {settings.doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
