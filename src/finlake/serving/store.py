"""The online feature store: per loan and per customer, the model inputs the API scores with.

`finlake features publish` fills it from Gold (and Silver, for customers' current features);
`finlake serve` and the Lambda read it. Locally it is one SQLite file under the lake
(`<lake>/_online/features.db`), replaced atomically on each publish so a running server reads the
old set or the new one, never a mix; on AWS a DynamoDB table (one item per key). Both sit behind the
same small interface.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

from finlake.errors import FinlakeError

LOAN, CUSTOMER, META = "loan", "customer", "meta"


def online_root(lake_root: str | os.PathLike[str]) -> Path:
    return Path(lake_root) / "_online"


class FeatureStore(Protocol):
    def get(self, kind: str, key: str) -> dict[str, Any] | None: ...

    def scan(self, kind: str) -> Iterator[dict[str, Any]]: ...

    def metadata(self) -> dict[str, Any]: ...

    def replace_all(self, rows: Iterable[tuple[str, str, dict[str, Any]]], metadata: dict[str, Any]) -> int: ...


class SqliteFeatureStore:
    """One file; lookups reopen it when a publish has replaced it (checked by inode, a stat per call)."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._inode = -1

    def _connection(self) -> sqlite3.Connection:
        try:
            inode = self.path.stat().st_ino
        except FileNotFoundError:
            raise FinlakeError(f"no online features at {self.path}: run `finlake features publish` first") from None
        if self._conn is None or inode != self._inode:
            if self._conn is not None:
                self._conn.close()
            self._conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self._inode = inode
        return self._conn

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        with self._lock:
            row = (
                self._connection()
                .execute("SELECT body FROM features WHERE kind = ? AND key = ?", (kind, key))
                .fetchone()
            )
        return None if row is None else dict(json.loads(row[0]))

    def scan(self, kind: str) -> Iterator[dict[str, Any]]:
        with self._lock:
            rows = self._connection().execute("SELECT body FROM features WHERE kind = ?", (kind,)).fetchall()
        return (dict(json.loads(r[0])) for r in rows)

    def metadata(self) -> dict[str, Any]:
        return self.get(META, META) or {}

    def replace_all(self, rows: Iterable[tuple[str, str, dict[str, Any]]], metadata: dict[str, Any]) -> int:
        """Write a complete new file beside the old one, then swap it in (rename is atomic)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(f".tmp-{os.getpid()}")
        tmp.unlink(missing_ok=True)
        conn = sqlite3.connect(tmp)
        count = 0
        try:
            conn.execute("CREATE TABLE features (kind TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL, "
                         "PRIMARY KEY (kind, key)) WITHOUT ROWID")  # fmt: skip
            for kind, key, body in rows:
                conn.execute("INSERT INTO features VALUES (?, ?, ?)", (kind, key, json.dumps(body)))
                count += 1
            conn.execute("INSERT INTO features VALUES (?, ?, ?)", (META, META, json.dumps(metadata)))
            conn.commit()
        finally:
            conn.close()
        os.replace(tmp, self.path)
        return count


class DynamoFeatureStore:
    """A DynamoDB table keyed by `pk` = "<kind>#<key>", the features as a JSON string (no Decimal round trip)."""

    def __init__(self, table_name: str, client: Any = None):
        self.table_name = table_name
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:  # created on first use, never at import time
            import boto3

            self._client = boto3.client("dynamodb")
        return self._client

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        item = self.client.get_item(TableName=self.table_name, Key={"pk": {"S": f"{kind}#{key}"}}).get("Item")
        return None if item is None else dict(json.loads(item["body"]["S"]))

    def scan(self, kind: str) -> Iterator[dict[str, Any]]:
        pages = self.client.get_paginator("scan").paginate(
            TableName=self.table_name,
            FilterExpression="begins_with(pk, :kind)",
            ExpressionAttributeValues={":kind": {"S": f"{kind}#"}},
        )
        for page in pages:
            for item in page["Items"]:
                yield dict(json.loads(item["body"]["S"]))

    def metadata(self) -> dict[str, Any]:
        return self.get(META, META) or {}

    def replace_all(self, rows: Iterable[tuple[str, str, dict[str, Any]]], metadata: dict[str, Any]) -> int:
        """Upsert every row, 25 per request (items a publish no longer holds keep their last values); metadata last."""
        count, chunk = 0, []
        for kind, key, body in rows:
            chunk.append(self._put(f"{kind}#{key}", body))
            count += 1
            if len(chunk) == 25:
                self._write(chunk)
                chunk = []
        self._write([*chunk, self._put(f"{META}#{META}", metadata)])
        return count

    @staticmethod
    def _put(pk: str, body: dict[str, Any]) -> dict[str, Any]:
        return {"PutRequest": {"Item": {"pk": {"S": pk}, "body": {"S": json.dumps(body)}}}}

    def _write(self, requests: list[dict[str, Any]]) -> None:
        pending = {self.table_name: requests}
        for _ in range(8):  # throttled writes come back as UnprocessedItems: resend them
            pending = self.client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            if not pending:
                return
        raise FinlakeError(f"DynamoDB table {self.table_name} kept throttling the feature publish")
