"""finlake's custom checkov policies: what checkov's built-in checks do not cover.

Loaded with `checkov --external-checks-dir terraform/checkov`. Each check fails closed: a missing
block or attribute is a failure, not a pass. tests/terraform/test_checkov.py proves every check
fails on a bad fixture and passes on a good one.
"""

from __future__ import annotations

import json
import re
from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

ATHENA_MIN_CUTOFF_BYTES = 10 * 1024 * 1024  # Athena's own minimum for the per-query cutoff
NON_DESTRUCTIVE_DELETE_BEHAVIORS = {"LOG", "DEPRECATE_IN_DATABASE"}
KMS_ALGORITHMS = {"aws:kms", "aws:kms:dsse"}


def _first(conf: dict[str, Any], key: str) -> Any:
    """checkov wraps every attribute value in a one-element list."""
    value = conf.get(key)
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


class S3BucketPolicyDeniesInsecureTransport(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure the S3 bucket policy denies every request not made over TLS (aws:SecureTransport = false)",
            id="CKV_FINLAKE_1",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_s3_bucket_policy"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        statements = policy_statements(_first(conf, "policy"))
        return CheckResult.PASSED if any(map(denies_insecure_transport, statements)) else CheckResult.FAILED


def policy_statements(policy: Any) -> list[str]:
    """The policy's statements, each as text.

    checkov hands over a dict when it could evaluate the policy, and otherwise the partly rendered
    expression, e.g. `jsonencode({'Statement': [{...}, {...}]})` with references left unresolved.
    Splitting the Statement list at top-level braces works for both, so the check reads the policy
    as written in the module even when the bucket and key ARNs are only known at apply time.
    """
    if isinstance(policy, dict):
        return [json.dumps(st) for st in _as_list(policy.get("Statement", []))]
    if not isinstance(policy, str):
        return []
    try:
        return policy_statements(json.loads(policy))
    except ValueError:
        pass
    match = re.search(r"""['"]Statement['"]\s*:\s*\[""", policy)
    if not match:
        return []
    statements, depth, start = [], 0, None
    for i in range(match.end(), len(policy)):
        char = policy[i]
        if char == "{":
            depth += 1
            if depth == 1:
                start = i
        elif char == "}":
            depth -= 1
            if depth == 0 and start is not None:
                statements.append(policy[start : i + 1])
        elif char == "]" and depth == 0:
            break
    return statements


def _field(statement: str, name: str) -> str:
    """Text of a top-level field's value in one statement (up to the next field)."""
    match = re.search(
        rf"""['"]{name}['"]\s*:\s*(.+?)(?:,\s*['"](?:Sid|Effect|Principal|Action|Resource|Condition|NotAction|NotResource|NotPrincipal)['"]\s*:|\}}\s*$)""",
        statement,
        re.S,
    )
    return match.group(1) if match else ""


def denies_insecure_transport(statement: str) -> bool:
    """Deny, to everyone, every S3 action, when aws:SecureTransport is false."""
    principal = re.sub(r"""[\s'"\[\]]""", "", _field(statement, "Principal"))
    condition = _field(statement, "Condition")
    return (
        re.fullmatch(r"""['"]Deny['"]""", _field(statement, "Effect").strip()) is not None
        and principal in ("*", "{AWS:*}")
        and re.search(r"""['"](s3:)?\*['"]""", _field(statement, "Action")) is not None
        and re.search(
            r"""['"]Bool['"]\s*:\s*\{\s*['"]aws:SecureTransport['"]\s*:\s*\[?\s*['"]?false['"]?""", condition, re.I
        )
        is not None
    )


class AthenaWorkgroupEnforcedWithCutoff(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure the Athena workgroup enforces its configuration and limits bytes scanned per query",
            id="CKV_FINLAKE_2",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_athena_workgroup"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        configuration = _first(conf, "configuration")
        if not isinstance(configuration, dict):
            return CheckResult.FAILED
        if not _is_true(_first(configuration, "enforce_workgroup_configuration")):
            return CheckResult.FAILED
        cutoff = _first(configuration, "bytes_scanned_cutoff_per_query")
        try:
            return CheckResult.PASSED if int(cutoff) >= ATHENA_MIN_CUTOFF_BYTES else CheckResult.FAILED
        except (TypeError, ValueError):
            return CheckResult.FAILED  # missing or not a number


class S3BucketKeyEnabled(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure SSE-KMS default encryption uses an S3 bucket key",
            id="CKV_FINLAKE_3",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_s3_bucket_server_side_encryption_configuration"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        rules = conf.get("rule") or []
        if not rules:
            return CheckResult.FAILED
        for rule in rules:
            default = _first(rule, "apply_server_side_encryption_by_default") or {}
            algorithm = _first(default, "sse_algorithm")
            # Bucket keys only exist for SSE-KMS; an SSE-S3 rule (the access-log bucket) has none.
            if algorithm in KMS_ALGORITHMS and not _is_true(_first(rule, "bucket_key_enabled")):
                return CheckResult.FAILED
            if algorithm is None:
                return CheckResult.FAILED
        return CheckResult.PASSED


class GlueCrawlerSchemaChangePolicyNeverDeletes(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure the Glue crawler states a schema change policy that never deletes tables (LOG or DEPRECATE_IN_DATABASE)",
            id="CKV_FINLAKE_4",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_glue_crawler"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        policy = _first(conf, "schema_change_policy")
        if not isinstance(policy, dict):
            return CheckResult.FAILED  # Glue's default would be applied silently
        if _first(policy, "update_behavior") is None:
            return CheckResult.FAILED
        outcomes = possible_values(_first(policy, "delete_behavior"))
        if outcomes and outcomes <= NON_DESTRUCTIVE_DELETE_BEHAVIORS:
            return CheckResult.PASSED
        return CheckResult.FAILED


def possible_values(value: Any) -> set[str]:
    """Every value an attribute can take: the literal itself, or both results of a conditional whose
    results are literals (`x == "LOG" ? "LOG" : "DEPRECATE_IN_DATABASE"`). Anything else is unknown
    (empty set), which the caller treats as a failure."""
    if not isinstance(value, str):
        return set()
    text = value.strip()
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1].strip()
    if re.fullmatch(r"[A-Z_]+", text):
        return {text}
    conditional = re.fullmatch(r"""[^?]+\?\s*['"]([A-Z_]+)['"]\s*:\s*['"]([A-Z_]+)['"]""", text)
    return set(conditional.groups()) if conditional else set()


s3_tls = S3BucketPolicyDeniesInsecureTransport()
athena_cutoff = AthenaWorkgroupEnforcedWithCutoff()
s3_bucket_key = S3BucketKeyEnabled()
crawler_schema_policy = GlueCrawlerSchemaChangePolicyNeverDeletes()
