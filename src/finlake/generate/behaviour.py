"""Month by month account behaviour, turned into individual transaction events.

For each main checking account the plan works per month (a loop over ~19 months, vectorised over
accounts): income and fixed outflows are booked first, then discretionary spending is chosen as
    D = max(floor, (income - fixed) * u * season + 0.3 * (balance - target))
with u a lognormal month-to-month shock (log-sd `spend_sd`, larger for stretched customers) and
`target` the customer's buffer. Balances therefore mean-revert, stretched customers with thin
buffers dip below zero before payday, and December spending peaks. D is split into card payments
(partly on a credit card, repaid next month), ATM cash (`cash_share`) and online transfers, and
each part into individual events whose amounts add up to it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from finlake.generate import pools
from finlake.generate.events import Events
from finlake.generate.loans import AUTO, MORTGAGE, Loans
from finlake.generate.population import (
    CREDIT_CARD,
    EMPLOYED,
    RETIRED,
    SAVINGS,
    SELF_EMPLOYED,
    STUDENT,
    UNEMPLOYED,
    UNKNOWN_EMPLOYMENT,
    Accounts,
    Customers,
)
from finlake.generate.timeline import Timeline, calendar_month, month_start, stream, weekday

SEASON = np.array([0.86, 0.93, 1.0, 1.0, 1.02, 1.0, 1.08, 1.1, 0.98, 1.0, 1.04, 1.22])  # Jan..Dec spending
CARD_WEEKDAY = np.array([0.95, 1.0, 1.0, 1.05, 1.3, 1.25, 0.5])  # Mon..Sun
ATM_WEEKDAY = np.array([0.9, 0.9, 0.95, 1.0, 1.35, 1.2, 0.6])
ONLINE_WEEKDAY = np.array([1.1, 1.05, 1.0, 1.0, 0.95, 0.8, 0.9])
MEAN_REVERSION = 0.3
TRAVEL = [c[0] for c in pools.MERCHANT_CATEGORIES].index("TRAVEL")  # what foreign accounts are used for
TRAVEL_MERCHANT = sum(len(pools.MERCHANTS[c[0]]) for c in pools.MERCHANT_CATEGORIES[:TRAVEL])
PAYEES = tuple(
    f"{first[0]}. {last.upper()}" for first, last in zip(pools.MALE_NAMES * 2, pools.LAST_NAMES, strict=True)
)


@dataclass(frozen=True)
class Details:
    """The strings an event's `detail` index points at (0 is 'none')."""

    strings: list[str]
    employer: int
    merchant: int
    payee: int
    loan: int

    @classmethod
    def build(cls, loan_ids: list[str]) -> Details:
        merchants = [m for cat, *_ in pools.MERCHANT_CATEGORIES for m in pools.MERCHANTS[cat]]
        parts = [[""], list(pools.EMPLOYERS), merchants, list(PAYEES), loan_ids]
        offsets = np.cumsum([0] + [len(p) for p in parts])
        return cls([s for p in parts for s in p], *(int(o) for o in offsets[1:5]))


