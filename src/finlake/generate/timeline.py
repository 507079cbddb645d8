"""Calendar arithmetic on day numbers (days since 1970-01-01), vectorised, plus named random streams.

Every stage draws from its own stream (`stream(seed, "loans")`), so adding draws to one stage never
shifts the numbers another stage sees, and the same seed always gives the same files.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from finlake.generate.config import HISTORY_DAYS, GeneratorConfig

SECONDS_PER_DAY = 86_400


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent random generator for one named stage of the generation."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(zlib.crc32(name.encode()),)))


def day_number(iso_date: str) -> int:
    return int(np.datetime64(iso_date, "D").astype(np.int64))


def weekday(days: np.ndarray) -> np.ndarray:
    """0 = Monday ... 6 = Sunday (1970-01-01 was a Thursday)."""
    return (days + 3) % 7


def month_number(days: np.ndarray) -> np.ndarray:
    """Months since 1970-01 for each day."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def calendar_month(days: np.ndarray) -> np.ndarray:
    """1..12 for each day."""
    return month_number(days) % 12 + 1


def month_start(months: np.ndarray) -> np.ndarray:
    """The first day (day number) of each month number."""
    return np.asarray(months, dtype=np.int64).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def day_of_month(days: np.ndarray) -> np.ndarray:
    """1..31 for each day."""
    return days - month_start(month_number(days)) + 1


def add_months(days: np.ndarray, months: np.ndarray | int) -> np.ndarray:
    """Same day of month, `months` later; clamped to the month's last day (Jan 31 + 1 -> Feb 28/29)."""
    target = month_number(days) + months
    last = month_start(target + 1) - 1
    return np.minimum(month_start(target) + day_of_month(days) - 1, last)


@dataclass(frozen=True)
class Timeline:
    """The generated period: history (backfilled on the first ingest day) then one day per ingest_date."""

    history_start: int  # first booking day
    start: int  # first ingest_date; days before it are backfill
    end: int  # last ingest_date (inclusive)

    @classmethod
    def of(cls, config: GeneratorConfig) -> Timeline:
        start = day_number(config.start_date)
        return cls(history_start=start - HISTORY_DAYS, start=start, end=start + config.days - 1)

    @property
    def n_days(self) -> int:
        return self.end - self.history_start + 1

    @property
    def first_month(self) -> int:
        return int(month_number(np.array([self.history_start]))[0])

    @property
    def n_months(self) -> int:
        return int(month_number(np.array([self.end]))[0]) - self.first_month + 1

    def ingest_day(self, days: np.ndarray) -> np.ndarray:
        """The ingest_date (day number) a record made on each day is delivered in."""
        return np.maximum(days, self.start)
