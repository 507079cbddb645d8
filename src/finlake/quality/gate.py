"""The promotion gate: a failing BLOCKING rule stops promotion; failing warnings are only reported."""

from __future__ import annotations

from collections.abc import Iterable

from finlake.errors import FinlakeError
from finlake.quality.evaluate import RuleResult

MAX_NAMED = 3  # the one-line message names this many failures, then counts the rest


class QualityGateError(FinlakeError):
    """Blocking data-quality rules failed; nothing was promoted."""


def check_gate(results: Iterable[RuleResult], stage: str) -> None:
    """Raise QualityGateError (one line) if any blocking rule failed; `stage` says what is stopped."""
    failures = [r for r in results if r.blocking_failure]
    if not failures:
        return
    named = "; ".join(r.one_line() for r in failures[:MAX_NAMED])
    more = f"; and {len(failures) - MAX_NAMED} more" if len(failures) > MAX_NAMED else ""
    raise QualityGateError(
        f"data-quality gate: {len(failures)} blocking rule(s) failed, {stage}: {named}{more} "
        "(details in the run report)"
    )
