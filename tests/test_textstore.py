"""Run reports and state documents: atomic locally, SSE-KMS on S3 (the lake buckets deny anything else)."""

from __future__ import annotations

import boto3
from moto import mock_aws

from finlake import textstore


def test_local_write_then_read(tmp_path):
    target = tmp_path / "_runs" / "r1.json"
    textstore.write_text(str(target), '{"ok": true}')
    assert textstore.read_text(str(target)) == '{"ok": true}'
    assert [p.name for p in target.parent.iterdir()] == ["r1.json"]  # no temp file left behind


def test_s3_write_asks_for_kms_encryption(monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    with mock_aws():
        s3 = boto3.client("s3", region_name="eu-central-1")
        s3.create_bucket(
            Bucket="finlake-dev-artifacts", CreateBucketConfiguration={"LocationConstraint": "eu-central-1"}
        )
        textstore.write_text("s3://finlake-dev-artifacts/_runs/r1.json", "{}")
        head = s3.head_object(Bucket="finlake-dev-artifacts", Key="_runs/r1.json")
        assert head["ServerSideEncryption"] == "aws:kms"
        assert textstore.read_text("s3://finlake-dev-artifacts/_runs/r1.json") == "{}"
