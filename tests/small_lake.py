"""A tiny, hand-made lake for the catalog and query tests: rows as plain Python, written by PyIceberg.

Silver and Gold are Iceberg tables in the lake's catalog (`<lake>/_catalog/iceberg.db`), created as
the Spark jobs create them (declared columns, identity partitioning, `<layer root>/<table>`), so the
layout is the real one: data files under `data/<col>=<value>/`, metadata beside them. Bronze is CSV
under bronze/<entity>/ingest_date=.../. The same Python rows are what the tests compute their
expectations from, independently of any SQL. PyIceberg rather than Spark keeps these tests free of
a JVM start on a shared machine.
"""

from __future__ import annotations

import csv
import os
from datetime import date, datetime
from decimal import Decimal

from finlake import iceberg, storage
from finlake.contracts import bronze
from finlake.contracts.gold import risk_band
from finlake.contracts.model import Table
from finlake.lake import Lake

D = Decimal
RUN_ID = "test-run"

CUSTOMERS = [  # customer_id, segment, district
    ("C1", "MASS", "Praha"),
    ("C2", "MASS", "Brno"),
    ("C3", "AFFLUENT", "Praha"),
    ("C4", "PRIVATE", "Ostrava"),
    ("C5", "YOUTH", "Brno"),
    ("C6", "AFFLUENT", "Praha"),
]
SEGMENT = {c: s for c, s, _ in CUSTOMERS}
DISTRICT = {c: d for c, _, d in CUSTOMERS}

LOANS = [  # loan_id, customer_id, account_id, loan_type, principal, interest_rate, status
    ("L1", "C1", "A1", "MORTGAGE", D("200000.00"), D("3.5000"), "CURRENT"),
    ("L2", "C1", "A1", "PERSONAL", D("10000.00"), D("9.9000"), "DEFAULT"),
    ("L3", "C2", "A2", "AUTO", D("25000.00"), D("6.0000"), "PAID_OFF"),
    ("L4", "C3", "A3", "MORTGAGE", D("350000.00"), D("3.2000"), "LATE"),
    ("L5", "C4", "A4", "BUSINESS", D("120000.00"), D("7.5000"), "CHARGED_OFF"),
    ("L6", "C5", "A5", "STUDENT", D("8000.00"), D("2.0000"), "CURRENT"),
    ("L7", "C6", "A6", "PERSONAL", D("15000.00"), D("11.0000"), "CURRENT"),
    ("L8", "C6", "A6", "AUTO", D("30000.00"), D("5.5000"), "DEFAULT"),
]
ACCOUNT_OWNER = {f"A{i}": f"C{i}" for i in range(1, 7)}

TRANSACTIONS = [  # transaction_id, account_id, booked_at, amount, direction, channel
    ("T01", "A1", datetime(2024, 1, 5, 9, 0), D("1200.00"), "CREDIT", "TRANSFER"),
    ("T02", "A1", datetime(2024, 1, 15, 10, 30), D("12000.00"), "CREDIT", "BRANCH"),
    ("T03", "A2", datetime(2024, 1, 20, 14, 0), D("300.50"), "DEBIT", "CARD"),
    ("T04", "A2", datetime(2024, 2, 3, 11, 0), D("9000.00"), "CREDIT", "ATM"),
    ("T05", "A2", datetime(2024, 2, 5, 11, 0), D("9000.00"), "CREDIT", "ATM"),
    ("T06", "A2", datetime(2024, 2, 8, 11, 0), D("9000.00"), "CREDIT", "BRANCH"),
    ("T07", "A3", datetime(2024, 2, 20, 16, 45), D("15000.00"), "DEBIT", "BRANCH"),
    ("T08", "A3", datetime(2024, 2, 21, 8, 0), D("45.99"), "DEBIT", "CARD"),
    ("T09", "A4", datetime(2024, 3, 10, 12, 0), D("11000.00"), "DEBIT", "ATM"),
    ("T10", "A4", datetime(2024, 3, 11, 12, 0), D("2500.00"), "CREDIT", "TRANSFER"),
    ("T11", "A5", datetime(2024, 3, 25, 18, 0), D("80.00"), "DEBIT", "ONLINE"),
    ("T12", "A6", datetime(2024, 3, 30, 9, 15), D("640.00"), "DEBIT", "DIRECT_DEBIT"),
]

