"""Issue 21 item 6: ECB rates are a Bronze entity loaded through Silver like the others (typed,
validated, quarantined with reasons, a corrected rate superseding the first one, lineage kept)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from bronze_rows import rate

from finlake import storage
from finlake.lake import Lake
from finlake.silver.job import run_bronze_to_silver

pytestmark = pytest.mark.slow


def test_fx_rates_load_validate_and_supersede(spark, bronze):
    lake = Lake.local(bronze.root)
    bronze(
        "fx_rates",
        "2024-01-03",
        [
            rate("USD", "2024-01-02", "1.095600"),
            rate("CZK", "2024-01-02", "24.724"),
            {**rate("USD", "2024-01-03", "1.0919"), "currency": " usd "},  # normalised like any code
            rate("CZK", "2024-01-03", "-1"),  # OUT_OF_RANGE
            rate("XXQ", "2024-01-03", "2.0"),  # UNKNOWN_CODE
        ],
    )
    first = run_bronze_to_silver(spark, lake, full_refresh=False, run_id="day1")
    assert first.unbalanced() == []
    counts = first.entity("fx_rates", "silver")
    assert (counts.rows_read, counts.rows_written, counts.rows_quarantined) == (5, 3, 2)
    assert counts.quarantine_reasons == {"OUT_OF_RANGE": 1, "UNKNOWN_CODE": 1}
    silver = {r.rate_id: r for r in storage.read_table(spark, lake, "silver.fx_rates").collect()}
    assert sorted(silver) == ["CZK:2024-01-02", "USD:2024-01-02", "USD:2024-01-03"]
    assert silver["CZK:2024-01-02"].rate_per_eur == Decimal("24.724000")
    assert silver["USD:2024-01-03"].currency == "USD"
    assert silver["USD:2024-01-03"].rate_date == date(2024, 1, 3)
    assert silver["CZK:2024-01-02"].source_file.endswith("fx_rates/ingest_date=2024-01-03/part-0.csv")
    quarantined = storage.read_table(spark, lake, "quarantine.fx_rates").collect()
    assert sorted(json.loads(r.raw_record)["currency"] for r in quarantined) == ["CZK", "XXQ"]

    # the ECB corrects a rate: re-delivered with a later published_at, it replaces the first version
    bronze("fx_rates", "2024-01-04", [rate("CZK", "2024-01-02", "24.730", "2024-01-04T09:00:00")])
    second = run_bronze_to_silver(spark, lake, full_refresh=False, run_id="day2")
    assert second.unbalanced() == []
    rows = storage.read_table(spark, lake, "silver.fx_rates").where("rate_id = 'CZK:2024-01-02'").collect()
    assert [(r.rate_per_eur, r.run_id) for r in rows] == [(Decimal("24.730000"), "day2")]
    assert second.tables["silver.fx_rates"].upstream == ["bronze.fx_rates"]
