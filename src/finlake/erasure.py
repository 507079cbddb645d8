"""Erasure of one customer's direct identifiers (GDPR art. 17) from every table outside Bronze.

Where identifiers live outside Bronze: `silver_restricted.customer_pii` (one row per customer) and
the raw values of quarantined customer rows (`quarantine.customers`: `raw_record` JSON, `raw_line`).
Silver's public tables, Gold, reports and state hold none (the contracts keep PII out of them).

1. DELETE the customer's row from customer_pii; in the quarantine, drop the PII fields from the raw
   record and the raw line of the customer's rows (reasons and lineage stay: every row is still
   accounted for). Each is one Iceberg commit.
2. Expire every older snapshot of those tables and delete the files only they referenced, then remove
   orphan files: time travel to before the erasure is gone for these two tables, by design.
3. Write an audit entry without PII: who asked, why, when, which tables and snapshots, and when
   Bronze will have purged the customer's raw rows.

Bronze is immutable and expires by its retention period (Terraform `bronze_retention_days`): the
audit entry records the pending purge, the newest `ingest_date` among the Bronze customer files that
hold the customer's id as a whole CSV field plus the retention (`bronze_purge_due`), and how many
files that is (`bronze_files`), never their content.
"""

from __future__ import annotations

import csv
import getpass
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from pyspark.sql import SparkSession

from finlake import iceberg, storage
from finlake.contracts.bronze import ENTITIES
from finlake.errors import UsageError
from finlake.lake import Lake
from finlake.runs import new_run_id
from finlake.textstore import write_text

PII_TABLE = "silver.customer_pii"
QUARANTINE_TABLE = "quarantine.customers"
BRONZE_RETENTION_DAYS = 2557  # Terraform's bronze_retention_days default (7 years): when S3 expires a delivery
_INGEST_DATE = re.compile(r"ingest_date=(\d{4}-\d{2}-\d{2})")


@dataclass
class ErasureRecord:
    """The audit entry: enough to prove what was done, nothing that identifies the person."""

    erasure_id: str
    customer_id: str  # the pseudonymous key, not a direct identifier
    reason: str
    requested_by: str
    erased_at: str
    tables: dict[str, dict[str, object]] = field(default_factory=dict)
    bronze_files: int = 0  # Bronze customer files holding the customer's id (counted, never quoted)
    bronze_purge_due: str | None = None  # ISO date their last one expires; None: Bronze holds none

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=True) + "\n"


def _holds_field(path: Path, value: str) -> bool:
    """Whether some CSV field of the file is exactly `value` (quoted fields and BOM handled)."""
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    return value in text and any(value in row for row in csv.reader(text.splitlines(keepends=True)))


def pending_bronze_purge(lake: Lake, customer_id: str, retention_days: int) -> tuple[int, date | None]:
    """(files, due date): the Bronze customer files holding the id, and the day the newest one
    (by its ingest_date folder) is expired by the retention. A local lake's Bronze only."""
    root = Path(lake.bronze_entity("customers"))
    dates = []
    for path in sorted(root.rglob("*.csv")) if root.is_dir() else []:
        found = _INGEST_DATE.search(path.relative_to(root).as_posix())
        day = _parse_date(found[1]) if found else None
        if day is not None and _holds_field(path, customer_id):
            dates.append(day)
    return len(dates), (max(dates) + timedelta(days=retention_days) if dates else None)


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:  # e.g. ingest_date=2024-13-45: the job rejects that folder, S3 still expires it
        return None


