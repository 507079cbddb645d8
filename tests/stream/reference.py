"""The batch burst definition written out by brute force (independent of finlake.stream.bursts)."""

from __future__ import annotations

from datetime import datetime


def burst_ids(rule: str, events: list[tuple[str, str, int]], window: int, min_count: int) -> set[str]:
    """events: (account_id, transaction_id, t) of qualifying events -> alert ids, per gold/compliance.py."""
    ids = set()
    for account in {e[0] for e in events}:
        mine = sorted((t, tx) for a, tx, t in events if a == account)
        anchors = [t for t, _ in mine if sum(1 for u, _ in mine if t <= u < t + window) >= min_count]
        pattern = [(t, tx) for t, tx in mine if any(t - window < a <= t for a in anchors)]
        previous = None
        for t, tx in pattern:
            if previous is None or t - previous >= window:
                ids.add(f"{rule}:{account}:{tx}")
            previous = t
    return ids


def seconds(booked_at: str) -> int:
    return int(datetime.fromisoformat(booked_at).timestamp() // 1)
