"""The Silver tables: the Bronze contract typed, one row per key, with lineage and derived columns.

Silver keeps the contract's column names and meanings. PII policy (least privilege): direct
identifiers (first_name, last_name, email, phone, street_address) are *split* out of
`silver.customers` into the restricted table `silver.customer_pii`, which lives under its own prefix
that only the Silver job and a privileged role can read. Analysts and Gold never see it.
"""

from __future__ import annotations

from finlake.contracts.bronze import (
    ACCOUNTS,
    CARDS,
    CUSTOMERS,
    DISPOSITIONS,
    FX_RATES,
    LOANS,
    MONEY,
    TRANSACTIONS,
)
from finlake.contracts.model import Column, Entity, Layer, Table

# Lineage: where every Silver row came from.
LINEAGE_COLUMNS: tuple[Column, ...] = (
    Column("source_file", "string", "Bronze file the row was read from."),
    Column("ingest_date", "date", "Bronze ingest_date partition of that file."),
    Column("run_id", "string", "Pipeline run that wrote the row."),
)


def _contract_columns(entity: Entity, *, pii: bool) -> tuple[Column, ...]:
    return tuple(c for c in entity.columns if c.pii == pii or c.name == entity.key)


SILVER_CUSTOMERS = Table(
    layer=Layer.SILVER,
    name="customers",
    grain="one row per customer (the latest change record)",
    key=("customer_id",),
    columns=_contract_columns(CUSTOMERS, pii=False) + LINEAGE_COLUMNS,
    description="Current customers without direct identifiers.",
)

SILVER_CUSTOMER_PII = Table(
    layer=Layer.SILVER,
    name="customer_pii",
    grain="one row per customer (the latest change record)",
    key=("customer_id",),
    columns=_contract_columns(CUSTOMERS, pii=True) + LINEAGE_COLUMNS,
    description="Direct identifiers, split out of customers. Restricted: not in the analysts' catalog.",
    restricted=True,
)

SILVER_ACCOUNTS = Table(
    layer=Layer.SILVER,
    name="accounts",
    grain="one row per account (the latest change record)",
    key=("account_id",),
    columns=ACCOUNTS.columns + LINEAGE_COLUMNS,
    description="Current accounts.",
)

SILVER_LOANS = Table(
    layer=Layer.SILVER,
    name="loans",
    grain="one row per loan (the latest change record)",
    key=("loan_id",),
    columns=LOANS.columns + (Column("is_default", "boolean", "Status is DEFAULT or CHARGED_OFF."),) + LINEAGE_COLUMNS,
    description="Current loans.",
)

SILVER_TRANSACTIONS = Table(
    layer=Layer.SILVER,
    name="transactions",
    grain="one row per transaction (re-deliveries removed)",
    key=("transaction_id",),
    columns=TRANSACTIONS.columns
    + (
        Column("booked_date", "date", "Calendar date of booked_at."),
        Column("signed_amount", MONEY, "amount, negative for DEBIT."),
        Column("is_cash", "boolean", "Channel is ATM or BRANCH (cash)."),
    )
    + LINEAGE_COLUMNS
    + (Column("booked_month", "string", "Partition: booking month, YYYY-MM."),),
    # Month, not day: a day of a retail bank's transactions is a few MB, far below a good Parquet
    # file size, while month partitions still let Athena prune a one-month query to ~1/N of the data.
    partition_by=("booked_month",),
    description="Booked transactions, partitioned by booking month.",
)

SILVER_FX_RATES = Table(
    layer=Layer.SILVER,
    name="fx_rates",
    grain="one row per currency and rate date (the latest published version)",
    key=("rate_id",),
    columns=FX_RATES.columns + LINEAGE_COLUMNS,
    description="ECB euro reference rates (reference data for converting into the reporting currency).",
)

SILVER_DISPOSITIONS = Table(
    layer=Layer.SILVER,
    name="dispositions",
    grain="one row per disposition (the latest change record)",
    key=("disposition_id",),
    columns=DISPOSITIONS.columns + LINEAGE_COLUMNS,
    description="Who may operate each account (owner, authorised users), with the dates the rights were held.",
)

SILVER_CARDS = Table(
    layer=Layer.SILVER,
    name="cards",
    grain="one row per card (the latest change record)",
    key=("card_id",),
    columns=CARDS.columns + LINEAGE_COLUMNS,
    description="Payment cards with their class and issue date (no card numbers).",
)

SILVER_TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        SILVER_CUSTOMERS,
        SILVER_CUSTOMER_PII,
        SILVER_ACCOUNTS,
        SILVER_LOANS,
        SILVER_TRANSACTIONS,
        SILVER_FX_RATES,
        SILVER_DISPOSITIONS,
        SILVER_CARDS,
    )
}
