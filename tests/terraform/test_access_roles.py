"""Who reads personal data on AWS (issue 21 item 7): the analyst role and the PII buckets' read policy.

The analyst role's policy is evaluated by Terraform itself (its statements as values, with the module's
inputs filled in), then asked what it allows: Athena in the workgroup over Silver and Gold, nothing of
Bronze, the quarantine or silver_restricted. The same split as the local engine's roles.
"""

from __future__ import annotations

import fnmatch
import json
import re
from typing import Any

import pytest
from test_iceberg_aws import ACCOUNT, KEY_ARN, MODULES, REGION, blocks_of, locals_of, parse_dir, terraform_outputs

from finlake.query.sandbox import ROLES

PREFIX = "finlake-dev"
DATABASE = {layer: f"finlake_dev_{layer}" for layer in ("bronze", "silver", "silver_restricted", "quarantine", "gold")}
BUCKET = {layer: f"arn:aws:s3:::finlake-dev-{layer}" for layer in ("bronze", "silver", "quarantine", "gold")}
BUCKET["silver_restricted"] = "arn:aws:s3:::finlake-dev-silver-restricted"
RESULTS = "arn:aws:s3:::finlake-dev-athena-results"
GLUE = f"arn:aws:glue:{REGION}:{ACCOUNT}"
WORKGROUP = f"{PREFIX}-analytics"
DENIED = ("bronze", "quarantine", "silver_restricted")
INPUTS = {
    "athena_workgroup_name": WORKGROUP,
    "athena_results_bucket_arn": RESULTS,
    "athena_results_prefix": f"{WORKGROUP}/",
    "silver_bucket_arn": BUCKET["silver"],
    "gold_bucket_arn": BUCKET["gold"],
    "silver_database_name": DATABASE["silver"],
    "gold_database_name": DATABASE["gold"],
    "kms_key_arn": KEY_ARN,
    "denied_bucket_arns": [BUCKET[layer] for layer in DENIED],
    "denied_database_names": [DATABASE[layer] for layer in DENIED],
}


def _raw_value(text: str, start: int) -> str:
    """The HCL source of the value starting at `start`: up to the end of the line where brackets balance."""
    depth, in_string, i = 0, False, start
    while i < len(text):
        c = text[i]
        if c == '"' and text[i - 1] != "\\":
            in_string = not in_string
        elif not in_string and c in "([{":
            depth += 1
        elif not in_string and c in ")]}":
            depth -= 1
        elif not in_string and c == "\n" and depth == 0:
            break
        i += 1
    return text[start:i]


def _statements_source() -> list[str]:
    """Each statement of the analyst policy as an HCL object of its sid, effect, actions and resources."""
    text = (MODULES / "analyst_role/main.tf").read_text()
    body = text[text.index('data "aws_iam_policy_document" "this"') :]
    rows = []
    for block in body.split("  statement {")[1:]:
        fields = {}
        for name in ("sid", "effect", "actions", "resources"):
            match = re.search(rf"^    {name} += ", block, re.M)
            assert match, f"{name} missing in {block[:80]}"
            fields[name] = _raw_value(block, match.end())
        rows.append("{ " + ", ".join(f"{k} = {v}" for k, v in fields.items()) + " }")
    return rows


@pytest.fixture(scope="module")
def analyst_statements(tmp_path_factory) -> list[dict[str, Any]]:
    variables = "".join(f'variable "{k}" {{\n  default = {json.dumps(v)}\n}}\n' for k, v in INPUTS.items())
    source = (
        variables
        + f'locals {{\n  partition = "aws"\n  region = "{REGION}"\n  account_id = "{ACCOUNT}"\n  glue_arn = "{GLUE}"\n}}\n'
        + 'output "statements" {\n  value = [\n    '
        + ",\n    ".join(_statements_source())
        + "\n  ]\n}\n"
    ).replace("data.aws_caller_identity.current.account_id", "local.account_id")
    out = terraform_outputs(tmp_path_factory.mktemp("analyst"), source)
    assert "_error" not in out, out
    assert len(out["statements"]) == 9
    return out["statements"]


def decision(statements: list[dict[str, Any]], action: str, resource: str) -> bool:
    """IAM's rule for one identity policy: allowed if some Allow matches and no Deny does."""

    def matches(st: dict[str, Any]) -> bool:
        return action in st["actions"] and any(fnmatch.fnmatchcase(resource, p) for p in st["resources"])

    allows = any(matches(st) for st in statements if st["effect"] == "Allow")
    return allows and not any(matches(st) for st in statements if st["effect"] == "Deny")