FX_RATES = [  # currency, rate_date, rate_per_eur (ECB): the transactions are in CZK
    ("CZK", date(2024, 1, 2), D("24.724000")),
    ("CZK", date(2024, 2, 1), D("24.806000")),
]

DISPOSITIONS = [  # disposition_id, account_id, customer_id, role: each account's owner, and C2 may use A1
    *[(f"D{a[1:]}", a, c, "OWNER") for a, c in ACCOUNT_OWNER.items()],
    ("D7", "A1", "C2", "AUTHORISED_USER"),
]
CARDS = [  # card_id, disposition_id, card_type, issued_date
    ("K1", "D1", "CLASSIC", date(2023, 6, 1)),
    ("K2", "D3", "GOLD", date(2024, 2, 1)),
]

SCORING_RUNS = {  # run id -> (scored_at, {customer: probability})
    "R1": (datetime(2024, 5, 1, 10, 0), {"C1": 0.20, "C2": 0.30, "C3": 0.28, "C4": 0.50, "C5": 0.05, "C6": 0.10}),
    "R2": (datetime(2024, 6, 1, 10, 0), {"C1": 0.40, "C2": 0.05, "C3": 0.30, "C4": 0.55, "C5": 0.12, "C6": 0.30}),
}
LATEST_RUN = "R2"

# Early-warning scores of the open loans at two month ends (2024-05 the latest):
# loan_id, customer_id, snapshot_month, probability, previous_probability, risk_rose
EARLY_WARNING = [
    ("L1", "C1", "2024-04", 0.05, None, False),
    ("L4", "C3", "2024-04", 0.08, None, False),
    ("L7", "C6", "2024-04", 0.30, None, True),  # rose in April, not again in May
    ("L1", "C1", "2024-05", 0.20, 0.05, True),  # rose by 0.15
    ("L4", "C3", "2024-05", 0.09, 0.08, False),
    ("L6", "C5", "2024-05", 0.20, None, True),  # first month end, over the threshold (ties L1: loan_id breaks it)
    ("L7", "C6", "2024-05", 0.35, 0.30, False),  # still high, but did not rise this month
]
EARLY_WARNING_MODEL_VERSION = "4"

ALERTS = [  # alert_id, rule, account_id, first, last, [(transaction_id, amount)], threshold, window_days
    (
        "AL1",
        "LARGE_CASH",
        "A1",
        datetime(2024, 1, 15, 10, 30),
        datetime(2024, 1, 15, 10, 30),
        [("T02", D("12000.00"))],
        0,
    ),
    (
        "AL2",
        "STRUCTURING",
        "A2",
        datetime(2024, 2, 3, 11, 0),
        datetime(2024, 2, 8, 11, 0),
        [("T04", D("9000.00")), ("T05", D("9000.00")), ("T06", D("9000.00"))],
        7,
    ),
    (
        "AL3",
        "LARGE_CASH",
        "A3",
        datetime(2024, 2, 20, 16, 45),
        datetime(2024, 2, 20, 16, 45),
        [("T07", D("15000.00"))],
        0,
    ),
    (
        "AL4",
        "LARGE_CASH",
        "A4",
        datetime(2024, 3, 10, 12, 0),
        datetime(2024, 3, 10, 12, 0),
        [("T09", D("11000.00"))],
        0,
    ),
]

RECOMMENDATIONS = [  # customer_id, product, rule_id, priority
    ("C1", "DEBT_COUNSELLING", "R-DEFAULT", 1),
    ("C2", "SAVINGS_ACCOUNT", "R-SAVER", 2),
    ("C3", "INVESTMENT_ADVISORY", "R-AFFLUENT", 1),
    ("C4", "DEBT_COUNSELLING", "R-DEFAULT", 1),
    ("C5", "CREDIT_CARD", "R-YOUTH", 3),
    ("C6", "DEBT_COUNSELLING", "R-LATE", 2),
]

OPEN = set(bronze.OPEN_LOAN_STATUSES)
DEFAULTED = set(bronze.DEFAULT_LOAN_STATUSES)


