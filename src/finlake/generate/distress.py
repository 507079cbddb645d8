"""Financial distress made visible in behaviour before a default, with false alarms.

Outcomes (risk.py) and status dates (records.status_paths) are drawn first, from pre-origination
drivers; this stage then rewrites the borrower's account *after origination* so that a default can be
seen coming:

- Every loan that defaults gets a distress episode starting `lead` months before its default day
  (lead = 1 + Poisson(LEAD_MEAN - 1), at most MAX_LEAD; never before origination). Its intensity z
  rises linearly from 0 at the onset to `height` ~ U(0.6, 1) on the default day and stays there.
- False alarms: every loan that went LATE without defaulting, and FALSE_ALARM_SHARE of the other
  loans with an outcome, get a rough patch that rises to `height` ~ U(0.3, 0.9) and recovers to 0
  (2 + Poisson(2) months long); the missed instalments are caught up when it ends.
- In a booking with intensity z (the highest over the account's episodes on that day): an income
  credit is lost with probability INCOME_LOSS * z, else cut by up to INCOME_CUT * z; an ATM
  withdrawal grows by up to z (more cash); the episode loan's instalment is missed with probability
  MISS * z, or paid 5-25 days late with probability LATE * z. The spending plan does not see the
  lost income, so the balance drifts down and overdraft days rise. A defaulted loan's instalments
  stop on its default day.

Nothing booked before the latest origination on the account changes (balances carry forward, so an
earlier loan's distress shows only from a later loan's origination on), so every loan's
pre-origination drivers, and the outcomes drawn from them, are the same as without this stage. Draws come from the stream "distress" only.

The truth written per loan and month end (`loan_month_truth.csv`) is the latent intensity, whether the
loan defaults within the next 6 months, and `true_pd_6m`: the share of loan-month-ends in the same
latent cell (intensity band x rising/falling x application-probability quintile) that default within
6 months. That is the Bayes-optimal score of a model that saw the latent state exactly: the
early-warning model, which sees it only through noisy bookings, is compared with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from finlake.generate.behaviour import Details
from finlake.generate.events import KIND, Events
from finlake.generate.loans import Loans
from finlake.generate.timeline import Timeline, month_number, month_start, stream

LEAD_MEAN, MAX_LEAD = 4.0, 9  # months of visible distress before a default
FALSE_ALARM_SHARE = 0.12  # of non-defaulting loans with an outcome, besides those that went LATE
INCOME_LOSS, INCOME_CUT = 0.6, 0.4
MISS, LATE = 0.55, 0.35
DAYS_PER_MONTH = 30.44
LABEL_MONTHS = 6
INCOME_KINDS = np.array([KIND[k] for k in ("salary", "bonus", "invoice", "pension", "benefit", "allowance")])
NEVER = np.iinfo(np.int64).max // 4


@dataclass(frozen=True)
class Episodes:
    """One distress episode per row: intensity 0 at `onset`, `height` at `peak`, back to 0 at `end`
    (defaults: `end` = NEVER, intensity stays at `height`)."""

    loan: np.ndarray
    onset: np.ndarray
    peak: np.ndarray
    end: np.ndarray
    height: np.ndarray

    def intensity(self, row: np.ndarray, day: np.ndarray) -> np.ndarray:
        onset, peak, end, height = self.onset[row], self.peak[row], self.end[row], self.height[row]
        rising = np.clip((day - onset + 1) / np.maximum(peak - onset + 1, 1), 0, 1)
        falling = np.where(end >= NEVER, 1.0, np.clip((end - day) / np.maximum(end - peak, 1), 0, 1))
        inside = (day >= onset) & (day < end)
        return np.where(inside, height * np.where(day <= peak, rising, falling), 0.0)


def draw_episodes(
    loans: Loans, default_day: np.ndarray, late_day: np.ndarray, has_outcome: np.ndarray, seed: int
) -> Episodes:
    """`default_day`/`late_day`: per loan, the day it defaulted / went LATE, or -1."""
    rng = stream(seed, "distress")
    n, o = loans.n, loans.origination
    lead = np.minimum(1 + rng.poisson(LEAD_MEAN - 1, n), MAX_LEAD)
    height_default = rng.uniform(0.6, 1.0, n)
    height_alarm = rng.uniform(0.3, 0.9, n)
    random_alarm = rng.random(n) < FALSE_ALARM_SHARE
    alarm_months = 2 + rng.poisson(2.0, n)
    alarm_start = rng.random(n)
    defaults = default_day >= 0
    late = has_outcome & ~defaults & (late_day >= 0)
    random_alarm &= has_outcome & ~defaults & ~late
    length = np.round(alarm_months * DAYS_PER_MONTH).astype(np.int64)
    # LATE loans: the patch peaks on the day they went LATE; others: starts anywhere after origination
    onset_late = np.maximum(o, late_day - length // 2)
    span = np.maximum(loans.maturity - o - length, 0)
    onset_random = o + (alarm_start * span).astype(np.int64)
    onset_alarm = np.where(late, onset_late, onset_random)
    alarm = late | random_alarm
    d, a = np.flatnonzero(defaults), np.flatnonzero(alarm)
    onset_default = np.maximum(o[d], default_day[d] - np.round(lead[d] * DAYS_PER_MONTH).astype(np.int64))
    return Episodes(
        loan=np.concatenate([d, a]),
        onset=np.concatenate([onset_default, onset_alarm[a]]),
        peak=np.concatenate([default_day[d], onset_alarm[a] + length[a] // 2]),
        end=np.concatenate([np.full(d.size, NEVER), onset_alarm[a] + length[a]]),
        height=np.concatenate([height_default[d], height_alarm[a]]),
    )


def _pairs(events: Events, key: np.ndarray, ep: Episodes, account: np.ndarray, last_day: int, base: int):
    """(episode row, event index) for every sorted event of an episode's account inside the episode."""
    stop = np.minimum(ep.end, last_day + 1)
    lo = np.searchsorted(key, (account << 32) | (ep.onset - base))
    hi = np.searchsorted(key, (account << 32) | (np.maximum(stop, ep.onset) - base))
    count = hi - lo
    row = np.repeat(np.arange(ep.loan.size), count)
    index = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count) + np.repeat(lo, count)
    return row, index