def _sql_string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _erase_rows(spark: SparkSession, lake: Lake, customer_id: str) -> dict[str, int]:
    """One commit per table; returns the rows each statement touched."""
    cid = _sql_string(customer_id)
    pii_ident = storage.ref(PII_TABLE).identifier(lake)
    q_ident = storage.ref(QUARANTINE_TABLE).identifier(lake)
    pii_fields = ", ".join(_sql_string(c) for c in ENTITIES["customers"].pii_columns)
    touched = {PII_TABLE: spark.table(pii_ident).where(f"customer_id = {cid}").count()}
    if touched[PII_TABLE]:
        spark.sql(f"DELETE FROM {pii_ident} WHERE customer_id = {cid}")
    # A quarantined row belongs to the customer if its raw record names them, or its unsplittable raw
    # line holds their id as a whole field.
    mine = (
        f"(get_json_object(raw_record, '$.customer_id') = {cid} "
        f"OR (raw_line IS NOT NULL AND raw_line RLIKE concat('(^|[,;\\t\"])', '\\\\Q', {cid}, '\\\\E', '([,;\\t\"]|$)')))"
    )
    if storage.table_exists(spark, lake, QUARANTINE_TABLE):
        touched[QUARANTINE_TABLE] = spark.table(q_ident).where(mine).count()
        if touched[QUARANTINE_TABLE]:
            spark.sql(
                f"UPDATE {q_ident} SET raw_line = NULL, raw_record = to_json(map_filter("
                f"from_json(raw_record, 'map<string,string>'), (k, v) -> NOT array_contains(array({pii_fields}), k))) "
                f"WHERE {mine}"
            )
    return touched


def _purge_history(spark: SparkSession, lake: Lake, name: str) -> dict[str, object]:
    """Keep only the current snapshot and delete every file no longer referenced by it."""
    table = storage.ref(name).identifier(lake).split(".", 1)[1]
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    expired = spark.sql(
        f"CALL {iceberg.CATALOG}.system.expire_snapshots(table => '{table}', "
        f"older_than => TIMESTAMP '{now}', retain_last => 1)"
    ).first()
    orphans = _remove_all_orphans(spark, storage.ref(name).identifier(lake))
    return {
        "snapshot_kept": storage.current_snapshot_id(spark, lake, name),
        "data_files_deleted": int(expired["deleted_data_files_count"]) if expired else 0,
        "orphan_files_deleted": int(orphans),
    }


def _remove_all_orphans(spark: SparkSession, ident: str) -> int:
    """Files no snapshot references (a crashed writer's), however young: the SQL procedure refuses
    under 24 hours to protect writers in flight; here the lake's writer lock (finlake.lakelock) is held."""
    jvm: Any = spark._jvm  # type: ignore[attr-defined]
    table = jvm.org.apache.iceberg.spark.Spark3Util.loadIcebergTable(spark._jsparkSession, ident)  # type: ignore[attr-defined]
    action = jvm.org.apache.iceberg.spark.actions.SparkActions.get(spark._jsparkSession)  # type: ignore[attr-defined]
    now_ms = int(datetime.now(UTC).timestamp() * 1000)
    result = action.deleteOrphanFiles(table).olderThan(now_ms).execute()
    return sum(1 for _ in result.orphanFileLocations())


def erase_customer(
    spark: SparkSession,
    lake: Lake,
    customer_id: str,
    reason: str,
    requested_by: str | None = None,
    bronze_retention_days: int = BRONZE_RETENTION_DAYS,
) -> ErasureRecord:
    """Erase the customer's direct identifiers outside Bronze; returns (and writes) the audit entry.
    `bronze_retention_days`: the lake's Bronze retention (Terraform's bronze_retention_days)."""
    customer_id, reason = customer_id.strip(), reason.strip()
    if not customer_id:
        raise UsageError("--customer-id is empty")
    if not reason:
        raise UsageError("--reason is required: say why (e.g. the request's ticket number)")
    if bronze_retention_days < 1:
        raise UsageError(f"--bronze-retention-days must be at least 1, got {bronze_retention_days}")
    if not storage.table_exists(spark, lake, PII_TABLE):
        raise UsageError(f"{PII_TABLE} does not exist in {lake.silver}: nothing to erase (run bronze-to-silver first)")
    record = ErasureRecord(
        erasure_id=new_run_id(),
        customer_id=customer_id,
        reason=reason,
        requested_by=requested_by or getpass.getuser(),
        erased_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    for name, rows in _erase_rows(spark, lake, customer_id).items():
        record.tables[name] = {"rows_erased": rows, **_purge_history(spark, lake, name)}
    record.bronze_files, due = pending_bronze_purge(lake, customer_id, bronze_retention_days)
    record.bronze_purge_due = due.isoformat() if due else None
    write_text(f"{lake.runs.rstrip('/')}/erasure-{record.erasure_id}.json", record.to_json())
    return record
