"""`finlake stream`: replays the lake's transactions through the real-time monitor on a local Kinesis."""

from __future__ import annotations

import argparse
from pathlib import Path

from finlake.stream.command import Options, run, summary_line


def main(args: argparse.Namespace) -> int:
    lake_root = Path(args.lake).absolute()
    options = Options(
        source=args.source,
        shuffle_within=args.shuffle_within,
        duplicate_rate=args.duplicate_rate,
        seed=args.seed,
        rate=args.rate,
    )
    summary = run(lake_root, options)
    print(summary_line(summary))
    print(
        f"alerts: {lake_root / 'stream' / 'alerts.jsonl'}  dead letters: {lake_root / 'stream' / 'dead_letters.jsonl'}"
    )
    return 0
