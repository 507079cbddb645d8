"""silver/conflicts.py: a re-delivery whose business fields differ from the winning delivery."""

from __future__ import annotations

import pytest

from finlake.contracts.bronze import ENTITIES
from finlake.silver.conflicts import find_conflicts

COLUMNS = (
    "transaction_id string, _content_hash bigint, amount string, account_id string, booked_at string, "
    "source_file string, _existing boolean, outcome string, _rank int"
)


@pytest.mark.parametrize("few_copies", [True, False], ids=["broadcast copies", "shuffled join"])
def test_only_copies_that_differ_from_the_winner_are_conflicts(spark, few_copies):
    ranked = spark.createDataFrame(
        [
            ("T1", 1, "10.00", "A1", "2024-01-01", "day1.csv", True, "WRITTEN", 1),  # in Silver already
            ("T1", 2, "99.00", "A1", "2024-01-01", "day2.csv", False, "DUPLICATE_DELIVERY", 2),  # differs
            ("T2", 3, "20.00", "A2", "2024-01-02", "day2.csv", False, "WRITTEN", 1),
            ("T2", 3, "20.00", "A2", "2024-01-02", "day3.csv", False, "DUPLICATE_DELIVERY", 2),  # exact copy
            ("T3", 4, "30.00", "A3", "2024-01-03", "day3.csv", False, "WRITTEN", 1),
        ],
        COLUMNS,
    )
    # Without the hint Spark would broadcast these tiny frames anyway: turn that off so the other
    # form really is a shuffled (sort-merge) join.
    before = spark.conf.get("spark.sql.autoBroadcastJoinThreshold")
    spark.conf.set("spark.sql.autoBroadcastJoinThreshold", "-1")
    try:
        found = find_conflicts(ranked, ENTITIES["transactions"], "DUPLICATE_DELIVERY", few_copies=few_copies)
    finally:
        spark.conf.set("spark.sql.autoBroadcastJoinThreshold", before)
    assert found["count"] == 1
    (example,) = found["examples"]
    assert (example["transaction_id"], example["first_amount"], example["redelivered_amount"]) == (
        "T1",
        "10.00",
        "99.00",
    )
    assert (example["first_source_file"], example["redelivered_source_file"]) == ("day1.csv", "day2.csv")
