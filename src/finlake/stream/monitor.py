"""The monitor's pure core: streamed records -> events or dead letters; events -> account state and alerts.

A record's data is one JSON object holding the transactions contract's fields as strings (the form a
Bronze row takes; see the Bronze contract). Anything else is a dead letter with Silver's reason code:
not JSON or not an object -> MALFORMED_ROW, a contract field absent -> MISSING_COLUMN, a bad value ->
the reasons Silver's validation gives it (finlake.stream.validation).

LARGE_CASH and STRUCTURING judge the amount in EUR, converted with the rules' rate book at the booking
date (finlake.contracts.fx_rates: the rule Gold applies). With the default, empty book only amounts
booked in EUR are judged; any other currency has no EUR amount and trips neither. VELOCITY counts events
and needs no amount.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from finlake.contracts.bronze import TRANSACTIONS
from finlake.contracts.compliance_rules import (
    ALLOWED_LATENESS_SECONDS,
    LARGE_CASH,
    STRUCTURING,
    VELOCITY,
    ComplianceRules,
    VelocityRule,
    alert_id,
)
from finlake.contracts.fx_rates import RateBook
from finlake.stream.bursts import BurstState, bursts, prune
from finlake.stream.tick import IDLE_SECONDS, Tick, is_tick
from finlake.stream.validation import check


@dataclass(frozen=True)
class Event:
    transaction_id: str
    account_id: str
    t: int  # booked_at in whole epoch seconds, as the batch's `booked_at.cast("long")`
    amount: Decimal  # in `currency`, the account's
    direction: str
    channel: str
    arrived_at: float  # processing time the stream received it (Kinesis approximateArrivalTimestamp)
    currency: str = "EUR"
    booked_date: date | None = None  # booked_at's UTC date, as Silver's booked_date (the conversion's date)


@dataclass(frozen=True)
class DeadLetter:
    reasons: tuple[str, ...]
    data: str  # the record as received (decoded as UTF-8 with replacement)


def parse_record(data: bytes, arrived_at: float) -> Event | DeadLetter | Tick:
    text = data.decode("utf-8", errors="replace")  # as Spark's CSV reader decodes: bad bytes become U+FFFD
    try:
        raw = json.loads(text)
    except ValueError:
        return DeadLetter(("MALFORMED_ROW",), text)
    if not isinstance(raw, dict):
        return DeadLetter(("MALFORMED_ROW",), text)
    if is_tick(raw):  # a watermark tick (finlake.stream.tick), not a transaction
        return Tick(arrived_at)
    checked = check(TRANSACTIONS, raw)
    if checked.reasons:
        return DeadLetter(checked.reasons, text)
    v = checked.values
    return Event(
        transaction_id=v["transaction_id"],
        account_id=v["account_id"],
        t=int(v["booked_at"].timestamp() // 1),
        amount=v["amount"],
        direction=v["direction"],
        channel=v["channel"],
        arrived_at=arrived_at,
        currency=v["currency"],
        booked_date=v["booked_at"].astimezone(UTC).date(),
    )


@dataclass(frozen=True)
class Rules:
    compliance: ComplianceRules = field(default_factory=ComplianceRules)
    velocity: VelocityRule = field(default_factory=VelocityRule)
    lateness_seconds: int = ALLOWED_LATENESS_SECONDS
    idle_seconds: float = IDLE_SECONDS  # a tick moves a shard's watermark once it has been quiet this long
    rates: RateBook = field(default_factory=RateBook)  # empty: only EUR amounts are judged (see the docstring)

    def amount_eur(self, event: Event) -> Decimal | None:
        """The amount the compliance thresholds compare: in EUR at the booking date, None when unconvertible."""
        day = event.booked_date or datetime.fromtimestamp(event.t, UTC).date()
        return self.rates.to_eur(event.amount, event.currency, day)

    def windows(self) -> dict[str, tuple[int, int]]:
        """Burst rules: name -> (window seconds, minimum count)."""
        return {
            STRUCTURING: (self.compliance.window_seconds, self.compliance.min_count),
            VELOCITY: (self.velocity.window_seconds, self.velocity.min_count),
        }

    def burst_rule(self, event: Event, amount_eur: Decimal | None) -> str | None:
        if amount_eur is not None and self.compliance.is_just_below(event.channel, event.direction, amount_eur):
            return STRUCTURING
        if self.velocity.qualifies(event.channel, event.direction):
            return VELOCITY
        return None


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def make_alert(rule: str, account_id: str, events: list[list[Any]], now: float) -> dict[str, Any]:
    """The published alert: ids, times and amounts; no direct identifier (no name, e-mail, phone, address)."""
    amounts = [Decimal(e[2]) for e in events]
    return {
        "alert_id": alert_id(rule, account_id, events[0][1]),
        "rule": rule,
        "account_id": account_id,
        "first_transaction_id": events[0][1],
        "first_booked_at": _iso(events[0][0]),
        "last_booked_at": _iso(events[-1][0]),
        "transaction_count": len(events),
        "total_amount": str(sum(amounts)),
        "max_amount": str(max(amounts)),
        "transaction_ids": [e[1] for e in events],
        "detected_at": _iso(now),
        "trigger_arrived_at": max(e[4] for e in events),  # the arrival that completed it (latency)
    }


@dataclass
class AccountState:
    """One account's memory: ids seen (dedupe) and each burst rule's qualifying events."""

    seen: dict[str, int] = field(default_factory=dict)  # transaction_id -> t
    rules: dict[str, BurstState] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps({"seen": self.seen, "rules": {k: v.to_json() for k, v in self.rules.items()}})

    @classmethod
    def from_json(cls, text: str | None) -> AccountState:
        if not text:
            return cls()
        data = json.loads(text)
        return cls(data["seen"], {k: BurstState.from_json(v) for k, v in data["rules"].items()})


def apply(state: AccountState, event: Event, rules: Rules, now: float) -> list[dict[str, Any]]:
    """Record a fresh, timely event; LARGE_CASH alerts at once (it is final the moment it is seen)."""
    state.seen[event.transaction_id] = event.t
    alerts = []
    amount_eur = rules.amount_eur(event)
    if amount_eur is not None and rules.compliance.is_large_cash(event.channel, amount_eur):
        alerts.append(
            make_alert(
                LARGE_CASH,
                event.account_id,
                [[event.t, event.transaction_id, str(event.amount), 0, event.arrived_at]],
                now,
            )
        )
    rule = rules.burst_rule(event, amount_eur)
    if rule:
        burst_state = state.rules.setdefault(rule, BurstState())
        burst_state.add(event.t, event.transaction_id, str(event.amount), event.arrived_at)
    return alerts


def settle(
    state: AccountState, account_id: str, rules: Rules, watermark: int, now: float, seen_floor: float | None = None
) -> tuple[list[dict[str, Any]], int | None]:
    """Alerts for bursts that became final; the watermark at which a held burst will be final (or None).

    `seen_floor`: ids of events at or after it are kept whatever the watermark — a retry of the batch judges
    lateness from the watermark stored before it, and must find every event it does not call late in `seen`
    (else it would apply it twice)."""
    alerts, hold = [], None
    for rule, (window, min_count) in rules.windows().items():
        burst_state = state.rules.get(rule)
        if burst_state is None:
            continue
        for burst in bursts(burst_state, rule, account_id, window, min_count, watermark):
            if burst.alert_id in burst_state.emitted:
                continue
            if burst.final:
                burst_state.emitted[burst.alert_id] = burst.first[0]
                alerts.append(make_alert(rule, account_id, burst.events, now))
            else:
                hold = burst.release_at if hold is None else min(hold, burst.release_at)
        prune(burst_state, rule, account_id, window, watermark)
    keep_from: float = watermark - rules.lateness_seconds  # a re-delivery older than this is reported late
    if seen_floor is not None:
        keep_from = min(keep_from, seen_floor)
    state.seen = {k: t for k, t in state.seen.items() if t >= keep_from}
    return alerts, hold
