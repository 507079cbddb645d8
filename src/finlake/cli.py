"""The `finlake` command line (the README's "The command line").

This module only declares the arguments and the command table (`COMMANDS`). Each subcommand's work
is in a thin `finlake.commands` module whose `main(args)` calls the library. Every failure the user
can act on is one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import sys
import traceback
from collections.abc import Callable, Sequence

from finlake import __version__, failure
from finlake.errors import FinlakeError, UsageError
from finlake.lake import LAKE_ENV_VAR, default_lake_root
from finlake.lakelock import WRITERS, writer_lock
from finlake.ml import settings as ml_settings

PROG = "finlake"


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number above 0, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a number above 0, got {text}")
    return value


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a fraction between 0 and 1, got {text!r}") from None
    if not 0.0 <= value <= 0.5:
        raise argparse.ArgumentTypeError(f"expected a fraction between 0 and 0.5, got {value}")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a fraction between 0 and 1, got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a fraction between 0 and 1, got {value}")
    return value


def _date(text: str) -> str:
    from datetime import date

    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _key_value(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected k=v, got {text!r}")
    return key, value


def _add_generate_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--customers", type=_positive_int, default=None, help="number of customers")
    p.add_argument("--days", type=_positive_int, default=None, help="days of ingest_date partitions")
    p.add_argument("--start-date", type=_date, default=None, help="first ingest_date (YYYY-MM-DD)")
    p.add_argument("--seed", type=int, default=None, help="random seed (same seed, same files)")
    p.add_argument("--dirty-rate", type=_rate, default=None, help="share of rows given a defect (0-0.5)")


def _add_model_options(p: argparse.ArgumentParser, alias: str = ml_settings.DEFAULT_ALIAS) -> None:
    p.add_argument("--model-name", default=ml_settings.DEFAULT_MODEL_NAME, help="registered model name")
    p.add_argument("--alias", default=alias, help=f"registry alias of the version to use (default {alias})")
    p.add_argument("--artifact", default=None, help="a model JSON artifact file instead of the registry")


def _add_serving_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """serve, features publish, drift (issue 16: real-time scoring)."""
    p = sub.add_parser("serve", help="the real-time scoring API (HTTP, OpenAPI at /docs)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=_positive_int, default=8080, help="port (default 8080)")
    _add_model_options(p, alias=ml_settings.SERVING_ALIAS)
    p = sub.add_parser("features", help="the online feature store the scoring API reads")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    a = actions.add_parser("publish", help="fill the online store from Gold (SQLite under the lake, or DynamoDB)")
    a.add_argument("--dynamodb-table", default=None, help="publish to this DynamoDB table instead (AWS)")
    p = sub.add_parser("drift", help="population stability (PSI) of features and scores vs the training population")
    p.add_argument("--recent-days", type=_positive_int, default=None, help="loans originated in the last N days")
    p.add_argument("--report", default=None, help="also write the PSI figures as JSON to this file")
    _add_model_options(p, alias=ml_settings.SERVING_ALIAS)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (what is wrong), not the usage block."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"{self.prog}: error: {message} (see {self.prog} --help)", file=sys.stderr)
        sys.exit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="finlake: Bronze -> Silver -> Gold for a retail bank, on a laptop or on AWS Glue.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument(
        "--lake",
        default=default_lake_root(),
        help=f"root of the local lake (default: ${LAKE_ENV_VAR} or ./lake)",
    )
    parser.add_argument("--debug", action="store_true", help="show the full stack trace on failure")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    # Grouped by what the commands are for; the order here is the order `finlake --help` lists them.
    _add_pipeline_commands(sub)
    _add_query_commands(sub)
    _add_model_commands(sub)
    _add_operations_commands(sub)
    _add_serving_commands(sub)

    p = sub.add_parser("run", help="everything above in order, on generated data (what `make run` calls)")
    _add_generate_options(p)

    return parser


def _add_pipeline_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """generate, import-pkdd99, bronze-to-silver, silver-to-gold, crawl."""
    p = sub.add_parser("generate", help="write synthetic Bronze files, one ingest_date partition per day")
    _add_generate_options(p)

    p = sub.add_parser("import-pkdd99", help="map the PKDD'99 (Berka) bank files into Bronze")
    p.add_argument("--source", required=True, help="folder holding account.asc, client.asc, loan.asc, ...")

    p = sub.add_parser("bronze-to-silver", help="the Silver job: clean, type, deduplicate, quarantine")
    p.add_argument("--full-refresh", action="store_true", help="rebuild Silver from all of Bronze")
    p.add_argument(
        "--accept-quarantine-rate",
        type=_fraction,
        default=None,
        metavar="RATE",
        help="load a delivery even if up to this share of an entity's rows is quarantined (default: stop above 0.05)",
    )

    p = sub.add_parser("silver-to-gold", help="the Gold job: business tables from Silver")
    p.add_argument("--large-cash-threshold", type=_positive_float, help="reported cash amount (default 10000)")
    p.add_argument("--structuring-window-days", type=_positive_int, help="structuring window, days (default 7)")
    p.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild every Gold table from all of Silver (default: only what Silver appended since the last run)",
    )

    p = sub.add_parser("crawl", help="register Bronze's tables and partitions locally; list the Iceberg tables")
    p.add_argument("--glue", action="store_true", help="also push the definitions to the AWS Glue Data Catalog")
    p.add_argument("--database-prefix", default="", help="prefix for Glue database names (e.g. finlake_dev_)")
    p.add_argument(
        "--s3-bucket-prefix",
        default=None,
        help="with --glue: layer buckets are <prefix>-bronze|silver|gold (e.g. finlake-dev)",
    )
    p.add_argument(
        "--update-schema",
        action="store_true",
        help="apply column changes to registered tables instead of logging them (schema change policy LOG)",
    )


def _add_query_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """query, athena-views."""
    p = sub.add_parser("query", help="run a named Athena query, a .sql file or ad-hoc SQL on the local catalog")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("name", nargs="?", help="a named query from athena/ (see --list)")
    src.add_argument("--sql", help="SQL in the Athena (Trino) dialect")
    src.add_argument("--file", help="a .sql file in the Athena dialect")
    src.add_argument("--list", action="store_true", help="list the named queries")
    p.add_argument("--param", action="append", type=_key_value, default=[], metavar="K=V", help="query parameter")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format")
    p.add_argument(
        "--as-of",
        metavar="TIMESTAMP|SNAPSHOT_ID",
        help="answer from an earlier state of the Iceberg tables (ISO time, UTC unless given; or a snapshot id)",
    )
    p.add_argument(
        "--role",
        choices=("analyst", "engineer"),
        default="analyst",
        help="locally: analyst reads silver and gold; engineer also bronze, quarantine and silver_restricted",
    )
    p.add_argument("--athena-workgroup", help="run on AWS Athena in this workgroup instead of locally")
    p.add_argument("--athena-output", help="s3:// location for Athena results (if the workgroup sets none)")
    p.add_argument("--database", help="Glue database to run against on Athena")
    p.add_argument(
        "--database-prefix",
        default="",
        help="on Athena: ${bronze_db} etc. become <prefix>bronze ... (e.g. finlake_dev_)",
    )

    p = sub.add_parser(
        "athena-views",
        help="deploy step: create or replace every view of athena/views/ on AWS Athena",
    )
    p.add_argument("--athena-workgroup", required=True, help="Athena workgroup, e.g. finlake-dev-analytics")
    p.add_argument("--athena-output", help="s3:// location for Athena results (if the workgroup sets none)")
    p.add_argument("--database-prefix", default="", help="AWS database prefix, e.g. finlake_dev_ (required)")


def _add_model_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """train, score."""
    p = sub.add_parser("train", help="train the loan-default model on gold.loan_features")
    p.add_argument("--report", help="also write the headline metrics as JSON to this file")
    p.add_argument(
        "--repeated-cv",
        default=None,
        metavar="RxK",
        help="also estimate ROC-AUC by R repeats of K-fold stratified CV (e.g. 5x5; for small loan books)",
    )
    p.add_argument(
        "--as-of",
        default=None,
        metavar="TIMESTAMP|SNAPSHOT_ID",
        help="train on gold.loan_features as it was then (ISO time, UTC unless an offset is given, or a snapshot id)",
    )
    p.add_argument("--model", choices=MODEL_CHOICES, default="default", help=MODEL_HELP)
    p.add_argument(
        "--no-challenger",
        action="store_true",
        help="skip the gradient-boosted challenger (faster; the logistic regression becomes champion as before)",
    )

    p = sub.add_parser("score", help="score current customers into gold.customer_risk_scores")
    p.add_argument("--model", choices=MODEL_CHOICES, default="default", help=MODEL_HELP)


MODEL_CHOICES = ("default", "early-warning")
MODEL_HELP = (
    "default: the application model (gold.loan_features -> gold.customer_risk_scores); early-warning: the "
    "behavioural model (gold.loan_monthly_snapshots -> gold.loan_early_warning)"
)


def _add_operations_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """erase-customer, maintain, dashboard, alerts, stream."""
    p = sub.add_parser("erase-customer", help="erase a customer's direct identifiers outside Bronze (GDPR art. 17)")
    p.add_argument("--customer-id", required=True, help="the customer's key (customer_id)")
    p.add_argument("--reason", required=True, help="why (e.g. the request's reference), kept in the audit entry")
    p.add_argument("--requested-by", default=None, help="who asked (default: the current user)")
    p.add_argument(
        "--bronze-retention-days",
        type=_positive_int,
        default=2557,
        help="the lake's Bronze retention (Terraform bronze_retention_days): dates the pending Bronze purge",
    )

    p = sub.add_parser("maintain", help="compact small files, expire old snapshots, remove orphan files")
    p.add_argument("--older-than-days", type=int, default=7, help="expire snapshots older than N days (default 7)")
    p.add_argument("--retain-last", type=_positive_int, default=5, help="always keep the newest K snapshots")

    p = sub.add_parser("dashboard", help="write the risk dashboard as one self-contained HTML file")
    p.add_argument("--out", default=None, help="output file (default: <lake>/dashboard.html)")

    sub.add_parser("alerts", help="list the high-risk alerts the alerting function would send")

    p = sub.add_parser("stream", help="replay transactions through the real-time monitor on a local Kinesis (moto)")
    p.add_argument("--source", choices=("silver", "bronze"), default="silver", help="clean events or raw rows")
    p.add_argument("--shuffle-within", type=float, default=300.0, help="delay events by up to SECONDS (event time)")
    p.add_argument("--duplicate-rate", type=_rate, default=0.0, help="share of events delivered twice (0-0.5)")
    p.add_argument("--seed", type=int, default=0, help="random seed of the shuffle and duplicates")
    p.add_argument("--rate", type=float, default=None, help="events per second sent (default: as fast as possible)")


# Every subcommand and the module whose `main(args)` runs it. Imported on use, so `finlake --help`
# does not load Spark, DuckDB or MLflow; tests/test_cli.py checks this table against the parser.
COMMANDS: dict[str, str] = {
    "generate": "finlake.commands.generate",
    "import-pkdd99": "finlake.commands.import_pkdd99",
    "bronze-to-silver": "finlake.commands.bronze_to_silver",
    "silver-to-gold": "finlake.commands.silver_to_gold",
    "crawl": "finlake.commands.crawl",
    "query": "finlake.commands.query",
    "athena-views": "finlake.commands.athena_views",
    "train": "finlake.commands.train",
    "score": "finlake.commands.score",
    "erase-customer": "finlake.commands.erase_customer",
    "maintain": "finlake.commands.maintain",
    "dashboard": "finlake.commands.dashboard",
    "alerts": "finlake.commands.alerts",
    "stream": "finlake.commands.stream",
    "serve": "finlake.commands.serve",
    "features": "finlake.commands.features",
    "drift": "finlake.commands.drift",
    "run": "finlake.commands.run",
}


def handler(command: str) -> Callable[[argparse.Namespace], int]:
    return importlib.import_module(COMMANDS[command]).main  # type: ignore[no-any-return]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # MLflow logs at INFO by default ("URI ... does not point to the current DFS" on every model load):
    # noise among the command's own lines; --debug or MLFLOW_LOGGING_LEVEL brings it back
    os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "INFO" if args.debug else "WARNING")
    try:
        run = handler(args.command)
        if args.command not in WRITERS:
            return int(run(args) or 0)
        with writer_lock(args.lake, args.command):  # one writer per lake
            return int(run(args) or 0)
    except FinlakeError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"{PROG} {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"{PROG} {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not bad input: still one line unless --debug
        if args.debug:
            traceback.print_exc()
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            print(
                f"{PROG} {args.command}: error: no space left on device ({exc.filename or args.lake})", file=sys.stderr
            )
            return 1
        # failure.summary: a Spark (Py4J) error is its Java root cause, not Py4J's preamble; an
        # out-of-memory error names the setting to raise
        print(
            f"{PROG} {args.command}: unexpected error: {failure.summary(exc)} (rerun with --debug for the stack trace)",
            file=sys.stderr,
        )
        return 1


__all__ = ["UsageError", "build_parser", "main"]
