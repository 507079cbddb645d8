"""The annual interest rate a loan's amount, term and instalment imply (annuity arithmetic).

loan.asc has no rate. For a level-payment loan, principal P, term n months and instalment A satisfy
A = P * r / (1 - (1 + r)^-n) for the monthly rate r (and A = P / n when r = 0). The instalment
grows with r, so r is found by bisection, vectorised over all loans at once. The annual rate is
the nominal one, 12 * r, in percent, as loan contracts quote it. On the real file every loan has
A * n == P exactly, so the implied rate is 0 for all of them (see README, `pkdd99`).
"""

from __future__ import annotations

import numpy as np

_LOW, _HIGH = -0.99, 1.0  # monthly rate bracket: -99 % to +100 % a month
_ITERATIONS = 80  # halves the bracket to well below 1e-20: far finer than 4 decimals of a percent


def annuity_payment(principal: np.ndarray, monthly_rate: np.ndarray, months: np.ndarray) -> np.ndarray:
    """The level instalment that repays `principal` in `months` at `monthly_rate` (0 allowed)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # unusable loans give NaN/inf
        level = principal * monthly_rate / (1.0 - (1.0 + monthly_rate) ** -months)
        return np.where(np.abs(monthly_rate) < 1e-12, principal / months, level)


def implied_annual_rate(principal: np.ndarray, payment: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Nominal annual rate in percent (12 x monthly) per loan; NaN where the inputs are unusable.

    A total of instalments below the principal implies a negative rate; it is returned as such
    (the contract's lower bound then lets Silver quarantine it rather than the importer hiding it).
    """
    principal, payment, months = (np.asarray(a, dtype=float) for a in (principal, payment, months))
    usable = (principal > 0) & (payment > 0) & (months >= 1)
    low = np.full(principal.shape, _LOW)
    high = np.full(principal.shape, _HIGH)
    for _ in range(_ITERATIONS):
        mid = (low + high) / 2.0
        too_low = annuity_payment(principal, mid, months) < payment
        low = np.where(too_low, mid, low)
        high = np.where(too_low, high, mid)
    monthly = (low + high) / 2.0
    # Exactly level repayment without interest: report 0, not bisection noise around it.
    monthly = np.where(np.isclose(payment * months, principal, rtol=0, atol=0.005), 0.0, monthly)
    return np.where(usable, np.round(monthly * 12.0 * 100.0, 4), np.nan)
