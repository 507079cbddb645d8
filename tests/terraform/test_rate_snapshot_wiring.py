"""Issue 21 item 6: the stream monitor reads the exchange-rate snapshot the Silver job writes — Terraform
points FX_RATES_URI at `<state_root>fx_rates.json` and grants s3:GetObject on exactly that object."""

from __future__ import annotations

from pathlib import Path

import hcl2

from finlake.silver.rate_book_export import RATE_BOOK_NAME

MODULES = Path(__file__).resolve().parents[2] / "terraform/modules"


def parsed(module: str) -> dict:
    merged: dict = {}
    for tf in sorted((MODULES / module).glob("*.tf")):
        for key, blocks in hcl2.loads(tf.read_text()).items():
            merged.setdefault(key, []).extend(blocks)
    return merged


def test_the_platform_passes_the_silver_jobs_snapshot_to_the_monitor():
    platform = {name: body for block in parsed("platform")["module"] for name, body in block.items()}
    assert platform["streaming"]["fx_rates_uri"] == "${module.glue_jobs.state_root}" + RATE_BOOK_NAME
    glue_jobs = parsed("glue_jobs")
    state_root = next(b["state_root"] for b in glue_jobs["output"] if "state_root" in b)["value"]
    arguments = next(b["script_arguments"] for b in glue_jobs["locals"] if "script_arguments" in b)
    assert state_root == arguments["bronze_to_silver"]["--state_root"]  # where the Silver job writes it


def test_the_monitor_may_read_exactly_that_object_and_gets_it_in_its_environment():
    streaming = parsed("streaming")
    function = next(b["aws_lambda_function"]["this"] for b in streaming["resource"] if "aws_lambda_function" in b)
    assert function["environment"][0]["variables"]["FX_RATES_URI"] == "${var.fx_rates_uri}"
    documents = [b["aws_iam_policy_document"] for b in streaming["data"] if "aws_iam_policy_document" in b]
    policy = next(d["this"] for d in documents if "this" in d)
    reads = [s for s in policy["statement"] if any(a.startswith("s3:") for a in s["actions"])]
    assert [(s["sid"], s["actions"]) for s in reads] == [("ReadTheRateSnapshot", ["s3:GetObject"])]
    assert reads[0]["resources"] == [
        "arn:${data.aws_partition.current.partition}:s3:::${local.fx_rates.bucket}/${local.fx_rates.key}"
    ]
    key_use = next(s for s in policy["statement"] if s["sid"] == "UseTheKey")
    assert "kms:Decrypt" in key_use["actions"] and key_use["resources"] == ["${var.kms_key_arn}"]
