"""Small JSON/text documents (run reports, incremental state) on a local path or on S3.

Locally a document is written to a temporary file beside it and `os.replace`d into place, so a
reader sees the old document or the new one, never half of one. On S3 a single PUT is already
atomic (a reader gets the old or the new object), so a plain `put_object` is enough. S3 objects are
encrypted with the lake's KMS key: the one given, or else the key of the bucket's default encryption
(terraform/modules/s3_bucket sets it to the lake key). `aws:kms` alone would pick the AWS-managed
`aws/s3` key, which the lake's key policy and rotation do not govern.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlparse

from finlake.errors import FinlakeError


def _s3_parts(uri: str) -> tuple[str, str]:
    parsed = urlparse(uri)
    return parsed.netloc, parsed.path.lstrip("/")


def _s3_client():  # created on use, never at import time
    import boto3

    return boto3.client("s3")


def bucket_kms_key(client, bucket: str) -> str | None:
    """The KMS key of the bucket's default encryption, or None if it has no SSE-KMS default."""
    from botocore.exceptions import ClientError

    try:
        rules = client.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    except ClientError as error:
        if error.response["Error"]["Code"] == "ServerSideEncryptionConfigurationNotFoundError":
            return None
        raise FinlakeError(f"cannot read the default encryption of s3://{bucket}: {error}") from error
    for rule in rules:
        default = rule.get("ApplyServerSideEncryptionByDefault", {})
        if default.get("SSEAlgorithm", "").startswith("aws:kms") and default.get("KMSMasterKeyID"):
            return default["KMSMasterKeyID"]
    return None


def write_text(uri: str, text: str, kms_key_id: str = "") -> None:
    """Write `text` to `uri` (a local path or `s3://bucket/key`) atomically; on S3 under `kms_key_id`
    or, if empty, the bucket's default KMS key."""
    if uri.startswith("s3://"):
        bucket, key = _s3_parts(uri)
        client = _s3_client()
        # The lake buckets deny uploads that do not ask for SSE-KMS (terraform/modules/data_lake).
        encryption = {"ServerSideEncryption": "aws:kms"}
        key_id = kms_key_id or bucket_kms_key(client, bucket)
        if key_id:
            encryption["SSEKMSKeyId"] = key_id
        client.put_object(Bucket=bucket, Key=key, Body=text.encode("utf-8"), **encryption)
        return
    path = Path(uri)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.tmp-{secrets.token_hex(4)}"
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def text_exists(uri: str) -> bool:
    """Whether a document exists at `uri` (a HEAD on S3: the body is not read)."""
    if uri.startswith("s3://"):
        from botocore.exceptions import ClientError

        bucket, key = _s3_parts(uri)
        try:
            _s3_client().head_object(Bucket=bucket, Key=key)
        except ClientError as error:
            if error.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True
    return Path(uri).is_file()


def read_text(uri: str) -> str | None:
    """The document at `uri`, or None if there is none."""
    if uri.startswith("s3://"):
        bucket, key = _s3_parts(uri)
        client = _s3_client()
        try:
            return client.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
        except client.exceptions.NoSuchKey:
            return None
    path = Path(uri)
    return path.read_text(encoding="utf-8") if path.is_file() else None
