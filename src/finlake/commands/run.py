"""`finlake run`: the whole pipeline in order on generated data (what `make run` calls)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from finlake.cli import build_parser, handler

STEPS: tuple[str, ...] = (
    "generate",
    "bronze-to-silver",
    "silver-to-gold",
    "train",
    "score",
    "features publish",  # the online store, so `finlake serve` answers on this lake straight away
    # after scoring, so the catalog holds the new scoring run for the alerts
    "crawl",
    "alerts",
    "dashboard",  # last: the run ends by printing the dashboard's path
)
GENERATE_OPTIONS = ("customers", "days", "start_date", "seed", "dirty_rate")


def _step_args(args: argparse.Namespace, command: str) -> argparse.Namespace:
    """The step's arguments exactly as `finlake <command>` would parse them (every default included)."""
    argv = ["--lake", args.lake, *command.split()]
    if command == "generate":
        for name in GENERATE_OPTIONS:
            if getattr(args, name, None) is not None:
                argv += [f"--{name.replace('_', '-')}", str(getattr(args, name))]
    step = build_parser().parse_args(argv)
    step.debug = args.debug
    return step


def main(args: argparse.Namespace) -> int:
    started = time.monotonic()
    for command in STEPS:
        print(f"== {command}", flush=True)
        step_started = time.monotonic()
        code = int(handler(command.split()[0])(_step_args(args, command)) or 0)
        print(f"   ({command}: {time.monotonic() - step_started:.0f}s)", flush=True)
        if code:
            return code
    print(f"== finlake run finished in {time.monotonic() - started:.0f}s (lake: {Path(args.lake).absolute()})")
    return 0
