"""Metric history for dynamic rules (`RowCount >= last(1) * 0.9`): the values earlier runs reported.

Glue keeps this history itself; locally it is read back from the run reports
(`<runs>/<run_id>.json`, key `quality`), newest run first. Only reports of the same job that
succeeded count, so a failed run's numbers never become the baseline.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from finlake.lake import Lake
from finlake.textstore import read_text


def _report_uris(runs_root: str) -> list[str]:
    if runs_root.startswith("s3://"):
        import boto3  # created on use, never at import time

        bucket, _, prefix = runs_root[len("s3://") :].partition("/")
        prefix = prefix.rstrip("/") + "/" if prefix else ""
        pages = boto3.client("s3").get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        keys = [o["Key"] for page in pages for o in page.get("Contents", []) if o["Key"].endswith(".json")]
        return [f"s3://{bucket}/{k}" for k in keys if "/" not in k[len(prefix) :]]
    folder = Path(runs_root)
    return [str(p) for p in folder.glob("*.json")] if folder.is_dir() else []


def _reports(lake: Lake, job: str, limit: int) -> Iterator[dict[str, Any]]:
    # run ids start with a UTC timestamp, so names sort by time
    found = 0
    for uri in sorted(_report_uris(lake.runs), reverse=True):
        text = read_text(uri)
        try:
            report = json.loads(text) if text else None
        except json.JSONDecodeError:
            continue  # a foreign or damaged file is not a baseline
        if isinstance(report, dict) and report.get("job") == job and report.get("status") == "succeeded":
            yield report
            found += 1
            if found >= limit:
                return


def metric_history(lake: Lake, job: str, limit: int = 10) -> dict[str, list[float]]:
    """`table:metric` -> values from the last `limit` successful runs of `job`, newest first."""
    history: dict[str, list[float]] = {}
    for report in _reports(lake, job, limit):
        seen: set[str] = set()
        for result in report.get("quality", []):
            key = f"{result.get('table')}:{result.get('metric')}"
            value = result.get("value")
            if value is not None and result.get("metric") and key not in seen:
                seen.add(key)
                history.setdefault(key, []).append(float(value))
    return history
