"""Loan contracts: who borrows, what, how much, for how long. Outcomes are drawn later (risk.py)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from finlake.contracts import bronze
from finlake.generate.population import (
    RETIRED,
    SELF_EMPLOYED,
    STUDENT,
    UNEMPLOYED,
    Accounts,
    Customers,
    code,
)
from finlake.generate.timeline import Timeline, add_months, stream

FEATURE_WINDOW = 180  # = gold FEATURE_WINDOW_DAYS: backfilled loans have this much history before them
NEWEST_BACKFILL_LOAN = 45  # backfilled loans are at least this many days old at the first ingest date
NEW_LOANS_PER_CUSTOMER_DAY = 0.0008  # loans originated during the daily ingest window

MORTGAGE, AUTO, PERSONAL, STUDENT_LOAN, BUSINESS, OTHER = (
    code(bronze.LOAN_TYPES, c) for c in ("MORTGAGE", "AUTO", "PERSONAL", "STUDENT", "BUSINESS", "OTHER")
)
TYPES = (MORTGAGE, AUTO, PERSONAL, STUDENT_LOAN, BUSINESS, OTHER)
# Per type: base annual rate (%), possible terms (months).
BASE_RATE = {MORTGAGE: 3.9, AUTO: 6.5, PERSONAL: 9.5, STUDENT_LOAN: 4.5, BUSINESS: 7.5, OTHER: 12.5}
TERMS = {
    MORTGAGE: (180, 240, 300, 360),
    AUTO: (36, 48, 60, 72),
    PERSONAL: (6, 12, 24, 36, 48, 60),
    STUDENT_LOAN: (60, 84, 120),
    BUSINESS: (24, 36, 60, 84),
    OTHER: (6, 9, 12, 18, 24),
}


@dataclass(frozen=True)
class Loans:
    n: int
    customer: np.ndarray
    account: np.ndarray  # the borrower's main checking account (paid out to, repaid from)
    type: np.ndarray
    principal: np.ndarray
    rate: np.ndarray  # annual percent
    term: np.ndarray  # months
    origination: np.ndarray  # day number
    maturity: np.ndarray  # day number of the last scheduled instalment
    payment: np.ndarray  # monthly instalment


def _borrowers(c: Customers, rng: np.random.Generator) -> np.ndarray:
    """Customer indices of the backfilled loans (a fifth of borrowers hold two)."""
    working = ~np.isin(c.employment, [RETIRED, STUDENT, UNEMPLOYED])
    logit = -0.1 + 0.45 * c.stress + 0.7 * working - 1.0 * (c.employment == RETIRED) - 0.8 * (c.age < 21)
    borrows = rng.random(c.n) < 1 / (1 + np.exp(-logit))
    first = np.flatnonzero(borrows)
    second = first[rng.random(first.size) < 0.2]
    return np.concatenate([first, second])


def _loan_types(c: Customers, who: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    age, gross = c.age[who], c.gross_income[who]
    weights = np.column_stack(
        [
            0.35 * ((age >= 27) & (age <= 58) & (gross >= 28_000)),
            0.25 * (age >= 21),
            np.full(who.size, 0.35),
            0.35 * (age < 32),
            0.45 * (c.employment[who] == SELF_EMPLOYED),
            np.full(who.size, 0.08),
        ]
    )
    cumulative = np.cumsum(weights, axis=1)
    pick = (rng.random(who.size) * cumulative[:, -1])[:, None] < cumulative
    return np.array(TYPES)[pick.argmax(axis=1)]


def _principal(kind: np.ndarray, gross: np.ndarray, stress: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    z = rng.standard_normal(kind.size)
    scale = gross / 42_000
    amount = np.select(
        [kind == MORTGAGE, kind == AUTO, kind == PERSONAL, kind == STUDENT_LOAN, kind == BUSINESS],
        [
            np.round(gross * np.exp(np.log(3.2) + 0.15 * stress + 0.3 * z), -3),
            np.round(16_000 * scale**0.35 * np.exp(0.1 * stress + 0.4 * z), -2),
            np.round(6_000 * scale**0.5 * np.exp(0.25 * stress + 0.6 * z), -2),
            np.round(12_000 * np.exp(0.5 * z), -2),
            np.round(0.6 * gross * np.exp(0.2 * stress + 0.6 * z), -2),
        ],
        np.round(2_500 * np.exp(0.2 * stress + 0.6 * z), -1),
    )
    return np.maximum(amount, 500.0)


def _terms(kind: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    term = np.zeros(kind.size, dtype=np.int64)
    for loan_type, choices in TERMS.items():  # a loop over the six products, not over loans
        mask = kind == loan_type
        term[mask] = rng.choice(np.array(choices), mask.sum())
    return term


def annuity(principal: np.ndarray, annual_rate: np.ndarray, months: np.ndarray) -> np.ndarray:
    r = annual_rate / 1200
    return np.round(principal * r / (1 - (1 + r) ** -months.astype(float)), 2)


def make_loans(c: Customers, a: Accounts, timeline: Timeline, seed: int) -> Loans:
    rng = stream(seed, "loans")
    main_account = np.flatnonzero(a.is_main)  # one per customer, in customer order
    backfill = _borrowers(c, rng)
    earliest = np.maximum(timeline.history_start + FEATURE_WINDOW, a.opened[main_account[backfill]] + 120)
    latest = timeline.start - NEWEST_BACKFILL_LOAN
    origination = earliest + (rng.random(backfill.size) * np.maximum(latest - earliest, 0)).astype(np.int64)
    keep = earliest <= latest

    # Loans granted during the daily window (status CURRENT: too young for an outcome).
    n_new = rng.poisson(NEW_LOANS_PER_CUSTOMER_DAY * c.n * (timeline.end - timeline.start + 1))
    new_customer = rng.integers(0, c.n, n_new)
    new_day = rng.integers(timeline.start, timeline.end + 1, n_new)
    new_keep = c.customer_since[new_customer] <= new_day - FEATURE_WINDOW

    who = np.concatenate([backfill[keep], new_customer[new_keep]])
    origination = np.concatenate([origination[keep], new_day[new_keep]])
    # Two loans of one customer at least 90 days apart (else the later one is dropped).
    order = np.lexsort((origination, who))
    who, origination = who[order], origination[order]
    same = np.r_[False, who[1:] == who[:-1]]
    too_close = same & (np.diff(origination, prepend=origination[0]) < 90)
    who, origination = who[~too_close], origination[~too_close]

    kind = _loan_types(c, who, rng)
    principal = _principal(kind, c.gross_income[who], c.stress[who], rng)
    term = _terms(kind, rng)
    base = np.vectorize(BASE_RATE.__getitem__, otypes=[float])(kind)
    rate = np.round(np.clip(base + 0.8 * rng.standard_normal(who.size), 0.5, 25.0), 2)
    order = np.lexsort((who, origination))  # loan ids follow origination
    who, origination, kind, principal, term, rate = (x[order] for x in (who, origination, kind, principal, term, rate))
    return Loans(
        n=who.size,
        customer=who,
        account=main_account[who],
        type=kind,
        principal=principal,
        rate=rate,
        term=term,
        origination=origination,
        maturity=add_months(origination, term),
        payment=annuity(principal, rate, term),
    )
