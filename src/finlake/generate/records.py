"""Clean Bronze records: every entity's rows as contract-column strings, with the day each is delivered.

Change entities (customers, accounts, loans) get several versions per key, each with a distinct
`updated_at` at least a day apart: the backfill carries older versions next to the current one, and
later ingest days carry updates (new addresses, credit-limit changes, closures, loan status moves).
Transactions are delivered on their booking day; everything booked before the first ingest date is
delivered on it (the migration backfill).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from finlake.contracts import bronze
from finlake.contracts.gold import CHARGE_OFF_DAYS
from finlake.contracts.model import Entity
from finlake.generate import pools, text
from finlake.generate.behaviour import Details
from finlake.generate.events import KINDS
from finlake.generate.loans import Loans
from finlake.generate.population import CLOSED_STATUS, CREDIT_CARD, OPEN_STATUS, Accounts, Customers, code
from finlake.generate.risk import Ledger, Outcomes
from finlake.generate.timeline import Timeline, stream

CURRENT, LATE, DEFAULT, PAID_OFF, CHARGED_OFF = (
    code(bronze.LOAN_STATUSES, s) for s in ("CURRENT", "LATE", "DEFAULT", "PAID_OFF", "CHARGED_OFF")
)
CUSTOMER_UPDATES_PER_DAY = 0.003  # share of customers whose contact details change on a given day
ACCOUNT_UPDATES_PER_DAY = 0.002  # share of accounts whose credit limit changes on a given day


@dataclass(frozen=True)
class Records:
    """Rows of one entity: contract columns as strings, plus bookkeeping the CSV does not show."""

    entity: Entity
    table: pa.Table  # exactly the contract's columns, in order, all strings (null = empty)
    ingest: np.ndarray  # day number of the ingest_date each row is delivered in

    def __post_init__(self) -> None:
        assert self.table.column_names == self.entity.column_names, self.table.column_names


def ids(prefix: str, index: np.ndarray, width: int) -> pa.Array:
    return text.ids(prefix, np.asarray(index) + 1, width)


def customer_ids(index: np.ndarray) -> pa.Array:
    return ids("C", index, 7)


def account_ids(index: np.ndarray) -> pa.Array:
    return ids("A", index, 8)


def loan_ids(index: np.ndarray) -> pa.Array:
    return ids("L", index, 7)


def _random_seconds(rng: np.random.Generator, n: int, first_hour: int = 7, last_hour: int = 21) -> np.ndarray:
    return rng.integers(first_hour * 3600, last_hour * 3600, n)


def _versions(owner: np.ndarray, day: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Row order: by owner, then time (so a key's versions are adjacent and ascending)."""
    return np.lexsort((second, day, owner))


def customer_records(c: Customers, borrower: np.ndarray, timeline: Timeline, seed: int) -> Records:
    rng = stream(seed, "customer-records")
    t = timeline
    current_day = rng.integers(np.maximum(c.customer_since, t.start - 400), t.start)
    older = rng.random(c.n) < 0.3
    older_day = current_day - rng.integers(30, 300, c.n)
    older &= older_day >= c.customer_since
    n_updates = min(c.n, int(rng.poisson(CUSTOMER_UPDATES_PER_DAY * c.n * (t.end - t.start + 1))))
    updated = rng.choice(c.n, n_updates, replace=False)
    owner = np.concatenate([np.arange(c.n), np.flatnonzero(older), updated])
    day = np.concatenate([current_day, older_day[older], rng.integers(t.start, t.end + 1, n_updates)])
    second = _random_seconds(rng, owner.size)
    order = _versions(owner, day, second)
    owner, day, second = owner[order], day[order], second[order]
    n = owner.size

    female = c.gender[owner] == "F"
    male = c.gender[owner] == "M"
    first_pool = np.array(pools.FEMALE_NAMES + pools.MALE_NAMES)
    first_index = np.where(female, 0, np.where(male, len(pools.FEMALE_NAMES), 0)) + (
        (owner * 7919) % np.where(female | male, 20, 40)
    )
    first = first_pool[first_index]
    last = np.array(pools.LAST_NAMES)[(owner * 104_729) % len(pools.LAST_NAMES)]
    district = c.district[owner]
    n_cities = np.array([len(d[3]) for d in pools.DISTRICTS])
    city_offset = np.cumsum([0] + [len(d[3]) for d in pools.DISTRICTS])[:-1]
    city = np.array([city for d in pools.DISTRICTS for city in d[3]])[
        city_offset[district] + rng.integers(0, 1000, n) % n_cities[district]
    ]
    postal = np.array([d[2] for d in pools.DISTRICTS])[district]
    income_missing = ~borrower[owner] & (((owner * 2_654_435_761) % 100) < 2)  # some never declared one
    email_local = pc.utf8_lower(
        pc.binary_join_element_wise(text.strings(first), text.strings(last), text.integers(rng.integers(1, 99, n)), ".")
    )
    columns = {
        "customer_id": customer_ids(owner),
        "first_name": text.strings(first),
        "last_name": text.strings(last),
        "date_of_birth": text.dates(c.dob[owner]),
        "gender": text.strings(c.gender[owner]),
        "email": pc.binary_join_element_wise(email_local, text.take(pools.EMAIL_DOMAINS, rng.integers(0, 4, n)), "@"),
        "phone": pc.binary_join_element_wise(
            pa.scalar("+420"), text.integers(rng.integers(600, 800, n)), text.integers(rng.integers(100, 1000, n)), text.integers(rng.integers(100, 1000, n)), " "
        ),
        "street_address": pc.binary_join_element_wise(
            text.take(pools.STREETS, rng.integers(0, len(pools.STREETS), n)), pa.scalar("Street"), text.integers(rng.integers(1, 200, n)), " "
        ),
        "city": text.strings(city),
        "district": text.take([d[0] for d in pools.DISTRICTS], district),
        "postal_code": pc.binary_join_element_wise(text.strings(postal), pc.utf8_lpad(text.integers(rng.integers(0, 1000, n)), 3, "0"), ""),
        "annual_income": text.money(c.declared_income[owner], income_missing),
        "employment_status": text.strings(c.employment[owner]),
        "segment": text.strings(c.segment[owner]),
        "customer_since": text.dates(c.customer_since[owner]),
        "updated_at": text.timestamps(day, second),
    }  # fmt: skip
    return Records(bronze.CUSTOMERS, pa.table(columns), t.ingest_day(day))


