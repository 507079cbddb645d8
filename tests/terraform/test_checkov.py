"""checkov, offline, over terraform/: no failed check, every skip explained; custom policies proven.

checkov runs from its own venv (`make tools` -> .tools/checkov) because it pins an old boto3.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
CHECKOV = REPO / ".tools/checkov/bin/checkov"
CUSTOM_CHECKS = REPO / "terraform/checkov"
FIXTURES = Path(__file__).resolve().parent / "fixtures/checkov"
CUSTOM_IDS = ["CKV_FINLAKE_1", "CKV_FINLAKE_2", "CKV_FINLAKE_3", "CKV_FINLAKE_4", "CKV2_FINLAKE_5"]


def run_checkov(directory: Path, *extra: str) -> dict[str, Any]:
    if not CHECKOV.exists():
        pytest.fail(f"checkov is not installed at {CHECKOV}: run `make tools`")
    env = {
        **os.environ,
        "BC_SKIP_MAPPING": "TRUE",
        "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true",
        "CKV_PARSE_ERROR_FAIL": "true",
    }
    command = [
        str(CHECKOV),
        "--directory",
        str(directory),
        "--framework",
        "terraform",
        "--skip-download",
        "--external-checks-dir",
        str(CUSTOM_CHECKS),
        "--output",
        "json",
        *extra,
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900, check=False)
    if done.returncode not in (0, 1):  # 1 = some check failed; anything else is checkov itself failing
        pytest.fail(f"checkov exited {done.returncode}: {done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    reports = report if isinstance(report, list) else [report]
    (terraform,) = [r for r in reports if r.get("check_type") == "terraform"]
    return terraform


@pytest.fixture(scope="module")
def repo_report() -> dict[str, Any]:
    return run_checkov(REPO / "terraform")


def test_checkov_parses_the_terraform_tree(repo_report):
    summary = repo_report["summary"]
    assert summary["parsing_errors"] == 0
    # Not vacuous: the envs and every module were read (123 resources when this was written).
    assert summary["resource_count"] >= 100, summary
    assert summary["passed"] >= 300, summary
    # Module addresses nest (module.platform.module.data_lake...): the env roots call modules/platform.
    checked = {
        ".".join(parts[i : i + 2])
        for c in repo_report["results"]["passed_checks"]
        for parts in [c["resource"].split(".")]
        for i in range(len(parts) - 1)
        if parts[i] == "module"
    }
    for module in (
        "module.platform",
        "module.data_lake",
        "module.glue_jobs",
        "module.crawlers",
        "module.athena",
        "module.kms",
    ):
        assert module in checked, f"checkov did not evaluate {module}"


def test_checkov_finds_no_failed_check(repo_report):
    failed = [
        f"{c['check_id']} {c['resource']} ({c['file_path']}): {c['check_name']}"
        for c in repo_report["results"]["failed_checks"]
    ]
    assert failed == []


def test_custom_policies_ran_on_the_real_resources(repo_report):
    passed = {c["check_id"] for c in repo_report["results"]["passed_checks"]}
    assert set(CUSTOM_IDS) <= passed


def test_every_skip_gives_a_reason(repo_report):
    skipped = repo_report["results"]["skipped_checks"]
    assert skipped, "expected the documented skips (e.g. SSE-S3 on the access-log bucket)"
    for check in skipped:
        reason = (check.get("check_result") or {}).get("suppress_comment", "")
        assert len(reason.strip()) >= 20, f"{check['check_id']} on {check['resource']} is skipped without a reason"


def _results_by_check(report: dict[str, Any], outcome: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for check in report["results"][outcome]:
        found.setdefault(check["check_id"], set()).add(check["resource"])
    return found


@pytest.fixture(scope="module")
def fixture_reports() -> dict[str, dict[str, Any]]:
    only_custom = ("--check", ",".join(CUSTOM_IDS))
    return {name: run_checkov(FIXTURES / name, *only_custom) for name in ("good", "bad")}


EXPECTED_FAILURES = {
    "CKV_FINLAKE_1": {
        "aws_s3_bucket_policy.tls_allow_instead_of_deny",
        "aws_s3_bucket_policy.tls_condition_true",
        "aws_s3_bucket_policy.no_tls_statement",
    },
    "CKV_FINLAKE_2": {
        "aws_athena_workgroup.not_enforced",
        "aws_athena_workgroup.without_cutoff",
        "aws_athena_workgroup.without_configuration",
    },
    "CKV_FINLAKE_3": {
        "aws_s3_bucket_server_side_encryption_configuration.kms_without_bucket_key",
        "aws_s3_bucket_server_side_encryption_configuration.kms_bucket_key_off",
    },
    "CKV_FINLAKE_4": {
        "aws_glue_crawler.deletes_tables",
        "aws_glue_crawler.without_policy",
        "aws_glue_crawler.conditional_may_delete",
        "aws_glue_crawler.unverifiable_policy",
    },
    "CKV2_FINLAKE_5": {"aws_s3_bucket.without_policy"},
}


@pytest.mark.parametrize("check_id", CUSTOM_IDS)
def test_custom_policy_fails_on_the_bad_fixture(fixture_reports, check_id):
    failed = _results_by_check(fixture_reports["bad"], "failed_checks").get(check_id, set())
    assert EXPECTED_FAILURES[check_id] <= failed


@pytest.mark.parametrize("check_id", CUSTOM_IDS)
def test_custom_policy_passes_on_the_good_fixture(fixture_reports, check_id):
    report = fixture_reports["good"]
    assert check_id not in _results_by_check(report, "failed_checks")
    assert _results_by_check(report, "passed_checks").get(check_id), f"{check_id} did not run on the good fixture"
