"""The Glue job roles of terraform/modules/glue_jobs/iam.tf, rendered and created in moto, and the
temporary credentials a job run gets from them (sts:AssumeRole), so a permission the job needs and
the role lacks fails the end-to-end test.

What moto (5.x, moto/iam/access_control.py) can enforce, and how the policy is adapted to it:

- S3: every request is authorised on its action and its bucket/object ARN, as AWS does: S3
  statements keep their actions and resources. moto evaluates a Condition without the request's
  context (no s3:prefix), which makes the statement deny; so the conditions (the s3:prefix of
  ListBucket statements) are dropped: listing is checked per bucket, not per prefix.
- Glue, KMS, CloudWatch, CloudWatch Logs: moto authorises these on the action only (resource "*"),
  so their statements keep their actions with resource "*": a missing action fails, a resource
  scope (which database, which table, which key) is not checked.
- KMS use by S3 (SSE-KMS needs kms:GenerateDataKey/Decrypt on the key): moto's S3 does not call
  KMS, so that grant is not exercised.
"""

from __future__ import annotations

import json
import re
from typing import Any

from aws_local import REGION, TERRAFORM, LocalAws, Names, locals_of, parse_dir

ACCOUNT = "123456789012"  # moto's default account
IAM_TF = TERRAFORM / "modules/glue_jobs"
ICEBERG_TABLES = TERRAFORM / "modules/iceberg_tables"


def iceberg_tables_outputs(names: Names) -> dict[str, dict[str, Any]]:
    """modules/iceberg_tables' outputs (pure values) for these names: its output expressions, in Python."""
    local = locals_of(parse_dir(ICEBERG_TABLES))
    if local["tables"] == '${jsondecode(file("${path.module}/tables.json"))}':
        local["tables"] = json.loads((ICEBERG_TABLES / "tables.json").read_text())
    glue_arn = f"arn:aws:glue:{REGION}:{ACCOUNT}"
    bucket_arn = {layer: f"arn:aws:s3:::{names.bucket(key)}" for layer, key in local["bucket_key"].items()}
    database = {layer: names.database(layer) for layer in local["tables"]}
    return {
        "bucket_arns": bucket_arn,
        "glue_resources": {
            layer: [f"{glue_arn}:catalog", f"{glue_arn}:database/{database[layer]}"]
            + [f"{glue_arn}:table/{database[layer]}/{t}" for t in tables]
            for layer, tables in local["tables"].items()
        },
        "object_arns": {
            layer: [f"{bucket_arn[layer]}/{t}/{part}/*" for t in tables for part in ("data", "metadata")]
            for layer, tables in local["tables"].items()
        },
    }


def _resolver(names: Names, kms_key_arn: str):
    scalars = {
        "var.kms_key_arn": kms_key_arn,
        "local.partition": "aws",
        "local.region": REGION,
        "local.account_id": ACCOUNT,
    }
    scalars |= {f'local.bucket_arn["{k}"]': f"arn:aws:s3:::{names.bucket(k)}" for k in names.bucket_keys}
    outputs = iceberg_tables_outputs(names)
    for output, per_layer in outputs.items():
        for layer, value in per_layer.items():
            scalars[f'module.iceberg_tables.{output}["{layer}"]'] = value

    def value(expression: str) -> Any:
        if expression.startswith("concat(") and expression.endswith(")"):
            return [item for part in expression[7:-1].split(",") for item in value(part.strip())]
        if expression not in scalars:
            raise KeyError(f"tests/aws cannot render ${{{expression}}} of {IAM_TF}/iam.tf")
        return scalars[expression]

    def resources(raw: str | list[str]) -> list[str]:
        items = [raw] if isinstance(raw, str) else raw
        out: list[str] = []
        for item in items:
            whole = re.fullmatch(r"\$\{(.*)\}", item)
            if whole and not isinstance(value(whole[1]), str):
                out += value(whole[1])
            else:
                out.append(re.sub(r"\$\{([^{}]*)\}", lambda m: value(m[1]), item))
        return out

    return resources


def job_policies(names: Names, kms_key_arn: str) -> dict[str, dict[str, Any]]:
    """Per job, its inline policy as moto can enforce it (see the module docstring)."""
    parsed = parse_dir(IAM_TF)
    documents = {n: body for block in parsed["data"] for n, body in block.get("aws_iam_policy_document", {}).items()}
    resources = _resolver(names, kms_key_arn)
    policies = {}
    for job in ("bronze_to_silver", "silver_to_gold"):
        statements = list(documents[job].get("statement", []))
        for source in documents[job].get("source_policy_documents", []):
            statements += documents[re.fullmatch(r"\$\{data\.aws_iam_policy_document\.(\w+)\.json\}", source)[1]][
                "statement"
            ]
        rendered = []
        for st in statements:
            s3_only = all(a.startswith("s3:") for a in st["actions"])
            rendered.append(
                {
                    "Sid": st.get("sid", ""),
                    "Effect": st.get("effect", "Allow"),
                    "Action": st["actions"],
                    "Resource": resources(st["resources"]) if s3_only else "*",
                }
            )
        policies[job] = {"Version": "2012-10-17", "Statement": rendered}
    return policies


def job_credentials(aws: LocalAws) -> dict[str, dict[str, str]]:
    """Create each job's role (Terraform's name) with its policy; assume it; return the credentials."""
    iam, sts = aws.client("iam"), aws.client("sts")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}
        ],
    }
    credentials = {}
    for job, policy in job_policies(aws.names, aws.kms_key_arn).items():
        role = f"{aws.names.prefix}-glue-{job.replace('_', '-')}"  # iam.tf: aws_iam_role.job name
        arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        iam.put_role_policy(RoleName=role, PolicyName="least-privilege", PolicyDocument=json.dumps(policy))
        got = sts.assume_role(RoleArn=arn, RoleSessionName=job)["Credentials"]
        credentials[job] = {
            "AWS_ACCESS_KEY_ID": got["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": got["SecretAccessKey"],
            "AWS_SESSION_TOKEN": got["SessionToken"],
        }
    return credentials
