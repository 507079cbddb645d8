"""STRUCTURING and VELOCITY in a stream: bursts of qualifying events, each alerted once, when it is final.

The batch definition (gold/compliance.py), on event-time seconds t: a qualifying event *anchors* when
at least `min_count` qualifying events of its account have t in [t_a, t_a + W); an event is in a pattern
when an anchor lies in (t - W, t]; pattern events less than W apart are one burst, whose alert id names
its first event in (t, transaction_id) order.

In a stream, events arrive late (up to the lateness bound) and out of order, so the first event of a
burst can still change after the burst is detected. A burst is *final* once no event still to come can
change its first event f: every future event has t >= watermark, so that holds when watermark > t_f and
every qualifying, non-pattern event e in (t_f - W, t_f) has its window closed (t_e + W <= watermark) —
only such an e, turning into a pattern event, could join the burst ahead of f. Final bursts are alerted;
the others are held until the watermark passes their `release_at`.

State is bounded: an event with t + 2W <= watermark can no longer interact with anything to come; it is
dropped, keeping its pattern flag on the events it affected (flags only ever turn on) and, in `carry`,
the burst a later pattern event may still extend.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Any

from finlake.contracts.compliance_rules import alert_id


@dataclass
class Burst:
    alert_id: str
    first: list[Any]  # the first event [t, transaction_id, amount, pattern]
    events: list[list[Any]]
    final: bool
    release_at: int  # the watermark at which it becomes final


@dataclass
class BurstState:
    """One account's qualifying events for one rule; JSON-serialisable (lists and scalars only)."""

    events: list[list[Any]] = field(default_factory=list)  # [t, id, amount (str), pattern (0/1), arrived_at]
    emitted: dict[str, int] = field(default_factory=dict)  # alert id -> t of its first event
    carry: list[Any] | None = None  # [t, alert id] of the last dropped pattern event

    def to_json(self) -> dict[str, Any]:
        return {"e": self.events, "m": self.emitted, "c": self.carry}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> BurstState:
        data = data or {}
        return cls(data.get("e", []), data.get("m", {}), data.get("c"))

    def add(self, t: int, transaction_id: str, amount: str, arrived_at: float) -> None:
        self.events.append([t, transaction_id, amount, 0, arrived_at])
        self.events.sort(key=lambda e: (e[0], e[1]))


def _pattern_flags(events: list[list[Any]], window: int, min_count: int) -> list[bool]:
    times = [e[0] for e in events]
    anchors = [t for t in times if bisect_right(times, t + window - 1) - bisect_left(times, t) >= min_count]
    flags = []
    for e in events:
        k = bisect_right(anchors, e[0]) - 1  # the latest anchor at or before t (ties included)
        flags.append(bool(e[3]) or (k >= 0 and anchors[k] > e[0] - window))
    return flags


def bursts(state: BurstState, rule: str, account_id: str, window: int, min_count: int, watermark: int) -> list[Burst]:
    """Every burst in the retained events (pattern flags updated in place), with its finality."""
    flags = _pattern_flags(state.events, window, min_count)
    for e, flag in zip(state.events, flags, strict=True):
        e[3] = int(flag)
    found: list[Burst] = []
    last_t = state.carry[0] if state.carry else None
    continuing_carry = state.carry is not None  # pattern events right after the carried burst extend it
    for e, flag in zip(state.events, flags, strict=True):
        if not flag:
            continue
        if last_t is not None and e[0] - last_t < window:
            if not continuing_carry:
                found[-1].events.append(e)
        else:
            continuing_carry = False
            found.append(Burst(alert_id(rule, account_id, e[1]), e, [e], False, 0))
        last_t = e[0]
    for burst in found:
        t_f = burst.first[0]
        blockers = [
            e[0] + window for e, flag in zip(state.events, flags, strict=True) if not flag and t_f - window < e[0] < t_f
        ]
        burst.release_at = max([t_f + 1, *blockers])
        burst.final = watermark >= burst.release_at
    return found


def prune(state: BurstState, rule: str, account_id: str, window: int, watermark: int) -> None:
    """Drop events that nothing to come can interact with (call after `bursts`, which set the flags)."""
    horizon = watermark - 2 * window
    keep_from = next((i for i, e in enumerate(state.events) if e[0] > horizon), len(state.events))
    last_t = state.carry[0] if state.carry else None
    carry_id = state.carry[1] if state.carry else None
    for e in state.events[:keep_from]:
        if e[3]:
            if last_t is None or e[0] - last_t >= window:
                carry_id = alert_id(rule, account_id, e[1])
            last_t = e[0]
    state.carry = [last_t, carry_id] if last_t is not None else None
    del state.events[:keep_from]
    state.emitted = {k: t for k, t in state.emitted.items() if t > horizon or k == carry_id}
