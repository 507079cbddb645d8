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
from finlake.generate.timeline import Timeline, add_months, calendar_month, month_start, stream, weekday

SEASON = np.array([0.86, 0.93, 1.0, 1.0, 1.02, 1.0, 1.08, 1.1, 0.98, 1.0, 1.04, 1.22])  # Jan..Dec spending
CARD_WEEKDAY = np.array([0.95, 1.0, 1.0, 1.05, 1.3, 1.25, 0.5])  # Mon..Sun
ATM_WEEKDAY = np.array([0.9, 0.9, 0.95, 1.0, 1.35, 1.2, 0.6])
ONLINE_WEEKDAY = np.array([1.1, 1.05, 1.0, 1.0, 0.95, 0.8, 0.9])
INVOICE_WEEKDAY = np.array([1, 1, 1, 1, 1, 0.05, 0.05])  # clients pay on working days
LARGE_DEPOSIT_WEEKDAY = np.array([1, 1, 1, 1, 1.2, 0.8, 0.0])  # branches close on Sunday
BURST_START_WEEKDAY = np.array([1, 1, 1, 1, 1, 0.5, 0.0])
MEAN_REVERSION = 0.3
# More spending just after the usual payday and early in the month.
PAYDAY = 25  # day of the month most salaries arrive
LATE_MONTH_LIFT = 1.2  # from PAYDAY on
EARLY_MONTH_LIFT = 1.1  # on days 1..EARLY_MONTH_DAYS
EARLY_MONTH_DAYS = 5
YEARLY_PAY_RISE = 1.025
TRAVEL = [c[0] for c in pools.MERCHANT_CATEGORIES].index("TRAVEL")  # what foreign accounts are used for
TRAVEL_MERCHANT = sum(len(pools.MERCHANTS[c[0]]) for c in pools.MERCHANT_CATEGORIES[:TRAVEL])
PAYEES = tuple(
    f"{first[0]}. {last.upper()}" for first, last in zip(pools.MALE_NAMES * 2, pools.LAST_NAMES, strict=True)
)

# Bookings made by the bank's systems carry a fixed time of day (seconds after midnight).
BONUS_SECOND = 3 * 3600  # 03:00, with the payroll run
FEE_SECOND = 86_000  # 23:53:20, at the end-of-month close
INTEREST_SECOND = 85_000  # 23:36:40, at the quarter-end close
PAYOUT_SECOND = 10 * 3600  # 10:00, when the loan desk disburses
SAVINGS_ORDER_SECOND = 7 * 3600  # 07:00, the standing-order run
CARD_REPAYMENT_SECOND = 8 * 3600  # 08:00, the card repayment run

# Regular income: (employment, event kind, day of month, share of net monthly income).
SALARIES = ((EMPLOYED, "salary", PAYDAY), (UNKNOWN_EMPLOYMENT, "salary", 1))
BONUS_DAYS_BEFORE_SALARY = 10  # the 13th salary arrives ten days before December's pay
OTHER_INCOME = ((RETIRED, "pension", 10, 1.0), (UNEMPLOYED, "benefit", 15, 1.0), (STUDENT, "allowance", 1, 0.6))
STUDENT_JOB_DAY, STUDENT_JOB_SHARE = 28, 0.4  # students' part-time pay, beside the family allowance
# Self-employed: 1 + Poisson(mean) invoices a month, totalling net income times a lognormal (mean ~1).
INVOICES_PER_MONTH = 1.5
INVOICE_LOG_MEAN, INVOICE_LOG_SD = -0.06, 0.35
# Transfers from friends and family: Poisson(rate) a month, lognormal around the median.
FAMILY_TRANSFERS_PER_MONTH = 0.35
FAMILY_TRANSFER_MEDIAN, FAMILY_TRANSFER_LOG_SD = 80, 0.9
# Cash-intensive customers (mostly self-employed): large branch deposits, and structuring bursts of
# 3-4 deposits just under the 10,000 reporting threshold within a few days (what monitoring looks for).
CASH_INTENSIVE_SELF_EMPLOYED, CASH_INTENSIVE_OTHERS = 0.12, 0.006
LARGE_DEPOSIT_MONTHLY, LARGE_DEPOSIT_RANGE = 0.12, (10_000, 25_000)
BURST_MONTHLY, BURST_SIZE, BURST_SPREAD_DAYS, BURST_RANGE = 0.04, (3, 5), 6, (8_100, 9_950)