def account_records(a: Accounts, timeline: Timeline, seed: int) -> Records:
    rng = stream(seed, "account-records")
    t = timeline
    has_limit = ~np.isnan(a.credit_limit)
    # An older limit for some accounts: the opening version carried half the current limit.
    raised = has_limit & (rng.random(a.n) < 0.25) & (a.opened < t.start - 60)
    raised_day = a.opened + 1 + (rng.random(a.n) * np.maximum(t.start - 1 - a.opened - 1, 1)).astype(np.int64)
    # Credit-limit changes during the daily window, for open accounts not closing there.
    candidates = np.flatnonzero(has_limit & (a.closed < 0) & ~raised)
    n_updates = min(candidates.size, int(rng.poisson(ACCOUNT_UPDATES_PER_DAY * a.n * (t.end - t.start + 1))))
    changed = rng.choice(candidates, n_updates, replace=False)
    closing = np.flatnonzero(a.closed >= 0)

    owner = np.concatenate([np.arange(a.n), np.flatnonzero(raised), changed, closing])
    kind = np.concatenate(
        [np.zeros(a.n), np.ones(raised.sum()), np.full(n_updates, 2), np.full(closing.size, 3)]
    ).astype(np.int8)
    day = np.concatenate([a.opened, raised_day[raised], rng.integers(t.start, t.end + 1, n_updates), a.closed[closing]])
    second = np.where(kind == 3, 64_800, _random_seconds(rng, owner.size, 8, 17))
    order = _versions(owner, day, second)
    owner, kind, day, second = owner[order], kind[order], day[order], second[order]

    limit = a.credit_limit[owner]
    limit = np.select(
        [(kind == 0) & raised[owner], kind == 2], [np.round(limit / 2, -2), np.round(limit * 1.5, -2)], limit
    )
    is_closed = kind == 3
    columns = {
        "account_id": account_ids(owner),
        "customer_id": customer_ids(a.customer[owner]),
        "account_type": text.strings(a.type[owner]),
        "currency": text.strings(a.currency[owner]),
        "opened_date": text.dates(a.opened[owner]),
        "closed_date": text.dates(day, ~is_closed),
        "status": text.strings(np.where(is_closed, CLOSED_STATUS, OPEN_STATUS)),
        "credit_limit": text.money(limit, np.isnan(limit)),
        "updated_at": text.timestamps(day, second),
    }
    return Records(bronze.ACCOUNTS, pa.table(columns), t.ingest_day(day))


