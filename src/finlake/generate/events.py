"""Transaction events as parallel numpy columns, and the kinds of events a retail account sees.

An event kind fixes the channel, the direction, how the description starts and whether it carries
a detail (merchant, employer, loan id). Keeping kinds as small integers keeps a million events in a
few tens of megabytes; strings are only built when the CSV is written.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from finlake.contracts import bronze
from finlake.generate.population import code


@dataclass(frozen=True)
class Kind:
    name: str
    channel: str
    credit: bool
    description: str  # prefix; a detail (merchant, employer, loan id) may follow


def _kind(name: str, channel: str, direction: str, description: str) -> Kind:
    return Kind(name, code(bronze.CHANNELS, channel), code(bronze.DIRECTIONS, direction) == "CREDIT", description)


KINDS = (
    _kind("salary", "TRANSFER", "CREDIT", "SALARY "),
    _kind("bonus", "TRANSFER", "CREDIT", "BONUS "),
    _kind("invoice", "TRANSFER", "CREDIT", "INVOICE PAYMENT"),
    _kind("pension", "TRANSFER", "CREDIT", "STATE PENSION"),
    _kind("benefit", "TRANSFER", "CREDIT", "UNEMPLOYMENT BENEFIT"),
    _kind("allowance", "ONLINE", "CREDIT", "TRANSFER FROM FAMILY"),
    _kind("transfer_in", "ONLINE", "CREDIT", "TRANSFER FROM "),
    _kind("cash_deposit", "BRANCH", "CREDIT", "CASH DEPOSIT"),
    _kind("rent", "STANDING_ORDER", "DEBIT", "RENT"),
    _kind("electricity", "DIRECT_DEBIT", "DEBIT", "ELECTRICITY"),
    _kind("phone", "DIRECT_DEBIT", "DEBIT", "MOBILE PHONE"),
    _kind("insurance", "DIRECT_DEBIT", "DEBIT", "INSURANCE PREMIUM"),
    _kind("fee", "SYSTEM", "DEBIT", "ACCOUNT FEE"),
    _kind("loan_repayment", "DIRECT_DEBIT", "DEBIT", "LOAN REPAYMENT "),
    _kind("loan_payout", "SYSTEM", "CREDIT", "LOAN DISBURSEMENT "),
    _kind("to_savings", "STANDING_ORDER", "DEBIT", "TRANSFER TO SAVINGS"),
    _kind("from_checking", "STANDING_ORDER", "CREDIT", "STANDING ORDER FROM CHECKING"),
    _kind("card_repayment", "TRANSFER", "DEBIT", "CREDIT CARD REPAYMENT"),
    _kind("card_repaid", "TRANSFER", "CREDIT", "REPAYMENT RECEIVED"),
    _kind("card", "CARD", "DEBIT", ""),
    _kind("atm", "ATM", "DEBIT", "ATM WITHDRAWAL"),
    _kind("transfer_out", "ONLINE", "DEBIT", "TRANSFER TO "),
    _kind("interest", "SYSTEM", "CREDIT", "INTEREST"),
)
KIND = {k.name: i for i, k in enumerate(KINDS)}
CREDIT_KIND = np.array([k.credit for k in KINDS])


@dataclass
class Events:
    account: np.ndarray  # account index
    day: np.ndarray  # day number booked
    second: np.ndarray  # second of the day
    cents: np.ndarray  # amount in cents, > 0
    kind: np.ndarray  # index into KINDS
    category: np.ndarray  # merchant category index, -1 if none
    detail: np.ndarray  # index into the detail strings, 0 = none

    @classmethod
    def of(cls, kind: str, account, day, second, amount, category=None, detail=None) -> Events:
        n = np.size(account)
        return cls(
            account=np.asarray(account, dtype=np.int64),
            day=np.asarray(day, dtype=np.int64),
            second=np.asarray(second, dtype=np.int64),
            cents=np.maximum(np.round(np.asarray(amount, dtype=float) * 100), 1).astype(np.int64),
            kind=np.full(n, KIND[kind], dtype=np.int16),
            category=np.full(n, -1, np.int16) if category is None else np.asarray(category, dtype=np.int16),
            detail=np.zeros(n, np.int32) if detail is None else np.asarray(detail, dtype=np.int32),
        )

    def __len__(self) -> int:
        return int(self.account.size)

    def select(self, mask_or_index: np.ndarray) -> Events:
        return Events(**{f.name: getattr(self, f.name)[mask_or_index] for f in fields(self)})

    @classmethod
    def concat(cls, parts: list[Events]) -> Events:
        return cls(**{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)})

    @property
    def credit(self) -> np.ndarray:
        return CREDIT_KIND[self.kind]

    @property
    def signed_cents(self) -> np.ndarray:
        return np.where(self.credit, self.cents, -self.cents)
