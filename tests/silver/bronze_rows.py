"""Tiny Bronze rows and files for the Silver tests, written as the contract says (or deliberately not)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from finlake.contracts.bronze import ENTITIES

CUSTOMER = {
    "customer_id": "C1",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "date_of_birth": "1980-12-10",
    "gender": "f",
    "email": "ada@example.com",
    "phone": "+44 1",
    "street_address": "1 Analytical St",
    "city": "London",
    "district": "Westminster",
    "postal_code": "W1",
    "annual_income": "52000.00",
    "employment_status": "EMPLOYED",
    "segment": "MASS",
    "customer_since": "2015-03-01",
    "updated_at": "2024-01-01T09:00:00Z",
}
ACCOUNT = {
    "account_id": "A1",
    "customer_id": "C1",
    "account_type": "CHECKING",
    "currency": "EUR",
    "opened_date": "2015-03-01",
    "closed_date": "",
    "status": "OPEN",
    "credit_limit": "1000.00",
    "updated_at": "2024-01-01T09:00:00Z",
}
LOAN = {
    "loan_id": "L1",
    "customer_id": "C1",
    "account_id": "A1",
    "loan_type": "PERSONAL",
    "principal": "10000.00",
    "interest_rate": "5.5",
    "term_months": "36",
    "origination_date": "2023-06-01",
    "maturity_date": "2026-06-01",
    "monthly_payment": "301.96",
    "status": "CURRENT",
    "updated_at": "2024-01-01T09:00:00Z",
}
TRANSACTION = {
    "transaction_id": "T1",
    "account_id": "A1",
    "booked_at": "2024-01-01T10:00:00Z",
    "amount": "25.00",
    "currency": "EUR",
    "direction": "DEBIT",
    "channel": "CARD",
    "merchant_category": "5411",
    "description": "groceries",
    "balance_after": "975.00",
}
TEMPLATES = {"customers": CUSTOMER, "accounts": ACCOUNT, "loans": LOAN, "transactions": TRANSACTION}


def rate(currency: str, day: str, value: str, published: str = "") -> dict[str, str]:
    """An fx_rates Bronze row (ECB reference rate)."""
    return {
        "rate_id": f"{currency}:{day}",
        "rate_date": day,
        "currency": currency,
        "rate_per_eur": value,
        "published_at": published or f"{day}T15:00:00",
    }


def row(entity: str, **changes: str) -> dict[str, str]:
    return {**TEMPLATES[entity], **changes}


def csv_text(entity: str, rows: list[dict[str, str]], columns: list[str] | None = None) -> str:
    columns = columns or ENTITIES[entity].column_names
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def write_bronze(
    root: Path,
    entity: str,
    ingest_date: str,
    rows: list[dict[str, str]] | None = None,
    *,
    name: str = "part-0.csv",
    columns: list[str] | None = None,
    content: bytes | None = None,
) -> Path:
    """Write one Bronze file under root/bronze/<entity>/ingest_date=<d>/<name>."""
    folder = root / "bronze" / entity / f"ingest_date={ingest_date}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content if content is not None else csv_text(entity, rows or [], columns).encode("utf-8"))
    return path
