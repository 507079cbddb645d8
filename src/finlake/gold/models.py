"""The Gold models, declared once: each Gold table with the Silver tables it is built from and its
build function (pure: no reads, writes or actions). The job builds from this list, the run report's
lineage (`upstream`) and the README's table docs come from it, and adding a Gold table is one entry
here plus its contract, builder module, rules file and test (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pyspark.sql import DataFrame

from finlake.contracts.bronze import ENTITY_ORDER
from finlake.contracts.gold import (
    FEATURE_WINDOW_DAYS,
    LARGE_CASH_THRESHOLD,
    STRUCTURING_LOWER_FRACTION,
    STRUCTURING_MIN_COUNT,
    STRUCTURING_WINDOW_DAYS,
)
from finlake.errors import UsageError
from finlake.gold.account_monthly_activity import account_monthly_activity
from finlake.gold.compliance import ComplianceRules, compliance_cash_alerts
from finlake.gold.customer_loan_summary import customer_loan_summary
from finlake.gold.loan_features import loan_features
from finlake.gold.loan_monthly_snapshots import loan_monthly_snapshots
from finlake.gold.recommendations import product_recommendations


@dataclass(frozen=True)
class GoldParams:
    """Business parameters of the Gold job (defaults from `finlake.contracts.gold`)."""

    large_cash_threshold: float = LARGE_CASH_THRESHOLD
    structuring_window_days: int = STRUCTURING_WINDOW_DAYS
    structuring_min_count: int = STRUCTURING_MIN_COUNT
    structuring_lower_fraction: float = STRUCTURING_LOWER_FRACTION
    feature_window_days: int = FEATURE_WINDOW_DAYS

    def __post_init__(self) -> None:
        if not self.large_cash_threshold > 0:
            raise UsageError(f"large cash threshold must be above 0, got {self.large_cash_threshold}")
        if self.structuring_window_days < 1:
            raise UsageError(f"structuring window must be at least 1 day, got {self.structuring_window_days}")
        if self.structuring_min_count < 2:
            raise UsageError(f"structuring needs at least 2 deposits, got {self.structuring_min_count}")
        if not 0 < self.structuring_lower_fraction < 1:
            raise UsageError(f"structuring lower fraction must be in (0, 1), got {self.structuring_lower_fraction}")
        if self.feature_window_days < 1:
            raise UsageError(f"feature window must be at least 1 day, got {self.feature_window_days}")

    @property
    def compliance_rules(self) -> ComplianceRules:
        return ComplianceRules(
            threshold=self.large_cash_threshold,
            window_days=self.structuring_window_days,
            min_count=self.structuring_min_count,
            lower_fraction=self.structuring_lower_fraction,
        )


@dataclass(frozen=True)
class GoldModel:
    """A Gold table, the Silver tables it reads (in the order `build` takes them), and how it is built."""

    table: str
    inputs: tuple[str, ...]
    build: Callable[..., DataFrame]  # build(*inputs, params)


MODELS: tuple[GoldModel, ...] = (
    GoldModel(
        "customer_loan_summary",
        ("loans", "customers", "accounts", "fx_rates"),  # principals in EUR at each origination date's rate
        lambda loans, customers, accounts, rates, p: customer_loan_summary(loans, customers, accounts, rates),
    ),
    GoldModel(
        "loan_features",
        ("loans", "customers", "transactions", "dispositions", "cards"),
        lambda loans, customers, tx, disp, cards, p: loan_features(
            loans, customers, tx, window_days=p.feature_window_days, dispositions=disp, cards=cards
        ),
    ),
    GoldModel(
        "account_monthly_activity",
        ("transactions", "accounts"),
        lambda tx, accounts, p: account_monthly_activity(tx, accounts),
    ),
    GoldModel(
        "compliance_cash_alerts",
        ("transactions", "accounts", "fx_rates"),  # judged in EUR at each booking date's rate
        lambda tx, accounts, rates, p: compliance_cash_alerts(tx, accounts, rates, p.compliance_rules),
    ),
    GoldModel(
        "product_recommendations",
        ("customers", "accounts", "loans"),
        lambda customers, accounts, loans, p: product_recommendations(customers, accounts, loans),
    ),
    GoldModel(
        "loan_monthly_snapshots",  # the early-warning model's input; rebuilt in full every run
        ("loans", "accounts", "transactions"),
        lambda loans, accounts, tx, p: loan_monthly_snapshots(loans, accounts, tx),
    ),
)
# Which Silver tables each Gold table is built from (lineage), and every Silver table Gold reads.
UPSTREAM: dict[str, tuple[str, ...]] = {m.table: m.inputs for m in MODELS}
SILVER_INPUTS: tuple[str, ...] = tuple(n for n in ENTITY_ORDER if any(n in m.inputs for m in MODELS))


def build_gold(silver: Mapping[str, DataFrame], params: GoldParams) -> dict[str, DataFrame]:
    """Every Gold table built by the job, from Silver frames (pure: no reads, writes or actions)."""
    return {m.table: m.build(*(silver[n] for n in m.inputs), params) for m in MODELS}
