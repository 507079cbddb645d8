"""gold.product_recommendations: the next-best product per customer, by documented rules.

The rules are data (`RULES`), tried in priority order; the first that holds for a customer wins, and
the last always holds, so every customer gets exactly one recommendation with its rule and reason.
A condition that cannot be decided (e.g. unknown income) does not hold. Ages are as of the date of
the newest customer record in Silver, so the same Silver always gives the same recommendations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from finlake.contracts.bronze import OPEN_LOAN_STATUSES
from finlake.contracts.gold import PRODUCT_RECOMMENDATIONS
from finlake.gold.conform import conform

ARREARS_STATUSES = ("LATE", "DEFAULT", "CHARGED_OFF")
EARNING = ("EMPLOYED", "SELF_EMPLOYED")
MAX_DEBT_SERVICE_RATIO = 0.4  # open-loan instalments above 40% of monthly income: over-indebted


@dataclass(frozen=True)
class ProductRule:
    rule_id: str
    priority: int
    product: str
    reason: str
    condition: Callable[[], Column]  # over the customer profile built below


def _col(name: str) -> Column:
    return F.col(name)


RULES: tuple[ProductRule, ...] = (
    ProductRule(
        "ARREARS", 1, "DEBT_COUNSELLING",
        "a loan is late, in default or charged off",
        lambda: _col("has_arrears"),
    ),
    ProductRule(
        "HIGH_DEBT_SERVICE", 2, "DEBT_COUNSELLING",
        f"open-loan instalments exceed {MAX_DEBT_SERVICE_RATIO:.0%} of monthly income",
        lambda: _col("open_instalments") * 12 > _col("annual_income") * MAX_DEBT_SERVICE_RATIO,
    ),
    ProductRule(
        "WEALTH", 3, "INVESTMENT_ADVISORY",
        "AFFLUENT or PRIVATE segment, or annual income of 100,000 or more",
        lambda: _col("segment").isin("AFFLUENT", "PRIVATE") | (_col("annual_income") >= 100_000),
    ),
    ProductRule(
        "FIRST_HOME", 4, "MORTGAGE",
        "employed or self-employed, aged 25 to 45, income of 40,000 or more, no mortgage yet",
        lambda: _col("employment_status").isin(*EARNING)
        & _col("age_years").between(25, 45)
        & (_col("annual_income") >= 40_000)
        & ~_col("has_mortgage"),
    ),
    ProductRule(
        "NO_CARD", 5, "CREDIT_CARD",
        "income of 15,000 or more and no open credit card account",
        lambda: (_col("annual_income") >= 15_000) & ~_col("has_card"),
    ),
    ProductRule(
        "NO_SAVINGS", 6, "SAVINGS_ACCOUNT",
        "no open savings account",
        lambda: ~_col("has_savings"),
    ),
    ProductRule(
        "NO_LOAN", 7, "PERSONAL_LOAN",
        "employed or self-employed, income of 20,000 or more, no open loan",
        lambda: _col("employment_status").isin(*EARNING) & (_col("annual_income") >= 20_000) & (_col("open_loans") == 0),
    ),
    ProductRule(
        "DEFAULT", 8, "SAVINGS_ACCOUNT",
        "no stronger signal: a regular savings plan",
        lambda: F.lit(True),
    ),
)  # fmt: skip


def customer_profile(customers: DataFrame, accounts: DataFrame, loans: DataFrame) -> DataFrame:
    """One row per customer with the facts the rules look at; key `customer_id`."""
    loan_facts = loans.groupBy("customer_id").agg(
        F.max(F.col("status").isin(*ARREARS_STATUSES)).alias("has_arrears"),
        F.sum(F.when(F.col("status").isin(*OPEN_LOAN_STATUSES), F.col("monthly_payment"))).alias("open_instalments"),
        F.count_if(F.col("status").isin(*OPEN_LOAN_STATUSES)).alias("open_loans"),
        F.max(F.col("loan_type") == "MORTGAGE").alias("has_mortgage"),
    )
    open_accounts = accounts.where(F.col("status") != "CLOSED")
    account_facts = open_accounts.groupBy("customer_id").agg(
        F.max(F.col("account_type") == "CREDIT_CARD").alias("has_card"),
        F.max(F.col("account_type") == "SAVINGS").alias("has_savings"),
    )
    as_of = customers.agg(F.to_date(F.max("updated_at")).alias("as_of"))  # one row
    return (
        customers.join(F.broadcast(as_of), how="cross")
        .join(loan_facts, on="customer_id", how="left")
        .join(account_facts, on="customer_id", how="left")
        .withColumn("age_years", F.datediff("as_of", "date_of_birth") / 365.25)
        .fillna(False, subset=["has_arrears", "has_mortgage", "has_card", "has_savings"])
        .withColumn("open_loans", F.coalesce(F.col("open_loans"), F.lit(0)))
        .withColumn("open_instalments", F.coalesce(F.col("open_instalments"), F.lit(0)))
    )


def product_recommendations(customers: DataFrame, accounts: DataFrame, loans: DataFrame) -> DataFrame:
    """One row per customer; key `customer_id`. The first rule of RULES (by priority) that holds."""
    choice: Column = F.lit(None)
    for rule in sorted(RULES, key=lambda r: r.priority, reverse=True):
        picked = F.struct(
            F.lit(rule.product).alias("product"),
            F.lit(rule.rule_id).alias("rule_id"),
            F.lit(rule.reason).alias("reason"),
            F.lit(rule.priority).alias("priority"),
        )
        choice = F.when(F.coalesce(rule.condition(), F.lit(False)), picked).otherwise(choice)
    return (
        customer_profile(customers, accounts, loans)
        .withColumn("choice", choice)
        .select(
            "customer_id",
            "segment",
            F.col("choice.product").alias("recommended_product"),
            "choice.rule_id",
            "choice.reason",
            "choice.priority",
        )
        .transform(conform(PRODUCT_RECOMMENDATIONS))
    )
