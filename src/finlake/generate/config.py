"""What one `finlake generate` run is asked to make, its defaults, and what it refuses."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta

from finlake.errors import UsageError

# Defaults sized so the whole `make run` pipeline stays a few minutes on 2 cores: ~0.5M
# transactions and ~700 loans with outcomes (about 10% of them defaults).
DEFAULT_CUSTOMERS = 1000
DEFAULT_DAYS = 7
DEFAULT_START_DATE = "2024-07-01"
DEFAULT_SEED = 20240701
DEFAULT_DIRTY_RATE = 0.02

# The first ingest_date carries a migration backfill: this many days of transaction history before
# it. 540 days leave loans originated from day 180 onwards a full 180-day pre-origination window.
HISTORY_DAYS = 540

MAX_CUSTOMERS = 200_000
MAX_DAYS = 366
MAX_DIRTY_RATE = 0.5
EARLIEST_START = date(1970, 1, 1)
LATEST_START = date(2200, 1, 1)
# A rough rows-per-customer-day figure, used only to refuse runs that would not fit in memory.
TRANSACTIONS_PER_CUSTOMER_DAY = 1.2
MAX_ESTIMATED_TRANSACTIONS = 40_000_000


@dataclass(frozen=True)
class GeneratorConfig:
    customers: int = DEFAULT_CUSTOMERS
    days: int = DEFAULT_DAYS
    start_date: str = DEFAULT_START_DATE
    seed: int = DEFAULT_SEED
    dirty_rate: float = DEFAULT_DIRTY_RATE

    @classmethod
    def resolve(
        cls,
        customers: int | None = None,
        days: int | None = None,
        start_date: str | None = None,
        seed: int | None = None,
        dirty_rate: float | None = None,
    ) -> GeneratorConfig:
        """The config for the given options, `None` meaning 'the default'; refuses nonsense."""
        config = cls(
            customers=DEFAULT_CUSTOMERS if customers is None else customers,
            days=DEFAULT_DAYS if days is None else days,
            start_date=DEFAULT_START_DATE if start_date is None else start_date,
            seed=DEFAULT_SEED if seed is None else seed,
            dirty_rate=DEFAULT_DIRTY_RATE if dirty_rate is None else dirty_rate,
        )
        config.validate()
        return config

    def validate(self) -> None:
        if not 1 <= self.customers <= MAX_CUSTOMERS:
            raise UsageError(f"--customers must be between 1 and {MAX_CUSTOMERS:,}, got {self.customers}")
        if not 1 <= self.days <= MAX_DAYS:
            raise UsageError(f"--days must be between 1 and {MAX_DAYS}, got {self.days}")
        if self.seed < 0 or self.seed >= 2**63:
            raise UsageError(f"--seed must be a whole number from 0 to 2^63-1, got {self.seed}")
        if not 0.0 <= self.dirty_rate <= MAX_DIRTY_RATE:
            raise UsageError(f"--dirty-rate must be between 0 and {MAX_DIRTY_RATE}, got {self.dirty_rate}")
        try:
            start = date.fromisoformat(self.start_date)
        except ValueError:
            raise UsageError(f"--start-date must be a date as YYYY-MM-DD, got {self.start_date!r}") from None
        if not EARLIEST_START <= start <= LATEST_START:
            raise UsageError(
                f"--start-date must be between {EARLIEST_START} and {LATEST_START} "
                f"(customers are born up to 100 years before it), got {self.start_date}"
            )
        estimate = self.customers * (HISTORY_DAYS + self.days) * TRANSACTIONS_PER_CUSTOMER_DAY
        if estimate > MAX_ESTIMATED_TRANSACTIONS:
            raise UsageError(
                f"--customers {self.customers} with --days {self.days} would make about {estimate:,.0f} "
                f"transactions, more than one run can hold in memory ({MAX_ESTIMATED_TRANSACTIONS:,}); "
                "use fewer customers or days"
            )

    @property
    def start(self) -> date:
        return date.fromisoformat(self.start_date)

    @property
    def end(self) -> date:
        """The last ingest_date."""
        return self.start + timedelta(days=self.days - 1)

    @property
    def history_start(self) -> date:
        return self.start - timedelta(days=HISTORY_DAYS)

    def ingest_dates(self) -> list[str]:
        return [(self.start + timedelta(days=i)).isoformat() for i in range(self.days)]

    def arguments(self) -> dict[str, object]:
        """The resolved arguments, as recorded in the manifest (same arguments, same files)."""
        return asdict(self)
