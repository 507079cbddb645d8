"""Every `resource`, `data` and `provider "aws"` block in terraform/ against the AWS provider's schema.

`terraform validate` needs the provider binary, which cannot be downloaded here. The provider's schema
is extracted from the prebuilt CDK Terrain bindings on PyPI (extract_aws_provider_schema.py, `make
tf-schema`) into aws_provider_schema.json; this test walks every .tf file under terraform/ (new modules
included, nothing to register) and does what Terraform's decoder does with a body: every argument and
nested block (static or `dynamic`, at any depth) must exist in the schema, arguments must be written as
`name = ...` and blocks as `name { }`, required arguments and blocks must be present, single blocks may
appear once. Values, references and cross-argument rules (ConflictsWith, ExactlyOneOf, enums) are not
checked. The files are parsed with python-hcl2's syntax tree, which, unlike its dict output, tells an
argument `x = [{...}]` from a block `x { }`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2
import pytest
from lark import Token, Tree

REPO = Path(__file__).resolve().parents[2]
TERRAFORM = REPO / "terraform"
SCHEMA_FILE = Path(__file__).resolve().parent / "aws_provider_schema.json"
SCHEMA = json.loads(SCHEMA_FILE.read_text())
# Terraform's own meta-arguments and meta-blocks, allowed at the top of a resource or data block.
META_ARGUMENTS = {"count", "for_each", "depends_on", "provider"}
META_BLOCKS = {"resource": {"lifecycle", "provisioner", "connection"}, "data": {"lifecycle"}}
# Built into Terraform (provider terraform.io/builtin/terraform), not the AWS provider.
BUILTIN_SCHEMAS = {
    "terraform_data": {"arguments": ["input", "triggers_replace"], "required": [], "blocks": {}},
}


@dataclass
class Body:
    """A block body as Terraform's decoder sees it: arguments and nested blocks, with lines."""

    arguments: dict[str, int] = field(default_factory=dict)
    blocks: list[tuple[str, list[str], Body, int]] = field(default_factory=list)


def _name(tree: Tree | Token) -> str:
    if isinstance(tree, Token):
        return str(tree)
    return "".join(_name(child) for child in tree.children)


def to_body(tree: Tree) -> Body:
    body = Body()
    for node in tree.children:
        if not isinstance(node, Tree):
            continue
        if node.data == "attribute":
            body.arguments[_name(node.children[0])] = node.meta.line
        elif node.data == "block":
            *head, inner = node.children
            body.blocks.append((_name(head[0]), [_name(label) for label in head[1:]], to_body(inner), node.meta.line))
    return body


def parse_file(path: Path) -> Body:
    return to_body(hcl2.parse(path.open()).children[0])


def check_body(body: Body, schema: dict[str, Any], where: str, meta_blocks: Collection[str] = ()) -> list[str]:
    """Terraform's decoder rules for one body (recursing into nested and dynamic blocks)."""
    if schema.get("unchecked"):
        return []  # a block whose contents the bindings do not describe (see the extractor)
    errors: list[str] = []
    arguments, blocks = set(schema["arguments"]), schema["blocks"]
    for name, line in body.arguments.items():
        if meta_blocks and name in META_ARGUMENTS:
            continue
        if name in blocks:
            errors.append(f"{where}:{line}: `{name}` is a block: write `{name} {{ ... }}`, not `{name} = ...`")
        elif name not in arguments:
            errors.append(f"{where}:{line}: unknown argument `{name}`")
    static: Counter[str] = Counter()
    dynamic: set[str] = set()
    for kind, labels, inner, line in body.blocks:
        name = labels[0] if kind == "dynamic" and labels else kind
        if kind in meta_blocks:
            continue
        if name in arguments and name not in blocks:
            errors.append(f"{where}:{line}: `{name}` is an argument: write `{name} = ...`, not a block")
            continue
        if name not in blocks:
            errors.append(f"{where}:{line}: unknown block `{name}`")
            continue
        if kind == "dynamic":
            dynamic.add(name)
            contents = [b for b in inner.blocks if b[0] == "content"]
            if len(contents) != 1:
                errors.append(f"{where}:{line}: dynamic `{name}` needs exactly one content block")
            for _, _, content, _ in contents:
                errors += check_body(content, blocks[name], f"{where} > {name}")
        else:
            static[name] += 1
            errors += check_body(inner, blocks[name], f"{where} > {name}")
    for name in schema["required"]:
        if name not in body.arguments:
            errors.append(f"{where}: required argument `{name}` is missing")
    for name, block in blocks.items():
        if block["min_one"] and not static[name] and name not in dynamic:
            errors.append(f"{where}: required block `{name}` is missing")
        if block["max_one"] and static[name] + (name in dynamic) > 1:
            errors.append(f"{where}: block `{name}` may appear at most once")
    return errors


