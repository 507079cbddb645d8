"""Issue 21 item 4: the circuit breaker stops a delivery whose quarantine rate is too high, before
anything is published, naming the entity, the rate and the dominant reason with example values."""

from __future__ import annotations

import pytest
from bronze_rows import row

from finlake import storage
from finlake.errors import FinlakeError
from finlake.lake import Lake
from finlake.silver.breaker import DEFAULT_MAX_QUARANTINE_RATE, evaluate
from finlake.silver.job import run_bronze_to_silver


def test_evaluate_is_a_pure_threshold_on_the_counts():
    counts = {"rows_read": 100, "rows_quarantined": 6, "reason_BAD_DATE": 2, "reason_UNKNOWN_CODE": 4}
    trip = evaluate("accounts", counts, threshold=0.05)
    assert trip is not None and (trip.reason, trip.reason_rows, trip.rate) == ("UNKNOWN_CODE", 4, 0.06)
    assert evaluate("accounts", {**counts, "rows_quarantined": 5}, threshold=0.05) is None  # at the threshold
    assert evaluate("accounts", counts, threshold=0.10) is None
    assert evaluate("accounts", {"rows_read": 10, "rows_quarantined": 10}, threshold=0.05) is None  # too few rows
    assert 0 < DEFAULT_MAX_QUARANTINE_RATE <= 0.05


def test_a_feed_with_an_unknown_status_for_every_account_stops_before_publishing(spark, bronze):
    lake = Lake.local(bronze.root)
    bronze("customers", "2024-01-01", [row("customers")])
    accounts = [row("accounts", account_id=f"A{i}", status="DORMANT") for i in range(25)]
    bronze("accounts", "2024-01-01", accounts)
    with pytest.raises(FinlakeError) as failed:
        run_bronze_to_silver(spark, lake, full_refresh=False, run_id="run1")
    message = str(failed.value)
    assert "accounts: 100.0% of the delivery's rows quarantined (25 of 25)" in message
    assert "mostly UNKNOWN_CODE (25 rows): e.g. status='DORMANT' (25)" in message
    assert "--accept-quarantine-rate" in message and len(message.splitlines()) == 1
    assert not storage.table_exists(spark, lake, "silver.accounts")  # nothing published

    accepted = run_bronze_to_silver(spark, lake, full_refresh=False, run_id="run2", accept_quarantine_rate=1.0)
    assert accepted.status == "succeeded"
    assert accepted.entity("accounts", "silver").quarantine_reasons == {"UNKNOWN_CODE": 25}
