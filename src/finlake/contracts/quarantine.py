"""The quarantine tables: one per Bronze entity, every rejected row with its raw values and reasons."""

from __future__ import annotations

from finlake.contracts.bronze import ENTITY_ORDER
from finlake.contracts.model import Column, Layer, Table

QUARANTINE_COLUMNS = (
    Column("entity", "string", "Bronze entity the row was delivered as."),
    Column("reasons", "array<string>", "Reason codes (see the Bronze contract's reason catalog)."),
    Column("raw_record", "string", "JSON object: contract column -> value as read (may hold PII).", pii=True),
    Column("raw_line", "string", "The whole line when it could not be split (may hold PII).", pii=True),
    Column("source_file", "string", "Bronze file, relative to the Bronze root."),
    Column("run_id", "string", "Silver run that judged the row."),
    Column("ingest_date", "date", "Partition: the Bronze ingest_date of the file."),
)

QUARANTINE_TABLES: dict[str, Table] = {
    name: Table(
        layer=Layer.QUARANTINE,
        name=name,
        grain="one row per rejected Bronze row",
        key=(),
        columns=QUARANTINE_COLUMNS,
        partition_by=("ingest_date",),
        restricted=True,
        description=f"Rejected {name} rows with their reasons.",
    )
    for name in ENTITY_ORDER
}
