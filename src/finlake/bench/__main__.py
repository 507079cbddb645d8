"""`python -m finlake.bench` (what `make bench` runs): settings from BENCH_* (see runner.py)."""

from __future__ import annotations

import sys

from finlake.bench.runner import Bench, Settings
from finlake.errors import FinlakeError


def main() -> int:
    try:
        settings = Settings.from_env()
        bench = Bench(settings)
        result = bench.run()
    except FinlakeError as exc:
        print(f"bench: error: {exc}", file=sys.stderr)
        return 1
    print(f"bench: results in {bench.save(result)}; table in {settings.doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
