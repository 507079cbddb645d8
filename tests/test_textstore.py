"""Run reports and state documents: atomic locally, SSE-KMS on S3 (the lake buckets deny anything else)."""

from __future__ import annotations

import boto3
import pytest
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


REGION = "eu-central-1"


@pytest.fixture
def aws(monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        yield boto3.client("s3", region_name=REGION), boto3.client("kms", region_name=REGION)


def lake_bucket(s3, kms, name: str) -> str:
    """A bucket as terraform/modules/s3_bucket makes it: default SSE-KMS with the lake key."""
    key_arn = kms.create_key(Description="lake key")["KeyMetadata"]["Arn"]
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn},
                    "BucketKeyEnabled": True,
                }
            ]
        },
    )
    return key_arn


def recorded_puts(monkeypatch, s3) -> list[dict]:
    """The PutObject parameters textstore sends. moto applies the bucket's default key to an `aws:kms`
    request without a key id, but S3 uses the AWS-managed aws/s3 key then: the request must name it."""
    calls: list[dict] = []
    s3.meta.events.register("provide-client-params.s3.PutObject", lambda params, **_: calls.append(dict(params)))
    monkeypatch.setattr(textstore, "_s3_client", lambda: s3)
    return calls


def test_s3_objects_carry_the_buckets_lake_key(aws, monkeypatch):
    s3, kms = aws
    key_arn = lake_bucket(s3, kms, "finlake-dev-artifacts")
    puts = recorded_puts(monkeypatch, s3)
    textstore.write_text("s3://finlake-dev-artifacts/_state/silver.json", "{}")
    assert [(p["ServerSideEncryption"], p.get("SSEKMSKeyId")) for p in puts] == [("aws:kms", key_arn)]
    head = s3.head_object(Bucket="finlake-dev-artifacts", Key="_state/silver.json")
    assert head["SSEKMSKeyId"] == key_arn


def test_an_explicit_key_wins_over_the_bucket_default(aws, monkeypatch):
    s3, kms = aws
    lake_bucket(s3, kms, "finlake-dev-artifacts")
    other = kms.create_key(Description="other")["KeyMetadata"]["Arn"]
    puts = recorded_puts(monkeypatch, s3)
    textstore.write_text("s3://finlake-dev-artifacts/_runs/r2.json", "{}", kms_key_id=other)
    assert puts[0]["SSEKMSKeyId"] == other
    assert s3.head_object(Bucket="finlake-dev-artifacts", Key="_runs/r2.json")["SSEKMSKeyId"] == other


def test_bucket_without_a_kms_default_has_no_key(aws):
    s3, _ = aws
    s3.create_bucket(Bucket="plain", CreateBucketConfiguration={"LocationConstraint": REGION})
    assert textstore.bucket_kms_key(s3, "plain") is None
