"""`finlake dashboard [--out FILE]`: write the risk dashboard as one self-contained HTML file."""

from __future__ import annotations

import argparse

from finlake.dashboard.build import build_dashboard


def main(args: argparse.Namespace) -> int:
    path = build_dashboard(args.lake, args.out)
    print(f"dashboard written to {path}")
    return 0
