"""`finlake crawl`: register Bronze in the local catalog (and, with --glue, in Glue); list the Iceberg tables.

Silver, Gold and the quarantine need no crawler: each commit registers its table in the Iceberg
catalog. The crawl lists them as they are now: snapshot id, rows (from the snapshot summary), files.
"""

from __future__ import annotations

import argparse

from finlake import iceberg
from finlake.catalog.crawler import CrawlReport, crawl
from finlake.catalog.definitions import load_crawlers
from finlake.catalog.glue import GluePusher, GlueTableReport
from finlake.errors import UsageError
from finlake.lake import Lake


def format_report(report: CrawlReport) -> list[str]:
    lines = []
    for t in report.tables:
        parts = f"{t.partitions} partitions (+{t.partitions_added}" + (
            f", {t.partitions_gone} gone)" if t.partitions_gone else ")"
        )
        if not t.partitions and not t.partitions_gone:
            parts = "unpartitioned"
        lines.append(f"  {t.qualified_name:<38} {t.status:<15} {t.files:>5} files  {parts}")
        if t.schema_changes:
            changes = ", ".join(str(c) for c in t.schema_changes)
            if t.schema_action == "logged":
                lines.append(
                    f"  ! {t.qualified_name}: schema change logged, definition kept: {changes} (--update-schema applies it)"
                )
            else:
                lines.append(f"  ! {t.qualified_name}: schema change applied: {changes}")
        for count, checked, file_changes in t.drift:
            listed = ", ".join(str(c) for c in file_changes)
            lines.append(f"  ! {t.qualified_name}: {count} of {checked} files differ from the contract: {listed}")
        if t.ignored:
            lines.append(f"  ! {t.qualified_name}: {len(t.ignored)} non-data files ignored, e.g. {t.ignored[0]}")
    return lines


def format_iceberg(report: CrawlReport) -> list[str]:
    lines = []
    for t in report.iceberg:
        snapshot = f"snapshot {t.snapshot_id}" if t.snapshot_id is not None else "no snapshot"
        lines.append(
            f"  {t.database}.{t.name:<{37 - len(t.database)}} {snapshot:<29} {t.rows:>9} rows {len(t.files):>5} files"
        )
    return lines


def format_glue(reports: list[GlueTableReport]) -> list[str]:
    lines = []
    for r in reports:
        line = f"  glue {r.database}.{r.table:<30} {r.action:<10} +{r.partitions_created} partitions"
        if r.partitions_not_on_disk:
            line += f" ({r.partitions_not_on_disk} registered but not in the lake: kept)"
        lines.append(line)
        if r.schema_changes:
            changes = ", ".join(str(c) for c in r.schema_changes)
            lines.append(f"  ! glue {r.database}.{r.table}: schema change {r.schema_action}: {changes}")
    return lines


def _push(args: argparse.Namespace, lake: Lake) -> list[GlueTableReport]:
    if not getattr(args, "s3_bucket_prefix", None):
        raise UsageError("--glue needs --s3-bucket-prefix (e.g. finlake-dev) to map local folders to the layer buckets")
    import boto3

    pusher = GluePusher(
        boto3.client("glue"),
        lake,
        database_prefix=args.database_prefix,
        bucket_prefix=args.s3_bucket_prefix,
        crawlers=load_crawlers(),
        update_schema=getattr(args, "update_schema", False),
    )
    return pusher.push()


def main(args: argparse.Namespace) -> int:
    code = execute(args.lake, update_schema=getattr(args, "update_schema", False))
    if getattr(args, "glue", False):
        print("\n".join(format_glue(_push(args, Lake.local(args.lake)))))
    return code


def execute(lake_root: str, update_schema: bool = False) -> int:
    lake = Lake.local(lake_root)
    report = crawl(lake, update_schema=update_schema)
    registered = [t for t in report.tables if t.status not in ("not found", "deleted")]
    print(f"crawled {len(registered)} Bronze tables into {lake.catalog}")
    print("\n".join(format_report(report)))
    if report.iceberg:
        print(f"{len(report.iceberg)} Iceberg tables in {iceberg.catalog_file(lake)} (registered by their commits):")
        print("\n".join(format_iceberg(report)))
    else:
        print(f"no Iceberg tables yet ({iceberg.catalog_file(lake)}): `finlake bronze-to-silver` creates them")
    return 0
