"""Tiny Silver frames for Gold tests: give the columns a test is about, the rest get plain defaults."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from finlake.contracts.bronze import CASH_CHANNELS, DEFAULT_LOAN_STATUSES
from finlake.contracts.gold import GOLD_TABLES
from finlake.contracts.silver import SILVER_TABLES

LINEAGE = {"source_file": "bronze/x.csv", "ingest_date": date(2024, 1, 1), "run_id": "r1"}
DEFAULTS: dict[str, dict[str, object]] = {
    "customers": {
        "date_of_birth": date(1980, 1, 1),
        "gender": "F",
        "city": "Prague",
        "district": "D1",
        "postal_code": "11000",
        "annual_income": Decimal("50000.00"),
        "employment_status": "EMPLOYED",
        "segment": "MASS",
        "customer_since": date(2010, 1, 1),
        "updated_at": datetime(2024, 1, 1),
    },
    "accounts": {
        "account_type": "CHECKING",
        "currency": "EUR",
        "opened_date": date(2010, 1, 1),
        "status": "OPEN",
        "updated_at": datetime(2024, 1, 1),
    },
    "loans": {
        "loan_type": "PERSONAL",
        "principal": Decimal("1000.00"),
        "interest_rate": Decimal("5.0000"),
        "term_months": 12,
        "origination_date": date(2024, 6, 1),
        "maturity_date": date(2025, 6, 1),
        "monthly_payment": Decimal("90.00"),
        "status": "CURRENT",
        "updated_at": datetime(2024, 6, 1),
    },
    "transactions": {
        "currency": "EUR",
        "direction": "CREDIT",
        "channel": "TRANSFER",
        "description": "t",
    },
}


def _derived(table: str, row: dict[str, object]) -> dict[str, object]:
    """The columns Silver derives, derived the same way so tests only state the inputs."""
    if table == "loans":
        return {"is_default": row.get("status", DEFAULTS["loans"]["status"]) in DEFAULT_LOAN_STATUSES}
    if table == "transactions":
        booked = row["booked_at"]
        assert isinstance(booked, datetime)
        amount = row["amount"]
        assert isinstance(amount, Decimal)
        direction = row.get("direction", "CREDIT")
        return {
            "booked_date": booked.date(),
            "booked_month": booked.strftime("%Y-%m"),
            "is_cash": row.get("channel", "TRANSFER") in CASH_CHANNELS,
            "signed_amount": -amount if direction == "DEBIT" else amount,
        }
    return {}


@pytest.fixture(scope="session")
def silver_df(spark):
    """silver_df("loans", [{"loan_id": "L1", ...}]) -> a DataFrame with the Silver schema."""

    def make(table: str, rows: list[dict[str, object]]):
        declared = SILVER_TABLES[table]
        data = []
        for row in rows:
            full = {**LINEAGE, **DEFAULTS.get(table, {}), **_derived(table, row), **row}
            data.append(tuple(full.get(c) for c in declared.column_names))
        return spark.createDataFrame(data, declared.spark_schema())

    return make


@pytest.fixture(scope="session")
def gold_df(spark):
    """gold_df("loan_features", [tuple, ...]) -> the expected frame, with the declared Gold schema."""

    def make(table: str, rows: list[tuple]):
        return spark.createDataFrame(rows, GOLD_TABLES[table].spark_schema())

    return make
