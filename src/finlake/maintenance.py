"""Table maintenance (`finlake maintain`): compact small files, expire old snapshots, remove orphans.

Locally this runs Iceberg's Spark procedures on every table of the lake; on AWS the Glue Data
Catalog's table optimizers do the same work (terraform/modules/table_optimizers: compaction, snapshot
retention, orphan-file deletion), so no job is scheduled for it there.

- compaction (`rewrite_data_files`): daily MERGEs leave one small file per partition per run;
  files are rewritten into ~128 MiB ones once a partition holds at least `min_input_files` of them;
- snapshot expiry (`expire_snapshots`): snapshots older than `older_than_days` go, the newest
  `retain_last` always stay (time travel reaches back that far, no further);
- orphan removal (`remove_orphan_files`): files no snapshot references (a crashed writer's data
  files), only when older than the same window and at least a day old, so a commit in flight is
  never robbed (Iceberg refuses a shorter window).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pyspark.sql import SparkSession

from finlake import iceberg, storage
from finlake.errors import UsageError
from finlake.lake import Lake

DEFAULT_OLDER_THAN_DAYS = 7
DEFAULT_RETAIN_LAST = 5
MIN_INPUT_FILES = 5
ORPHAN_MIN_AGE = timedelta(days=1)


@dataclass(frozen=True)
class TableMaintenance:
    table: str
    files_rewritten: int
    files_added: int
    snapshots_before: int
    snapshots_after: int
    data_files_expired: int
    orphan_files_removed: int

    def line(self) -> str:
        return (
            f"  {self.table:<36} compacted {self.files_rewritten:>4} -> {self.files_added:<4} files  "
            f"snapshots {self.snapshots_before:>3} -> {self.snapshots_after:<3} "
            f"expired files {self.data_files_expired:>4}  orphans removed {self.orphan_files_removed:>4}"
        )


def _snapshot_count(spark: SparkSession, ident: str) -> int:
    return int(spark.sql(f"SELECT count(*) FROM {ident}.snapshots").first()[0])  # type: ignore[index]


def maintain_table(
    spark: SparkSession, lake: Lake, name: str, older_than: datetime, retain_last: int
) -> TableMaintenance:
    ident = storage.ref(name).identifier(lake)
    table = ident.split(".", 1)[1]
    call = f"CALL {iceberg.CATALOG}.system"
    cutoff = older_than.strftime("%Y-%m-%d %H:%M:%S")
    before = _snapshot_count(spark, ident)
    rewrite = spark.sql(
        f"{call}.rewrite_data_files(table => '{table}', options => map('min-input-files', '{MIN_INPUT_FILES}'))"
    ).first()
    expired = spark.sql(
        f"{call}.expire_snapshots(table => '{table}', older_than => TIMESTAMP '{cutoff}', retain_last => {retain_last})"
    ).first()
    orphan_cutoff = min(older_than, datetime.now(UTC) - ORPHAN_MIN_AGE).strftime("%Y-%m-%d %H:%M:%S")
    orphans = spark.sql(
        f"{call}.remove_orphan_files(table => '{table}', older_than => TIMESTAMP '{orphan_cutoff}')"
    ).count()
    return TableMaintenance(
        table=name,
        files_rewritten=int(rewrite["rewritten_data_files_count"]) if rewrite else 0,
        files_added=int(rewrite["added_data_files_count"]) if rewrite else 0,
        snapshots_before=before,
        snapshots_after=_snapshot_count(spark, ident),
        data_files_expired=int(expired["deleted_data_files_count"]) if expired else 0,
        orphan_files_removed=int(orphans),
    )


def maintain(
    spark: SparkSession,
    lake: Lake,
    older_than_days: int = DEFAULT_OLDER_THAN_DAYS,
    retain_last: int = DEFAULT_RETAIN_LAST,
    now: datetime | None = None,
) -> list[TableMaintenance]:
    """Maintain every table the lake has; prints one line per table as it goes."""
    if older_than_days < 0 or retain_last < 1:
        raise UsageError("maintain needs --older-than-days >= 0 and --retain-last >= 1")
    older_than = (now or datetime.now(UTC)) - timedelta(days=older_than_days)
    done = []
    for ref in storage.all_refs():
        if storage.table_exists(spark, lake, ref.name):
            done.append(maintain_table(spark, lake, ref.name, older_than, retain_last))
            print(done[-1].line(), flush=True)
    return done