RENT_DAYS = 3  # rent leaves on day 1, 2 or 3
# Utility bills: (kind, share of net monthly income, minimum amount); a bill's day is fixed per customer.
UTILITIES = (("electricity", 0.035, 25.0), ("phone", 0.012, 15.0), ("insurance", 0.025, 20.0))
UTILITY_DAYS = (3, 26)  # first day, day after the last
BILL_LOG_SD, ELECTRICITY_MONTHLY_LOG_SD = 0.2, 0.08  # spread of bills between customers; electricity by month
FREE_ACCOUNT_SEGMENTS, ACCOUNT_FEE = ["PRIVATE", "AFFLUENT"], 4.5
DAYS_PER_MONTH_LOWER_BOUND = 28  # counts enough instalments to reach the end of the timeline
SAVINGS_ORDER_DAY = 26

SHARE_LOG_SD = 0.6  # how unevenly a month's total is split between its events
SPENDING_FLOOR = 0.2  # discretionary spending never falls below this share of net income
ONLINE_SHARE = 0.08  # of non-cash spending, paid by online transfer; the rest by card
CARD_ON_CREDIT = 0.92  # of card spending, the part a credit-card holder puts on the card (x card_share)
# Card payments a month: 1 + Poisson(CARD_PAYMENTS * (income / CARD_INCOME_SCALE) ** CARD_INCOME_POWER).
CARD_PAYMENTS, CARD_INCOME_SCALE, CARD_INCOME_POWER = 12, 2500, 0.3
CREDIT_CARD_PAYMENT_RATE = 0.45  # relative number of payments on the credit card
ATM_TYPICAL_SHARE, ATM_TYPICAL_RANGE = 0.05, (40, 400)  # a customer's usual withdrawal, of net income
ATM_NOTE_CENTS = 1000  # withdrawals are multiples of 10
ONLINE_TRANSFERS_PER_MONTH = 1.0
CARD_REPAYMENT_DAY = 20
FOREIGN_IN_PER_MONTH, FOREIGN_IN_MEDIAN, FOREIGN_IN_LOG_SD = 0.8, 220, 0.6
FOREIGN_OUT_PER_MONTH, FOREIGN_OUT_MEDIAN, FOREIGN_OUT_LOG_SD = 2.0, 60, 0.7
QUARTER_ENDS, QUARTERLY_INTEREST = [3, 6, 9, 12], 0.004


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
        self.timeline = timeline
        self.days = np.arange(timeline.history_start, timeline.end + 1)
        self.first_month = timeline.first_month
        self.n_months = timeline.n_months
        self.month_first = month_start(self.first_month + np.arange(self.n_months + 1))
        self.month_len = np.diff(self.month_first)
        self.season = SEASON[calendar_month(self.month_first[:-1]) - 1]
        day_of_month = self.days - month_start(np.asarray(self.month_of(self.days)) + self.first_month) + 1
        self.payday_lift = np.where(
            day_of_month >= PAYDAY, LATE_MONTH_LIFT, np.where(day_of_month <= EARLY_MONTH_DAYS, EARLY_MONTH_LIFT, 1.0)
        )

    def month_of(self, days: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.month_first, days, side="right") - 1

    def on_day_of_month(self, months: np.ndarray, dom: np.ndarray | int, business: bool = False) -> np.ndarray:
        """The day number of day-of-month `dom` in each month (clamped; weekends moved to Friday)."""
        day = self.month_first[months] + np.minimum(dom, self.month_len[months]) - 1
        if business:
            day_of_week = weekday(day)
            day = day - np.where(day_of_week == 5, 1, np.where(day_of_week == 6, 2, 0))
        return day

    def draw_days(self, months: np.ndarray, weekday_weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """A day inside each given month, weighted by weekday and payday (inverse CDF on the timeline)."""
        weights = weekday_weights[weekday(self.days)] * self.payday_lift
        cdf = np.concatenate([[0.0], np.cumsum(weights)])
        start = self.timeline.history_start
        lo = np.clip(self.month_first[months] - start, 0, self.days.size)
        hi = np.clip(self.month_first[months + 1] - start, 0, self.days.size)
        u = cdf[lo] + rng.random(months.size) * (cdf[hi] - cdf[lo])
        idx = np.clip(np.searchsorted(cdf, u, side="right") - 1, lo, np.maximum(hi - 1, lo))
        return self.days[0] + idx

    def active_fraction(self, opened: np.ndarray, closed: np.ndarray) -> np.ndarray:
        """accounts x months: share of each month's days the account is open inside the timeline."""
        timeline = self.timeline
        first = np.maximum(self.month_first[:-1][None, :], np.maximum(opened, timeline.history_start)[:, None])
        end = np.where(closed < 0, timeline.end + 1, closed)
        last = np.minimum(self.month_first[1:][None, :], np.minimum(end, timeline.end + 1)[:, None])
        return np.clip(last - first, 0, None) / self.month_len[None, :]


def _grid(accounts: np.ndarray, n_months: int) -> tuple[np.ndarray, np.ndarray]:
    """Every (account, month) pair, account-major."""
    return np.repeat(accounts, n_months), np.tile(np.arange(n_months), accounts.size)


def _seconds(rng: np.random.Generator, n: int, start_hour: float, end_hour: float) -> np.ndarray:
    return (3600 * (start_hour + (end_hour - start_hour) * rng.beta(2.0, 2.0, n))).astype(np.int64)


class Behaviour:
    """Builds every transaction event of the timeline for the given customers, accounts and loans.

    Every method draws from one random stream in a fixed order: the same seed gives the same events,
    so a change here that reorders draws changes every generated file after it."""

    def __init__(
        self, customers: Customers, accounts: Accounts, loans: Loans, timeline: Timeline, details: Details, seed: int
    ):
        self.customers, self.accounts, self.loans = customers, accounts, loans
        self.timeline, self.details = timeline, details
        self.rng = stream(seed, "transactions")
        self.calendar = Calendar(timeline)
        self.main = np.flatnonzero(accounts.is_main)  # main account per customer
        self.savings = self._account_of(SAVINGS)
        self.card = self._account_of(CREDIT_CARD)

    def _account_of(self, kind: str) -> np.ndarray:
        """Per customer, the index of its first account of this type, or -1."""
        out = np.full(self.customers.n, -1, dtype=np.int64)
        idx = np.flatnonzero(self.accounts.type == kind)[::-1]  # reversed so the first one wins
        out[self.accounts.customer[idx]] = idx
        return out

    def _monthly(self, who: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(customer, month) for every month of the timeline, for the given customers."""
        return _grid(who, self.calendar.n_months)

    # ---- income ---------------------------------------------------------------------------------
    def income(self) -> list[Events]:
        out = self._salaries()
        out.extend(self._other_income())
        out.append(self._student_jobs())
        out.append(self._invoices())
        out.append(self._family_transfers())
        out.append(self._cash_deposits())
        return out

    def _salaries(self) -> list[Events]:
        """Monthly pay on a business day (rising yearly) and, for some, a December bonus."""
        customers, calendar, rng = self.customers, self.calendar, self.rng
        out = []
        for status, kind, day_of_month in SALARIES:
            customer, month = self._monthly(np.flatnonzero(customers.employment == status))
            raise_factor = YEARLY_PAY_RISE ** ((calendar.month_first[month] - calendar.month_first[0]) // 365)
            day = calendar.on_day_of_month(month, day_of_month, business=True)
            employer = self.details.employer + customers.employer[customer]
            pay = customers.net_monthly[customer] * raise_factor
            out.append(
                Events.of(kind, self.main[customer], day, _seconds(rng, customer.size, 2, 6), pay, detail=employer)
            )
            bonus = (calendar_month(day) == 12) & customers.thirteenth_salary[customer]
            out.append(
                Events.of(
                    "bonus",
                    self.main[customer[bonus]],
                    day[bonus] - BONUS_DAYS_BEFORE_SALARY,
                    np.full(bonus.sum(), BONUS_SECOND),
                    customers.net_monthly[customer[bonus]],
                    detail=employer[bonus],
                )
            )
        return out

    def _other_income(self) -> list[Events]:
        """Pensions, benefits and students' family allowances, monthly on a business day."""
        customers, rng = self.customers, self.rng
        out = []
        for status, kind, day_of_month, share in OTHER_INCOME:
            customer, month = self._monthly(np.flatnonzero(customers.employment == status))
            day = self.calendar.on_day_of_month(month, day_of_month, business=True)
            amount = customers.net_monthly[customer] * share
            out.append(Events.of(kind, self.main[customer], day, _seconds(rng, customer.size, 2, 6), amount))
        return out

    def _student_jobs(self) -> Events:
        customers = self.customers
        customer, month = self._monthly(np.flatnonzero(customers.employment == STUDENT))
        return Events.of(
            "salary",
            self.main[customer],
            self.calendar.on_day_of_month(month, STUDENT_JOB_DAY, business=True),
            _seconds(self.rng, customer.size, 2, 6),
            customers.net_monthly[customer] * STUDENT_JOB_SHARE,
            detail=self.details.employer + customers.employer[customer],
        )

    def _invoices(self) -> Events:
        """The self-employed's irregular income: a few invoices a month around their net income."""
        customers, rng = self.customers, self.rng
        customer, month = self._monthly(np.flatnonzero(customers.employment == SELF_EMPLOYED))
        month_total = customers.net_monthly[customer] * rng.lognormal(INVOICE_LOG_MEAN, INVOICE_LOG_SD, customer.size)
        count = 1 + rng.poisson(INVOICES_PER_MONTH, customer.size)
        return self._split(customer, month, count, month_total, "invoice", INVOICE_WEEKDAY, (8, 18))

    def _family_transfers(self) -> Events:
        """Occasional incoming transfers from friends and family."""
        rng = self.rng
        customer, month = self._monthly(np.arange(self.customers.n))
        per_month = rng.poisson(FAMILY_TRANSFERS_PER_MONTH, customer.size)
        customer, month = np.repeat(customer, per_month), np.repeat(month, per_month)
        # argument order is draw order: days, times, amounts, payees
        days = self.calendar.draw_days(month, ONLINE_WEEKDAY, rng)
        seconds = _seconds(rng, customer.size, 7, 23)
        amounts = np.round(rng.lognormal(np.log(FAMILY_TRANSFER_MEDIAN), FAMILY_TRANSFER_LOG_SD, customer.size), 2)
        payee = self.details.payee + rng.integers(0, len(PAYEES), customer.size)
        return Events.of("transfer_in", self.main[customer], days, seconds, amounts, detail=payee)

    def _cash_deposits(self) -> Events:
        """Cash-intensive customers: large branch deposits and, now and then, structuring bursts."""
        customers, calendar, rng = self.customers, self.calendar, self.rng
        chance = np.where(customers.employment == SELF_EMPLOYED, CASH_INTENSIVE_SELF_EMPLOYED, CASH_INTENSIVE_OTHERS)
        customer, month = self._monthly(np.flatnonzero(rng.random(customers.n) < chance))
        large = rng.random(customer.size) < LARGE_DEPOSIT_MONTHLY
        large_days = calendar.draw_days(month[large], LARGE_DEPOSIT_WEEKDAY, rng)
        large_amount = np.round(rng.uniform(*LARGE_DEPOSIT_RANGE, large.sum()), -2)
        burst = np.flatnonzero(rng.random(customer.size) < BURST_MONTHLY)
        size = rng.integers(*BURST_SIZE, burst.size)
        burst_customer = np.repeat(customer[burst], size)
        burst_start = np.repeat(calendar.draw_days(month[burst], BURST_START_WEEKDAY, rng), size)
        burst_days = burst_start + rng.integers(0, BURST_SPREAD_DAYS, burst_customer.size)
        burst_amount = np.round(rng.uniform(*BURST_RANGE, burst_customer.size), -1)
        return Events.of(
            "cash_deposit",
            self.main[np.concatenate([customer[large], burst_customer])],
            np.concatenate([large_days, burst_days]),
            _seconds(rng, large.sum() + burst_customer.size, 9, 17),
            np.concatenate([large_amount, burst_amount]),
        )

    # ---- fixed outflows -------------------------------------------------------------------------
    def fixed(self) -> list[Events]:
        out = [self._rent()]
        out.extend(self._utilities())
        out.append(self._account_fees())
        out.extend(self._loan_flows())
        out.append(self._savings_orders())
        return out

    def _rent(self) -> Events:
        """Renters pay at the start of the month until they take out a mortgage."""
        customers, loans, rng = self.customers, self.loans, self.rng
        mortgage_from = np.full(customers.n, np.iinfo(np.int64).max)
        is_mortgage = loans.type == MORTGAGE
        np.minimum.at(mortgage_from, loans.customer[is_mortgage], loans.origination[is_mortgage])
        customer, month = self._monthly(np.flatnonzero(customers.rent > 0))
        day = self.calendar.on_day_of_month(month, 1 + rng.integers(0, RENT_DAYS, customer.size))
        keep = day < mortgage_from[customer]  # buying a home ends the rent
        customer, day = customer[keep], day[keep]
        return Events.of("rent", self.main[customer], day, _seconds(rng, keep.sum(), 0.5, 5), customers.rent[customer])

    def _utilities(self) -> list[Events]:
        customers, rng = self.customers, self.rng
        out = []
        for kind, share, floor in UTILITIES:
            base = np.maximum(customers.net_monthly * share, floor) * rng.lognormal(0, BILL_LOG_SD, customers.n)
            base = np.round(base, 2)
            day_of_month = rng.integers(*UTILITY_DAYS, customers.n)
            customer, month = self._monthly(np.arange(customers.n))
            monthly_sd = ELECTRICITY_MONTHLY_LOG_SD if kind == "electricity" else 0.0  # drawn either way
            amount = base[customer] * rng.lognormal(0, monthly_sd, customer.size)
            day = self.calendar.on_day_of_month(month, day_of_month[customer])
            out.append(Events.of(kind, self.main[customer], day, _seconds(rng, customer.size, 0.5, 5), amount))
        return out

    def _account_fees(self) -> Events:
        """A monthly fee on the last day, except for the segments whose accounts are free."""
        fee = np.where(np.isin(self.customers.segment, FREE_ACCOUNT_SEGMENTS), 0.0, ACCOUNT_FEE)
        customer, month = self._monthly(np.flatnonzero(fee > 0))
        day = self.calendar.on_day_of_month(month, 31)
        return Events.of("fee", self.main[customer], day, np.full(customer.size, FEE_SECOND), fee[customer])

    def _loan_flows(self) -> list[Events]:
        """Instalments on the origination day of each month; cash loans are paid out to the account."""
        loans, timeline, rng = self.loans, self.timeline, self.rng
        months_left = (timeline.end - loans.origination) // DAYS_PER_MONTH_LOWER_BOUND + 2
        count = np.minimum(loans.term, np.maximum(months_left, 0))
        loan = np.repeat(np.arange(loans.n), count)
        instalment = np.arange(loan.size) - np.repeat(np.cumsum(count) - count, count) + 1
        due = add_months(loans.origination[loan], instalment)
        keep = due <= timeline.end
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
            np.full(cash.size, PAYOUT_SECOND),
            loans.principal[cash],
            detail=self.details.loan + cash,
        )
        return [repay, payout]

    def _savings_orders(self) -> Events:
        """A monthly standing order from checking to savings: two bookings, one per account."""
        customers, accounts = self.customers, self.accounts
        savers = np.flatnonzero((self.savings >= 0) & (customers.savings_rate > 0.01))
        customer, month = self._monthly(savers)
        day = self.calendar.on_day_of_month(month, SAVINGS_ORDER_DAY)
        amount = np.round(customers.savings_rate[customer] * customers.net_monthly[customer], -1)
        savings = self.savings[customer]
        is_open = (day >= accounts.opened[savings]) & (
            (accounts.closed[savings] < 0) | (day < accounts.closed[savings])
        )
        keep = is_open & (amount > 0)
        customer, day, amount, savings = customer[keep], day[keep], amount[keep], savings[keep]
        second = np.full(customer.size, SAVINGS_ORDER_SECOND)
        return Events.concat(
            [
                Events.of("to_savings", self.main[customer], day, second, amount),
                Events.of("from_checking", savings, day, second, amount),
            ]
        )

    # ---- discretionary spending -------------------------------------------------------------------
    def _split(
        self,
        customer: np.ndarray,
        month: np.ndarray,
        count: np.ndarray,
        total: np.ndarray,
        kind: str,
        weekday_weights: np.ndarray,
        hours: tuple[float, float],
        category: tuple[np.ndarray, np.ndarray] | None = None,
        detail: np.ndarray | None = None,
        account: np.ndarray | None = None,
    ) -> Events:
        """`count[i]` events in month `month[i]` whose amounts add up to `total[i]`. The shares are drawn
        lognormal, or given as `category` = (category per event, raw amount per event)."""
        rng = self.rng
        group = np.repeat(np.arange(customer.size), count)
        share = rng.lognormal(0, SHARE_LOG_SD, group.size) if category is None else category[1]
        share = share / np.bincount(group, share, minlength=customer.size)[group]
        booked_on = (self.main[customer] if account is None else account)[group]
        days = self.calendar.draw_days(month[group], weekday_weights, rng)
        return Events.of(
            kind, booked_on, days, _seconds(rng, group.size, *hours), np.round(total[group] * share, 2),
            category=None if category is None else category[0], detail=None if detail is None else detail,
        )  # fmt: skip

    def spending(self, planned_in: np.ndarray, planned_fixed: np.ndarray) -> list[Events]:
        """Discretionary spending from the monthly plan (see the module docstring)."""
        customers, accounts, calendar, rng = self.customers, self.accounts, self.calendar, self.rng
        main, card = self.main, self.card
        active = calendar.active_fraction(accounts.opened[main], accounts.closed[main])
        card_active = np.where(
            card[:, None] >= 0, calendar.active_fraction(accounts.opened[card], accounts.closed[card]), 0.0
        )
        card_share = np.where(card >= 0, accounts.card_share[card], 0.0)
        target = accounts.opening_balance[main]
        balance = target.copy()
        owed = np.zeros(customers.n)  # credit-card spend to repay this month
        shape = (customers.n, calendar.n_months)
        spend, on_card, repaid = np.zeros(shape), np.zeros(shape), np.zeros(shape)
        sd = customers.spend_sd[:, None]
        shocks = rng.lognormal(-0.5 * sd**2, sd, shape)  # mean 1
        for m in range(calendar.n_months):  # a loop over months; every step is vectorised over customers
            floor = SPENDING_FLOOR * customers.net_monthly * active[:, m]
            disposable = planned_in[:, m] - planned_fixed[:, m]
            want = disposable * shocks[:, m] * calendar.season[m] + MEAN_REVERSION * (balance - target) * active[:, m]
            spend[:, m] = np.where(active[:, m] > 0, np.maximum(floor, want), 0.0)
            card_spend = spend[:, m] * (1 - customers.cash_share) * CARD_ON_CREDIT
            on_card[:, m] = card_spend * card_share * (card_active[:, m] > 0)
            repaid[:, m] = owed * (active[:, m] > 0)
            balance = balance + disposable - spend[:, m] + on_card[:, m] - repaid[:, m]
            owed = on_card[:, m]
        return self._spending_events(spend, on_card, repaid)

    def _spending_events(self, spend: np.ndarray, on_card: np.ndarray, repaid: np.ndarray) -> list[Events]:
        """The month totals as events: card payments, ATM cash, online transfers, card repayments."""
        customer, month = self._monthly(np.arange(self.customers.n))
        total = spend.ravel()
        cash = total * self.customers.cash_share[customer]
        online = (total - cash) * ONLINE_SHARE
        card_total = total - cash - online
        live = total > 0
        out = self._card_payments(customer, month, live, card_total, on_card.ravel())
        out.append(self._atm_withdrawals(customer, month, live, cash))
        out.append(self._online_transfers(customer, month, live, online))
        out.extend(self._card_repayments(customer, month, repaid.ravel()))
        return out

    def _card_payments(
        self, customer: np.ndarray, month: np.ndarray, live: np.ndarray, card_total: np.ndarray, on_card: np.ndarray
    ) -> list[Events]:
        """Card payments: count grows with income; categories and merchants drawn per payment."""
        rng, categories = self.rng, pools.MERCHANT_CATEGORIES
        rate = CARD_PAYMENTS * (self.customers.net_monthly[customer] / CARD_INCOME_SCALE) ** CARD_INCOME_POWER
        offsets = np.cumsum([0] + [len(pools.MERCHANTS[x[0]]) for x in categories])
        out = []
        for paid_by, amount, account in (
            ("checking", card_total - on_card, self.main[customer]),
            ("card", on_card, self.card[customer]),
        ):
            has = live & (amount > 0.5)
            count = 1 + rng.poisson(rate[has] * (1.0 if paid_by == "checking" else CREDIT_CARD_PAYMENT_RATE))
            n_events = int(count.sum())
            category = rng.choice(len(categories), n_events, p=[x[1] for x in categories])
            median = np.array([x[2] for x in categories])[category]
            log_sd = np.array([x[3] for x in categories])[category]
            raw = median * rng.lognormal(0, log_sd)
            sizes = np.diff(offsets)
            merchant = (
                self.details.merchant + offsets[category] + (rng.random(n_events) * sizes[category]).astype(np.int64)
            )
            out.append(
                self._split(
                    customer[has], month[has], count, amount[has], "card", CARD_WEEKDAY, (8, 22),
                    category=(category, raw), detail=merchant, account=account[has] if paid_by == "card" else None,
                )
            )  # fmt: skip
        return out

    def _atm_withdrawals(self, customer: np.ndarray, month: np.ndarray, live: np.ndarray, cash: np.ndarray) -> Events:
        """Cash: round withdrawals of a customer-typical size."""
        has = live & (cash >= 10)
        typical = np.clip(
            np.round(self.customers.net_monthly[customer[has]] * ATM_TYPICAL_SHARE, -1), *ATM_TYPICAL_RANGE
        )
        count = np.maximum(1, np.round(cash[has] / typical)).astype(np.int64)
        atm = self._split(customer[has], month[has], count, cash[has], "atm", ATM_WEEKDAY, (7, 23))
        atm.cents[:] = np.maximum(np.round(atm.cents / ATM_NOTE_CENTS) * ATM_NOTE_CENTS, ATM_NOTE_CENTS).astype(
            np.int64
        )
        return atm

    def _online_transfers(
        self, customer: np.ndarray, month: np.ndarray, live: np.ndarray, online: np.ndarray
    ) -> Events:
        rng = self.rng
        has = live & (online >= 1)
        count = 1 + rng.poisson(ONLINE_TRANSFERS_PER_MONTH, has.sum())
        payee = self.details.payee + rng.integers(0, len(PAYEES), int(count.sum()))  # drawn before the split's
        return self._split(
            customer[has], month[has], count, online[has], "transfer_out", ONLINE_WEEKDAY, (7, 23.9), detail=payee
        )

    def _card_repayments(self, customer: np.ndarray, month: np.ndarray, repaid: np.ndarray) -> list[Events]:
        """Credit-card repayments: one transfer out of checking, one into the card account."""
        has = repaid > 0.5
        day = self.calendar.on_day_of_month(month[has], CARD_REPAYMENT_DAY, business=True)
        amount = repaid[has]
        second = np.full(has.sum(), CARD_REPAYMENT_SECOND)
        return [
            Events.of("card_repayment", self.main[customer[has]], day, second, amount),
            Events.of("card_repaid", self.card[customer[has]], day, second, amount),
        ]

    def side_accounts(self) -> list[Events]:
        """Foreign-currency accounts see a little traffic; savings earn quarterly interest."""
        return [*self._foreign_traffic(), self._savings_interest()]

    def _foreign_traffic(self) -> list[Events]:
        accounts, calendar, rng = self.accounts, self.calendar, self.rng
        foreign = np.flatnonzero((accounts.type != SAVINGS) & (accounts.type != CREDIT_CARD) & ~accounts.is_main)
        account, month = _grid(foreign, calendar.n_months)
        count_in, count_out = (
            rng.poisson(FOREIGN_IN_PER_MONTH, account.size),
            rng.poisson(FOREIGN_OUT_PER_MONTH, account.size),
        )
        in_account, in_month = np.repeat(account, count_in), np.repeat(month, count_in)
        out_account, out_month = np.repeat(account, count_out), np.repeat(month, count_out)
        # argument order is draw order: days, times, amounts, payees
        incoming = Events.of(
            "transfer_in", in_account, calendar.draw_days(in_month, ONLINE_WEEKDAY, rng), _seconds(rng, in_account.size, 7, 23),
            np.round(rng.lognormal(np.log(FOREIGN_IN_MEDIAN), FOREIGN_IN_LOG_SD, in_account.size), 2),
            detail=self.details.payee + rng.integers(0, len(PAYEES), in_account.size),
        )  # fmt: skip
        outgoing = Events.of(
            "card", out_account, calendar.draw_days(out_month, CARD_WEEKDAY, rng), _seconds(rng, out_account.size, 8, 22),
            np.round(rng.lognormal(np.log(FOREIGN_OUT_MEDIAN), FOREIGN_OUT_LOG_SD, out_account.size), 2),
            category=np.full(out_account.size, TRAVEL), detail=np.full(out_account.size, self.details.merchant + TRAVEL_MERCHANT),
        )  # fmt: skip
        return [incoming, outgoing]

    def _savings_interest(self) -> Events:
        accounts, calendar = self.accounts, self.calendar
        account, month = _grid(np.flatnonzero(accounts.type == SAVINGS), calendar.n_months)
        quarter_end = np.isin(calendar_month(calendar.month_first[month]), QUARTER_ENDS)
        account, month = account[quarter_end], month[quarter_end]
        interest = np.round(accounts.opening_balance[account] * QUARTERLY_INTEREST, 2)
        keep = interest >= 0.01
        day = calendar.on_day_of_month(month[keep], 31)
        return Events.of("interest", account[keep], day, np.full(keep.sum(), INTEREST_SECOND), interest[keep])

    # ---- assembly ---------------------------------------------------------------------------------
    def in_window(self, events: Events) -> Events:
        """Only events inside the timeline and while their account is open."""
        accounts, timeline = self.accounts, self.timeline
        opened, closed = accounts.opened[events.account], accounts.closed[events.account]
        closed = np.where(closed < 0, timeline.end + 1, closed)
        day = events.day
        return events.select((day >= timeline.history_start) & (day <= timeline.end) & (day >= opened) & (day < closed))

    def monthly_totals(self, events: Events) -> np.ndarray:
        """customers x months: the total of the main-account events given."""
        owner = self.accounts.customer[events.account]
        on_main = self.accounts.is_main[events.account]
        month = self.calendar.month_of(events.day)
        n_months = self.calendar.n_months
        flat = np.bincount(
            owner[on_main] * n_months + month[on_main],
            events.cents[on_main] / 100,
            minlength=self.customers.n * n_months,
        )
        return flat.reshape(self.customers.n, n_months)

    def all_events(self) -> Events:
        income = self.in_window(Events.concat(self.income()))
        fixed = self.in_window(Events.concat(self.fixed()))
        spending = self.spending(
            self.monthly_totals(income),
            self.monthly_totals(fixed.select(~fixed.credit)) - self.monthly_totals(fixed.select(fixed.credit)),
        )
        return self.in_window(Events.concat([income, fixed, *spending, *self.side_accounts()]))
