"""`finlake dashboard [--out FILE]`: write the risk dashboard as one self-contained HTML file."""

from __future__ import annotations

import argparse

from finlake.dashboard.build import build_dashboard


def main(args: argparse.Namespace) -> int:
    return execute(args.lake, args.out)


def execute(lake: str, out: str | None = None) -> int:
    path = build_dashboard(lake, out)
    print(f"dashboard written to {path}")
    return 0
