"""The generated lake's reference data: ECB euro reference rates for the currencies its accounts use.

Not synthetic and not made dirty: the real rates (finlake/fxrates.py) for every currency the
population draws, from the last rate before the first booking day to the last ingest_date. Rates up
to the first ingest_date arrive in its backfill; later ones on the day they are for. No random
stream is drawn, so the other entities' files for a seed are unchanged.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from finlake.contracts.bronze import FX_RATES
from finlake.fxrates import rate_rows
from finlake.generate.dirt import Delivered
from finlake.generate.population import FOREIGN_CURRENCIES, HOME_CURRENCY
from finlake.generate.timeline import Timeline, day_number


def _date(day: int) -> np.datetime64:
    return np.datetime64(int(day), "D")


def fx_rate_delivery(timeline: Timeline) -> Delivered:
    """Bronze fx_rates as delivered: clean rows, in ingest order."""
    first = _date(timeline.history_start).astype(object)
    last = _date(timeline.end).astype(object)
    rows = rate_rows((HOME_CURRENCY, *FOREIGN_CURRENCIES), first, last)
    table = pa.table({c: pa.array([r[c] for r in rows], type=pa.string()) for c in FX_RATES.column_names})
    days = np.array([day_number(r["rate_date"]) for r in rows], dtype=np.int64)
    ingest = timeline.ingest_day(days)
    n = table.num_rows
    clean = np.full(n, "", dtype=object)  # no quarantine reason, not normalised
    return Delivered(FX_RATES, table, ingest, clean, np.zeros(n, dtype=bool), clean.copy())
