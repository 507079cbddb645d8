"""One writer per local lake at a time, and no writer that silently creates a lake.

Commands that change a lake take an exclusive `fcntl` lock on `<lake>/_writer.lock` for their whole
run. A second writer fails at once with a one-line message naming the holder (pid, command, start
time), instead of two jobs interleaving their writes. The lock is the kernel's: it is released when
the process ends, however it ends (no stale lock after a crash or SIGKILL). On AWS, Glue runs one
instance of each job (`max_concurrent_runs = 1`) and the workflow orders them.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from finlake.errors import FinlakeError, UsageError

LOCK_NAME = "_writer.lock"
# commands that write to the lake; those that may also create it
WRITERS = frozenset(
    {"generate", "import-pkdd99", "bronze-to-silver", "silver-to-gold", "crawl", "train", "score", "run", "maintain"}
    | {"erase-customer"}
)
CREATORS = frozenset({"generate", "import-pkdd99", "run"})


class LakeBusy(FinlakeError):
    """Another process is writing to this lake."""


def require_lake(root: str, command: str) -> None:
    """A command that needs an existing lake says so (and creates nothing) when there is none."""
    if not Path(root).is_dir():
        raise UsageError(
            f"no lake at {Path(root).absolute()}: nothing to {command} "
            "(run `finlake generate` or `finlake import-pkdd99` first, or pass --lake)"
        )


@contextmanager
def writer_lock(root: str, command: str) -> Iterator[None]:
    """Hold the lake's writer lock for the block (creating the lake only for CREATORS)."""
    if command in CREATORS:
        os.makedirs(root, exist_ok=True)
    else:
        require_lake(root, command)
    path = os.path.join(root, LOCK_NAME)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
            raise LakeBusy(
                f"the lake {Path(root).absolute()} is being written by {holder}; "
                "one writer at a time: wait for it to finish, then rerun"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} (`finlake {command}`, since {time.strftime('%H:%M:%S')})".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