def schema_for(kind: str, type_name: str) -> dict[str, Any] | None:
    if kind == "resource" and type_name in BUILTIN_SCHEMAS:
        return BUILTIN_SCHEMAS[type_name]
    return SCHEMA[kind].get(type_name)


def check_top_level(body: Body, where: str) -> tuple[list[str], int]:
    """Errors of every resource/data/provider "aws" block of one file, and how many blocks were checked."""
    errors: list[str] = []
    checked = 0
    for kind, labels, inner, line in body.blocks:
        if kind == "check":  # a check block's scoped data sources are data blocks too
            nested_errors, nested_checked = check_top_level(inner, where)
            errors, checked = errors + nested_errors, checked + nested_checked
        elif kind == "provider" and labels == ["aws"]:
            errors += check_body(inner, SCHEMA["provider"], f"{where}:{line} provider aws", {"alias"})
            checked += 1
        elif kind in ("resource", "data"):
            type_name, name = labels
            schema = schema_for(kind, type_name)
            label = f"{where}:{line} {kind}.{type_name}.{name}"
            if schema is None:
                errors.append(
                    f"{label}: unknown {kind} type `{type_name}` in hashicorp/aws {SCHEMA['provider_version']}"
                )
            else:
                errors += check_body(inner, schema, label, META_BLOCKS[kind])
            checked += 1
    return errors, checked


def check_tree(root: Path) -> tuple[list[str], int]:
    errors: list[str] = []
    checked = 0
    for path in sorted(root.rglob("*.tf")):
        if ".terraform" in path.parts:
            continue
        file_errors, file_checked = check_top_level(parse_file(path), path.relative_to(root).as_posix())
        errors, checked = errors + file_errors, checked + file_checked
    return errors, checked


# --- the repository ---------------------------------------------------------------------------------


def test_every_block_in_terraform_matches_the_provider_schema():
    errors, checked = check_tree(TERRAFORM)
    assert not errors, "\n".join(errors)
    # Every block was checked: counted independently, by the lines that open one.
    opening = re.compile(r'^\s*(resource|data) "[^"]+" "[^"]+"|^provider "aws"', re.M)
    files = [p for p in TERRAFORM.rglob("*.tf") if ".terraform" not in p.parts]
    assert checked == sum(len(opening.findall(p.read_text())) for p in files) > 80


def test_the_walk_covers_every_module_directory():
    walked = {p.parent for p in TERRAFORM.rglob("*.tf") if ".terraform" not in p.parts}
    with_blocks = {d for d in walked if check_tree(d)[1] > 0}
    assert {TERRAFORM / "modules/quicksight", TERRAFORM / "modules/alerting", TERRAFORM / "bootstrap"} <= with_blocks


# --- planted mistakes ---------------------------------------------------------------------------------


def errors_of(tmp_path: Path, text: str) -> list[str]:
    (tmp_path / "main.tf").write_text(text)
    return check_tree(tmp_path)[0]


GOOD_JOB = """
resource "aws_glue_job" "this" {
  count    = 1
  name     = "j"
  role_arn = "arn"
  command {
    script_location = "s3://b/k.py"
  }
  default_arguments = { "--x" = "1" }
  lifecycle {
    ignore_changes = [tags]
  }
}
"""


def test_a_correct_resource_passes(tmp_path):
    assert errors_of(tmp_path, GOOD_JOB) == []