def _default(type_string: str, i: int, name: str):
    if type_string == "string":
        return f"{name}-{i}"
    if type_string in ("int", "bigint"):
        return i
    if type_string == "double":
        return float(i)
    if type_string.startswith("decimal"):
        return D(f"{i}.00")
    if type_string == "date":
        return date(2020, 1, 1)
    if type_string == "timestamp":
        return datetime(2024, 1, 1, 12, 0)
    if type_string == "boolean":
        return False
    if type_string.startswith("array"):
        return []
    raise ValueError(type_string)


def filled(table: Table, rows: list[dict]) -> list[tuple]:
    """Rows in the table's column order; columns a row does not name get a typed placeholder."""
    lineage = {"source_file": "bronze/x.csv", "ingest_date": date(2024, 4, 1), "run_id": RUN_ID}
    return [
        tuple(row.get(c.name, lineage.get(c.name, _default(c.type, i, c.name))) for c in table.columns)
        for i, row in enumerate(rows)
    ]


def open_exposure(customer: str) -> Decimal:
    return sum((p for _, c, _, _, p, _, s in LOANS if c == customer and s in OPEN), D("0.00"))


def silver_rows() -> dict[str, list[dict]]:
    return {
        "customers": [{"customer_id": c, "segment": s, "district": d} for c, s, d in CUSTOMERS],
        "customer_pii": [{"customer_id": c, "email": f"{c.lower()}@example.com"} for c, _, _ in CUSTOMERS],
        "accounts": [{"account_id": a, "customer_id": c, "status": "OPEN"} for a, c in ACCOUNT_OWNER.items()],
        "loans": [
            {
                "loan_id": lid,
                "customer_id": c,
                "account_id": a,
                "loan_type": t,
                "principal": p,
                "interest_rate": r,
                "status": s,
                "is_default": s in DEFAULTED,
            }
            for lid, c, a, t, p, r, s in LOANS
        ],
        "transactions": [
            {
                "transaction_id": tid,
                "account_id": a,
                "booked_at": at,
                "amount": amount,
                "currency": "CZK",
                "direction": direction,
                "channel": channel,
                "booked_date": at.date(),
                "signed_amount": amount if direction == "CREDIT" else -amount,
                "is_cash": channel in bronze.CASH_CHANNELS,
                "booked_month": at.strftime("%Y-%m"),
            }
            for tid, a, at, amount, direction, channel in TRANSACTIONS
        ],
        "fx_rates": [{"rate_id": f"{c}:{d}", "rate_date": d, "currency": c, "rate_per_eur": r} for c, d, r in FX_RATES],
        "dispositions": [
            {"disposition_id": d, "account_id": a, "customer_id": c, "role": r} for d, a, c, r in DISPOSITIONS
        ],
        "cards": [{"card_id": k, "disposition_id": d, "card_type": t, "issued_date": i} for k, d, t, i in CARDS],
    }


