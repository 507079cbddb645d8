"""Amounts into the reporting currency (EUR) in pure Python: the real-time monitor's twin of gold/fx.py.

Standard library only (it ships inside the monitoring Lambda's zip). Same rule as gold/fx.py, so the
stream and the nightly batch judge the same EUR amount: the latest rate on or before the amount's date;
before a currency's first rate, that first rate (flagged estimated); an amount in EUR is itself; a
currency with no rate at all has no EUR amount (None: it can trip no threshold). Where several
versions of one currency's rate for one day exist, the latest published wins (silver.fx_rates keeps
only that one; a snapshot may hold more).

Rounding mirrors Spark's `F.round(amount / rate_per_eur, 2)` on decimal(18,2) / decimal(18,6): Spark
computes the quotient as decimal(38,16) rounded half-up, then rounds half-up to the cent.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

REPORTING_CURRENCY = "EUR"  # finlake.contracts.bronze.REPORTING_CURRENCY (asserted equal in the tests)
CENT = Decimal("0.01")
_SPARK_QUOTIENT = Decimal(1).scaleb(-16)  # decimal(18,2) / decimal(18,6) -> decimal(38,16) in Spark 3.5
_DIVISION = Context(prec=39, rounding=ROUND_HALF_UP)  # Spark's Decimal MATH_CONTEXT precision, then the scale

RateRow = tuple[str, date, Decimal, Any]  # (currency, rate_date, rate_per_eur, published_at)


@dataclass(frozen=True)
class Conversion:
    amount_eur: Decimal | None
    rate_date: date | None  # the rate's date (None for EUR or an unknown currency)
    estimated: bool  # the rate is from after the amount's date: before the currency's series began


@dataclass
class RateBook:
    """Per currency: rate dates in order and their rates. An empty book converts only EUR amounts."""

    dates: dict[str, list[date]] = field(default_factory=dict)
    rates: dict[str, list[Decimal]] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Iterable[RateRow]) -> RateBook:
        latest: dict[tuple[str, date], tuple[Any, Decimal]] = {}
        for currency, rate_date, rate, published_at in rows:
            key = (currency, rate_date)
            if key not in latest or published_at > latest[key][0]:
                latest[key] = (published_at, Decimal(rate))
        book = cls()
        for (currency, rate_date), (_, rate) in sorted(latest.items()):
            book.dates.setdefault(currency, []).append(rate_date)
            book.rates.setdefault(currency, []).append(rate)
        return book

    def currencies(self) -> list[str]:
        return sorted(self.dates)

    def convert(self, amount: Decimal, currency: str, day: date) -> Conversion:
        if currency == REPORTING_CURRENCY:
            return Conversion(amount, None, False)
        dates = self.dates.get(currency)
        if not dates:
            return Conversion(None, None, False)
        i = max(bisect_right(dates, day) - 1, 0)  # the latest on or before `day`, else the first
        quotient = _DIVISION.divide(amount, self.rates[currency][i]).quantize(_SPARK_QUOTIENT, ROUND_HALF_UP)
        return Conversion(quotient.quantize(CENT, ROUND_HALF_UP), dates[i], day < dates[i])

    def to_eur(self, amount: Decimal, currency: str, day: date) -> Decimal | None:
        return self.convert(amount, currency, day).amount_eur

    def to_json(self) -> str:
        """A snapshot: {currency: [[rate_date, rate_per_eur], ...]} (what the Lambda loads from S3)."""
        return json.dumps(
            {
                c: [[d.isoformat(), str(r)] for d, r in zip(self.dates[c], self.rates[c], strict=True)]
                for c in self.dates
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> RateBook:
        """The snapshot `to_json` writes; a malformed one raises ValueError naming what is wrong."""
        try:
            data = json.loads(text)
            rows = [
                (str(c), date.fromisoformat(d), Decimal(r), datetime.min) for c, pairs in data.items() for d, r in pairs
            ]
            positive = all(r > 0 for _, _, r, _ in rows)
        except (ValueError, TypeError, AttributeError, ArithmeticError) as e:
            raise ValueError(f"not a rate snapshot ({{currency: [[date, rate], ...]}}): {e}") from e
        if not positive:
            raise ValueError("not a rate snapshot: a rate_per_eur is not positive")
        return cls.from_rows(rows)
