"""`finlake features publish [--dynamodb-table NAME]`: the online feature store filled from Gold."""

from __future__ import annotations

import argparse

from finlake.lake import Lake


def main(args: argparse.Namespace) -> int:
    from finlake.serving.publish import publish_features
    from finlake.serving.store import DynamoFeatureStore, SqliteFeatureStore, online_root
    from finlake.spark import local_session

    table = getattr(args, "dynamodb_table", None)
    store = DynamoFeatureStore(table) if table else SqliteFeatureStore(online_root(args.lake) / "features.db")
    done = publish_features(local_session("finlake-features"), Lake.local(args.lake), store)
    where = f"DynamoDB table {table}" if table else str(store.path)  # type: ignore[union-attr]
    print(
        f"published online features of {done.loans} loans and {done.customers} customers (as of {done.as_of}) to {where}"
    )
    return 0
