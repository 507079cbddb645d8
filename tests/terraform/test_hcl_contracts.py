"""Contracts between the Terraform (parsed with python-hcl2) and the code and files it deploys."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import hcl2
import pytest
import yaml

from finlake.contracts import ENTITIES
from finlake.glue_runtime import LAKE_ARGUMENTS
from finlake.lake import Lake

REPO = Path(__file__).resolve().parents[2]
TERRAFORM = REPO / "terraform"
GLUE_JOBS_MODULE = TERRAFORM / "modules/glue_jobs"
ENVS = [TERRAFORM / "envs/dev", TERRAFORM / "envs/prod"]

# AWS Glue's own job parameters ("Using job parameters in AWS Glue jobs", Glue developer guide):
# Glue consumes them, the script does not, so they are the only arguments a script need not read.
GLUE_SPECIAL_PARAMETERS = {
    "--job-language",
    "--additional-python-modules",
    "--python-modules-installer-option",
    "--extra-py-files",
    "--job-bookmark-option",
    "--TempDir",
    "--enable-metrics",
    "--enable-observability-metrics",
    # Glue 5.x logging (always continuous; the Glue 4 --continuous-log-* parameters are ignored).
    "--custom-logGroup-prefix",
    "--custom-logStream-prefix",
    "--enable-spark-ui",
    "--spark-event-logs-path",
    "--enable-auto-scaling",
    "--enable-glue-datacatalog",
    "--enable-job-insights",
    # Glue's native data lake frameworks: the Iceberg jars, and Spark settings fixed at session start.
    "--datalake-formats",
    "--conf",
}

# Argument -> (bucket key in data_lake's bucket_names, prefix inside it): one bucket per layer.
EXPECTED_ROOTS = {
    "bronze_root": ("bronze", ""),
    "silver_root": ("silver", ""),
    "silver_restricted_root": ("silver-restricted", ""),
    "gold_root": ("gold", ""),
    "quarantine_root": ("quarantine", ""),
    "runs_root": ("artifacts", "_runs/"),
    "state_root": ("artifacts", "_state/"),
}


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


def required_args(script: Path) -> list[str]:
    for node in ast.parse(script.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "REQUIRED_ARGS" for t in node.targets):
            return list(ast.literal_eval(node.value))
    raise AssertionError(f"{script} has no REQUIRED_ARGS list")


@pytest.fixture(scope="module")
def glue_jobs() -> dict[str, list[Any]]:
    return parse_dir(GLUE_JOBS_MODULE)


def test_every_glue_job_has_its_script(glue_jobs):
    jobs = locals_of(glue_jobs)["job_settings"]
    assert set(jobs) == {"bronze_to_silver", "silver_to_gold"}
    for job in jobs:
        assert (REPO / "glue_jobs" / f"{job}.py").is_file(), f"glue_jobs/{job}.py is missing"
    script = blocks_of(glue_jobs, "resource", "aws_s3_object")["script"]
    assert script["for_each"] == "${local.job_settings}"
    assert script["source"] == "${var.scripts_dir}/${each.key}.py"
    assert script["source_hash"] == '${filemd5("${var.scripts_dir}/${each.key}.py")}'
    job = blocks_of(glue_jobs, "resource", "aws_glue_job")["this"]
    assert job["command"][0]["script_location"] == "s3://${local.artifacts}/${aws_s3_object.script[each.key].key}"


PLATFORM_MODULE = TERRAFORM / "modules/platform"


@pytest.mark.parametrize("env", ENVS, ids=lambda p: p.name)
def test_envs_call_the_platform_module_with_the_repository_root(env):
    parsed = parse_dir(env)
    modules = {name: body for block in parsed["module"] for name, body in block.items()}
    assert set(modules) == {"platform"}, "an env root is one call of modules/platform"
    platform = modules["platform"]
    assert (env / platform["source"]).resolve() == PLATFORM_MODULE
    assert (env / platform["repo_root"].replace("${path.root}/", "")).resolve() == REPO
    assert platform["environment"] == env.name


def test_platform_points_the_modules_at_the_repository_folders():
    parsed = parse_dir(PLATFORM_MODULE)
    assert locals_of(parsed)["repo_root"] == "${var.repo_root}"
    modules = {name: body for block in parsed["module"] for name, body in block.items()}
    assert modules["glue_jobs"]["scripts_dir"] == "${local.repo_root}/glue_jobs"
    assert modules["crawlers"]["crawlers_dir"] == "${local.repo_root}/crawlers"
    assert modules["athena"]["queries_dir"] == "${local.repo_root}/athena"


@pytest.mark.parametrize("env", ENVS, ids=lambda p: p.name)
def test_envs_pass_every_platform_output_through(env):
    platform_outputs = {name for block in parse_dir(PLATFORM_MODULE)["output"] for name in block}
    env_outputs = {name: body for block in parse_dir(env)["output"] for name, body in block.items()}
    assert set(env_outputs) == platform_outputs
    for name, body in env_outputs.items():
        assert body["value"] == f"${{module.platform.{name}}}"


@pytest.mark.parametrize("job", ["bronze_to_silver", "silver_to_gold"])
def test_terraform_passes_exactly_what_the_script_requires(glue_jobs, job):
    wanted = required_args(REPO / "glue_jobs" / f"{job}.py")
    passed = locals_of(glue_jobs)["script_arguments"][job]
    assert {name.removeprefix("--") for name in passed} == set(wanted)
    # ... and those are the arguments the job really receives: the script's map is merged last.
    job_resource = blocks_of(glue_jobs, "resource", "aws_glue_job")["this"]
    assert (
        job_resource["default_arguments"]
        == "${merge(local.glue_arguments[each.key], local.script_arguments[each.key])}"
    )


def test_other_arguments_are_glue_parameters_the_script_need_not_read(glue_jobs):
    expression = locals_of(glue_jobs)["glue_arguments"]
    names = set(re.findall(r'"(--[A-Za-z-]+)"\s*:', expression))
    assert names, "no Glue parameters found in local.glue_arguments"
    assert names <= GLUE_SPECIAL_PARAMETERS, names - GLUE_SPECIAL_PARAMETERS
    for job in ("bronze_to_silver", "silver_to_gold"):
        assert not names & set(locals_of(glue_jobs)["script_arguments"][job])


@pytest.mark.parametrize("job", ["bronze_to_silver", "silver_to_gold"])
def test_layer_roots_follow_the_bucket_layout(glue_jobs, job):
    for name, value in locals_of(glue_jobs)["script_arguments"][job].items():
        arg = name.removeprefix("--")
        if not arg.endswith("_root"):
            continue
        assert arg in LAKE_ARGUMENTS, f"{arg} is not a Lake root the job runtime knows"
        bucket, prefix = EXPECTED_ROOTS[arg]
        reference = "${local.artifacts}" if bucket == "artifacts" else f'${{local.bucket["{bucket}"]}}'
        assert value == f"s3://{reference}/{prefix}", f"--{arg} = {value}"


def test_wheel_is_uploaded_and_installed_by_the_jobs(glue_jobs):
    wheel = blocks_of(glue_jobs, "resource", "aws_s3_object")["wheel"]
    assert wheel["source"] == "${var.wheel_path}"
    assert wheel["source_hash"] == "${filemd5(var.wheel_path)}"
    local = locals_of(glue_jobs)
    assert "${local.wheel_key}" in local["python_modules"]
    assert '"--additional-python-modules": "${local.python_modules}"' in local["glue_arguments"]


# --- crawlers ------------------------------------------------------------------------------------

# Only Bronze is crawled: Silver, Gold and the quarantine are Iceberg tables the jobs' commits register.
BRONZE_TABLES = set(ENTITIES)


def bronze_paths() -> set[str]:
    """Folders, relative to the Bronze root, that deliveries land in (through the same Lake helper)."""
    lake = Lake.local("/lake")
    return {Path(lake.bronze_entity(e)).relative_to(lake.bronze).as_posix() + "/" for e in BRONZE_TABLES}


CRAWLER_FILES = sorted((REPO / "crawlers").glob("*.yaml"))
BRONZE_CRAWLERS = [f for f in CRAWLER_FILES if yaml.safe_load(f.read_text()).get("layer") == "bronze"]


def test_there_is_a_bronze_crawler():
    assert [f.name for f in BRONZE_CRAWLERS] == ["bronze.yaml"]


@pytest.mark.parametrize("definition", BRONZE_CRAWLERS, ids=lambda p: p.name)
def test_every_bronze_crawler_target_is_a_folder_deliveries_land_in(definition):
    crawler = yaml.safe_load(definition.read_text())
    targets = [t["path"] for t in crawler.get("targets", [])]
    assert targets, f"{definition.name} needs S3 targets"
    assert set(targets) == bronze_paths(), f"{definition.name}: targets {sorted(targets)}"


def test_delete_is_confined_to_iceberg_table_files_and_run_prefixes_never_bronze(glue_jobs):
    for document in blocks_of(glue_jobs, "data", "aws_iam_policy_document").values():
        for statement in document.get("statement", []):
            if statement.get("effect", "Allow") != "Allow" or "s3:DeleteObject" not in statement["actions"]:
                continue
            resources = statement["resources"]
            if isinstance(resources, str):  # the tables' data/ and metadata/ objects (test_iceberg_aws resolves them)
                assert re.fullmatch(
                    r'\$\{(concat\()?(module\.iceberg_tables\.object_arns\["\w+"\](, )?)+\)?\}', resources
                )
                assert "bronze" not in resources
                continue
            for resource in resources:
                assert '["bronze"]' not in resource
                assert resource.endswith(("/_runs/*", "/_state/*", "/_tmp/*", "/_spark-logs/*")), resource


@pytest.mark.parametrize("definition", CRAWLER_FILES, ids=lambda p: p.name)
def test_crawler_schema_change_policy_never_deletes(definition):
    policy = yaml.safe_load(definition.read_text())["schema_change_policy"]
    assert policy["delete_behavior"] in {"LOG", "DEPRECATE_IN_DATABASE"}
    assert policy["update_behavior"] in {"LOG", "UPDATE_IN_DATABASE"}


def test_crawler_targets_resolve_inside_the_layer_bucket_and_database():
    crawler = blocks_of(parse_dir(TERRAFORM / "modules/crawlers"), "resource", "aws_glue_crawler")["this"]
    dynamic = {name: body for block in crawler["dynamic"] for name, body in block.items()}
    assert set(dynamic) == {"s3_target"}, "the Bronze crawler has S3 targets only"
    target = dynamic["s3_target"]["content"][0]
    assert target["path"] == "s3://${local.layer_bucket[each.value.layer]}/${s3_target.value.path}"
    assert crawler["database_name"] == "${var.database_names[each.value.layer]}"


# --- Athena --------------------------------------------------------------------------------------

DATABASE_PLACEHOLDERS = {"bronze_db", "silver_db", "gold_db"}


def named_query_names(sql_dir: Path) -> dict[str, Path]:
    """The module's fileset + key expression, applied to the folder (checked against the HCL below)."""
    files = sorted(sql_dir.glob("*.sql")) + sorted(sql_dir.glob("views/*.sql"))
    return {f.relative_to(sql_dir).with_suffix("").as_posix().replace("/", "_"): f for f in files}