def gold_rows() -> dict[str, list[dict]]:
    summary = []
    for c, s, d in CUSTOMERS:
        mine = [row for row in LOANS if row[1] == c]
        if mine:
            principals = [row[4] for row in mine]
            summary.append(
                {
                    "customer_id": c,
                    "segment": s,
                    "district": d,
                    "loan_count": len(mine),
                    "open_loan_count": sum(row[6] in OPEN for row in mine),
                    "defaulted_loan_count": sum(row[6] in DEFAULTED for row in mine),
                    "total_principal": sum(principals, D("0.00")),
                    "avg_principal": (sum(principals, D("0.00")) / len(principals)).quantize(D("0.01")),
                    "max_principal": max(principals),
                    "open_principal": open_exposure(c),
                }
            )
    scores = []
    for run, (at, probabilities) in SCORING_RUNS.items():
        for c, p in probabilities.items():
            exposure = open_exposure(c)
            scores.append(
                {
                    "customer_id": c,
                    "default_probability": p,
                    "risk_band": risk_band(p),
                    "open_exposure": exposure,
                    "expected_loss": p * float(exposure),
                    "model_name": "finlake-default",
                    "model_version": run[-1],
                    "scoring_run_id": run,
                    "scored_at": at,
                    "scored_date": at.date().isoformat(),
                }
            )
    return {
        "customer_loan_summary": summary,
        "loan_features": [
            {
                "loan_id": lid,
                "customer_id": c,
                "account_id": a,
                "loan_type": t,
                "principal": p,
                "interest_rate": r,
                "segment": SEGMENT[c],
                "district": DISTRICT[c],
                "status": s,
                "is_default": int(s in DEFAULTED),
            }
            for lid, c, a, t, p, r, s in LOANS
        ],
        "account_monthly_activity": [
            {"account_id": a, "customer_id": ACCOUNT_OWNER[a], "month": m, "net_flow": D("10.00")}
            for a, m in sorted({(t[1], t[2].strftime("%Y-%m")) for t in TRANSACTIONS})
        ],
        "compliance_cash_alerts": [
            {
                "alert_id": aid,
                "rule": rule,
                "account_id": a,
                "customer_id": ACCOUNT_OWNER[a],
                "first_booked_at": first,
                "last_booked_at": last,
                "transaction_count": len(txns),
                "total_amount": sum((amt for _, amt in txns), D("0.00")),
                "max_amount": max(amt for _, amt in txns),
                "threshold": D("10000.00"),
                "window_days": window,
                "transaction_ids": [t for t, _ in txns],
                "alert_month": first.strftime("%Y-%m"),
            }
            for aid, rule, a, first, last, txns, window in ALERTS
        ],
        "product_recommendations": [
            {"customer_id": c, "segment": SEGMENT[c], "recommended_product": prod, "rule_id": rule, "priority": prio}
            for c, prod, rule, prio in RECOMMENDATIONS
        ],
        "customer_risk_scores": scores,
        "loan_early_warning": [
            {
                "loan_id": loan,
                "customer_id": c,
                "snapshot_month": month,
                "probability": p,
                "previous_probability": before,
                "risk_band": risk_band(p),
                "risk_rose": rose,
                "model_name": "finlake_early_warning",
                "model_version": EARLY_WARNING_MODEL_VERSION,
            }
            for loan, c, month, p, before, rose in EARLY_WARNING
        ],
    }


BRONZE_FILES = {  # entity -> {ingest_date: rows (dicts over contract columns)}
    "customers": {
        "2024-04-01": [
            {"customer_id": c, "segment": s, "district": d, "first_name": "Jan, Jr."} for c, s, d in CUSTOMERS[:4]
        ],
        "2024-04-02": [{"customer_id": c, "segment": s, "district": d} for c, s, d in CUSTOMERS[4:]],
    },
    "accounts": {"2024-04-01": [{"account_id": a, "customer_id": c} for a, c in ACCOUNT_OWNER.items()]},
    "loans": {"2024-04-01": [{"loan_id": row[0], "customer_id": row[1], "status": row[6]} for row in LOANS]},
    "transactions": {
        "2024-04-01": [{"transaction_id": t[0], "account_id": t[1], "amount": str(t[3])} for t in TRANSACTIONS[:6]],
        "2024-04-02": [{"transaction_id": t[0], "account_id": t[1], "amount": str(t[3])} for t in TRANSACTIONS[6:]],
    },
    "fx_rates": {
        "2024-04-01": [{"rate_id": f"{c}:{d}", "currency": c, "rate_per_eur": str(r)} for c, d, r in FX_RATES]
    },
    "dispositions": {
        "2024-04-01": [{"disposition_id": d, "account_id": a, "customer_id": c} for d, a, c, _ in DISPOSITIONS]
    },
    "cards": {"2024-04-01": [{"card_id": k, "disposition_id": d, "card_type": t} for k, d, t, _ in CARDS]},
}


def write_bronze(lake: Lake) -> None:
    for name, days in BRONZE_FILES.items():
        entity = bronze.ENTITIES[name]
        for day, rows in days.items():
            folder = lake.bronze_entity(name, day)
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, "extract.csv"), "w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(entity.column_names)
                writer.writerows([row.get(c, "") for c in entity.column_names] for row in rows)


def iceberg_type(type_string: str, next_id: list[int]):
    """The Iceberg type Spark's Iceberg writer gives a contract column (timestamp -> timestamptz)."""
    from pyiceberg import types as t

    simple = {
        "string": t.StringType(),
        "int": t.IntegerType(),
        "bigint": t.LongType(),
        "double": t.DoubleType(),
        "boolean": t.BooleanType(),
        "date": t.DateType(),
        "timestamp": t.TimestamptzType(),
    }
    if type_string in simple:
        return simple[type_string]
    if type_string.startswith("decimal("):
        precision, scale = type_string[len("decimal(") : -1].split(",")
        return t.DecimalType(int(precision), int(scale))
    if type_string.startswith("array<"):
        next_id[0] += 1
        element_id = next_id[0]
        return t.ListType(element_id, iceberg_type(type_string[len("array<") : -1], next_id), element_required=False)
    raise ValueError(type_string)


