"""Issue 21 item 6: the Silver job writes the stream monitor's exchange-rate snapshot (<state>/fx_rates.json)
whenever silver.fx_rates changes, or when the file is missing; locally and on S3 (moto)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import boto3
import pytest
from bronze_rows import rate
from moto import mock_aws

from finlake import storage
from finlake.contracts.fx_rates import RateBook
from finlake.lake import Lake
from finlake.silver.job import run_bronze_to_silver
from finlake.silver.rate_book_export import RATES_TABLE, export_rate_book

pytestmark = pytest.mark.slow


def snapshot(lake: Lake) -> dict:
    return json.loads(Path(lake.state, "fx_rates.json").read_text())


def test_written_when_rates_change_or_the_file_is_missing(spark, bronze, monkeypatch):
    lake = Lake.local(bronze.root)
    bronze("fx_rates", "2024-01-03", [rate("USD", "2024-01-02", "1.0956"), rate("CZK", "2024-01-02", "24.724")])
    first = run_bronze_to_silver(spark, lake, full_refresh=False, run_id="day1")
    # the format RateBook.to_json writes: {currency: [[date, rate_per_eur as decimal(18,6)], ...]}
    assert snapshot(lake) == {"CZK": [["2024-01-02", "24.724000"]], "USD": [["2024-01-02", "1.095600"]]}
    assert any("exchange-rate snapshot written" in n for n in first.notes)
    book = RateBook.from_json(Path(lake.state, "fx_rates.json").read_text())
    assert book.currencies() == ["CZK", "USD"]

    # nothing new: the table did not change, so the file is left as it is (a marker proves it is not rewritten)
    marker = Path(lake.state, "fx_rates.json")
    marker.write_text('{"MARK": []}')
    run_bronze_to_silver(spark, lake, full_refresh=False, run_id="day2")
    assert marker.read_text() == '{"MARK": []}'

    # the file is missing (deleted, or a lake older than this feature): written again though nothing changed
    marker.unlink()
    current = {RATES_TABLE: storage.current_snapshot_id(spark, lake, RATES_TABLE)}
    assert export_rate_book(spark, lake, current, current) == marker.as_posix()
    assert snapshot(lake)["CZK"] == [["2024-01-02", "24.724000"]]

    # a correction and a new day: the file follows silver.fx_rates; no temporary file is left beside it
    bronze(
        "fx_rates",
        "2024-01-05",
        [rate("CZK", "2024-01-02", "24.730", "2024-01-05T09:00:00"), rate("CZK", "2024-01-04", "24.8")],
    )
    run_bronze_to_silver(spark, lake, full_refresh=False, run_id="day4")
    assert snapshot(lake)["CZK"] == [["2024-01-02", "24.730000"], ["2024-01-04", "24.800000"]]
    assert sorted(p.name for p in Path(lake.state).iterdir()) == ["bronze_to_silver.json", "fx_rates.json"]

    # on S3 (the Glue job's state root): one PUT of the same document, encrypted as the lake's objects are
    for name, value in {
        "AWS_ACCESS_KEY_ID": "t",
        "AWS_SECRET_ACCESS_KEY": "t",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="finlake-dev-artifacts")
        on_s3 = dataclasses.replace(lake, state="s3://finlake-dev-artifacts/_state/")
        current = {RATES_TABLE: storage.current_snapshot_id(spark, lake, RATES_TABLE)}
        assert export_rate_book(spark, on_s3, current, current) == "s3://finlake-dev-artifacts/_state/fx_rates.json"
        body = s3.get_object(Bucket="finlake-dev-artifacts", Key="_state/fx_rates.json")
        assert json.loads(body["Body"].read()) == snapshot(lake)
        assert body["ServerSideEncryption"] == "aws:kms"
        assert export_rate_book(spark, on_s3, current, current) is None  # unchanged and present: not rewritten
