"""`finlake run`: the whole pipeline in order on generated data (what `make run` calls)."""

from __future__ import annotations

import argparse
import time

from finlake.cli import _handler
from finlake.errors import NotImplementedYet

# Each step with the extra arguments its subcommand expects.
STEPS: tuple[tuple[str, dict[str, object]], ...] = (
    ("generate", {}),
    ("bronze-to-silver", {"full_refresh": False}),
    ("silver-to-gold", {}),
    ("crawl", {"glue": False, "database_prefix": ""}),
    ("train", {"report": None, "repeated_cv": None}),
    ("score", {}),
    ("alerts", {}),
    ("dashboard", {"out": None}),  # last: the run ends by printing the dashboard's path
)


def main(args: argparse.Namespace) -> int:
    started = time.monotonic()
    for command, extra in STEPS:
        step_args = argparse.Namespace(**{**vars(args), **extra, "command": command})
        try:
            handler = _handler(command)
        except NotImplementedYet:
            print(f"== {command}: not implemented yet; the pipeline stops here")
            break
        print(f"== {command}", flush=True)
        code = int(handler(step_args) or 0)
        if code:
            return code
    print(f"== finlake run finished in {time.monotonic() - started:.0f}s (lake: {args.lake})")
    return 0