class Calendar:
    """Months of the timeline and per-day weights for drawing event days."""

    def __init__(self, timeline: Timeline):
        self.t = timeline
        self.days = np.arange(timeline.history_start, timeline.end + 1)
        self.month0 = timeline.first_month
        self.n_months = timeline.n_months
        self.month_first = month_start(self.month0 + np.arange(self.n_months + 1))
        self.month_len = np.diff(self.month_first)
        self.season = SEASON[calendar_month(self.month_first[:-1]) - 1]
        dom = self.days - month_start(np.asarray(self.month_of(self.days)) + self.month0) + 1
        # More spending just after the usual payday (25th) and early in the month.
        self.payday_lift = np.where(dom >= 25, 1.2, np.where(dom <= 5, 1.1, 1.0))

    def month_of(self, days: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.month_first, days, side="right") - 1

    def on_day_of_month(self, months: np.ndarray, dom: np.ndarray | int, business: bool = False) -> np.ndarray:
        """The day number of day-of-month `dom` in each month (clamped; weekends moved to Friday)."""
        day = self.month_first[months] + np.minimum(dom, self.month_len[months]) - 1
        if business:
            wd = weekday(day)
            day = day - np.where(wd == 5, 1, np.where(wd == 6, 2, 0))
        return day

    def draw_days(self, months: np.ndarray, weekday_weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """A day inside each given month, weighted by weekday and payday (inverse CDF on the timeline)."""
        w = weekday_weights[weekday(self.days)] * self.payday_lift
        cdf = np.concatenate([[0.0], np.cumsum(w)])
        lo = np.clip(self.month_first[months] - self.t.history_start, 0, self.days.size)
        hi = np.clip(self.month_first[months + 1] - self.t.history_start, 0, self.days.size)
        u = cdf[lo] + rng.random(months.size) * (cdf[hi] - cdf[lo])
        idx = np.clip(np.searchsorted(cdf, u, side="right") - 1, lo, np.maximum(hi - 1, lo))
        return self.days[0] + idx

    def active_fraction(self, opened: np.ndarray, closed: np.ndarray) -> np.ndarray:
        """accounts x months: share of each month's days the account is open inside the timeline."""
        first = np.maximum(self.month_first[:-1][None, :], np.maximum(opened, self.t.history_start)[:, None])
        end = np.where(closed < 0, self.t.end + 1, closed)
        last = np.minimum(self.month_first[1:][None, :], np.minimum(end, self.t.end + 1)[:, None])
        return np.clip(last - first, 0, None) / self.month_len[None, :]


def _grid(accounts: np.ndarray, n_months: int) -> tuple[np.ndarray, np.ndarray]:
    """Every (account, month) pair, account-major."""
    return np.repeat(accounts, n_months), np.tile(np.arange(n_months), accounts.size)


def _seconds(rng: np.random.Generator, n: int, start_hour: float, end_hour: float) -> np.ndarray:
    return (3600 * (start_hour + (end_hour - start_hour) * rng.beta(2.0, 2.0, n))).astype(np.int64)


class Behaviour:
    """Builds every transaction event of the timeline for the given customers, accounts and loans."""

    def __init__(self, c: Customers, a: Accounts, loans: Loans, timeline: Timeline, details: Details, seed: int):
        self.c, self.a, self.loans, self.t, self.details = c, a, loans, timeline, details
        self.rng = stream(seed, "transactions")
        self.cal = Calendar(timeline)
        self.main = np.flatnonzero(a.is_main)  # main account per customer
        self.savings = self._account_of(SAVINGS)
        self.card = self._account_of(CREDIT_CARD)

    def _account_of(self, kind: str) -> np.ndarray:
        """Per customer, the index of its first account of this type, or -1."""
        out = np.full(self.c.n, -1, dtype=np.int64)
        idx = np.flatnonzero(self.a.type == kind)[::-1]  # reversed so the first one wins
        out[self.a.customer[idx]] = idx
        return out

    # ---- income ---------------------------------------------------------------------------------
    def income(self) -> list[Events]:
        c, cal, rng = self.c, self.cal, self.rng
        out = []
        months = cal.n_months
        for status, kind, dom in ((EMPLOYED, "salary", 25), (UNKNOWN_EMPLOYMENT, "salary", 1)):
            who = np.flatnonzero(c.employment == status)
            cust, m = _grid(who, months)
            raise_factor = 1.025 ** ((cal.month_first[m] - cal.month_first[0]) // 365)  # yearly pay rise
            day = cal.on_day_of_month(m, dom, business=True)
            out.append(
                Events.of(
                    kind,
                    self.main[cust],
                    day,
                    _seconds(rng, cust.size, 2, 6),
                    c.net_monthly[cust] * raise_factor,
                    detail=self.details.employer + c.employer[cust],
                )
            )
            bonus = (calendar_month(day) == 12) & c.thirteenth_salary[cust]
            out.append(
                Events.of(
                    "bonus",
                    self.main[cust[bonus]],
                    day[bonus] - 10,
                    np.full(bonus.sum(), 10_800),
                    c.net_monthly[cust[bonus]],
                    detail=self.details.employer + c.employer[cust[bonus]],
                )
            )
        for status, kind, dom, share in (
            (RETIRED, "pension", 10, 1.0),
            (UNEMPLOYED, "benefit", 15, 1.0),
            (STUDENT, "allowance", 1, 0.6),
        ):
            cust, m = _grid(np.flatnonzero(c.employment == status), months)
            day = cal.on_day_of_month(m, dom, business=True)
            out.append(
                Events.of(kind, self.main[cust], day, _seconds(rng, cust.size, 2, 6), c.net_monthly[cust] * share)
            )
        # Students' part-time pay and the self-employed's irregular invoices.
        students = np.flatnonzero(c.employment == STUDENT)
        cust, m = _grid(students, months)
        out.append(
            Events.of(
                "salary",
                self.main[cust],
                cal.on_day_of_month(m, 28, business=True),
                _seconds(rng, cust.size, 2, 6),
                c.net_monthly[cust] * 0.4,
                detail=self.details.employer + c.employer[cust],
            )
        )
        self_employed = np.flatnonzero(c.employment == SELF_EMPLOYED)
        cust, m = _grid(self_employed, months)
        month_total = c.net_monthly[cust] * rng.lognormal(-0.06, 0.35, cust.size)
        n = 1 + rng.poisson(1.5, cust.size)
        out.append(self._split(cust, m, n, month_total, "invoice", np.ones(7) * [1, 1, 1, 1, 1, 0.05, 0.05], (8, 18)))
        # Occasional incoming transfers from friends and family.
        cust, m = _grid(np.arange(c.n), months)
        k = rng.poisson(0.35, cust.size)
        cust, m = np.repeat(cust, k), np.repeat(m, k)
        out.append(
            Events.of(
                "transfer_in", self.main[cust], cal.draw_days(m, ONLINE_WEEKDAY, rng), _seconds(rng, cust.size, 7, 23),
                np.round(rng.lognormal(np.log(80), 0.9, cust.size), 2), detail=self.details.payee + rng.integers(0, len(PAYEES), cust.size),
            )
        )  # fmt: skip
        out.append(self._cash_deposits())
        return out

    def _cash_deposits(self) -> Events:
        """Cash-intensive customers: large branch deposits and, now and then, structuring bursts."""
        c, cal, rng = self.c, self.cal, self.rng
        intensive = np.flatnonzero(rng.random(c.n) < np.where(c.employment == SELF_EMPLOYED, 0.12, 0.006))
        cust, m = _grid(intensive, cal.n_months)
        large = rng.random(cust.size) < 0.12
        large_days = cal.draw_days(m[large], np.array([1, 1, 1, 1, 1.2, 0.8, 0.0]), rng)
        large_amount = np.round(rng.uniform(10_000, 25_000, large.sum()), -2)
        burst = np.flatnonzero(rng.random(cust.size) < 0.04)
        size = rng.integers(3, 5, burst.size)
        b_cust = np.repeat(cust[burst], size)
        b_start = np.repeat(cal.draw_days(m[burst], np.array([1, 1, 1, 1, 1, 0.5, 0.0]), rng), size)
        b_days = b_start + rng.integers(0, 6, b_cust.size)
        b_amount = np.round(rng.uniform(8_100, 9_950, b_cust.size), -1)
        return Events.of(
            "cash_deposit",
            self.main[np.concatenate([cust[large], b_cust])],
            np.concatenate([large_days, b_days]),
            _seconds(rng, large.sum() + b_cust.size, 9, 17),
            np.concatenate([large_amount, b_amount]),
        )

    # ---- fixed outflows -------------------------------------------------------------------------
    def fixed(self) -> list[Events]:
        c, cal, rng = self.c, self.cal, self.rng
        months = cal.n_months
        out = []
        mortgage_from = np.full(c.n, np.iinfo(np.int64).max)
        is_mortgage = self.loans.type == MORTGAGE
        np.minimum.at(mortgage_from, self.loans.customer[is_mortgage], self.loans.origination[is_mortgage])
        renters = np.flatnonzero(c.rent > 0)
        cust, m = _grid(renters, months)
        day = cal.on_day_of_month(m, 1 + rng.integers(0, 3, cust.size))
        keep = day < mortgage_from[cust]  # buying a home ends the rent
        out.append(
            Events.of("rent", self.main[cust[keep]], day[keep], _seconds(rng, keep.sum(), 0.5, 5), c.rent[cust[keep]])
        )
        everyone = np.arange(c.n)
        for kind, share, floor in (("electricity", 0.035, 25.0), ("phone", 0.012, 15.0), ("insurance", 0.025, 20.0)):
            base = np.round(np.maximum(c.net_monthly * share, floor) * rng.lognormal(0, 0.2, c.n), 2)
            dom = rng.integers(3, 26, c.n)
            cust, m = _grid(everyone, months)
            amount = base[cust] * rng.lognormal(0, 0.08 if kind == "electricity" else 0.0, cust.size)
            out.append(
                Events.of(
                    kind, self.main[cust], cal.on_day_of_month(m, dom[cust]), _seconds(rng, cust.size, 0.5, 5), amount
                )
            )
        fee = np.where(np.isin(c.segment, ["PRIVATE", "AFFLUENT"]), 0.0, 4.5)
        cust, m = _grid(np.flatnonzero(fee > 0), months)
        out.append(Events.of("fee", self.main[cust], cal.on_day_of_month(m, 31), np.full(cust.size, 86_000), fee[cust]))
        out.extend(self._loan_flows())
        out.append(self._savings_orders())
        return out

    def _loan_flows(self) -> list[Events]:
        """Instalments on the origination day of each month; cash loans are paid out to the account."""
        loans, t, rng = self.loans, self.t, self.rng
        months_left = (t.end - loans.origination) // 28 + 2
        count = np.minimum(loans.term, np.maximum(months_left, 0))
        loan = np.repeat(np.arange(loans.n), count)
        k = np.arange(loan.size) - np.repeat(np.cumsum(count) - count, count) + 1
        from finlake.generate.timeline import add_months

        due = add_months(loans.origination[loan], k)
        keep = due <= t.end
        loan, due = loan[keep], due[keep]
        repay = Events.of(
            "loan_repayment",
            loans.account[loan],
            due,
            _seconds(rng, loan.size, 0.5, 5),
            loans.payment[loan],
            detail=self.details.loan + loan,
        )
        cash = np.flatnonzero(~np.isin(loans.type, [MORTGAGE, AUTO]))  # house and car loans go to the seller
        payout = Events.of(
            "loan_payout",
            loans.account[cash],
            loans.origination[cash],
            np.full(cash.size, 36_000),
            loans.principal[cash],
            detail=self.details.loan + cash,
        )
        return [repay, payout]

    def _savings_orders(self) -> Events:
        """A monthly standing order from checking to savings: two bookings, one per account."""
        c, cal = self.c, self.cal
        savers = np.flatnonzero((self.savings >= 0) & (c.savings_rate > 0.01))
        cust, m = _grid(savers, cal.n_months)
        day = cal.on_day_of_month(m, 26)
        amount = np.round(c.savings_rate[cust] * c.net_monthly[cust], -1)
        sav = self.savings[cust]
        keep = (day >= self.a.opened[sav]) & ((self.a.closed[sav] < 0) | (day < self.a.closed[sav])) & (amount > 0)
        cust, day, amount, sav = cust[keep], day[keep], amount[keep], sav[keep]
        second = np.full(cust.size, 25_200)
        return Events.concat(
            [
                Events.of("to_savings", self.main[cust], day, second, amount),
                Events.of("from_checking", sav, day, second, amount),
            ]
        )

    # ---- discretionary spending -------------------------------------------------------------------
    def _split(
        self, cust, m, n, total, kind, weekday_weights, hours, category=None, detail=None, account=None
    ) -> Events:
        """`n[i]` events in month `m[i]` whose amounts add up to `total[i]` (shares drawn lognormal)."""
        rng = self.rng
        group = np.repeat(np.arange(cust.size), n)
        share = rng.lognormal(0, 0.6, group.size) if category is None else category[1]
        share = share / np.bincount(group, share, minlength=cust.size)[group]
        acct = (self.main[cust] if account is None else account)[group]
        days = self.cal.draw_days(m[group], weekday_weights, rng)
        return Events.of(
            kind, acct, days, _seconds(rng, group.size, *hours), np.round(total[group] * share, 2),
            category=None if category is None else category[0], detail=None if detail is None else detail,
        )  # fmt: skip

    def spending(self, planned_in: np.ndarray, planned_fixed: np.ndarray) -> list[Events]:
        """Discretionary spending from the monthly plan (see the module docstring)."""
        c, a, cal, rng = self.c, self.a, self.cal, self.rng
        main = self.main
        active = cal.active_fraction(a.opened[main], a.closed[main])
        card_active = np.where(
            self.card[:, None] >= 0, cal.active_fraction(a.opened[self.card], a.closed[self.card]), 0.0
        )
        card_share = np.where(self.card >= 0, a.card_share[self.card], 0.0)
        target = a.opening_balance[main]
        balance = target.copy()
        owed = np.zeros(c.n)  # credit-card spend to repay this month
        spend = np.zeros((c.n, cal.n_months))
        on_card = np.zeros((c.n, cal.n_months))
        repaid = np.zeros((c.n, cal.n_months))
        shocks = rng.lognormal(-0.5 * c.spend_sd[:, None] ** 2, c.spend_sd[:, None], (c.n, cal.n_months))
        for m in range(cal.n_months):  # a loop over months; every step is vectorised over customers
            floor = 0.2 * c.net_monthly * active[:, m]
            disposable = planned_in[:, m] - planned_fixed[:, m]
            want = disposable * shocks[:, m] * cal.season[m] + MEAN_REVERSION * (balance - target) * active[:, m]
            spend[:, m] = np.where(active[:, m] > 0, np.maximum(floor, want), 0.0)
            on_card[:, m] = spend[:, m] * (1 - c.cash_share) * 0.92 * card_share * (card_active[:, m] > 0)
            repaid[:, m] = owed * (active[:, m] > 0)
            balance = balance + disposable - spend[:, m] + on_card[:, m] - repaid[:, m]
            owed = on_card[:, m]
        return self._spending_events(spend, on_card, repaid)

    def _spending_events(self, spend: np.ndarray, on_card: np.ndarray, repaid: np.ndarray) -> list[Events]:
        c, cal, rng = self.c, self.cal, self.rng
        cust, m = _grid(np.arange(c.n), cal.n_months)
        total = spend.ravel()
        cash = total * c.cash_share[cust]
        online = (total - cash) * 0.08
        card_total = total - cash - online
        card_on_card = on_card.ravel()
        live = total > 0
        out = []
        # Card payments: count grows with income; categories and merchants drawn per payment.
        rate = 12 * (c.net_monthly[cust] / 2500) ** 0.3
        for label, amount, account in (
            ("checking", card_total - card_on_card, self.main[cust]),
            ("card", card_on_card, self.card[cust]),
        ):
            has = live & (amount > 0.5)
            share = 1.0 if label == "checking" else 0.45
            n = 1 + rng.poisson(rate[has] * share)
            cats = pools.MERCHANT_CATEGORIES
            n_events = int(n.sum())
            cat = rng.choice(len(cats), n_events, p=[x[1] for x in cats])
            median = np.array([x[2] for x in cats])[cat]
            sd = np.array([x[3] for x in cats])[cat]
            raw = median * rng.lognormal(0, sd)
            offsets = np.cumsum([0] + [len(pools.MERCHANTS[x[0]]) for x in cats])
            sizes = np.diff(offsets)
            merchant = self.details.merchant + offsets[cat] + (rng.random(n_events) * sizes[cat]).astype(np.int64)
            book_on = account[has] if label == "card" else None
            out.append(
                self._split(
                    cust[has],
                    m[has],
                    n,
                    amount[has],
                    "card",
                    CARD_WEEKDAY,
                    (8, 22),
                    category=(cat, raw),
                    detail=merchant,
                    account=book_on,
                )
            )
        # Cash: round withdrawals of a customer-typical size.
        has = live & (cash >= 10)
        typical = np.clip(np.round(c.net_monthly[cust[has]] * 0.05, -1), 40, 400)
        n = np.maximum(1, np.round(cash[has] / typical)).astype(np.int64)
        atm = self._split(cust[has], m[has], n, cash[has], "atm", ATM_WEEKDAY, (7, 23))
        atm.cents[:] = np.maximum(np.round(atm.cents / 1000) * 1000, 1000).astype(np.int64)  # multiples of 10
        out.append(atm)
        has = live & (online >= 1)
        n = 1 + rng.poisson(1.0, has.sum())
        group_size = int(n.sum())
        out.append(
            self._split(
                cust[has],
                m[has],
                n,
                online[has],
                "transfer_out",
                ONLINE_WEEKDAY,
                (7, 23.9),
                detail=self.details.payee + rng.integers(0, len(PAYEES), group_size),
            )
        )
        # Credit-card repayments: one transfer out of checking, one into the card account.
        has = repaid.ravel() > 0.5
        day = cal.on_day_of_month(m[has], 20, business=True)
        amount = repaid.ravel()[has]
        second = np.full(has.sum(), 28_800)
        out.append(Events.of("card_repayment", self.main[cust[has]], day, second, amount))
        out.append(Events.of("card_repaid", self.card[cust[has]], day, second, amount))
        return out

    def side_accounts(self) -> list[Events]:
        """Foreign-currency accounts see a little traffic; savings earn quarterly interest."""
        a, cal, rng = self.a, self.cal, self.rng
        foreign = np.flatnonzero((a.type != SAVINGS) & (a.type != CREDIT_CARD) & ~a.is_main)
        acct, m = _grid(foreign, cal.n_months)
        k_in, k_out = rng.poisson(0.8, acct.size), rng.poisson(2.0, acct.size)
        i_acct, i_m = np.repeat(acct, k_in), np.repeat(m, k_in)
        o_acct, o_m = np.repeat(acct, k_out), np.repeat(m, k_out)
        out = [
            Events.of("transfer_in", i_acct, cal.draw_days(i_m, ONLINE_WEEKDAY, rng), _seconds(rng, i_acct.size, 7, 23), np.round(rng.lognormal(np.log(220), 0.6, i_acct.size), 2), detail=self.details.payee + rng.integers(0, len(PAYEES), i_acct.size)),
            Events.of("card", o_acct, cal.draw_days(o_m, CARD_WEEKDAY, rng), _seconds(rng, o_acct.size, 8, 22), np.round(rng.lognormal(np.log(60), 0.7, o_acct.size), 2), category=np.full(o_acct.size, TRAVEL), detail=np.full(o_acct.size, self.details.merchant + TRAVEL_MERCHANT)),
        ]  # fmt: skip
        savings = np.flatnonzero(a.type == SAVINGS)
        acct, m = _grid(savings, cal.n_months)
        quarter_end = np.isin(calendar_month(cal.month_first[m]), [3, 6, 9, 12])
        acct, m = acct[quarter_end], m[quarter_end]
        interest = np.round(a.opening_balance[acct] * 0.004, 2)
        keep = interest >= 0.01
        out.append(
            Events.of(
                "interest", acct[keep], cal.on_day_of_month(m[keep], 31), np.full(keep.sum(), 85_000), interest[keep]
            )
        )
        return out

    # ---- assembly ---------------------------------------------------------------------------------
    def in_window(self, e: Events) -> Events:
        """Only events inside the timeline and while their account is open."""
        a, t = self.a, self.t
        closed = np.where(a.closed[e.account] < 0, t.end + 1, a.closed[e.account])
        keep = (e.day >= t.history_start) & (e.day <= t.end) & (e.day >= a.opened[e.account]) & (e.day < closed)
        return e.select(keep)

    def monthly_totals(self, e: Events) -> np.ndarray:
        """customers x months: the total of the main-account events given."""
        owner = self.a.customer[e.account]
        on_main = self.a.is_main[e.account]
        m = self.cal.month_of(e.day)
        flat = np.bincount(
            owner[on_main] * self.cal.n_months + m[on_main],
            e.cents[on_main] / 100,
            minlength=self.c.n * self.cal.n_months,
        )
        return flat.reshape(self.c.n, self.cal.n_months)

    def all_events(self) -> Events:
        income = self.in_window(Events.concat(self.income()))
        fixed = self.in_window(Events.concat(self.fixed()))
        spending = self.spending(
            self.monthly_totals(income),
            self.monthly_totals(fixed.select(~fixed.credit)) - self.monthly_totals(fixed.select(fixed.credit)),
        )
        return self.in_window(Events.concat([income, fixed, *spending, *self.side_accounts()]))