@pytest.mark.parametrize(
    "old,new,expected",
    [
        ('  role_arn = "arn"\n', '  role_arnn = "arn"\n', "unknown argument `role_arnn`"),
        ('  role_arn = "arn"\n', "", "required argument `role_arn` is missing"),
        ('    script_location = "s3://b/k.py"\n', '    script = "x"\n', "unknown argument `script`"),
        ('    script_location = "s3://b/k.py"\n', "", "required argument `script_location` is missing"),
        ("  command {", "  commands {", "unknown block `commands`"),
        ("  command {\n", "  command = {\n", "`command` is a block"),
        (
            '  default_arguments = { "--x" = "1" }\n',
            "  default_arguments {\n  }\n",
            "`default_arguments` is an argument",
        ),
        ('  name     = "j"\n', '  name     = "j"\n  command {\n    script_location = "x"\n  }\n', "at most once"),
        ('resource "aws_glue_job"', 'resource "aws_glue_jobs"', "unknown resource type `aws_glue_jobs`"),
    ],
)
def test_planted_mistakes_are_caught(tmp_path, old, new, expected):
    assert old in GOOD_JOB
    errors = errors_of(tmp_path, GOOD_JOB.replace(old, new, 1))
    assert any(expected in e for e in errors), errors


def test_a_missing_required_block_is_caught(tmp_path):
    text = re.sub(r"  command \{\n.*?\n  \}\n", "", GOOD_JOB, flags=re.S)
    assert any("required block `command` is missing" in e for e in errors_of(tmp_path, text))


QUICKSIGHT_SOURCE = """
resource "aws_quicksight_data_source" "this" {
  data_source_id = "d"
  name           = "d"
  type           = "ATHENA"
  parameters {
    athena {
      work_group = "wg"
    }
  }
  dynamic "permission" {
    for_each = toset(["arn"])
    content {
      principal = permission.value
      actions   = ["quicksight:DescribeDataSource"]
    }
  }
}
"""


def test_dynamic_blocks_are_checked_by_their_label(tmp_path):
    assert errors_of(tmp_path, QUICKSIGHT_SOURCE) == []
    wrong_name = QUICKSIGHT_SOURCE.replace('dynamic "permission"', 'dynamic "permissions"')
    assert any("unknown block `permissions`" in e for e in errors_of(tmp_path, wrong_name))
    inside = QUICKSIGHT_SOURCE.replace("      principal = permission.value\n", "      principa = permission.value\n")
    errors = errors_of(tmp_path, inside)
    assert any("> permission" in e and "unknown argument `principa`" in e for e in errors), errors
    assert any("required argument `principal` is missing" in e for e in errors), errors


def test_nested_blocks_are_checked_at_depth(tmp_path):
    errors = errors_of(tmp_path, QUICKSIGHT_SOURCE.replace("work_group", "workgroup"))
    assert any("> parameters > athena:" in e and "unknown argument `workgroup`" in e for e in errors), errors


def test_data_sources_and_the_provider_block_are_checked(tmp_path):
    text = """
provider "aws" {
  alias  = "east"
  regin  = "us-east-1"
}
data "aws_iam_policy_document" "p" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "aws:x"
    }
  }
}
data "aws_s3_bucket" "b" {}
"""
    errors = errors_of(tmp_path, text)
    assert any("provider aws" in e and "unknown argument `regin`" in e for e in errors), errors
    assert any("condition: required argument `values` is missing" in e for e in errors), errors
    assert any("data.aws_s3_bucket.b: required argument `bucket` is missing" in e for e in errors), errors
    assert len(errors) == 3, errors


# --- the schema file and its provenance ------------------------------------------------------------


