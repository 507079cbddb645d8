"""What Terraform would hand the Glue jobs and the alert Lambda, read from the parsed HCL.

Only the expressions these modules really use are understood; any other one fails loudly, so a
Terraform change that this rendering cannot follow breaks the end-to-end test instead of silently
running the jobs with arguments Terraform would not pass.
"""

from __future__ import annotations

import re
from typing import Any

from aws_local import TERRAFORM, Names, locals_of, parse_dir

GLUE_JOBS = TERRAFORM / "modules/glue_jobs"
ALERTING = TERRAFORM / "modules/alerting"
_EXPRESSION = re.compile(r"\$\{([^{}]*)\}")


def variable_defaults(module: str) -> dict[str, Any]:
    parsed = parse_dir(TERRAFORM / "modules" / module)
    return {name: body.get("default") for block in parsed.get("variable", []) for name, body in block.items()}


def _fill(text: str, values: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        if match[1] not in values:
            raise KeyError(f"tests/aws cannot render the Terraform expression ${{{match[1]}}} in {text!r}")
        return values[match[1]]

    return _EXPRESSION.sub(one, text)


def _as_string(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def glue_job_arguments(names: Names, kms_key_arn: str) -> dict[str, list[str]]:
    """Per job, the script's arguments as Glue passes them (`--name value ...`): local.script_arguments
    of modules/glue_jobs with the platform's names and the variables' defaults."""
    local = locals_of(parse_dir(GLUE_JOBS))
    defaults = variable_defaults("glue_jobs")
    values = {
        "local.artifacts": names.bucket("artifacts"),
        "local.catalog_database_prefix": names.database_prefix,
        "var.kms_key_arn": kms_key_arn,
    }
    values |= {f'local.bucket["{key}"]': names.bucket(key) for key in names.bucket_keys}
    values |= {f"tostring(var.{name})": _as_string(value) for name, value in defaults.items() if value is not None}
    arguments = {}
    for job, script_arguments in local["script_arguments"].items():
        # local.job_names: "${var.name_prefix}-${replace(job, "_", "-")}"
        job_values = values | {f'local.job_names["{job}"]': f"{names.prefix}-{job.replace('_', '-')}"}
        arguments[job] = [item for name, value in script_arguments.items() for item in (name, _fill(value, job_values))]
    return arguments


def alert_lambda_environment(names: Names, topic_arn: str, dashboard_url: str) -> dict[str, str]:
    """The alert Lambda's environment block of modules/alerting, as modules/platform wires it."""
    parsed = parse_dir(ALERTING)
    function = next(b["aws_lambda_function"]["this"] for b in parsed["resource"] if "aws_lambda_function" in b)
    variables = function["environment"][0]["variables"]
    name = f"{names.prefix}-high-risk-alert"  # modules/alerting: local.name = "${var.name_prefix}-high-risk-alert"
    values = {
        "var.athena_workgroup_name": f"{names.prefix}-analytics",  # modules/athena workgroup
        "var.gold_database_name": names.database("gold"),
        "aws_sns_topic.this.arn": topic_arn,
        "aws_dynamodb_table.sent_alerts.name": f"{name}-state",
        "var.dashboard_url": dashboard_url,
        "tostring(var.batch_size)": _as_string(variable_defaults("alerting")["batch_size"]),
    }
    return {key: _fill(value, values) for key, value in variables.items()}
