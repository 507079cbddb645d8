"""The Silver models, declared once: per Bronze entity, the Silver tables it publishes and how each
is built from the entity's winning rows. The job publishes from this, checks which outputs exist from
it, and tests/silver/test_models.py checks it covers exactly the Silver contract."""

from __future__ import annotations

from collections.abc import Callable

from pyspark.sql import DataFrame

from finlake.silver import tables
from finlake.silver.pii import customer_pii, customers_without_pii

SILVER_MODELS: dict[str, dict[str, Callable[[DataFrame], DataFrame]]] = {
    # customers are split in two: the public attributes, and the PII in the restricted table
    "customers": {"customers": customers_without_pii, "customer_pii": customer_pii},
    "accounts": {"accounts": tables.build_accounts},
    "loans": {"loans": tables.build_loans},
    "transactions": {"transactions": tables.build_transactions},
    "fx_rates": {"fx_rates": tables.build_fx_rates},
    "dispositions": {"dispositions": tables.build_dispositions},
    "cards": {"cards": tables.build_cards},
}