def constraint_admits(constraint: str, version: str) -> bool:
    """Terraform's version constraint syntax (=, !=, >, >=, <, <=, ~>) for plain x.y.z versions."""

    def parts(v: str) -> tuple[int, ...]:
        return tuple(int(p) for p in v.split("."))

    wanted = parts(version)
    for clause in constraint.split(","):
        match = re.fullmatch(r"\s*(=|!=|>=|<=|>|<|~>)?\s*(\d+(?:\.\d+)*)\s*", clause)
        assert match, f"cannot read version constraint {constraint!r}"
        op, bound = match.group(1) or "=", parts(match.group(2))
        padded = bound + (0,) * (3 - len(bound))
        if op == "~>":
            upper = (*bound[:-2], bound[-2] + 1) if len(bound) > 1 else (bound[0] + 1,)
            ok = padded <= wanted and wanted[: len(upper)] < upper
        else:
            ok = {
                "=": wanted == padded,
                "!=": wanted != padded,
                ">": wanted > padded,
                ">=": wanted >= padded,
                "<": wanted < padded,
                "<=": wanted <= padded,
            }[op]
        if not ok:
            return False
    return True


@pytest.mark.parametrize(
    "constraint,version,admits",
    [
        ("~> 6.0", "6.69.1", True),
        ("~> 6.0", "7.0.0", False),
        ("~> 6.70", "6.69.1", False),
        ("6.69.1", "6.69.1", True),
        ("= 6.69.1", "6.69.2", False),
        (">= 6.69.1, < 7.0.0", "6.69.1", True),
        ("~> 6.69.0", "6.70.0", False),
    ],
)
def test_constraint_reader(constraint, version, admits):
    assert constraint_admits(constraint, version) is admits


def aws_constraints() -> list[tuple[str, str]]:
    found = []
    for path in sorted(TERRAFORM.rglob("versions.tf")):
        if ".terraform" in path.parts:
            continue
        for block in hcl2.load(path.open()).get("terraform", []):
            for providers in block.get("required_providers", []):
                if "aws" in providers:
                    assert providers["aws"]["source"] == "hashicorp/aws", path
                    found.append((path.parent.relative_to(TERRAFORM).as_posix(), providers["aws"]["version"]))
    return found


ROOT_MODULES = {"envs/dev", "envs/prod", "bootstrap"}


def test_root_modules_pin_the_provider_version_of_the_schema():
    roots = {module: constraint for module, constraint in aws_constraints() if module in ROOT_MODULES}
    assert set(roots) == ROOT_MODULES
    for module, constraint in roots.items():
        assert constraint == SCHEMA["provider_version"], (
            f"{module} pins {constraint}, the schema is of {SCHEMA['provider_version']}"
        )


def test_every_module_admits_the_pinned_provider_version():
    constraints = aws_constraints()
    assert len(constraints) > len(ROOT_MODULES)
    for module, constraint in constraints:
        assert constraint_admits(constraint, SCHEMA["provider_version"]), f"{module}: {constraint}"


def test_schema_file_names_its_source_and_the_makefile_pins_it():
    makefile = (REPO / "Makefile").read_text()
    assert f"AWS_SCHEMA_PACKAGE := {SCHEMA['extracted_from']}\n" in makefile
    assert SCHEMA["provider_source"] == "hashicorp/aws"
    assert len(SCHEMA["resource"]) > 1500 and len(SCHEMA["data"]) > 500
    # Spot checks against the provider's documented schema.
    assert "permission" in SCHEMA["resource"]["aws_quicksight_data_source"]["blocks"]
    assert SCHEMA["resource"]["aws_glue_job"]["blocks"]["command"]["min_one"] is True
    assert {"name", "role_arn"} <= set(SCHEMA["resource"]["aws_glue_job"]["required"])


TOOL_PYTHON = REPO / ".tools/aws-provider-schema/bin/python"


def test_schema_file_is_what_the_pinned_package_gives(tmp_path):
    """Regenerates the schema from the installed package (`make tools`) and compares."""
    import subprocess

    if not TOOL_PYTHON.exists():
        pytest.fail(f"the provider schema package is not installed at {TOOL_PYTHON.parent.parent}: run `make tools`")
    out = tmp_path / "schema.json"
    extractor = Path(__file__).resolve().parent / "extract_aws_provider_schema.py"
    subprocess.run([str(TOOL_PYTHON), str(extractor), "--out", str(out)], check=True, capture_output=True, timeout=300)
    assert out.read_text() == SCHEMA_FILE.read_text(), "aws_provider_schema.json is stale: run `make tf-schema`"