def status_paths(
    loans: Loans, outcomes: Outcomes, timeline: Timeline, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(loan, status, day) of every status version: CURRENT at origination, then LATE/DEFAULT/... moves."""
    rng = stream(seed, "loan-status")
    t, o = timeline, loans.origination
    backfilled = o < t.start
    defaults = outcomes.is_default & backfilled
    span = np.maximum(t.end - o - 45, 0)
    late_day = o + 31 + (rng.random(loans.n) * span * 0.6).astype(np.int64)
    default_day = late_day + 7 + (rng.random(loans.n) * np.maximum(t.end - late_day - 7, 0) * 0.5).astype(np.int64)
    charge_off_room = t.end - default_day - CHARGE_OFF_DAYS
    charged_off = defaults & (charge_off_room >= 0) & (rng.random(loans.n) < 0.6)
    rng.random(loans.n)  # was the charge-off delay: still drawn so the draws after it do not move
    # Charged off exactly CHARGE_OFF_DAYS after the default, so Gold can date the default from it.
    charge_off_day = default_day + CHARGE_OFF_DAYS
    matured = ~defaults & backfilled & (loans.maturity <= t.end)
    late = ~defaults & ~matured & backfilled & (rng.random(loans.n) < np.minimum(0.5, 1.5 * outcomes.probability) * 0.4)

    parts = [
        (np.arange(loans.n), CURRENT, o),
        (np.flatnonzero(defaults | late), LATE, late_day[defaults | late]),
        (np.flatnonzero(defaults), DEFAULT, default_day[defaults]),
        (np.flatnonzero(charged_off), CHARGED_OFF, charge_off_day[charged_off]),
        (np.flatnonzero(matured), PAID_OFF, loans.maturity[matured]),
    ]
    loan = np.concatenate([p[0] for p in parts])
    status = np.concatenate([np.full(p[0].size, p[1]) for p in parts])
    day = np.concatenate([p[2] for p in parts])
    return loan, status, day


def loan_records(loans: Loans, outcomes: Outcomes, timeline: Timeline, seed: int) -> Records:
    rng = stream(seed, "loan-records")
    owner, status, day = status_paths(loans, outcomes, timeline, seed)
    second = np.where(status == CURRENT, 43_200, 0) + _random_seconds(rng, owner.size, 1, 11)
    order = _versions(owner, day, second)
    owner, status, day, second = owner[order], status[order], day[order], second[order]
    columns = {
        "loan_id": loan_ids(owner),
        "customer_id": customer_ids(loans.customer[owner]),
        "account_id": account_ids(loans.account[owner]),
        "loan_type": text.strings(loans.type[owner]),
        "principal": text.money(loans.principal[owner]),
        "interest_rate": text.money(loans.rate[owner]),
        "term_months": text.integers(loans.term[owner]),
        "origination_date": text.dates(loans.origination[owner]),
        "maturity_date": text.dates(loans.maturity[owner]),
        "monthly_payment": text.money(loans.payment[owner]),
        "status": text.strings(status),
        "updated_at": text.timestamps(day, second),
    }
    return Records(bronze.LOANS, pa.table(columns), timeline.ingest_day(day))


def final_status(records: Records) -> dict[str, str]:
    """loan_id -> status of its latest version (rows are ordered by loan, then time)."""
    loan = records.table["loan_id"].to_numpy(zero_copy_only=False)
    status = records.table["status"].to_numpy(zero_copy_only=False)
    last = np.r_[loan[1:] != loan[:-1], True]
    return dict(zip(loan[last], status[last], strict=True))


def transaction_records(ledger: Ledger, a: Accounts, details: Details, timeline: Timeline) -> Records:
    e = ledger.events
    chrono = np.lexsort((np.arange(len(e)), e.account, e.second, e.day))  # ids follow booking time
    e = e.select(chrono)
    balance = ledger.balance_cents[chrono]
    categories = [cat[0] for cat in pools.MERCHANT_CATEGORIES]
    columns = {
        "transaction_id": ids("T", np.arange(len(e)), 10),
        "account_id": account_ids(e.account),
        "booked_at": text.timestamps(e.day, e.second),
        "amount": text.money_cents(e.cents),
        "currency": text.take(list(bronze.CURRENCIES), _code_index(bronze.CURRENCIES, a.currency)[e.account]),
        "direction": text.take(list(bronze.DIRECTIONS), np.where(e.credit, bronze.DIRECTIONS.index("CREDIT"), bronze.DIRECTIONS.index("DEBIT"))),
        "channel": text.take([k.channel for k in KINDS], e.kind),
        "merchant_category": pc.if_else(pa.array(e.category < 0), pa.nulls(len(e), pa.string()), text.take(categories, np.maximum(e.category, 0))),
        "description": pc.binary_join_element_wise(text.take([k.description for k in KINDS], e.kind), text.take(details.strings, e.detail), ""),
        "balance_after": text.money_cents(balance, a.type[e.account] == CREDIT_CARD),
    }  # fmt: skip
    return Records(bronze.TRANSACTIONS, pa.table(columns), timeline.ingest_day(e.day))


def _code_index(codes: tuple[str, ...], values: np.ndarray) -> np.ndarray:
    lookup = {c: i for i, c in enumerate(codes)}
    index = np.zeros(values.size, dtype=np.int64)
    for value in np.unique(values):  # a loop over the few distinct codes, not over rows
        index[values == value] = lookup[value]
    return index
