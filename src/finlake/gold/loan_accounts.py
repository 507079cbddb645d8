"""The loan's account as of origination: who else may operate it, and which cards it had.

From silver.dispositions and silver.cards, strictly before each loan's origination_date:

* `has_second_authorised_user`: an AUTHORISED_USER disposition on the loan's account was held on
  the day before origination: granted before it (`valid_from < origination_date`, or no valid_from:
  a source without dates, like PKDD'99's disp, is read as "held since the account opened") and not
  ended before it (`valid_to` empty or on/after origination day).
* `card_before_loan`: a card issued strictly before origination to any disposition on the account.
* `card_class`: the highest class of those cards (GOLD > CLASSIC > JUNIOR), NONE without one.

A disposition granted or a card issued on origination day or later is not seen at all.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from finlake.contracts.bronze import CARD_TYPES

AUTHORISED_USER = "AUTHORISED_USER"
NO_CARD = "NONE"


def _held_at_origination(dispositions: DataFrame, loans: DataFrame) -> DataFrame:
    """One row per (loan, disposition on its account held on the day before origination)."""
    keys = loans.select("loan_id", F.col("account_id").alias("loan_account_id"), "origination_date")
    orig = F.col("origination_date")
    held = (
        (F.col("account_id") == F.col("loan_account_id"))
        & (F.col("valid_from").isNull() | (F.col("valid_from") < orig))
        & (F.col("valid_to").isNull() | (F.col("valid_to") >= orig))
    )
    return dispositions.select("disposition_id", "account_id", "role", "valid_from", "valid_to").join(
        keys, on=held, how="inner"
    )


def _cards_before(dispositions: DataFrame, cards: DataFrame, loans: DataFrame) -> DataFrame:
    """One row per loan with a card issued before origination: card_class, the highest one's type."""
    keys = loans.select("loan_id", F.col("account_id").alias("loan_account_id"), "origination_date")
    on_account = dispositions.select("disposition_id", "account_id").join(
        cards.select("disposition_id", "card_type", "issued_date"), on="disposition_id", how="inner"
    )
    before = (F.col("account_id") == F.col("loan_account_id")) & (F.col("issued_date") < F.col("origination_date"))
    classes = ", ".join(f"'{t}'" for t in CARD_TYPES)  # CARD_TYPES is ascending
    rank = F.expr(f"array_position(array({classes}), card_type)")
    return (
        on_account.join(keys, on=before, how="inner")
        .groupBy("loan_id")
        .agg(F.max_by(F.col("card_type"), rank).alias("card_class"))
    )


def account_relations(loans: DataFrame, dispositions: DataFrame | None, cards: DataFrame | None) -> DataFrame:
    """One row per loan; key `loan_id`: has_second_authorised_user, card_before_loan, card_class as of
    origination. Without dispositions (or cards) the features are null: unknown, not "none"."""
    ids = loans.select("loan_id")
    if dispositions is None:
        return ids.select(
            "loan_id",
            F.lit(None).cast("int").alias("has_second_authorised_user"),
            F.lit(None).cast("int").alias("card_before_loan"),
            F.lit(None).cast("string").alias("card_class"),
        )
    second = (
        _held_at_origination(dispositions, loans)
        .where(F.col("role") == AUTHORISED_USER)
        .select("loan_id", F.lit(1).alias("has_second_authorised_user"))
        .distinct()
    )
    with_users = ids.join(second, on="loan_id", how="left").select(
        "loan_id", F.coalesce(F.col("has_second_authorised_user"), F.lit(0)).alias("has_second_authorised_user")
    )
    if cards is None:
        return with_users.select(
            "*", F.lit(None).cast("int").alias("card_before_loan"), F.lit(None).cast("string").alias("card_class")
        )
    card = _cards_before(dispositions, cards, loans)
    return with_users.join(card, on="loan_id", how="left").select(
        "loan_id",
        "has_second_authorised_user",
        F.col("card_class").isNotNull().cast("int").alias("card_before_loan"),
        F.coalesce(F.col("card_class"), F.lit(NO_CARD)).alias("card_class"),
    )
