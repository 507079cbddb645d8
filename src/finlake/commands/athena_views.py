"""`finlake athena-views`: create (or replace) every dashboard view of athena/views/ on AWS Athena.

Terraform only stores the view files as named queries; this is the deploy step that makes the views
exist in the Glue Data Catalog, so QuickSight, the alerting function and analysts can select from
them. Run it after `terraform apply` and the first pipeline run (a view can only be created once the
Gold tables it reads are registered), and again whenever a file in athena/views/ changes.
"""

from __future__ import annotations

import argparse
import re

from finlake.errors import UsageError
from finlake.query import sqltext
from finlake.query.athena import AthenaRunner
from finlake.query.named import view_files

VIEW_NAME = re.compile(r"CREATE\s+OR\s+REPLACE\s+VIEW\s+([\w.]+)", re.IGNORECASE)


def view_names(names: dict[str, str]) -> list[str]:
    """The qualified view each file of athena/views/ creates, with AWS database names filled in."""
    found = []
    for file in view_files():
        text = sqltext.substitute_databases(file.read_text(encoding="utf-8"), names, str(file))
        match = VIEW_NAME.search(text)
        if match is None:
            raise UsageError(f"{file}: no CREATE OR REPLACE VIEW statement")
        found.append(match[1])
    return found


def main(args: argparse.Namespace) -> int:
    import boto3

    if not args.database_prefix:
        raise UsageError("--database-prefix is required (e.g. finlake_dev_): views are created in <prefix>gold")
    runner = AthenaRunner(
        boto3.client("athena"),
        workgroup=args.athena_workgroup,
        database_prefix=args.database_prefix,
        output_location=args.athena_output,
    )
    views = view_names(runner.names)  # a file without a view fails here, before anything runs
    runner.create_views()  # one Athena execution per file, in order; stops at the first failure
    for view in views:
        print(f"created or replaced view {view}")
    return 0
