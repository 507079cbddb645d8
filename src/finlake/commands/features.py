"""`finlake features publish [--dynamodb-table NAME]`: the online feature store filled from Gold."""

from __future__ import annotations

import argparse

from finlake.lake import Lake


def main(args: argparse.Namespace) -> int:
    return execute(args.lake, getattr(args, "dynamodb_table", None))


def execute(lake_root: str, table: str | None = None) -> int:
    """Publish to DynamoDB `table`, or (None) to the lake's local SQLite store."""
    from finlake.serving.publish import publish_features
    from finlake.serving.store import DynamoFeatureStore, SqliteFeatureStore, online_root
    from finlake.spark import local_session

    store = DynamoFeatureStore(table) if table else SqliteFeatureStore(online_root(lake_root) / "features.db")
    done = publish_features(local_session("finlake-features"), Lake.local(lake_root), store)
    where = f"DynamoDB table {table}" if table else str(store.path)  # type: ignore[union-attr]
    print(
        f"published online features of {done.loans} loans and {done.customers} customers (as of {done.as_of}) to {where}"
    )
    return 0
