"""Metric history for dynamic rules comes from earlier successful runs of the same job."""

from __future__ import annotations

import json

import boto3
from moto import mock_aws

from finlake.lake import Lake
from finlake.quality.history import metric_history


def _report(run_id, job="silver_to_gold", status="succeeded", rows=10.0):
    return {
        "run_id": run_id,
        "job": job,
        "status": status,
        "quality": [
            {"table": "silver.loans", "metric": "Dataset.*.RowCount", "value": rows},
            {"table": "silver.loans", "metric": "Dataset.*.RowCount", "value": rows},  # a second rule, same metric
            {"table": "silver.loans", "metric": "Column.x.Completeness", "value": None},
        ],
    }


REPORTS = [
    _report("20260101T000000Z-a", rows=10.0),
    _report("20260102T000000Z-b", rows=20.0),
    _report("20260103T000000Z-c", status="failed", rows=99.0),  # never a baseline
    _report("20260104T000000Z-d", job="bronze_to_silver", rows=77.0),  # another job
    _report("20260105T000000Z-e", rows=30.0),
]


def test_newest_first_only_successful_runs_of_the_job(tmp_path):
    lake = Lake.local(tmp_path)
    runs = tmp_path / "_runs"
    runs.mkdir()
    for r in REPORTS:
        (runs / f"{r['run_id']}.json").write_text(json.dumps(r))
    (runs / "garbage.json").write_text("{not json")
    history = metric_history(lake, "silver_to_gold")
    assert history == {"silver.loans:Dataset.*.RowCount": [30.0, 20.0, 10.0]}
    assert metric_history(lake, "silver_to_gold", limit=1) == {"silver.loans:Dataset.*.RowCount": [30.0]}
    assert metric_history(Lake.local(tmp_path / "none"), "silver_to_gold") == {}


def test_reads_run_reports_from_s3(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    with mock_aws():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="artifacts", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        for r in REPORTS:
            s3.put_object(Bucket="artifacts", Key=f"_runs/{r['run_id']}.json", Body=json.dumps(r).encode())
        s3.put_object(Bucket="artifacts", Key="_runs/nested/x.json", Body=b"{}")
        lake = Lake(**{**Lake.local("/x").__dict__, "runs": "s3://artifacts/_runs"})
        assert metric_history(lake, "silver_to_gold") == {"silver.loans:Dataset.*.RowCount": [30.0, 20.0, 10.0]}