def test_every_athena_sql_file_becomes_a_named_query():
    parsed = parse_dir(TERRAFORM / "modules/athena")
    local = locals_of(parsed)
    assert (
        local["sql_files"] == '${setunion(fileset(var.queries_dir, "*.sql"), fileset(var.queries_dir, "views/*.sql"))}'
    )
    assert local["queries"] == '${{for f in local.sql_files : replace(trimsuffix(f, ".sql"), "/", "_") => f}}'
    query = blocks_of(parsed, "resource", "aws_athena_named_query")["this"]
    assert query["for_each"] == "${local.queries}"
    assert query["query"] == '${templatefile("${var.queries_dir}/${each.value}", local.template_vars)}'
    assert set(local["template_vars"]) == DATABASE_PLACEHOLDERS
    files = list((REPO / "athena").rglob("*.sql"))
    assert len(named_query_names(REPO / "athena")) == len(files), "two SQL files map to the same query name"


@pytest.mark.parametrize("sql", sorted((REPO / "athena").rglob("*.sql")), ids=lambda p: p.name)
def test_sql_file_renders_with_templatefile(sql):
    text = sql.read_text()
    placeholders = set(re.findall(r"\$\{([^}]*)\}", text))
    assert placeholders <= DATABASE_PLACEHOLDERS, (
        f"{sql.name}: templatefile would fail on {placeholders - DATABASE_PLACEHOLDERS}"
    )
    assert "%{" not in text, f"{sql.name}: %{{ is a template directive for templatefile"


