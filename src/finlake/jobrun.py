"""One way to run a job — `bronze-to-silver`, `silver-to-gold` and `finlake run` all use it: a run
report, the step the run is at, and how it ends. The report is always written and summarised; a
failure is one line naming the step and the cause (the full Python and Java trace goes to a log file
the line names, see finlake.failure), and says what is still published.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from finlake import failure
from finlake.errors import FinlakeError
from finlake.lake import Lake
from finlake.report import RunReport


class JobRun:
    """A run of `command` on `lake`; `on_failure` says what a failure leaves (e.g. "the last good Gold
    is still published"); `summary` renders the report for the terminal."""

    def __init__(
        self,
        lake: Lake,
        report: RunReport,
        command: str,
        on_failure: str,
        summary: Callable[[RunReport], str] = RunReport.summary,
    ):
        self.lake, self.report, self.command, self.on_failure = lake, report, command, on_failure
        self.summary = summary
        self.step = "starting"

    @contextmanager
    def stage(self, step: str, timed: str | None = None) -> Iterator[None]:
        """Name the step the run is at (a failure names it), and time it in the report as `timed`."""
        self.step = step
        if timed is None:
            yield
            return
        with self.report.timed(timed):
            yield

    def finish(self, status: str, message: str = "") -> RunReport:
        self.report.finish(status, message)
        self.report.write(self.lake)
        print(self.summary(self.report), flush=True)
        return self.report

    @contextmanager
    def guarded(self) -> Iterator[JobRun]:
        """Around the whole run: any failure finishes the report as `failed` and is raised as one line.
        A FinlakeError is already a message for the user (a quality gate, the circuit breaker): kept."""
        try:
            yield self
        except FinlakeError as exc:
            self.finish("failed", str(exc))
            raise
        except Exception as exc:
            cause = failure.describe(exc, self.lake, self.report.run_id)
            message = f"{self.command} failed at {self.step}: {cause}; {self.on_failure}"
            self.finish("failed", message)
            raise FinlakeError(message) from exc