def apply_distress(
    events: Events, loans: Loans, ep: Episodes, default_day: np.ndarray, details: Details, t: Timeline, seed: int
) -> Events:
    """The events with the episodes' effects (module docstring); order of the result is by account and day."""
    rng = stream(seed, "distress-bookings")
    e = events.select(np.lexsort((events.day, events.account)))
    base = t.history_start
    key = (e.account << 32) | (e.day - base)
    row, index = _pairs(e, key, ep, loans.account[ep.loan], t.end, base)
    z_pair = ep.intensity(row, e.day[index])
    z = np.zeros(len(e))
    np.maximum.at(z, index, z_pair)
    own = (e.kind[index] == KIND["loan_repayment"]) & (e.detail[index] == details.loan + ep.loan[row])
    z_own = np.zeros(len(e))
    np.maximum.at(z_own, index[own], z_pair[own])
    episode_of = np.full(len(e), -1)
    episode_of[index[own]] = row[own]

    touched = np.flatnonzero((z > 0) | (z_own > 0))
    u1, u2 = rng.random(touched.size), rng.random(touched.size)
    kind, zt, zo = e.kind[touched], z[touched], z_own[touched]
    keep = np.ones(len(e), dtype=bool)
    cents = e.cents.copy()
    day = e.day.copy()
    income = np.isin(kind, INCOME_KINDS)
    lost = income & (u1 < INCOME_LOSS * zt)
    keep[touched[lost]] = False
    cut = income & ~lost
    cents[touched[cut]] = np.maximum(np.round(cents[touched[cut]] * (1 - INCOME_CUT * zt[cut] * u2[cut])), 1)
    atm = kind == KIND["atm"]
    cents[touched[atm]] = (np.round(cents[touched[atm]] * (1 + zt[atm] * u2[atm]) / 1000) * 1000).astype(np.int64)
    repayment = zo > 0
    missed = repayment & (u1 < MISS * zo)
    late = repayment & ~missed & (u1 < (MISS + LATE) * zo)
    keep[touched[missed]] = False
    day[touched[late]] += 5 + (u2[late] * 21).astype(np.int64)
    catch_up = _catch_up(e, touched[missed], episode_of, ep, t)
    # A defaulted loan is not repaid from its default day on.
    is_repayment = e.kind == KIND["loan_repayment"]
    loan_of = np.where(is_repayment, e.detail - details.loan, 0)
    stopped = is_repayment & (default_day[loan_of] >= 0) & (day >= default_day[loan_of])
    keep &= ~stopped & (day <= t.end)
    # Nothing moves before the account's latest loan was granted (see _protected).
    frozen = _protected(loans, e.account, e.day) | _protected(loans, e.account, day)
    keep[frozen], cents[frozen], day[frozen] = True, e.cents[frozen], e.day[frozen]
    catch_up = catch_up.select(~_protected(loans, catch_up.account, catch_up.day))
    out = Events(e.account, day, e.second, cents, e.kind, e.category, e.detail).select(keep)
    return Events.concat([out, catch_up])


