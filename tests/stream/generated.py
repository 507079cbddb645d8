"""Transactions dense in what the rules look for (near-threshold deposits, large cash, card bursts)."""

from __future__ import annotations

import base64
import json
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

START = datetime(2024, 1, 1, tzinfo=UTC)


def transactions(seed: int, accounts: int = 12, per_account: int = 60, days: int = 40) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows = []
    for a in range(accounts):
        account = f"A{a:03d}"
        for i in range(per_account):
            kind = rng.random()
            booked = START + timedelta(seconds=rng.randrange(days * 86_400))
            if kind < 0.35:  # just below (or at the edges of) the threshold, in cash: structuring material
                amount = rng.choice([Decimal("8000.00"), Decimal("7999.99"), Decimal("9999.99"), Decimal("10000.00")])
                amount = amount if rng.random() < 0.3 else Decimal(rng.randrange(800_000, 1_000_000)) / 100
                channel, direction = rng.choice(["ATM", "BRANCH", "TRANSFER"]), rng.choice(["CREDIT"] * 4 + ["DEBIT"])
            elif kind < 0.45:
                amount, channel, direction = Decimal(rng.randrange(1_000_000, 2_000_000)) / 100, "BRANCH", "DEBIT"
            else:  # card spend, often in bursts of a few minutes
                amount, channel, direction = Decimal(rng.randrange(100, 20_000)) / 100, "CARD", "DEBIT"
                if rows and rng.random() < 0.5 and rows[-1]["account_id"] == account:
                    booked = datetime.fromisoformat(rows[-1]["booked_at"]) + timedelta(seconds=rng.randrange(1, 200))
            rows.append(
                {
                    "transaction_id": f"T{a:03d}-{i:04d}",
                    "account_id": account,
                    "booked_at": booked.isoformat().replace("+00:00", "Z"),
                    "amount": f"{amount:.2f}",
                    "currency": "EUR",
                    "direction": direction,
                    "channel": channel,
                    "merchant_category": "",
                    "description": "test",
                    "balance_after": "",
                }
            )
    return rows


def shuffled(rows: list[dict[str, str]], within: int, duplicate_rate: float, seed: int) -> list[dict[str, str]]:
    """Booking order, each event delayed by up to `within` seconds; some delivered twice."""
    rng = random.Random(seed)
    keyed = []
    for row in rows:
        t = datetime.fromisoformat(row["booked_at"]).timestamp()
        keyed.append((t + rng.uniform(0, within), row))
        if rng.random() < duplicate_rate:
            keyed.append((t + rng.uniform(0, within), row))
    return [row for _, row in sorted(keyed, key=lambda k: k[0])]


def lambda_records(payloads: list[bytes], shard: str = "shardId-000000000000", start: int = 0) -> list[dict]:
    return [
        {
            "eventID": f"{shard}:{start + i:020d}",
            "eventSourceARN": "arn:aws:kinesis:eu-central-1:123456789012:stream/test",
            "kinesis": {
                "data": base64.b64encode(p).decode(),
                "sequenceNumber": f"{start + i:020d}",
                "partitionKey": "k",
                "approximateArrivalTimestamp": 1_700_000_000.0,
            },
        }
        for i, p in enumerate(payloads)
    ]


def encoded(rows: list[dict[str, str]]) -> list[bytes]:
    return [json.dumps(r).encode() for r in rows]


def card_bursts(seed: int, accounts: int = 10, per_account: int = 40, span_seconds: int = 7200) -> list[dict[str, str]]:
    """Card debits packed into a couple of hours per account: VELOCITY bursts whose first event can move."""
    rng = random.Random(seed)
    rows = []
    for a in range(accounts):
        for i in range(per_account):
            booked = START + timedelta(seconds=rng.randrange(span_seconds))
            rows.append(
                {
                    "transaction_id": f"C{a:03d}-{i:04d}",
                    "account_id": f"A{a:03d}",
                    "booked_at": booked.isoformat().replace("+00:00", "Z"),
                    "amount": "12.50",
                    "currency": "EUR",
                    "direction": "DEBIT",
                    "channel": rng.choice(["CARD", "ATM", "ONLINE"]),
                    "merchant_category": "",
                    "description": "",
                    "balance_after": "",
                }
            )
    return rows