# --- IAM -----------------------------------------------------------------------------------------

# Actions without resource-level permissions: "*" is the only possible resource.
NO_RESOURCE_LEVEL_ACTIONS = {"cloudwatch:PutMetricData", "xray:PutTraceSegments", "xray:PutTelemetryRecords"}
# ... of which these have no condition key either (X-Ray's write actions).
NO_CONDITION_KEYS = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
DATA_WILDCARDS = [r"s3:::\*", r":database/\*", r":table/\*", r"^\*$"]


def policy_documents() -> list[tuple[str, str, dict[str, Any]]]:
    """(module, name, document) for every aws_iam_policy_document; key policies are marked."""
    found = []
    for directory in sorted({p.parent for p in TERRAFORM.rglob("*.tf") if ".terraform" not in p.parts}):
        parsed = parse_dir(directory)
        key_policies = {
            body["policy"] for body in blocks_of(parsed, "resource", "aws_kms_key").values() if "policy" in body
        }
        for name, document in blocks_of(parsed, "data", "aws_iam_policy_document").items():
            document = {**document, "_key_policy": f"${{data.aws_iam_policy_document.{name}.json}}" in key_policies}
            found.append((directory.relative_to(TERRAFORM).as_posix(), name, document))
    return found


def allow_statements() -> list[tuple[str, dict[str, Any], bool]]:
    statements = []
    for module, name, document in policy_documents():
        for statement in document.get("statement", []):
            if statement.get("effect", "Allow") == "Allow":
                statements.append((f"{module}:{name}:{statement.get('sid', '?')}", statement, document["_key_policy"]))
    return statements