def _protected(loans: Loans, account: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Bookings before the latest origination on their account. Balances carry forward, so any change
    before a loan's origination would move the drivers its outcome was drawn from (risk.drivers)."""
    size = int(max(loans.account.max(initial=0), account.max(initial=0))) + 1
    latest = np.full(size, -NEVER)
    np.maximum.at(latest, loans.account, loans.origination)
    return day < latest[account]


def _catch_up(e: Events, missed: np.ndarray, episode_of: np.ndarray, ep: Episodes, t: Timeline) -> Events:
    """A recovered borrower pays the instalments missed in a rough patch on the day it ends."""
    row = episode_of[missed]
    recovers = (ep.end[row] < NEVER) & (ep.end[row] <= t.end)
    missed, row = missed[recovers], row[recovers]
    rows, first = np.unique(row, return_index=True)
    amount = np.bincount(np.searchsorted(rows, row), e.cents[missed], minlength=rows.size) / 100
    return Events.of(
        "loan_repayment", e.account[missed[first]], ep.end[rows], np.full(rows.size, 6 * 3600), amount,
        detail=e.detail[missed[first]],
    )  # fmt: skip


@dataclass(frozen=True)
class MonthTruth:
    """One row per loan open at a month end of the timeline (the Gold snapshot's grain)."""

    loan: np.ndarray
    month: np.ndarray  # months since 1970-01
    intensity: np.ndarray  # latent distress at the month end
    rising: np.ndarray  # the episode has not peaked yet
    label: np.ndarray  # 1: defaults in the next LABEL_MONTHS months, 0: not, -1: window passes the data's end
    true_pd_6m: np.ndarray


def month_truth(
    loans: Loans, ep: Episodes, default_day: np.ndarray, probability: np.ndarray, t: Timeline
) -> MonthTruth:
    months = np.arange(int(month_number(np.array([t.history_start]))[0]), int(month_number(np.array([t.end]))[0]) + 1)
    month_end = month_start(months + 1) - 1
    loan, m = np.repeat(np.arange(loans.n), months.size), np.tile(np.arange(months.size), loans.n)
    me = month_end[m]
    defaulted_by = np.where(default_day >= 0, default_day, NEVER)  # per loan
    is_open = (loans.origination[loan] <= me) & (me < loans.maturity[loan]) & (me < defaulted_by[loan]) & (me <= t.end)
    loan, m, me = loan[is_open], m[is_open], me[is_open]
    episode = np.full(loans.n, -1)
    episode[ep.loan] = np.arange(ep.loan.size)
    row = episode[loan]
    has = row >= 0
    z = np.zeros(loan.size)
    z[has] = ep.intensity(row[has], me[has])
    rising = has & (z > 0) & (me <= np.where(has, ep.peak[np.maximum(row, 0)], 0))
    window_end = month_start(months[m] + LABEL_MONTHS + 1) - 1
    label = np.where(window_end > t.end, -1, (defaulted_by[loan] <= window_end).astype(np.int64))
    return MonthTruth(loan, months[m], z, rising, label, _cell_rates(z, rising, probability[loan], label))


def _cell_rates(z: np.ndarray, rising: np.ndarray, p: np.ndarray, label: np.ndarray) -> np.ndarray:
    """Default-within-6-months rate of each latent cell (intensity tenth x rising x p quintile), over
    the rows whose label is observable; a cell with none of those gets the overall rate."""
    quintile = np.searchsorted(np.quantile(p, [0.2, 0.4, 0.6, 0.8]), p) if p.size else p.astype(np.int64)
    band = np.ceil(z * 10).astype(np.int64)
    cell = (band * 2 + rising) * 5 + quintile
    seen = label >= 0
    if not seen.any():
        return np.full(z.size, np.nan)
    n = np.bincount(cell[seen], minlength=cell.max() + 1)
    k = np.bincount(cell[seen], label[seen].astype(float), minlength=cell.max() + 1)
    overall = label[seen].mean()
    return np.where(n[cell] > 0, k[cell] / np.maximum(n[cell], 1), overall)


def truth_table(truth: MonthTruth, ids: pa.Array) -> pa.Table:
    """loan_month_truth.csv: key (loan_id, snapshot_month), the latent state and the true 6-month PD."""
    label = truth.label.astype(object)
    label[truth.label < 0] = None
    return pa.table(
        {
            "loan_id": ids.take(pa.array(truth.loan)),
            "snapshot_month": pa.array(truth.month.astype("datetime64[M]").astype(str)),
            "latent_intensity": pa.array(np.round(truth.intensity, 6)),
            "true_pd_6m": pa.array(np.round(truth.true_pd_6m, 6)),
            "defaults_within_6m": pa.array(list(label), type=pa.int64()),
        }
    )


def summary(truth: MonthTruth, ep: Episodes, default_day: np.ndarray) -> dict[str, object]:
    from finlake.generate.manifest import auc

    seen = truth.label >= 0
    y = truth.label[seen]
    best = auc(truth.true_pd_6m[seen], y)
    latent = auc(truth.intensity[seen], y)
    defaults = int((default_day[ep.loan] >= 0).sum())
    return {
        "truth_file": "_generator/loan_month_truth.csv",
        "label": f"defaults within {LABEL_MONTHS} months after the month end (null when that window passes the data's end)",
        "loan_months": int(truth.loan.size),
        "with_observable_label": int(seen.sum()),
        "defaults_within_6m": int(y.sum()),
        "auc_true_pd_6m": None if best is None else round(best, 4),
        "auc_latent_intensity": None if latent is None else round(latent, 4),
        "episodes": {"before_default": defaults, "false_alarms": int(ep.loan.size - defaults)},
        "parameters": {
            "lead_months_mean": LEAD_MEAN, "lead_months_max": MAX_LEAD, "false_alarm_share": FALSE_ALARM_SHARE,
            "income_loss": INCOME_LOSS, "income_cut": INCOME_CUT, "missed_instalment": MISS, "late_instalment": LATE,
        },
    }  # fmt: skip