def test_the_analyst_queries_silver_and_gold_in_the_workgroup(analyst_statements):
    workgroup = f"arn:aws:athena:{REGION}:{ACCOUNT}:workgroup/{WORKGROUP}"
    assert decision(analyst_statements, "athena:StartQueryExecution", workgroup)
    assert not decision(analyst_statements, "athena:StartQueryExecution", f"{workgroup}-other")
    assert decision(analyst_statements, "s3:PutObject", f"{RESULTS}/{WORKGROUP}/q1.csv")
    assert not decision(analyst_statements, "s3:PutObject", f"{RESULTS}/elsewhere/q1.csv")
    for layer in ROLES["analyst"]:  # the local engine's analyst reads the same databases
        assert decision(analyst_statements, "glue:GetTable", f"{GLUE}:table/{DATABASE[layer]}/loans"), layer
        assert decision(analyst_statements, "s3:GetObject", f"{BUCKET[layer]}/loans/data/x.parquet"), layer
    assert decision(analyst_statements, "glue:GetTable", f"{GLUE}:table/{DATABASE['gold']}/dash_latest_risk")


@pytest.mark.parametrize("layer", sorted(set(ROLES["engineer"]) - set(ROLES["analyst"])))
def test_the_analyst_reads_nothing_of_bronze_quarantine_or_restricted(analyst_statements, layer):
    assert layer in DENIED
    for action in ("s3:GetObject", "s3:ListBucket"):
        for resource in (BUCKET[layer], f"{BUCKET[layer]}/customers/data/x.parquet"):
            assert not decision(analyst_statements, action, resource), (action, resource)
    for resource in (f"{GLUE}:database/{DATABASE[layer]}", f"{GLUE}:table/{DATABASE[layer]}/customers"):
        assert not decision(analyst_statements, "glue:GetTable", resource)
        # Denied explicitly, so a policy attached later cannot grant it.
        assert any(
            st["effect"] == "Deny" and decision([{**st, "effect": "Allow"}], "glue:GetTable", resource)
            for st in analyst_statements
        )


def test_the_decision_can_fail(analyst_statements):
    opened = [{**st, "effect": "Allow"} if st["effect"] == "Deny" else st for st in analyst_statements]
    assert decision(opened, "s3:GetObject", f"{BUCKET['quarantine']}/customers/data/x.parquet")


def test_platform_denies_the_analyst_the_pii_layers():
    call = {n: b for block in parse_dir(MODULES / "platform")["module"] for n, b in block.items()}["analyst_role"]
    for key in ("denied_bucket_arns", "denied_database_names"):
        layers = set(re.search(r"for layer in \[(.*?)\]", call[key]).group(1).split(", "))  # type: ignore[union-attr]
        assert {layer.replace("-", "_") for layer in layers} == set(DENIED), call[key]


# --- the PII buckets' bucket policy ------------------------------------------------------------------


def test_only_named_roles_read_the_pii_buckets():
    lake = locals_of(parse_dir(MODULES / "data_lake"))
    for layer in ("silver-restricted", "quarantine"):
        assert '"read_limited_to_principal_arns": "${local.pii_readers}"' in lake["buckets"][layer], layer
    for layer in ("bronze", "silver", "gold", "artifacts", "athena-results"):
        assert "local.pii_readers" not in str(lake["buckets"][layer]), layer
    readers = str(lake["pii_readers"])
    assert "var.pii_reader_role_arns" in readers
    # The roles named by convention are the ones the Silver job and the optimizers run as.
    job_role = blocks_of(parse_dir(MODULES / "glue_jobs"), "resource", "aws_iam_role")["job"]["name"]
    assert job_role == '${var.name_prefix}-glue-${replace(each.key, "_", "-")}'
    assert "${var.name_prefix}-glue-bronze-to-silver" in readers
    optimizer = locals_of(parse_dir(MODULES / "table_optimizers"))["role_name"]
    assert optimizer == "${var.name_prefix}-glue-table-optimizer" and optimizer in readers


def test_the_bucket_policy_denies_reads_to_everyone_else():
    text = (MODULES / "s3_bucket/main.tf").read_text()
    block = re.search(r'Sid += "DenyReadsByUnlistedPrincipals".*?\n      \}', text, re.S)
    assert block, "no DenyReadsByUnlistedPrincipals statement in modules/s3_bucket"
    body = block.group(0)
    assert 'Effect    = "Deny"' in body and 'Principal = "*"' in body
    assert '"s3:GetObject"' in body and '"s3:GetObjectVersion"' in body
    assert 'ArnNotLike = { "aws:PrincipalArn" = var.read_limited_to_principal_arns }' in body
    assert "enabled = length(var.read_limited_to_principal_arns) > 0" in text
