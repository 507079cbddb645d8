"""In-memory state, publisher and outputs: the handler without AWS (benchmarks, unit tests)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from finlake.stream.monitor import AccountState


class MemoryState:
    def __init__(self) -> None:
        self.shards: dict[str, dict[str, Any]] = {}
        self.accounts: dict[str, str] = {}  # serialised, as DynamoDB holds them: the cost is measured too

    def get_shard(self, shard: str) -> dict[str, Any]:
        return dict(self.shards.get(shard, {}))

    def put_shard(self, shard: str, state: dict[str, Any]) -> None:
        self.shards[shard] = state

    def get_accounts(self, account_ids: Iterable[str]) -> dict[str, AccountState]:
        return {a: AccountState.from_json(self.accounts.get(a)) for a in account_ids}

    def put_accounts(self, states: dict[str, AccountState]) -> None:
        self.accounts.update({a: s.to_json() for a, s in states.items()})


class MemoryPublisher:
    def __init__(self) -> None:
        self.sent: dict[str, dict[str, Any]] = {}

    def publish(self, alert: dict[str, Any]) -> bool:
        if alert["alert_id"] in self.sent:
            return False
        self.sent[alert["alert_id"]] = alert
        return True


class MemoryOutputs:
    def __init__(self) -> None:
        self.items: dict[str, list[dict[str, Any]]] = {"dead_letter": [], "late": []}

    def send(self, kind: str, items: Sequence[dict[str, Any]]) -> None:
        self.items[kind].extend(items)
