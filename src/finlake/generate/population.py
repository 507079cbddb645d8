"""Customers and their accounts, with the hidden behavioural traits that drive their transactions.

Each customer gets a latent `stress` score (standard normal). It lowers income and cash buffers and
raises spending volatility and the preference for cash, so financially stretched customers really
do show more overdraft days and cash withdrawals in their transactions. The default model never
sees `stress` itself, only what it leaves behind in the data (see risk.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from finlake.contracts import bronze
from finlake.generate import pools
from finlake.generate.timeline import Timeline, stream


def code(allowed: tuple[str, ...], value: str) -> str:
    """A code from the contract's list (fails loudly if the contract no longer has it)."""
    if value not in allowed:
        raise ValueError(f"{value!r} is not a contract code (allowed: {allowed})")
    return value


EMPLOYED, SELF_EMPLOYED, UNEMPLOYED, RETIRED, STUDENT, UNKNOWN_EMPLOYMENT = (
    code(bronze.EMPLOYMENT_STATUSES, c)
    for c in ("EMPLOYED", "SELF_EMPLOYED", "UNEMPLOYED", "RETIRED", "STUDENT", "UNKNOWN")
)
MASS, AFFLUENT, PRIVATE, YOUTH = (code(bronze.SEGMENTS, c) for c in ("MASS", "AFFLUENT", "PRIVATE", "YOUTH"))
CHECKING, SAVINGS, CREDIT_CARD = (code(bronze.ACCOUNT_TYPES, c) for c in ("CHECKING", "SAVINGS", "CREDIT_CARD"))
OPEN_STATUS, CLOSED_STATUS = (code(bronze.ACCOUNT_STATUSES, c) for c in ("OPEN", "CLOSED"))
HOME_CURRENCY = code(bronze.CURRENCIES, "EUR")
FOREIGN_CURRENCIES = tuple(code(bronze.CURRENCIES, c) for c in ("USD", "GBP", "CHF"))
# Median gross annual income by employment status (long-tailed around these).
MEDIAN_INCOME = {EMPLOYED: 42_000, SELF_EMPLOYED: 46_000, RETIRED: 24_000, STUDENT: 9_000, UNEMPLOYED: 11_000}
MEDIAN_INCOME[UNKNOWN_EMPLOYMENT] = 30_000


@dataclass(frozen=True)
class Customers:
    n: int
    dob: np.ndarray  # day number
    age: np.ndarray  # years at the first ingest date
    gender: np.ndarray
    employment: np.ndarray
    stress: np.ndarray  # latent, never written
    gross_income: np.ndarray  # true gross annual income
    declared_income: np.ndarray  # what the customer declared (Bronze annual_income), NaN if not given
    net_monthly: np.ndarray  # net monthly income actually paid in
    segment: np.ndarray
    district: np.ndarray  # index into pools.DISTRICTS
    customer_since: np.ndarray  # day number
    # behaviour
    buffer_months: np.ndarray  # target balance, in months of net income
    cash_share: np.ndarray  # share of discretionary spending taken out in cash
    spend_sd: np.ndarray  # month-to-month log-sd of discretionary spending
    savings_rate: np.ndarray  # share of net income moved to savings (if a savings account exists)
    rent: np.ndarray  # monthly rent (0 for owners)
    employer: np.ndarray  # index into pools.EMPLOYERS
    thirteenth_salary: np.ndarray  # bool: a December bonus


def _employment(rng: np.random.Generator, age: np.ndarray) -> np.ndarray:
    u = rng.random(age.size)
    working = np.select(
        [u < 0.80, u < 0.91, u < 0.97],
        [EMPLOYED, SELF_EMPLOYED, UNEMPLOYED],
        default=UNKNOWN_EMPLOYMENT,
    )
    status = np.where(age >= 66, np.where(u < 0.92, RETIRED, working), working)
    return np.where((age < 24) & (rng.random(age.size) < 0.55), STUDENT, status)


def _segment(age: np.ndarray, gross: np.ndarray) -> np.ndarray:
    return np.select(
        [gross >= 150_000, gross >= 70_000, age < 26],
        [PRIVATE, AFFLUENT, YOUTH],
        default=MASS,
    )


