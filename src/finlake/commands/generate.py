"""`finlake generate`: synthetic Bronze files, one ingest_date partition per day."""

from __future__ import annotations

import argparse

from finlake.generate import GeneratorConfig, generate


def main(args: argparse.Namespace) -> int:
    config = GeneratorConfig.resolve(
        customers=args.customers,
        days=args.days,
        start_date=args.start_date,
        seed=args.seed,
        dirty_rate=args.dirty_rate,
    )
    return execute(args.lake, config)


def execute(lake: str, config: GeneratorConfig) -> int:
    generate(lake, config, log=lambda line: print(line, flush=True))
    return 0
