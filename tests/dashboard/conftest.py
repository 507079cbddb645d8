"""A tiny Gold layer written from the declared schemas, with numbers small enough to check by hand.

Two scoring runs (R1 on 2024-03-01, R2 on 2024-03-02; R2 is the latest), four customers, five loans,
three compliance alerts. The expected dashboard figures are worked out in the tests from these rows.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from small_lake import write_iceberg

from finlake.lake import Lake


def _score(customer, probability, band, exposure, run, scored_at):
    return {
        "customer_id": customer,
        "default_probability": probability,
        "risk_band": band,
        "open_exposure": Decimal(exposure),
        "expected_loss": probability * float(exposure),
        "model_name": "loan_default",
        "model_version": "3" if run == "R2" else "2",
        "scoring_run_id": run,
        "scored_at": scored_at,
        "scored_date": scored_at.date().isoformat(),
    }


R1_AT = datetime(2024, 3, 1, 6, 0, 0)
R2_AT = datetime(2024, 3, 2, 6, 0, 0)

SCORES = [
    _score("C1", 0.30, "HIGH", "1000.00", "R1", R1_AT),
    _score("C2", 0.05, "LOW", "2000.00", "R1", R1_AT),
    _score("C1", 0.40, "HIGH", "1000.00", "R2", R2_AT),
    _score("C2", 0.12, "MEDIUM", "2000.00", "R2", R2_AT),
    _score("C3", 0.02, "LOW", "5000.00", "R2", R2_AT),
    _score("C4", 0.60, "HIGH", "500.00", "R2", R2_AT),
]

SUMMARIES = [  # C4 has no summary row: the dashboard shows its segment as unknown, not drop it
    {"customer_id": "C1", "segment": "MASS", "district": "Praha", "loan_count": 1},
    {"customer_id": "C2", "segment": "AFFLUENT", "district": "Brno", "loan_count": 1},
    {"customer_id": "C3", "segment": "MASS", "district": "Praha", "loan_count": 2},
]

LOANS = [
    {
        "loan_id": "L1",
        "customer_id": "C1",
        "loan_type": "PERSONAL",
        "segment": "MASS",
        "district": "Praha",
        "is_default": 1,
        "origination_date": date(2023, 1, 5),
    },
    {
        "loan_id": "L2",
        "customer_id": "C2",
        "loan_type": "MORTGAGE",
        "segment": "AFFLUENT",
        "district": "Brno",
        "is_default": 0,
        "origination_date": date(2023, 2, 5),
    },
    {
        "loan_id": "L3",
        "customer_id": "C3",
        "loan_type": "PERSONAL",
        "segment": "MASS",
        "district": "Praha",
        "is_default": 0,
        "origination_date": date(2023, 3, 5),
    },
    {
        "loan_id": "L4",
        "customer_id": "C3",
        "loan_type": "AUTO",
        "segment": "MASS",
        "district": "Praha",
        "is_default": 0,
        "origination_date": date(2023, 4, 5),
    },
    {
        "loan_id": "L5",
        "customer_id": "C4",
        "loan_type": "PERSONAL",
        "segment": "YOUTH",
        "district": "Ostrava",
        "is_default": 1,
        "origination_date": date(2023, 5, 5),
    },
]

ALERTS = [
    {
        "alert_id": "A1",
        "rule": "LARGE_CASH",
        "customer_id": "C1",
        "transaction_count": 1,
        "total_amount": Decimal("12000.00"),
        "alert_month": "2024-01",
        "transaction_ids": ["T1"],
    },
    {
        "alert_id": "A2",
        "rule": "STRUCTURING",
        "customer_id": "C2",
        "transaction_count": 3,
        "total_amount": Decimal("27000.00"),
        "alert_month": "2024-01",
        "transaction_ids": ["T2", "T3", "T4"],
    },
    {
        "alert_id": "A3",
        "rule": "LARGE_CASH",
        "customer_id": "C3",
        "transaction_count": 1,
        "total_amount": Decimal("15000.00"),
        "alert_month": "2024-02",
        "transaction_ids": ["T5"],
    },
]

# gold.loan_early_warning at two month ends: in 2024-02 (the latest) L1 rose (0.10 -> 0.25) and L4 is
# new and over the threshold; L5 rose in January only; L3 did not rise.
EARLY_WARNING = [
    {"loan_id": "L5", "customer_id": "C4", "snapshot_month": "2024-01", "probability": 0.30, "risk_rose": True},
    {"loan_id": "L1", "customer_id": "C1", "snapshot_month": "2024-01", "probability": 0.10, "risk_rose": False},
    {
        "loan_id": "L1",
        "customer_id": "C1",
        "snapshot_month": "2024-02",
        "probability": 0.25,
        "previous_probability": 0.10,
        "risk_band": "HIGH",
        "risk_rose": True,
        "model_version": "2",
    },
    {
        "loan_id": "L4",
        "customer_id": "C3",
        "snapshot_month": "2024-02",
        "probability": 0.18,
        "risk_band": "MEDIUM",
        "risk_rose": True,
        "model_version": "2",
    },
    {"loan_id": "L3", "customer_id": "C3", "snapshot_month": "2024-02", "probability": 0.02, "risk_rose": False},
    {"loan_id": "L5", "customer_id": "C4", "snapshot_month": "2024-02", "probability": 0.31, "risk_rose": False},
]


@pytest.fixture(scope="session")
def sample_lake(tmp_path_factory) -> Path:
    """Gold tables as Iceberg tables in the lake's catalog (PyIceberg; missing columns are null)."""
    root = tmp_path_factory.mktemp("lake")
    lake = Lake.local(root)
    for name, rows in [
        ("customer_risk_scores", SCORES[:2]),
        ("customer_loan_summary", SUMMARIES),
        ("loan_features", LOANS),
        ("compliance_cash_alerts", ALERTS),
        ("loan_early_warning", EARLY_WARNING),
    ]:
        write_iceberg(lake, f"gold.{name}", rows)
    write_iceberg(lake, "gold.customer_risk_scores", SCORES[2:])  # the second scoring run, its own commit
    return root


@pytest.fixture
def empty_lake(tmp_path) -> Path:
    (tmp_path / "lake").mkdir()
    return tmp_path / "lake"
