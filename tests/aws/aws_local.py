"""A local AWS for the AWS code path: moto in server mode on 127.0.0.1, provisioned as Terraform would.

`LocalAws.start()` runs `moto_server` (S3, Glue, KMS, STS, IAM, CloudWatch, Athena, SNS, DynamoDB ...
all on one port) in a subprocess on a free port; `provision` creates what `terraform apply` of
terraform/envs/<env> creates for the data path, named by the same scheme (`${project}-${env}-...`,
read from the HCL): the lake's KMS key and alias, the layer buckets with SSE-KMS default encryption
under that key, and the Glue databases `<project>_<env>_<layer>`.

For people: `make aws-local` (this file as a script) starts it, provisions it, prints the
environment to export, and stops the server on Ctrl-C.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2

REPO = Path(__file__).resolve().parents[2]
TERRAFORM = REPO / "terraform"
REGION = "eu-central-1"  # terraform/envs/*/variables.tf default
# moto's fixed fake credentials; the account they map to is moto's default 123456789012.
ADMIN_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def parse_dir(directory: Path) -> dict[str, list[Any]]:
    merged: dict[str, list[Any]] = {}
    for tf in sorted(directory.glob("*.tf")):
        with tf.open() as handle:
            for key, blocks in hcl2.load(handle).items():
                merged.setdefault(key, []).extend(blocks)
    return merged


def locals_of(parsed: dict[str, list[Any]]) -> dict[str, Any]:
    return {k: v for block in parsed.get("locals", []) for k, v in block.items()}


@dataclass(frozen=True)
class Names:
    """What Terraform names, for one environment (terraform/envs/<env> -> modules/platform)."""

    project: str
    environment: str
    bucket_keys: tuple[str, ...]  # data_lake's layer keys: bronze, silver, silver-restricted, ...
    database_layers: tuple[str, ...]  # glue_catalog's layers: bronze, silver, silver_restricted, ...

    @classmethod
    def from_terraform(cls, env: str = "dev") -> Names:
        platform = next(b["platform"] for b in parse_dir(TERRAFORM / "envs" / env)["module"] if "platform" in b)
        lake = locals_of(parse_dir(TERRAFORM / "modules/data_lake"))["buckets"]
        layers = locals_of(parse_dir(TERRAFORM / "modules/glue_catalog"))["layers"]
        return cls(platform["project"], platform["environment"], tuple(lake), tuple(layers))

    @property
    def prefix(self) -> str:  # platform: name_prefix = "${var.project}-${var.environment}"
        return f"{self.project}-{self.environment}"

    @property
    def database_prefix(self) -> str:  # glue_catalog: replace(var.name_prefix, "-", "_")
        return self.prefix.replace("-", "_")

    def bucket(self, key: str) -> str:  # data_lake: "${var.name_prefix}-${each.key}${local.suffix}", suffix ""
        if key not in self.bucket_keys:
            raise KeyError(f"no bucket {key!r} in terraform/modules/data_lake (have {self.bucket_keys})")
        return f"{self.prefix}-{key}"

    def database(self, layer: str) -> str:
        return f"{self.database_prefix}_{layer}"

    @property
    def kms_alias(self) -> str:  # kms: "alias/${var.name_prefix}-data"
        return f"alias/{self.prefix}-data"


# moto re-computes a request's SigV4 signature with botocore's signer, which never signs User-Agent
# (botocore.auth.SIGNED_HEADERS_BLACKLIST) even when the client listed it in SignedHeaders; the AWS SDK
# for Java v1 (S3A) does sign it, so with IAM enforcement on every S3A request failed with 403. AWS
# verifies exactly the headers the client listed, and moto hands the signer only those: dropping
# user-agent from that list, in the server process only, makes moto do the same.
_SERVER = (
    "import sys, botocore.auth; botocore.auth.SIGNED_HEADERS_BLACKLIST.remove('user-agent'); "
    "from moto.server import main; main(sys.argv[1:])"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LocalAws:
    endpoint: str
    process: subprocess.Popen[bytes]
    names: Names
    kms_key_arn: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def start(cls, names: Names, log: Path | None = None) -> LocalAws:
        port = free_port()
        out = log.open("wb") if log else subprocess.DEVNULL
        server = [sys.executable, "-c", _SERVER, "-H", "127.0.0.1", "-p", str(port)]
        process = subprocess.Popen(server, stdout=out, stderr=subprocess.STDOUT)
        endpoint = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=2).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    raise RuntimeError(f"moto_server did not start on {endpoint} (log: {log})") from None
                time.sleep(0.2)
        return cls(endpoint, process, names)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def env(self, credentials: dict[str, str] | None = None) -> dict[str, str]:
        """What a process needs to talk to this AWS: endpoint (every SDK reads AWS_ENDPOINT_URL;
        finlake.iceberg passes it to Iceberg's Glue and S3 clients and to S3A), region, credentials."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_EC2_METADATA_DISABLED": "true",
            **(credentials or ADMIN_CREDENTIALS),
        }

    def client(self, service: str, credentials: dict[str, str] | None = None) -> Any:
        import boto3

        creds = credentials or ADMIN_CREDENTIALS
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=creds["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=creds["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=creds.get("AWS_SESSION_TOKEN"),
        )

    def provision(self) -> None:
        """The KMS key, the buckets (default SSE-KMS under the key) and the Glue databases."""
        kms = self.client("kms")
        key = kms.create_key(Description=f"{self.names.prefix}: encrypts the data lake")["KeyMetadata"]
        kms.create_alias(AliasName=self.names.kms_alias, TargetKeyId=key["KeyId"])
        self.kms_key_arn = key["Arn"]
        s3 = self.client("s3")
        for bucket_key in self.names.bucket_keys:
            bucket = self.names.bucket(bucket_key)
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
            s3.put_bucket_encryption(
                Bucket=bucket,
                ServerSideEncryptionConfiguration={
                    "Rules": [
                        {
                            "ApplyServerSideEncryptionByDefault": {
                                "SSEAlgorithm": "aws:kms",
                                "KMSMasterKeyID": self.kms_key_arn,
                            },
                            "BucketKeyEnabled": True,
                        }
                    ]
                },
            )
        glue = self.client("glue")
        for layer in self.names.database_layers:
            glue.create_database(DatabaseInput={"Name": self.names.database(layer)})

    def set_iam_enforcement(self, enforce: bool) -> None:
        """moto checks signatures and IAM policies on every request once this is on."""
        count = b"0" if enforce else b"inf"
        request = urllib.request.Request(
            f"{self.endpoint}/moto-api/reset-auth", data=count, method="POST", headers={"Content-Type": "text/plain"}
        )
        urllib.request.urlopen(request, timeout=10).read()


def main() -> None:  # pragma: no cover - for people (make aws-local)
    env = os.environ.get("FINLAKE_ENV", "dev")
    aws = LocalAws.start(Names.from_terraform(env))
    try:
        aws.provision()
        print(f"local AWS (moto) on {aws.endpoint}, provisioned as terraform/envs/{env} names it:")
        for key in aws.names.bucket_keys:
            print(f"  s3://{aws.names.bucket(key)}/")
        print(f"  Glue databases {', '.join(aws.names.database(layer) for layer in aws.names.database_layers)}")
        print(f"  KMS key {aws.kms_key_arn} ({aws.names.kms_alias})")
        print("export these in another shell, then run glue_jobs/*.py with --*_root s3://... (README):")
        for name, value in aws.env().items():
            print(f"  export {name}={value}")
        print("Ctrl-C stops the server (everything in it is lost).")
        aws.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        aws.stop()


if __name__ == "__main__":
    main()
