"""validate(): typing, trimming, code normalisation and every reason code, per row."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from chispa import assert_df_equality
from pyspark.sql import functions as F
from pyspark.sql import types as T

from finlake.contracts.bronze import LOANS, TRANSACTIONS
from finlake.silver.validation import validate
from finlake.stream.validation import check as stream_check

RAW_META = ["raw_line", "structural_reason", "source_file"]


def _raw(spark, entity, rows):
    schema = T.StructType(
        [T.StructField(c, T.StringType()) for c in (*entity.column_names, *RAW_META)]
        + [T.StructField("ingest_date", T.DateType())]
    )
    full = [
        {**dict.fromkeys(schema.fieldNames()), "source_file": "f.csv", "ingest_date": dt.date(2024, 1, 1), **r}
        for r in rows
    ]
    return spark.createDataFrame([tuple(r[c] for c in schema.fieldNames()) for r in full], schema)


GOOD_TX = {
    "transaction_id": " T1 ",
    "account_id": "A1",
    "booked_at": "2024-01-05T10:15:00Z",
    "amount": "12.50",
    "currency": "eur",
    "direction": " debit",
    "channel": "Card",
    "merchant_category": "",
    "description": "coffee",
    "balance_after": "-3.25",
}


def test_good_row_is_typed_trimmed_and_normalised(spark):
    out = _raw(spark, TRANSACTIONS, [GOOD_TX]).transform(validate(TRANSACTIONS))
    actual = out.select(
        "transaction_id",
        "booked_at",
        "amount",
        "currency",
        "direction",
        "channel",
        "merchant_category",
        "balance_after",
        "reasons",
    )
    schema = T.StructType(
        [
            T.StructField("transaction_id", T.StringType()),
            T.StructField("booked_at", T.TimestampType()),
            T.StructField("amount", T.DecimalType(18, 2)),
            T.StructField("currency", T.StringType()),
            T.StructField("direction", T.StringType()),
            T.StructField("channel", T.StringType()),
            T.StructField("merchant_category", T.StringType()),
            T.StructField("balance_after", T.DecimalType(18, 2)),
            T.StructField("reasons", T.ArrayType(T.StringType(), False)),
        ]
    )
    expected = spark.createDataFrame(
        [("T1", dt.datetime(2024, 1, 5, 10, 15), Decimal("12.50"), "EUR", "DEBIT", "CARD", None, Decimal("-3.25"), [])],
        schema,
    )
    assert_df_equality(actual, expected, ignore_nullable=True)
    # the raw values are kept as read (untrimmed) for the quarantine
    assert out.select("raw.transaction_id").first()[0] == " T1 "


def _reasons(spark, entity, rows):
    out = _raw(spark, entity, rows).transform(validate(entity))
    return out.select(F.col("raw").getField(entity.key).alias("id"), "reasons")


def _expect(spark, pairs):
    schema = T.StructType([T.StructField("id", T.StringType()), T.StructField("reasons", T.ArrayType(T.StringType()))])
    return spark.createDataFrame(pairs, schema)


def test_each_reason_code(spark):
    rows = [
        {**GOOD_TX, "transaction_id": "missing", "account_id": "  "},
        {**GOOD_TX, "transaction_id": "baddate", "booked_at": "2024-02-30T10:00:00"},
        {**GOOD_TX, "transaction_id": "yearonly", "booked_at": "2024"},
        {**GOOD_TX, "transaction_id": "badnum", "amount": "12,50"},
        {**GOOD_TX, "transaction_id": "code", "channel": "PIGEON"},
        {**GOOD_TX, "transaction_id": "negative", "amount": "-5"},
        {**GOOD_TX, "transaction_id": "absurd", "amount": "1" + "0" * 40},
        {**GOOD_TX, "transaction_id": "several", "amount": "x", "currency": "ZZZ", "booked_at": ""},
        {**GOOD_TX, "transaction_id": "encoding", "description": "caf\ufffd"},
        {**GOOD_TX, "transaction_id": "malformed", "structural_reason": "MALFORMED_ROW", "amount": "x"},
    ]
    expected = _expect(
        spark,
        [
            ("missing", ["MISSING_REQUIRED"]),
            ("baddate", ["BAD_DATE"]),
            ("yearonly", ["BAD_DATE"]),
            ("badnum", ["BAD_NUMBER"]),
            ("code", ["UNKNOWN_CODE"]),
            ("negative", ["OUT_OF_RANGE"]),
            ("absurd", ["OUT_OF_RANGE"]),
            ("several", ["MISSING_REQUIRED", "BAD_NUMBER", "UNKNOWN_CODE"]),
            ("encoding", ["BAD_ENCODING"]),
            ("malformed", ["MALFORMED_ROW"]),
        ],
    )
    assert_df_equality(_reasons(spark, TRANSACTIONS, rows), expected, ignore_nullable=True)


def test_integer_column_is_strict(spark):
    good = {
        "loan_id": "L1",
        "customer_id": "C1",
        "account_id": "A1",
        "loan_type": "AUTO",
        "principal": "100",
        "interest_rate": "3.2",
        "term_months": "12",
        "origination_date": "2024-01-01",
        "maturity_date": "2025-01-01",
        "monthly_payment": "9",
        "status": "current",
        "updated_at": "2024-01-01 00:00:00",
    }
    rows = [good, {**good, "loan_id": "L2", "term_months": "12.5"}, {**good, "loan_id": "L3", "term_months": "0"}]
    expected = _expect(spark, [("L1", []), ("L2", ["BAD_NUMBER"]), ("L3", ["OUT_OF_RANGE"])])
    assert_df_equality(_reasons(spark, LOANS, rows), expected, ignore_nullable=True)


def test_range_bounds_are_compared_exactly_as_the_stream_monitor_does(spark):
    # 1e9 + 1e-8 is above the amount's inclusive maximum, but equals 1e9 once made a double: the bounds
    # are compared as decimals, so Silver quarantines it, as the pure-Python validator of the stream does.
    cases = {"above": "1000000000.00000001", "at": "1000000000.00", "below_min": "0.009", "at_min": "0.01"}
    rows = [{**GOOD_TX, "transaction_id": name, "amount": amount} for name, amount in cases.items()]
    expected = [(name, list(stream_check(TRANSACTIONS, row).reasons)) for name, row in zip(cases, rows, strict=True)]
    assert [reasons for _, reasons in expected] == [["OUT_OF_RANGE"], [], ["OUT_OF_RANGE"], []]
    assert_df_equality(_reasons(spark, TRANSACTIONS, rows), _expect(spark, expected), ignore_nullable=True)