def make_customers(n: int, timeline: Timeline, seed: int) -> Customers:
    rng = stream(seed, "customers")
    age = 18 + 67 * rng.beta(1.6, 2.2, n)
    dob = timeline.start - np.floor(age * 365.25).astype(np.int64) - rng.integers(0, 365, n)
    age = (timeline.start - dob) / 365.25
    gender = rng.choice(np.array(bronze.GENDERS), n, p=[0.49, 0.49, 0.02])
    employment = _employment(rng, age)
    stress = rng.standard_normal(n)

    median = np.vectorize(MEDIAN_INCOME.__getitem__, otypes=[float])(employment)
    gross = median * np.exp(0.5 * rng.standard_normal(n) - 0.22 * stress)
    top = rng.random(n) < 0.03  # a Pareto tail of high earners
    gross = np.where(top, gross * (2 + rng.pareto(1.8, n)), gross)
    gross = np.round(np.maximum(gross, 3_000), -1)
    declared = np.round(gross * np.exp(0.08 * rng.standard_normal(n)), -2)
    net_ratio = np.clip(0.80 - 0.05 * np.log(gross / 20_000), 0.52, 0.85)  # progressive tax
    net_monthly = np.round(gross * net_ratio / 12, 2)

    tenure_years = np.minimum(rng.lognormal(np.log(6), 0.8, n), age - 18)
    since = timeline.start - np.floor(tenure_years * 365.25).astype(np.int64) - 30
    joined_lately = rng.random(n) < 0.12  # new customers during the backfilled history
    since = np.where(
        joined_lately,
        rng.integers(timeline.history_start, timeline.start - 240, n),
        np.minimum(since, timeline.history_start - 1),
    )

    rent_share = np.clip(0.27 * np.exp(0.2 * rng.standard_normal(n)), 0.12, 0.45)
    renter = (rng.random(n) < np.where(age < 35, 0.75, 0.45)) & (employment != RETIRED)
    return Customers(
        n=n,
        dob=dob,
        age=age,
        gender=gender,
        employment=employment,
        stress=stress,
        gross_income=gross,
        declared_income=declared,
        net_monthly=net_monthly,
        segment=_segment(age, gross),
        district=rng.choice(len(pools.DISTRICTS), n, p=[d[1] for d in pools.DISTRICTS]),
        customer_since=since,
        buffer_months=rng.lognormal(np.log(0.9) - 0.75 * stress, 0.6),
        cash_share=np.clip(1 / (1 + np.exp(-(-2.0 + 0.85 * stress + 0.5 * rng.standard_normal(n)))), 0.01, 0.9),
        spend_sd=0.06 * np.exp(0.45 * stress + 0.15 * rng.standard_normal(n)),
        savings_rate=np.clip(0.10 - 0.04 * stress + 0.03 * rng.standard_normal(n), 0.0, 0.3),
        rent=np.where(renter, np.round(net_monthly * rent_share, 0), 0.0),
        employer=rng.integers(0, len(pools.EMPLOYERS), n),
        thirteenth_salary=rng.random(n) < 0.35,
    )


@dataclass(frozen=True)
class Accounts:
    n: int
    customer: np.ndarray  # customer index
    type: np.ndarray
    currency: np.ndarray
    is_main: np.ndarray  # the customer's main checking account (salary, spending, loans)
    opened: np.ndarray  # day number
    closed: np.ndarray  # day number of closure, or -1 while open
    credit_limit: np.ndarray  # in currency units, NaN when none
    opening_balance: np.ndarray  # balance when the history starts (or at opening)
    card_share: np.ndarray  # for credit cards: share of the owner's card spend booked on this card


def make_accounts(customers: Customers, timeline: Timeline, seed: int) -> Accounts:
    """Every customer has a main checking account; many also have savings, a credit card, a foreign account."""
    rng = stream(seed, "accounts")
    c = customers
    wealthy = np.isin(c.segment, [AFFLUENT, PRIVATE])
    has_savings = rng.random(c.n) < np.where(wealthy, 0.85, 0.5)
    has_card = rng.random(c.n) < np.where(wealthy, 0.7, 0.3) * (c.age >= 20)
    has_foreign = rng.random(c.n) < np.where(wealthy, 0.15, 0.04)

    owners = [np.arange(c.n), np.flatnonzero(has_savings), np.flatnonzero(has_card), np.flatnonzero(has_foreign)]
    kinds = [CHECKING, SAVINGS, CREDIT_CARD, CHECKING]
    customer = np.concatenate(owners)
    kind = np.concatenate([np.full(o.size, k) for o, k in zip(owners, kinds, strict=True)])
    is_main = np.concatenate([np.ones(c.n, bool)] + [np.zeros(o.size, bool) for o in owners[1:]])
    foreign = np.concatenate([np.zeros(o.size, bool) for o in owners[:3]] + [np.ones(owners[3].size, bool)])
    order = np.lexsort((np.arange(customer.size), customer))  # accounts grouped by customer
    customer, kind, is_main, foreign = customer[order], kind[order], is_main[order], foreign[order]
    n = customer.size

    since = c.customer_since[customer]
    later = since + (rng.random(n) * np.maximum(timeline.start - 200 - since, 0)).astype(np.int64)
    opened = np.where(is_main, since, later)
    # A few savings accounts close: during the history (already CLOSED in the backfill) or later.
    closes = (kind == SAVINGS) & (rng.random(n) < 0.06)
    closed = np.where(
        closes, rng.integers(np.maximum(opened + 120, timeline.history_start + 60), timeline.end + 60), -1
    )
    closed = np.where(closed > timeline.end, -1, closed)

    net = c.net_monthly[customer]
    overdraft = np.where(rng.random(n) < 0.7, np.round(net * rng.choice([0.5, 1.0, 2.0], n), -2), np.nan)
    card_limit = np.round(np.clip(net * rng.choice([1.0, 2.0, 3.0], n), 500, 30_000), -2)
    credit_limit = np.select([kind == CREDIT_CARD, (kind == CHECKING) & ~foreign], [card_limit, overdraft], np.nan)

    buffer = net * c.buffer_months[customer] * np.exp(0.3 * rng.standard_normal(n))
    savings = net * 12 * rng.lognormal(-0.6 - 0.4 * c.stress[customer], 1.0) * np.where(wealthy[customer], 3, 1)
    opening = np.select(
        [is_main, kind == SAVINGS, kind == CREDIT_CARD], [buffer, savings, 0.0], rng.uniform(200, 4000, n)
    )
    return Accounts(
        n=n,
        customer=customer,
        type=kind,
        currency=np.where(foreign, rng.choice(np.array(FOREIGN_CURRENCIES), n), HOME_CURRENCY),
        is_main=is_main,
        opened=opened,
        closed=closed,
        credit_limit=credit_limit,
        opening_balance=np.round(opening, 2),
        card_share=np.where(kind == CREDIT_CARD, rng.uniform(0.25, 0.6, n), 0.0),
    )
