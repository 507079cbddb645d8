"""Every AWS provider argument and block name in our Terraform was checked against the provider's docs.

`terraform validate` needs the provider, which cannot be downloaded here, so a typo in an argument name
would only surface at plan time. aws_provider_arguments.json records the names that were verified
(and how); this test fails on any name used in terraform/ that is not in it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import hcl2
import pytest

REPO = Path(__file__).resolve().parents[2]
VERIFIED = json.loads((Path(__file__).resolve().parent / "aws_provider_arguments.json").read_text())["resources"]
META_ARGUMENTS = {"count", "for_each", "depends_on", "lifecycle", "provider"}
# Modules written by this repository's Terraform engineer; quicksight and alerting have their own owners and tests.
MODULES = [
    "bootstrap",
    "envs/dev",
    "envs/prod",
    "modules/kms",
    "modules/s3_bucket",
    "modules/access_logs_bucket",
    "modules/data_lake",
    "modules/glue_catalog",
    "modules/glue_jobs",
    "modules/crawlers",
    "modules/glue_workflow",
    "modules/athena",
    "modules/platform",
]


def argument_paths(body: dict[str, Any], prefix: str = "") -> set[str]:
    """Dotted names of every argument and nested block in a resource body (dynamic blocks included)."""
    paths: set[str] = set()
    for key, value in body.items():
        if key in META_ARGUMENTS or key.startswith("__"):
            continue
        if key == "dynamic":
            for dynamic in value:
                for block, spec in dynamic.items():
                    paths.add(prefix + block)
                    for content in spec.get("content", []):
                        paths |= argument_paths(content, f"{prefix}{block}.")
            continue
        paths.add(prefix + key)
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for item in value:
                paths |= argument_paths(item, f"{prefix}{key}.")
    return paths


def verified_paths(tree: dict[str, Any], prefix: str = "") -> set[str]:
    paths: set[str] = set()
    for key, sub in tree.items():
        paths.add(prefix + key)
        paths |= verified_paths(sub, f"{prefix}{key}.")
    return paths


def used_arguments() -> list[tuple[str, str, set[str]]]:
    found = []
    for module in MODULES:
        for tf in sorted((REPO / "terraform" / module).glob("*.tf")):
            with tf.open() as handle:
                parsed = hcl2.load(handle)
            for kind in ("resource", "data"):
                for block in parsed.get(kind, []):
                    for type_name, named in block.items():
                        for name, body in named.items():
                            found.append(
                                (f"{module}/{tf.name}: {type_name}.{name}", f"{kind}.{type_name}", argument_paths(body))
                            )
    return found


def test_argument_paths_sees_nested_and_dynamic_blocks():
    body = {"a": 1, "b": [{"c": 2}], "dynamic": [{"d": {"content": [{"e": 3}]}}], "count": 1}
    assert argument_paths(body) == {"a", "b", "b.c", "d", "d.e"}


@pytest.mark.parametrize(
    "where,kind,paths", used_arguments(), ids=lambda v: v if isinstance(v, str) and ":" in v else ""
)
def test_every_argument_name_was_verified(where, kind, paths):
    assert kind in VERIFIED, f"{where}: {kind} has not been checked against the provider docs"
    unverified = paths - verified_paths(VERIFIED[kind]["arguments"])
    assert not unverified, f"{where}: {sorted(unverified)} not verified against the provider docs"
