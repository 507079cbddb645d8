"""Extract the AWS provider's configuration schema from the prebuilt CDK Terrain bindings on PyPI.

`cdktn-provider-aws` is generated from the provider's own `terraform providers schema -json`; its jsii
assembly (`_jsii/*.jsii.tgz` -> `package/.jsii`) keeps, for every resource, data source and ephemeral
resource, a config interface whose properties are the settable arguments and blocks (computed-only
attributes are left out), `optional` unless Terraform requires them, and whose docs name the Terraform
argument and mark blocks ("<name> block."). This script turns that into aws_provider_schema.json, which
test_provider_schema.py checks every `resource`/`data` block in terraform/ against, offline.

Run it with the tools environment's Python (`make tf-schema`); it needs only the standard library and
the installed package. The provider version is read from the package's metadata ("bindings for
hashicorp/aws provider version X") and checked against the version in the documentation links.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import re
import sys
import tarfile
from pathlib import Path
from typing import Any

PACKAGE = "cdktn-provider-aws"
DEFAULT_OUT = Path(__file__).resolve().parent / "aws_provider_schema.json"
KINDS = {"cdktn.TerraformResource": "resource", "cdktn.TerraformDataSource": "data"}
LINK = re.compile(r"\{@link https://registry\.terraform\.io/providers/hashicorp/aws/([^/]+)/docs/?(\S*)\s+([^}]+)\}")


def provider_version(metadata: str) -> str:
    match = re.search(r"hashicorp/aws provider version (\d+\.\d+\.\d+)", metadata)
    if not match:
        raise SystemExit(f"{PACKAGE}'s metadata does not name the hashicorp/aws version it was generated from")
    return match.group(1)


def load_assembly() -> tuple[dict[str, Any], str, str]:
    distribution = importlib.metadata.distribution(PACKAGE)
    tgz = [f for f in distribution.files or [] if str(f).endswith(".jsii.tgz")]
    if len(tgz) != 1:
        raise SystemExit(f"expected one jsii assembly in {PACKAGE}, found {tgz}")
    with tarfile.open(str(tgz[0].locate())) as archive:
        member = archive.extractfile("package/.jsii")
        assert member is not None
        assembly = json.load(member)
    return assembly, distribution.version, provider_version(distribution.read_text("METADATA") or "")


def doc_text(docs: dict[str, str]) -> str:
    return f"{docs.get('summary', '')} {docs.get('remarks', '')}"


def terraform_name(prop: dict[str, Any]) -> str:
    """The argument's Terraform name: the anchor of its registry link (jsii names are camelCase)."""
    match = LINK.search(doc_text(prop.get("docs", {})))
    if match and "#" in match.group(2):
        return match.group(2).split("#", 1)[1]
    return re.sub(r"(?<!^)(?=[A-Z])", "_", prop["name"]).lower()


def struct_of(ref: dict[str, Any], types: dict[str, Any]) -> tuple[str | None, bool]:
    """(struct fqn, at most one) of a property type: a struct, or IResolvable | struct[]."""
    if "fqn" in ref and types.get(ref["fqn"], {}).get("datatype"):
        return ref["fqn"], True
    for option in ref.get("union", {}).get("types", []):
        element = option.get("collection", {}).get("elementtype", {})
        if "fqn" in element and types.get(element["fqn"], {}).get("datatype"):
            return element["fqn"], False
    return None, False


def block_schema(fqn: str, types: dict[str, Any], seen: tuple[str, ...] = ()) -> dict[str, Any]:
    if fqn in seen:
        # The bindings fold some deep nestings (wafv2 rule statements) into one self-referencing
        # struct; the copy inside itself is left unchecked rather than unrolled.
        return {"unchecked": True}
    arguments: list[str] = []
    required: list[str] = []
    blocks: dict[str, Any] = {}
    for prop in types[fqn].get("properties", []):
        name = terraform_name(prop)
        struct, max_one = struct_of(prop["type"], types)
        if prop.get("docs", {}).get("summary", "").endswith(" block."):
            # A few very large blocks (QuickSight `definition`, WAFv2 `statement`) are typed `any` in
            # the bindings: their name is known, their contents are not.
            nested = block_schema(struct, types, (*seen, fqn)) if struct else {"unchecked": True}
            blocks[name] = {"min_one": not prop.get("optional", False), "max_one": max_one, **nested}
        else:
            arguments.append(name)
            if not prop.get("optional", False):
                required.append(name)
    return {"arguments": sorted(arguments), "required": sorted(required), "blocks": dict(sorted(blocks.items()))}


def extract(assembly: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], set[str]]:
    types = assembly["types"]
    schema: dict[str, dict[str, Any]] = {"provider": {}, "resource": {}, "data": {}}
    link_versions: set[str] = set()
    for cls in types.values():
        base = cls.get("base")
        if cls["kind"] != "class" or base not in (*KINDS, "cdktn.TerraformProvider"):
            continue
        match = LINK.search(doc_text(cls["docs"]))
        if not match:
            raise SystemExit(f"{cls['fqn']}: no registry link naming its Terraform type")
        link_versions.add(match.group(1))
        config = next(p for p in cls["initializer"]["parameters"] if p["name"] == "config")["type"]["fqn"]
        body = block_schema(config, types)
        if base == "cdktn.TerraformProvider":
            schema["provider"] = body
        else:
            schema[KINDS[base]][match.group(3).strip()] = body
    return schema, link_versions


def write(schema: dict[str, Any], out: Path) -> None:
    """One type per line: a provider upgrade's diff shows which types changed."""
    lines = ["{"]
    header = {k: v for k, v in schema.items() if k not in ("resource", "data")}
    for key, value in header.items():
        lines.append(f"  {json.dumps(key)}: {json.dumps(value, sort_keys=True)},")
    for kind in ("resource", "data"):
        lines.append(f"  {json.dumps(kind)}: {{")
        entries = sorted(schema[kind].items())
        for i, (name, body) in enumerate(entries):
            comma = "," if i < len(entries) - 1 else ""
            lines.append(f"    {json.dumps(name)}: {json.dumps(body, sort_keys=True, separators=(',', ':'))}{comma}")
        lines.append("  }," if kind == "resource" else "  }")
    lines.append("}")
    out.write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    assembly, package_version, version = load_assembly()
    schema, link_versions = extract(assembly)
    if link_versions != {version}:
        raise SystemExit(f"metadata names provider {version} but the docs link {sorted(link_versions)}")
    document = {
        "_about": "Generated by tests/terraform/extract_aws_provider_schema.py (make tf-schema); do not edit.",
        "provider_source": "hashicorp/aws",
        "provider_version": version,
        "extracted_from": f"{PACKAGE}=={package_version}",
        "provider": schema["provider"],
        "resource": schema["resource"],
        "data": schema["data"],
    }
    write(document, args.out)
    print(
        f"{args.out}: hashicorp/aws {version}, {len(schema['resource'])} resources, {len(schema['data'])} data sources"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