def iceberg_schema(table: Table):
    """Optional columns with ids 1..n, nested ids after them: what CREATE TABLE in Spark assigns."""
    from pyiceberg.schema import Schema
    from pyiceberg.types import NestedField

    next_id = [len(table.columns)]
    return Schema(
        *[
            NestedField(i, c.name, iceberg_type(c.type, next_id), required=False)
            for i, c in enumerate(table.columns, start=1)
        ]
    )


def lake_catalog(lake: Lake):
    """PyIceberg on the lake's SQLite catalog (created if missing), the one Spark's JdbcCatalog opens."""
    from pyiceberg.catalog.sql import SqlCatalog

    os.makedirs(lake.catalog, exist_ok=True)
    uri = f"sqlite:///{iceberg.catalog_file(lake)}"
    return SqlCatalog(iceberg.CATALOG, uri=uri, warehouse=iceberg.catalog_properties(lake)["warehouse"])


def arrow_rows(table: Table, rows: list[dict]):
    """Rows (missing columns null) as Arrow with the Iceberg schema's types (timestamps in UTC)."""
    import pyarrow as pa
    from pyiceberg.io.pyarrow import schema_to_pyarrow

    schema = schema_to_pyarrow(iceberg_schema(table), include_field_ids=False)
    return pa.Table.from_pylist([{c: row.get(c) for c in table.column_names} for row in rows], schema=schema)


def write_iceberg(lake: Lake, name: str, rows: list[dict]) -> int:
    """Create `name` (`silver.loans`, `gold.x`) as the jobs do, without Spark, and append `rows`.

    Same namespace, location, schema and identity partitioning as `storage.ensure_table`; one commit
    per call. Returns the snapshot id."""
    from pyiceberg.partitioning import PartitionField, PartitionSpec
    from pyiceberg.transforms import IdentityTransform

    ref = storage.ref(name)
    catalog = lake_catalog(lake)
    namespace = iceberg.namespace(lake, ref.namespace_layer)
    catalog.create_namespace_if_not_exists(namespace)
    schema = iceberg_schema(ref.contract)
    spec = PartitionSpec(
        *[
            PartitionField(schema.find_field(col).field_id, 1000 + i, IdentityTransform(), col)
            for i, col in enumerate(ref.contract.partition_by)
        ]
    )
    identifier = (namespace, ref.contract.name)
    if not catalog.table_exists(identifier):
        catalog.create_table(
            identifier, schema, location=ref.location(lake), partition_spec=spec, properties={"format-version": "2"}
        )
    table = catalog.load_table(identifier)
    table.append(arrow_rows(ref.contract, rows))
    snapshot = table.current_snapshot()
    assert snapshot is not None
    return snapshot.snapshot_id


def complete_rows(name: str, rows: list[dict]) -> list[dict]:
    """Every column of `name` in each row: columns a row does not name get a typed placeholder."""
    table = storage.contract(name)
    return [dict(zip(table.column_names, values, strict=True)) for values in filled(table, rows)]


def write_table(lake: Lake, name: str, rows: list[dict]) -> int:
    """The rows with placeholders filled in, as one Iceberg commit."""
    return write_iceberg(lake, name, complete_rows(name, rows))


def build_small_lake(root: str) -> Lake:
    """Bronze as CSV files; Silver and Gold as Iceberg tables in the lake's catalog (PyIceberg, no Spark).

    The Silver snapshots are recorded in the Silver state, as a Silver run leaves them for Gold."""
    from finlake.silver.state import load_state, save_state

    lake = Lake.local(root)
    write_bronze(lake)
    state = load_state(lake)
    for name, rows in silver_rows().items():
        state.snapshots[f"silver.{name}"] = write_table(lake, f"silver.{name}", rows)
    save_state(lake, state)
    for name, rows in gold_rows().items():
        write_table(lake, f"gold.{name}", rows)
    return lake
