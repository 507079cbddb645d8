"""A tiny, hand-made lake for the catalog and query tests: rows as plain Python, written by pyarrow.

Silver and Gold are written with the declared column types through `finlake.publish.staged_version`,
so the layout is the real one (a symlink to a version folder, Hive partition folders, partition
columns only in the folder names); Bronze is CSV under bronze/<entity>/ingest_date=.../. The same
Python rows are what the tests compute their expectations from, independently of any SQL.
pyarrow rather than Spark keeps these tests free of a JVM start on a shared machine.
"""

from __future__ import annotations

import csv
import os
from datetime import date, datetime
from decimal import Decimal

from finlake.contracts import bronze, gold, silver
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

SCORING_RUNS = {  # run id -> (scored_at, {customer: probability})
    "R1": (datetime(2024, 5, 1, 10, 0), {"C1": 0.20, "C2": 0.30, "C3": 0.28, "C4": 0.50, "C5": 0.05, "C6": 0.10}),
    "R2": (datetime(2024, 6, 1, 10, 0), {"C1": 0.40, "C2": 0.05, "C3": 0.30, "C4": 0.55, "C5": 0.12, "C6": 0.30}),
}
LATEST_RUN = "R2"

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


def arrow_type(type_string: str):
    import pyarrow as pa

    simple = {
        "string": pa.string(),
        "int": pa.int32(),
        "bigint": pa.int64(),
        "double": pa.float64(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
        "timestamp": pa.timestamp("us"),
    }
    if type_string in simple:
        return simple[type_string]
    if type_string.startswith("decimal("):
        precision, scale = type_string[len("decimal(") : -1].split(",")
        return pa.decimal128(int(precision), int(scale))
    if type_string.startswith("array<"):
        return pa.list_(arrow_type(type_string[len("array<") : -1]))
    raise ValueError(type_string)


def write_table(table: Table, rows: list[dict], path: str) -> None:
    """Parquet with the declared types, one file per partition, published like the real jobs do."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from finlake.publish import staged_version

    data = [dict(zip(table.column_names, values, strict=True)) for values in filled(table, rows)]
    schema = pa.schema([(c.name, arrow_type(c.type)) for c in table.data_columns])
    groups: dict[tuple, list[dict]] = {}
    for row in data:
        groups.setdefault(tuple(row[k] for k in table.partition_by), []).append(row)
    with staged_version(path) as staging:
        for values, members in groups.items():
            folder = staging.joinpath(*(f"{k}={v}" for k, v in zip(table.partition_by, values, strict=True)))
            folder.mkdir(parents=True, exist_ok=True)
            pq.write_table(pa.Table.from_pylist(members, schema=schema), folder / "part-00000.snappy.parquet")


def build_small_lake(root: str) -> Lake:
    lake = Lake.local(root)
    write_bronze(lake)
    for name, rows in silver_rows().items():
        write_table(silver.SILVER_TABLES[name], rows, lake.silver_table(name))
    for name, rows in gold_rows().items():
        write_table(gold.GOLD_TABLES[name], rows, lake.gold_table(name))
    return lake
