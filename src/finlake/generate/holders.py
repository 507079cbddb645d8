"""Who may operate each account (Bronze dispositions) and the payment cards issued to them (cards).

Every account has its OWNER, holding it from the day it opened. Some main checking accounts get an
AUTHORISED_USER (another customer: a partner, a relative) some time after opening, and a few of
those rights end later. Payment cards go to the people on main checking accounts, some time after
their rights began. A disposition or card dated after the last ingest date is not delivered.

Risk: neither enters the default draw (risk.py is unchanged and the observable best stays
E[p | drivers]). Both are drawn from the customer's latent `stress` (fewer second users and cards
among stretched customers) and wealth, the trait that also drives the transactions the defaults are
drawn from, so they carry real but indirect signal, as in PKDD'99 (see HOLDER_MODEL, in the
manifest). Drawn from their own streams, so the other entities' files for a seed are unchanged.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from finlake.contracts import bronze
from finlake.generate import text
from finlake.generate.population import AFFLUENT, PRIVATE, Accounts, Customers, code
from finlake.generate.records import Records, account_ids, customer_ids, ids
from finlake.generate.timeline import Timeline, stream

OWNER, AUTHORISED_USER = (code(bronze.DISPOSITION_ROLES, r) for r in ("OWNER", "AUTHORISED_USER"))
JUNIOR, CLASSIC, GOLD = (code(bronze.CARD_TYPES, t) for t in ("JUNIOR", "CLASSIC", "GOLD"))
# logit P(an authorised user on a main account) and logit P(a card for a person on a main account)
SECOND_USER_LOGIT = {"intercept": -1.9, "stress": -0.6, "age_28_to_70": 0.6}
CARD_LOGIT = {"intercept": -0.2, "stress": -0.7, "affluent_or_private": 1.0}
GOLD_SHARE_AFFLUENT = 0.6  # an affluent or private holder's card is GOLD this often
JUNIOR_AGE = 26  # holders younger than this get JUNIOR cards
SECOND_USER_DELAY_DAYS = 900.0  # mean days from opening to the second user's rights (exponential)
RIGHTS_END_SHARE = 0.08  # authorised users whose rights end (mean 2 years later)
CARD_DELAY_DAYS = 400.0  # mean days from the rights to the card (exponential)
HOLDER_MODEL = {
    "second_user_logit": SECOND_USER_LOGIT,
    "card_logit": CARD_LOGIT,
    "effect_on_default": (
        "none direct: not in the default draw; correlated with default only through the latent stress "
        "trait that also shapes the transactions (so E[p | drivers] stays the observable best)"
    ),
}


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def disposition_ids(index: np.ndarray) -> pa.Array:
    return ids("D", index, 8)


def _seconds(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(8 * 3600, 18 * 3600, n)


def _second_users(
    c: Customers, a: Accounts, timeline: Timeline, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(account, customer, valid_from, valid_to or -1) of each authorised user granted by the end."""
    main = np.flatnonzero(a.is_main)
    holder = a.customer[main]
    age = c.age[holder]
    logit = (
        SECOND_USER_LOGIT["intercept"]
        + SECOND_USER_LOGIT["stress"] * c.stress[holder]
        + SECOND_USER_LOGIT["age_28_to_70"] * ((age >= 28) & (age < 70))
    )
    chosen = rng.random(main.size) < _sigmoid(logit)
    start = a.opened[main] + np.floor(rng.exponential(SECOND_USER_DELAY_DAYS, main.size)).astype(np.int64)
    other = (holder + 1 + rng.integers(0, max(c.n - 1, 1), main.size)) % c.n  # never the owner
    ends = rng.random(main.size) < RIGHTS_END_SHARE
    end = start + 1 + np.floor(rng.exponential(730.0, main.size)).astype(np.int64)
    keep = chosen & (start <= timeline.end) & (c.n > 1)
    valid_to = np.where(ends & (end <= timeline.end), end, -1)
    return main[keep], other[keep], start[keep], valid_to[keep]


