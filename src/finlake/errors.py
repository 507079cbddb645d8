"""Errors a user can act on. The CLI prints them as one line and exits non-zero, never a stack trace."""


class FinlakeError(Exception):
    """A failure with a one-line, user-facing message saying what is wrong and where."""

    exit_code = 1


class NotEnoughData(FinlakeError):
    """The data is sound but cannot support the step yet (e.g. no defaults in a model's test months).
    `finlake run` skips an optional step on it, with a note; the step's own command still fails."""


class UsageError(FinlakeError):
    """Bad arguments or bad input named by the user (a missing folder, a nonsense option)."""

    exit_code = 2
