"""Booked balances, pre-origination risk drivers, and the loan default mechanism.

The drivers of each loan are computed from the generated transactions of the loan's account in the
FEATURE_WINDOW days strictly before origination, the same way the Gold loan features are defined:

    pti            = 12 * monthly_payment / annual_income          (payment-to-income)
    income         = annual_income (declared)
    overdraft_days = days in the window whose last balance_after was below zero
    cash_share     = cash (ATM, BRANCH) debits / all debits, by amount
    volatility     = stddev(balance_after) / (credits in the window / 6)   (balance sd in months of inflow)

and the true default probability is

    logit p = INTERCEPT + 3.0 * pti - 0.5 * ln(income / 40000) + 0.03 * min(overdraft_days, 90)
              + 2.5 * cash_share + 0.5 * ln(1 + volatility) + TYPE_EFFECT[loan_type] + e,   e ~ N(0, 0.9)

`e` stands for what no data shows (a job loss, an illness): it makes the signal real but imperfect.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from finlake.contracts import bronze
from finlake.generate.events import KINDS, Events
from finlake.generate.loans import AUTO, BUSINESS, FEATURE_WINDOW, MORTGAGE, OTHER, PERSONAL, STUDENT_LOAN, Loans
from finlake.generate.population import Accounts, Customers
from finlake.generate.timeline import SECONDS_PER_DAY, stream

INTERCEPT = -4.6
COEFFICIENTS = {
    "pti": 3.0,
    "log_income_40k": -0.5,
    "overdraft_days_capped_90": 0.03,
    "cash_share": 2.5,
    "log1p_volatility": 0.5,
}
TYPE_EFFECT = {MORTGAGE: -0.5, AUTO: -0.2, PERSONAL: 0.2, STUDENT_LOAN: 0.0, BUSINESS: 0.3, OTHER: 0.4}
NOISE_SD = 0.9
CASH_KIND = np.array([k.channel in bronze.CASH_CHANNELS for k in KINDS])


@dataclass(frozen=True)
class Ledger:
    """Events in booking order per account, with the balance after each booking (cents)."""

    events: Events
    balance_cents: np.ndarray
    key: np.ndarray  # account << 32 | seconds since the timeline's first day: sorted

    @classmethod
    def book(cls, events: Events, accounts: Accounts, first_day: int) -> Ledger:
        order = np.lexsort((np.arange(len(events)), events.second, events.day, events.account))
        e = events.select(order)
        signed = e.signed_cents
        running = np.cumsum(signed)
        starts = np.searchsorted(e.account, np.arange(accounts.n))  # first row of each account
        before = np.concatenate([[0], running])[starts][e.account]
        opening = np.round(accounts.opening_balance * 100).astype(np.int64)[e.account]
        key = (e.account << 32) | ((e.day - first_day) * SECONDS_PER_DAY + e.second)
        return cls(e, opening + running - before, key)


def _window_sums(ledger: Ledger, lo: np.ndarray, hi: np.ndarray, values: np.ndarray) -> np.ndarray:
    cumulative = np.concatenate([[0.0], np.cumsum(values, dtype=float)])
    return cumulative[hi] - cumulative[lo]


def drivers(ledger: Ledger, c: Customers, loans: Loans, first_day: int) -> dict[str, np.ndarray]:
    """Each loan's risk drivers, from its account's transactions before origination."""
    e = ledger.events
    end = (loans.account << 32) | ((loans.origination - first_day) * SECONDS_PER_DAY)
    begin = (loans.account << 32) | ((loans.origination - FEATURE_WINDOW - first_day) * SECONDS_PER_DAY)
    lo, hi = np.searchsorted(ledger.key, begin), np.searchsorted(ledger.key, end)
    n = hi - lo
    amount = e.cents / 100
    credit = e.credit
    debits = _window_sums(ledger, lo, hi, np.where(credit, 0, amount))
    credits = _window_sums(ledger, lo, hi, np.where(credit, amount, 0))
    cash = _window_sums(ledger, lo, hi, np.where(~credit & CASH_KIND[e.kind], amount, 0))
    # Balance sd, centred per account first so the running sums stay small and exact enough.
    balance = ledger.balance_cents / 100
    centre = np.bincount(e.account, balance) / np.maximum(np.bincount(e.account), 1)
    centred = balance - centre[e.account]
    s1, s2 = _window_sums(ledger, lo, hi, centred), _window_sums(ledger, lo, hi, centred**2)
    variance = (s2 - s1**2 / np.maximum(n, 1)) / np.maximum(n - 1, 1)
    volatility_abs = np.where(n > 1, np.sqrt(np.maximum(variance, 0)), 0.0)
    # Overdraft days: the last booking of each (account, day) decides the day.
    last_of_day = np.r_[(e.account[1:] != e.account[:-1]) | (e.day[1:] != e.day[:-1]), True]
    overdraft = _window_sums(ledger, lo, hi, last_of_day & (ledger.balance_cents < 0))
    active_days = _window_sums(ledger, lo, hi, last_of_day)
    income = c.declared_income[loans.customer]
    return {
        "pti": 12 * loans.payment / income,
        "annual_income": income,
        "overdraft_days": np.round(overdraft).astype(np.int64),
        "cash_share": np.where(debits > 0, cash / np.maximum(debits, 1e-9), 0.0),
        "balance_volatility": volatility_abs,
        "volatility": volatility_abs / np.maximum(credits / (FEATURE_WINDOW / 30), 100.0),
        "history_days": np.round(active_days).astype(np.int64),
        "transactions": n,
    }


def linear_predictor(d: dict[str, np.ndarray], loan_type: np.ndarray) -> np.ndarray:
    """The observable part of the default log-odds (everything but the noise)."""
    type_effect = np.vectorize(TYPE_EFFECT.__getitem__, otypes=[float])(loan_type)
    return (
        INTERCEPT
        + COEFFICIENTS["pti"] * d["pti"]
        + COEFFICIENTS["log_income_40k"] * np.log(d["annual_income"] / 40_000)
        + COEFFICIENTS["overdraft_days_capped_90"] * np.minimum(d["overdraft_days"], 90)
        + COEFFICIENTS["cash_share"] * d["cash_share"]
        + COEFFICIENTS["log1p_volatility"] * np.log1p(d["volatility"])
        + type_effect
    )


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


@dataclass(frozen=True)
class Outcomes:
    probability: np.ndarray  # the probability the outcome was drawn from (incl. the unobservable noise)
    observable_probability: np.ndarray  # E[p | drivers]: the best any model on the data could do
    is_default: np.ndarray  # drawn: True for loans that end DEFAULT or CHARGED_OFF


def draw_outcomes(d: dict[str, np.ndarray], loans: Loans, seed: int) -> Outcomes:
    rng = stream(seed, "defaults")
    eta = linear_predictor(d, loans.type)
    p = sigmoid(eta + NOISE_SD * rng.standard_normal(loans.n))
    observable = sigmoid(eta / np.sqrt(1 + np.pi * NOISE_SD**2 / 8))  # logistic-normal approximation
    return Outcomes(p, observable, rng.random(loans.n) < p)