def _cards(
    c: Customers, holder: np.ndarray, valid_from: np.ndarray, timeline: Timeline, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(disposition index, card type, issued day) of each card issued by the end."""
    wealthy = np.isin(c.segment[holder], [AFFLUENT, PRIVATE])
    logit = (
        CARD_LOGIT["intercept"] + CARD_LOGIT["stress"] * c.stress[holder] + CARD_LOGIT["affluent_or_private"] * wealthy
    )
    has_card = rng.random(holder.size) < _sigmoid(logit)
    issued = valid_from + 1 + np.floor(rng.exponential(CARD_DELAY_DAYS, holder.size)).astype(np.int64)
    kind = np.where(
        c.age[holder] < JUNIOR_AGE,
        JUNIOR,
        np.where(wealthy & (rng.random(holder.size) < GOLD_SHARE_AFFLUENT), GOLD, CLASSIC),
    )
    keep = has_card & (issued <= timeline.end)
    return np.flatnonzero(keep), kind[keep], issued[keep]


def _disposition_records(
    a: Accounts, second: tuple[np.ndarray, ...], timeline: Timeline, rng: np.random.Generator
) -> Records:
    """An owner per account (from its opening; ended when it closed), then the authorised users; a
    disposition whose rights end gets a second version, dated that day, carrying valid_to."""
    account2, customer2, from2, to2 = second
    account = np.concatenate([np.arange(a.n), account2])
    customer = np.concatenate([a.customer, customer2])
    role = np.concatenate([np.full(a.n, OWNER), np.full(account2.size, AUTHORISED_USER)])
    valid_from = np.concatenate([a.opened, from2])
    valid_to = np.concatenate([a.closed, to2])
    ended = np.flatnonzero(valid_to >= 0)
    key = np.concatenate([np.arange(account.size), ended])
    day = np.concatenate([valid_from, valid_to[ended]])
    shows_end = np.concatenate([np.zeros(account.size, bool), np.ones(ended.size, bool)])
    order = np.lexsort((day, key))
    key, day, shows_end = key[order], day[order], shows_end[order]
    columns = {
        "disposition_id": disposition_ids(key + 1),
        "account_id": account_ids(account[key]),
        "customer_id": customer_ids(customer[key]),
        "role": text.strings(role[key]),
        "valid_from": text.dates(valid_from[key]),
        "valid_to": text.dates(np.maximum(valid_to[key], 0), ~shows_end),
        "updated_at": text.timestamps(day, _seconds(rng, key.size)),
    }
    return Records(bronze.DISPOSITIONS, pa.table(columns), timeline.ingest_day(day))


def holder_records(c: Customers, a: Accounts, timeline: Timeline, seed: int) -> tuple[Records, Records]:
    """Bronze dispositions and cards, clean, each row with the day it is delivered."""
    rng = stream(seed, "dispositions")
    second = _second_users(c, a, timeline, rng)
    dispositions = _disposition_records(a, second, timeline, rng)
    # Cards go to the people on main checking accounts: their owners, and every authorised user.
    main = np.flatnonzero(a.is_main)
    on_main = np.concatenate([main, a.n + np.arange(second[0].size)])
    holder = np.concatenate([a.customer[main], second[1]])
    valid_from = np.concatenate([a.opened[main], second[2]])
    card_rng = stream(seed, "cards")
    which, kind, issued = _cards(c, holder, valid_from, timeline, card_rng)
    order = np.lexsort((issued, on_main[which]))
    which, kind, issued = which[order], kind[order], issued[order]
    cards = {
        "card_id": ids("K", np.arange(which.size) + 1, 8),
        "disposition_id": disposition_ids(on_main[which] + 1),
        "card_type": text.strings(kind),
        "issued_date": text.dates(issued),
        "updated_at": text.timestamps(issued, _seconds(card_rng, which.size)),
    }
    return dispositions, Records(bronze.CARDS, pa.table(cards), timeline.ingest_day(issued))
