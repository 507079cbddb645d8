"""The transaction-monitoring rules, declared once: names, thresholds, windows and what qualifies.

Pure Python (standard library only): the nightly batch builder (`finlake.gold.compliance`, Spark) and
the real-time monitor (`finlake.stream`, shipped inside the monitoring Lambda's zip) both import these
declarations, so the two can never disagree on a threshold. Both judge in event time (`booked_at`).

LARGE_CASH: one cash transaction (channel in CASH_CHANNELS, either direction) with amount >= threshold.
STRUCTURING: cash CREDIT deposits each in [lower_fraction x threshold, threshold), at least `min_count`
of them within `window_days` of each other (see gold/compliance.py for the exact burst definition).
VELOCITY (stream only): at least `min_count` card or ATM debits on one account within `window_seconds`,
grouped into bursts exactly like STRUCTURING.
Alert ids are `<rule>:<account_id>:<first transaction_id>` in both.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from finlake.contracts.bronze import CASH_CHANNELS

LARGE_CASH = "LARGE_CASH"
STRUCTURING = "STRUCTURING"
VELOCITY = "VELOCITY"
SECONDS_PER_DAY = 86_400
CENT = Decimal("0.01")

LARGE_CASH_THRESHOLD = 10_000.00  # a single cash transaction at or above this is reported
STRUCTURING_WINDOW_DAYS = 7  # several cash deposits just below the threshold within this window...
STRUCTURING_MIN_COUNT = 3  # ...at least this many of them...
STRUCTURING_LOWER_FRACTION = 0.8  # ...each between 80% of the threshold and the threshold
STRUCTURING_DIRECTION = "CREDIT"  # deposits

VELOCITY_CHANNELS = ("CARD", "ATM")  # card-present spend and cash machines: where stolen cards are used
VELOCITY_DIRECTION = "DEBIT"
VELOCITY_WINDOW_SECONDS = 600  # at least VELOCITY_MIN_COUNT of them within 10 minutes
VELOCITY_MIN_COUNT = 5

# The stream's lateness bound: an event booked more than this before the latest booking its shard has
# seen is late (sent to the late-events output; the nightly batch, which sees it in Bronze, reconciles).
ALLOWED_LATENESS_SECONDS = 900


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class ComplianceRules:
    """LARGE_CASH and STRUCTURING parameters (the Gold job takes them as job parameters)."""

    threshold: float = LARGE_CASH_THRESHOLD
    window_days: int = STRUCTURING_WINDOW_DAYS
    min_count: int = STRUCTURING_MIN_COUNT
    lower_fraction: float = STRUCTURING_LOWER_FRACTION

    @property
    def threshold_money(self) -> Decimal:
        return _money(self.threshold)

    @property
    def lower_bound_money(self) -> Decimal:
        # decimals, not floats: 0.8 x 10,000.00 is exactly 8,000.00, no rounding at the edge
        return (self.threshold_money * Decimal(str(self.lower_fraction))).quantize(CENT, ROUND_HALF_UP)

    @property
    def window_seconds(self) -> int:
        return self.window_days * SECONDS_PER_DAY

    def is_cash(self, channel: str) -> bool:
        return channel in CASH_CHANNELS

    def is_large_cash(self, channel: str, amount: Decimal) -> bool:
        return self.is_cash(channel) and amount >= self.threshold_money

    def is_just_below(self, channel: str, direction: str, amount: Decimal) -> bool:
        """A deposit that counts towards STRUCTURING."""
        return (
            self.is_cash(channel)
            and direction == STRUCTURING_DIRECTION
            and self.lower_bound_money <= amount < self.threshold_money
        )


@dataclass(frozen=True)
class VelocityRule:
    window_seconds: int = VELOCITY_WINDOW_SECONDS
    min_count: int = VELOCITY_MIN_COUNT
    channels: tuple[str, ...] = VELOCITY_CHANNELS
    direction: str = VELOCITY_DIRECTION

    def qualifies(self, channel: str, direction: str) -> bool:
        return channel in self.channels and direction == self.direction


def alert_id(rule: str, account_id: str, first_transaction_id: str) -> str:
    """The key batch and stream share, so their alerts reconcile."""
    return f"{rule}:{account_id}:{first_transaction_id}"
