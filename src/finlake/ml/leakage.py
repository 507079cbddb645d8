"""Guards against look-ahead leakage: features must use only what was known before origination.

Two checks, both ending in a one-line FinlakeError:

* `assert_point_in_time` audits a feature builder: it adds extreme transactions dated on and after
  each loan's origination_date to the input and rebuilds the features. A point-in-time builder
  (gold.loan_features' contract: only transactions strictly before origination_date, inside the
  window) returns exactly the same table; any change names the leaking feature columns.
* `assert_accounts_point_in_time` does the same for the account features: it adds, on and after
  each loan's origination_date, an authorised user on the loan's account and a GOLD card issued to it.
* `screen_features` runs before every training: a single feature that on its own separates
  defaulters from good loans almost perfectly (ROC-AUC >= 0.98) is, in credit data, nearly always
  computed from what happened after the loan was granted (arrears, collections, write-offs).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StructType
from sklearn.metrics import roc_auc_score

from finlake.contracts.silver import SILVER_CARDS, SILVER_DISPOSITIONS, SILVER_TRANSACTIONS
from finlake.errors import FinlakeError
from finlake.ml.features import CUTOFF, KEY, OUTCOME_COLUMNS

LEAKAGE_AUC = 0.98
MIN_ROWS_FOR_SCREEN = 20
FUTURE_AMOUNT = 1_000_000.0
FUTURE_OFFSETS_DAYS = (0, 1, 30)  # the cut-off day itself is already "after"


def future_transactions(loans: DataFrame) -> DataFrame:
    """Extreme cash debits on each loan's account dated on and after its origination_date, shaped
    like silver.transactions (columns the audit does not need are null)."""
    offsets = F.explode(F.array(*[F.lit(d) for d in FUTURE_OFFSETS_DAYS]))
    base = loans.select(F.col("account_id"), F.col(KEY), F.col(CUTOFF), offsets.alias("offset_days"))
    booked_date = F.date_add(F.col(CUTOFF), F.col("offset_days"))
    values: dict[str, Column] = {
        "transaction_id": F.concat_ws("-", F.lit("FUTURE"), F.col(KEY), F.col("offset_days").cast("string")),
        "account_id": F.col("account_id"),
        "booked_at": F.to_timestamp(booked_date) + F.expr("INTERVAL 12 HOURS"),
        "amount": F.lit(FUTURE_AMOUNT),
        "currency": F.lit("EUR"),
        "direction": F.lit("DEBIT"),
        "channel": F.lit("ATM"),
        "description": F.lit("leakage audit: after origination"),
        "balance_after": F.lit(-FUTURE_AMOUNT),
        "booked_date": booked_date,
        "signed_amount": F.lit(-FUTURE_AMOUNT),
        "is_cash": F.lit(True),
        "booked_month": F.date_format(booked_date, "yyyy-MM"),
    }
    schema = SILVER_TRANSACTIONS.spark_schema()
    return base.select(
        *[values.get(field.name, F.lit(None)).cast(field.dataType).alias(field.name) for field in schema.fields]
    )


def assert_point_in_time(
    build: Callable[[DataFrame], DataFrame], transactions: DataFrame, loans: DataFrame, key: str = KEY
) -> None:
    """Fail if `build(transactions)` changes when transactions after origination are added.

    `build` maps silver.transactions-shaped input to a feature table keyed by `key` (other inputs,
    such as loans and customers, are closed over by the caller).
    """
    perturbed_input = transactions.unionByName(
        future_transactions(loans).select(*transactions.columns), allowMissingColumns=False
    )
    _assert_unchanged(build(transactions), build(perturbed_input), key, "transactions dated")


def future_account_records(loans: DataFrame) -> tuple[DataFrame, DataFrame]:
    """silver.dispositions- and silver.cards-shaped rows dated on and after each loan's
    origination_date: per offset, an AUTHORISED_USER disposition on the loan's account granted that
    day, and a GOLD card issued to it that day."""
    offsets = F.explode(F.array(*[F.lit(d) for d in FUTURE_OFFSETS_DAYS]))
    base = loans.select("account_id", "customer_id", F.col(KEY), F.col(CUTOFF), offsets.alias("offset_days"))
    day = F.date_add(F.col(CUTOFF), F.col("offset_days"))
    disposition_id = F.concat_ws("-", F.lit("FUTURE"), F.col(KEY), F.col("offset_days").cast("string"))
    dispositions: dict[str, Column] = {
        "disposition_id": disposition_id,
        "account_id": F.col("account_id"),
        "customer_id": F.col("customer_id"),
        "role": F.lit("AUTHORISED_USER"),
        "valid_from": day,
    }
    cards: dict[str, Column] = {
        "card_id": disposition_id,
        "disposition_id": disposition_id,
        "card_type": F.lit("GOLD"),
        "issued_date": day,
    }

    def shaped(values: dict[str, Column], schema: StructType) -> DataFrame:
        return base.select(*[values.get(f.name, F.lit(None)).cast(f.dataType).alias(f.name) for f in schema.fields])

    return shaped(dispositions, SILVER_DISPOSITIONS.spark_schema()), shaped(cards, SILVER_CARDS.spark_schema())


def assert_accounts_point_in_time(
    build: Callable[[DataFrame, DataFrame], DataFrame],
    dispositions: DataFrame,
    cards: DataFrame,
    loans: DataFrame,
    key: str = KEY,
) -> None:
    """Fail if `build(dispositions, cards)` changes when authorised users and cards dated on or after
    origination are added (other inputs are closed over by the caller)."""
    future_dispositions, future_cards = future_account_records(loans)
    after = build(
        dispositions.unionByName(future_dispositions.select(*dispositions.columns)),
        cards.unionByName(future_cards.select(*cards.columns)),
    )
    _assert_unchanged(build(dispositions, cards), after, key, "authorised users and cards dated")


def _assert_unchanged(before: DataFrame, after: DataFrame, key: str, added: str) -> None:
    """FinlakeError naming every column whose value changed for some key between the two builds."""
    before, after = before.alias("b"), after.alias("a")
    # the outcome columns describe the data's end (observed_until moves with any later booking)
    compared = [c for c in before.columns if c != key and c not in OUTCOME_COLUMNS]
    joined = before.join(after, on=key, how="full_outer")
    # One pass: per column, how many loans' values differ (null-safe, so null -> value counts too).
    changed = joined.agg(
        *[F.sum((~F.col(f"b.{c}").eqNullSafe(F.col(f"a.{c}"))).cast("int")).alias(c) for c in compared]
    ).first()
    assert changed is not None  # a global aggregate always has one row
    leaking = [c for c in compared if (changed[c] or 0) > 0]
    if leaking:
        raise FinlakeError(
            "look-ahead leakage: features "
            + ", ".join(f"{c} ({changed[c]} loans)" for c in leaking)
            + f" change when {added} on or after origination_date are added"
        )


def screen_features(train: pd.DataFrame, label: str, numeric: tuple[str, ...]) -> None:
    """Fail if one numeric feature alone separates the classes almost perfectly on the training loans."""
    y = train[label].to_numpy()
    for column in numeric:
        known = train[column].notna().to_numpy()
        if known.sum() < MIN_ROWS_FOR_SCREEN or len(np.unique(y[known])) < 2:
            continue
        auc = float(roc_auc_score(y[known], train[column].to_numpy()[known]))
        separation = max(auc, 1.0 - auc)
        if separation >= LEAKAGE_AUC:
            raise FinlakeError(
                f"feature {column} alone separates defaults from good loans (ROC-AUC {separation:.3f} on the "
                "training loans): it is almost certainly computed from data after origination_date "
                "(gold.loan_features must be point-in-time); fix the feature, then train again"
            )
