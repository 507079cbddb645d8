"""Both sides of the Lambda's environment contract name the same variables (handler vs Terraform)."""

from __future__ import annotations

import ast
from pathlib import Path

import hcl2

REPO = Path(__file__).resolve().parents[2]
HANDLER = REPO / "lambdas/high_risk_alert/handler.py"
MODULE = REPO / "terraform/modules/alerting/main.tf"


def _handler_tuple(name: str) -> set[str]:
    for node in ast.parse(HANDLER.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return set(ast.literal_eval(node.value))
    raise AssertionError(f"{name} not found in {HANDLER}")


def _names_the_handler_reads() -> set[str]:
    """Every string subscript/get on `env` in the handler: what the code really reads."""
    names = set()
    for node in ast.walk(ast.parse(HANDLER.read_text())):
        if (
            isinstance(node, ast.Subscript)
            and getattr(node.value, "id", None) == "env"
            and isinstance(node.slice, ast.Constant)
        ):
            names.add(node.slice.value)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and getattr(node.func.value, "id", None) == "env"
            and isinstance(node.args[0], ast.Constant)
        ):
            names.add(node.args[0].value)
    return names


def _terraform_environment() -> set[str]:
    parsed = hcl2.loads(MODULE.read_text())
    for block in parsed["resource"]:
        if "aws_lambda_function" in block:
            function = block["aws_lambda_function"]["this"]
            return set(function["environment"][0]["variables"].keys())
    raise AssertionError("no aws_lambda_function in the alerting module")


def test_terraform_sets_exactly_what_the_handler_reads():
    required, optional = _handler_tuple("REQUIRED_ENV"), _handler_tuple("OPTIONAL_ENV")
    assert _names_the_handler_reads() == required | optional
    assert _terraform_environment() == required | optional


def test_package_handler_name_matches_terraform():
    text = MODULE.read_text()
    assert 'handler                        = "handler.lambda_handler"' in text
    assert "def lambda_handler(" in HANDLER.read_text()
