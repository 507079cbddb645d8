"""`finlake serve [--host 127.0.0.1] [--port 8080]`: the real-time scoring API (uvicorn)."""

from __future__ import annotations

import argparse
import logging

from finlake.lake import Lake


def build_service(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The served version's artifact (@serving by default, or --artifact FILE), the lake's online store and its request log."""
    from finlake.serving.model import ScoringModel
    from finlake.serving.registry import load_by_alias
    from finlake.serving.requestlog import FileLog
    from finlake.serving.service import ScoringService
    from finlake.serving.store import SqliteFeatureStore, online_root

    if args.artifact:
        model = ScoringModel.from_file(args.artifact)
    else:
        model = load_by_alias(Lake.local(args.lake), args.model_name, args.alias)
    store = SqliteFeatureStore(online_root(args.lake) / "features.db")
    store.metadata()  # fails now, in one line, if features were never published
    return ScoringService(model, store, FileLog(online_root(args.lake) / "requests"))


def main(args: argparse.Namespace) -> int:
    import uvicorn

    from finlake.serving.app import create_app

    service = build_service(args)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    print(
        f"serving {service.model.name} version {service.model.version} on http://{args.host}:{args.port} "
        f"(OpenAPI: http://{args.host}:{args.port}/docs)",
        flush=True,
    )
    uvicorn.run(create_app(service), host=args.host, port=args.port, access_log=False, log_level="warning")
    return 0
