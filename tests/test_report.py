"""Run reports: atomic JSON under _runs/, accounting check, human summary, S3 via moto."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from finlake.lake import Lake
from finlake.report import RunReport, load_report


def _report() -> RunReport:
    r = RunReport(run_id="20260101T000000Z-abcd1234", job="bronze_to_silver")
    tx = r.entity("transactions", "silver")
    tx.rows_read, tx.rows_written, tx.rows_quarantined, tx.duplicates_removed = 10, 6, 3, 1
    tx.quarantine_reasons = {"BAD_DATE": 2, "ORPHAN_FK": 1}
    tx.duplicate_reasons = {"DUPLICATE_DELIVERY": 1}
    r.table("silver.transactions", "/lake/silver/transactions").inputs.append("bronze/transactions/x.csv")
    r.add_quality([{"rule": "IsComplete id", "outcome": "Failed"}, {"rule": "x", "outcome": "Passed"}])
    return r


def test_write_and_load_roundtrip(tmp_path):
    lake = Lake.local(tmp_path)
    r = _report()
    with r.timed("read"):
        pass
    path = r.finish("succeeded").write(lake)
    assert path == str(tmp_path / "_runs" / "20260101T000000Z-abcd1234.json")
    data = load_report(lake, r.run_id)
    assert data["status"] == "succeeded"
    assert data["entities"][0] == {
        "name": "transactions",
        "layer": "silver",
        "rows_read": 10,
        "rows_written": 6,
        "rows_quarantined": 3,
        "duplicates_removed": 1,
        "quarantine_reasons": {"BAD_DATE": 2, "ORPHAN_FK": 1},
        "duplicate_reasons": {"DUPLICATE_DELIVERY": 1},
        "schema_drift": [],
        "bad_files": [],
        "skipped_files": [],
        "files": {},
        "orphans": {},
        "conflicts": {},
        "seconds": 0.0,
    }
    assert data["tables"]["silver.transactions"]["inputs"] == ["bronze/transactions/x.csv"]
    assert "read" in data["timings"]
    assert not list((tmp_path / "_runs").glob(".*"))  # no temporary file left behind


def test_entity_is_created_once():
    r = RunReport(run_id="r", job="j")
    assert r.entity("loans", "silver") is r.entity("loans", "silver")
    assert r.entity("loans", "gold") is not r.entity("loans", "silver")


def test_unbalanced_accounting_is_reported():
    r = _report()
    assert r.unbalanced() == []
    r.entity("transactions", "silver").rows_written = 5
    assert r.unbalanced() == ["silver.transactions: read 10 != written 5 + quarantined 3 + duplicates 1"]
    assert "ACCOUNTING MISMATCH" in r.summary()


def test_summary_names_counts_reasons_and_quality():
    text = _report().finish("succeeded").summary()
    assert "bronze_to_silver run 20260101T000000Z-abcd1234: succeeded" in text
    assert "BAD_DATE 2, ORPHAN_FK 1; DUPLICATE_DELIVERY 1" in text
    assert "data quality: 1/2 rules passed" in text


def test_load_missing_report_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_report(Lake.local(tmp_path), "nope")


def test_write_to_s3(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    with mock_aws():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="finlake-dev-artifacts", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        lake = Lake(**{**Lake.local("/x").__dict__, "runs": "s3://finlake-dev-artifacts/_runs"})
        r = _report().finish("succeeded")
        assert r.write(lake) == "s3://finlake-dev-artifacts/_runs/20260101T000000Z-abcd1234.json"
        body = s3.get_object(Bucket="finlake-dev-artifacts", Key="_runs/20260101T000000Z-abcd1234.json")["Body"]
        assert json.loads(body.read())["entities"][0]["rows_read"] == 10
        assert load_report(lake, r.run_id)["status"] == "succeeded"