def test_policy_documents_were_found():
    modules = {module for module, _, _ in policy_documents()}
    assert {"modules/glue_jobs", "modules/crawlers", "modules/kms"} <= modules


@pytest.mark.parametrize(
    "where,statement,key_policy", allow_statements(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_no_statement_grants_wildcard_actions(where, statement, key_policy):
    assert isinstance(statement.get("actions"), list), f"{where}: actions must be a literal list to be checked"
    assert "not_actions" not in statement, f"{where}: Allow with not_actions grants everything else"
    for action in statement.get("actions", []):
        assert action != "*" and not action.endswith(":*"), f"{where} grants {action}"


@pytest.mark.parametrize(
    "where,statement,key_policy", allow_statements(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_no_statement_grants_wildcard_resources_on_data(where, statement, key_policy):
    if key_policy:
        return  # in a key policy "*" means the key itself
    assert "not_resources" not in statement, f"{where}: Allow with not_resources"
    if "resources" not in statement:
        # A trust policy: it names who may assume the role, not what the role may touch.
        assert statement.get("principals") and set(statement["actions"]) <= {"sts:AssumeRole"}, where
        return
    resources = statement["resources"]
    if isinstance(resources, str):
        # Only the Iceberg tables' exact ARNs, from modules/iceberg_tables (evaluated and checked by
        # test_iceberg_aws); anything else must be a literal list to be checked here.
        term = r'module\.iceberg_tables\.(glue_resources|object_arns)\["\w+"\]'
        assert re.fullmatch(rf"\$\{{(concat\({term}(, {term})*\)|{term})\}}", resources), (
            f"{where}: resources must be a literal list or Iceberg table ARNs"
        )
        return
    for resource in resources:
        if resource == "*":
            assert set(statement["actions"]) <= NO_RESOURCE_LEVEL_ACTIONS, (
                f"{where}: '*' resource for {statement['actions']}"
            )
            assert statement.get("condition") or set(statement["actions"]) <= NO_CONDITION_KEYS, (
                f"{where}: '*' resource without a condition"
            )
            continue
        for wildcard in DATA_WILDCARDS:
            assert not re.search(wildcard, resource), f"{where}: {resource} is a wildcard over data"


def test_pipeline_roles_are_denied_bronze_deletion():
    for module in ("glue_jobs", "crawlers"):
        parsed = parse_dir(TERRAFORM / "modules" / module)
        denies = [
            st
            for doc in blocks_of(parsed, "data", "aws_iam_policy_document").values()
            for st in doc.get("statement", [])
            if st.get("effect") == "Deny" and st.get("sid") == "BronzeIsImmutable"
        ]
        assert denies, f"{module}: no BronzeIsImmutable deny"
        assert {"s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObject"} <= set(denies[0]["actions"])
        assert any('["bronze"]' in r for r in denies[0]["resources"])


# --- module documentation ------------------------------------------------------------------------

DOCUMENTED_MODULES = [
    "kms",
    "s3_bucket",
    "access_logs_bucket",
    "data_lake",
    "glue_catalog",
    "glue_jobs",
    "crawlers",
    "glue_workflow",
    "athena",
    "platform",
    "iceberg_tables",
    "table_optimizers",
    "analyst_role",
]


@pytest.mark.parametrize("module", DOCUMENTED_MODULES)
def test_module_readme_lists_every_input_and_output(module):
    directory = TERRAFORM / "modules" / module
    readme = (directory / "README.md").read_text()
    parsed = parse_dir(directory)
    names = [name for block in parsed.get("variable", []) + parsed.get("output", []) for name in block]
    missing = [name for name in names if f"`{name}`" not in readme]
    assert not missing, f"modules/{module}/README.md does not document {missing}"
    for block in parsed.get("variable", []) + parsed.get("output", []):
        for name, body in block.items():
            assert body.get("description"), f"modules/{module}: {name} has no description"
    for block in parsed.get("variable", []):
        for name, body in block.items():
            assert "type" in body and "any" not in str(body["type"]), f"modules/{module}: {name} needs a precise type"
