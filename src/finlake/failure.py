"""A failed run in one line: the cause (and the file Spark names), never a Py4J preamble or a Java stack
trace on the terminal. The full trace (Python and Java) goes to `<runs>/<run_id>.trace.log`, which the
one-line message names."""

from __future__ import annotations

import re
import traceback

from finlake.errors import FinlakeError
from finlake.lake import Lake
from finlake.spark import DEFAULT_DRIVER_MEMORY
from finlake.textstore import write_text

# Spark names the file it failed on: "Encountered error while reading file <uri>." (3.5), FAILED_READ_FILE (4.x)
_FILE = re.compile(r"(?:while reading file|FAILED_READ_FILE\S*\]? [^\n]*?file)\s+(\S+?)\.?(?:\s|$)")
# the exception a Java trace starts with (after Py4J's ": ") or one it was caused by
_CAUSE = re.compile(r"^(?:Caused by: |: )?((?:[a-z]+\.)+[A-Za-z]*(?:Exception|Error)\b.*)$", re.MULTILINE)
NO_SPACE = ("No space left on device", "ENOSPC", "Errno 28")
OUT_OF_MEMORY_HINT = (
    f"raise FINLAKE_DRIVER_MEMORY (the local Spark driver's heap, default {DEFAULT_DRIVER_MEMORY}), "
    "or on Glue the worker type"
)


def trace_uri(lake: Lake, run_id: str) -> str:
    return f"{lake.runs.rstrip('/')}/{run_id}.trace.log"


def _root_cause(text: str) -> str:
    """The deepest `Caused by:` of a Java trace, else the last exception line, without the class's package."""
    causes = [m.strip() for m in _CAUSE.findall(text)]
    if not causes:
        return ""
    cause = causes[-1]
    name, _, rest = cause.partition(":")
    return f"{name.rsplit('.', 1)[-1]}: {rest.strip()}" if rest.strip() else name.rsplit(".", 1)[-1]


def summary(exc: BaseException) -> str:
    """One line saying what failed (and in which file, when Spark names it)."""
    text = str(exc).strip()
    if any(s in text for s in NO_SPACE) or (isinstance(exc, OSError) and exc.errno == 28):
        return "no space left on device"
    first = text.splitlines()[0] if text and text != "None" else ""
    if first.startswith("An error occurred while calling") or "\n\tat " in text:  # a Py4J wrapper
        first = _root_cause(text) or first
        line = first
    else:
        line = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    if m := _FILE.search(text):
        line += f" (file {m[1]})"
    if "java.lang.OutOfMemoryError" in text:
        line += f": {OUT_OF_MEMORY_HINT}"
    return line


def describe(exc: BaseException, lake: Lake, run_id: str) -> str:
    """`summary(exc)`, the full trace written to the trace log, which the line names."""
    if isinstance(exc, FinlakeError):  # already one line for the user (e.g. the circuit breaker)
        return str(exc)
    uri = trace_uri(lake, run_id)
    try:
        write_text(uri, "".join(traceback.format_exception(exc)))
    except Exception:  # e.g. the disk is full: the one line still says why
        return summary(exc)
    return f"{summary(exc)} (stack trace: {uri})"
