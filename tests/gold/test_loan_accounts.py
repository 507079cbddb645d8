"""The account features of gold.loan_features (gold/loan_accounts.py): a second authorised user and
cards, counted only when held or issued strictly before origination."""

from datetime import date, datetime
from decimal import Decimal

from chispa import assert_df_equality
from pyspark.sql import functions as F

from finlake.gold.loan_accounts import account_relations
from finlake.gold.loan_features import loan_features

ORIGINATION = date(2024, 6, 1)

# One loan per account, so "before this loan" and "before this account's origination" coincide.
LOANS = [
    {"loan_id": f"L{i}", "customer_id": "C1", "account_id": f"A{i}", "origination_date": ORIGINATION}
    for i in range(1, 6)
]
DISPOSITIONS = [
    # A1: the owner (undated) and an authorised user granted a month before the loan
    ("D1", "A1", "OWNER", None, None),
    ("D2", "A1", "AUTHORISED_USER", date(2024, 5, 1), None),
    # A2: an authorised user granted on origination day: not yet held the day before
    ("D3", "A2", "OWNER", None, None),
    ("D4", "A2", "AUTHORISED_USER", ORIGINATION, None),
    # A3: an authorised user whose rights ended the day before the loan
    ("D5", "A3", "AUTHORISED_USER", date(2020, 1, 1), date(2024, 5, 31)),
    # A4: an undated authorised user (PKDD'99's disp has no dates): held since the account opened
    ("D6", "A4", "AUTHORISED_USER", None, None),
    # A5: ended on origination day, so still held the day before
    ("D7", "A5", "AUTHORISED_USER", date(2020, 1, 1), ORIGINATION),
]
CARDS = [
    ("K1", "D1", "CLASSIC", date(2024, 1, 1)),
    ("K2", "D2", "GOLD", ORIGINATION),  # issued on origination day: not before the loan
    ("K3", "D3", "JUNIOR", date(2024, 5, 31)),  # the day before: counts
    ("K4", "D3", "CLASSIC", date(2023, 5, 31)),  # the higher class of A2's two cards
    ("K5", "D6", "GOLD", date(2024, 7, 1)),  # after the loan
    ("K6", "D5", "GOLD", date(2021, 1, 1)),  # a card of an ended disposition was still issued before
]
# (loan, has_second_authorised_user, card_before_loan, card_class), worked out by hand from the rows above
EXPECTED = [
    ("L1", 1, 1, "CLASSIC"),
    ("L2", 0, 1, "CLASSIC"),
    ("L3", 0, 1, "GOLD"),
    ("L4", 1, 0, "NONE"),
    ("L5", 1, 0, "NONE"),
]


def _inputs(silver_df, dispositions=DISPOSITIONS, cards=CARDS):
    loans = silver_df("loans", LOANS)
    disp = silver_df(
        "dispositions",
        [
            {"disposition_id": d, "account_id": a, "customer_id": "C1", "role": r, "valid_from": f, "valid_to": t,
             "updated_at": datetime(2024, 1, 1)}
            for d, a, r, f, t in dispositions
        ],
    )  # fmt: skip
    card = silver_df(
        "cards",
        [
            {"card_id": k, "disposition_id": d, "card_type": c, "issued_date": i, "updated_at": datetime(2024, 1, 1)}
            for k, d, c, i in cards
        ],
    )
    return loans, disp, card


def test_account_features_count_only_what_was_there_before_origination(spark, silver_df):
    loans, disp, card = _inputs(silver_df)
    expected = spark.createDataFrame(
        EXPECTED, "loan_id string, has_second_authorised_user int, card_before_loan int, card_class string"
    )
    actual = account_relations(loans, disp, card)
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_features_on_data_truncated_at_origination_equal_features_on_all_data(silver_df):
    """Point in time: drop every disposition granted and every card issued on or after its loan's
    origination, and end rights that outlast it at origination: the features do not change."""
    kept_dispositions = [
        (d, a, r, f, None if t is not None and t >= ORIGINATION else t)
        for d, a, r, f, t in DISPOSITIONS
        if f is None or f < ORIGINATION
    ]
    kept_cards = [c for c in CARDS if c[3] < ORIGINATION]
    loans, disp, card = _inputs(silver_df)
    _, disp_before, card_before = _inputs(silver_df, kept_dispositions, kept_cards)
    assert disp_before.count() < disp.count() and card_before.count() < card.count()  # something was cut
    on_all = account_relations(loans, disp, card)
    on_truncated = account_relations(loans, disp_before, card_before)
    assert_df_equality(on_all, on_truncated, ignore_row_order=True, ignore_nullable=True)


def test_without_dispositions_or_cards_the_features_are_unknown(silver_df):
    loans, disp, _ = _inputs(silver_df)
    none = account_relations(loans, None, None).collect()
    assert {(r.has_second_authorised_user, r.card_before_loan, r.card_class) for r in none} == {(None, None, None)}
    no_cards = account_relations(loans, disp, None).orderBy("loan_id").collect()
    assert [r.has_second_authorised_user for r in no_cards] == [1, 0, 0, 1, 1]
    assert {r.card_class for r in no_cards} == {None}


def test_loan_features_carries_the_account_features(silver_df):
    loans, disp, card = _inputs(silver_df)
    customers = silver_df("customers", [{"customer_id": "C1"}])
    transactions = silver_df(
        "transactions",
        [{"transaction_id": "T1", "account_id": "A1", "booked_at": datetime(2024, 5, 1), "amount": Decimal("1.00")}],
    )
    features = loan_features(loans, customers, transactions, dispositions=disp, cards=card)
    got = features.select("loan_id", "has_second_authorised_user", "card_before_loan", "card_class")
    assert sorted(tuple(r) for r in got.collect()) == EXPECTED
    assert features.where(F.col("card_class").isNull()).count() == 0
