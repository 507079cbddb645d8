"""The generator's declared minimum loan age separates loans with a drawn outcome from those without."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path


def test_declared_minimum_age_keeps_exactly_the_loans_with_an_outcome(tiny_lake):
    generator = Path(tiny_lake, "_generator")
    manifest = json.loads((generator / "manifest.json").read_text())
    declared = manifest["loans"]["label_min_loan_age_days"]
    last_day = date.fromisoformat(manifest["ingest_dates"][-1])  # the data's as-of date (or later)
    with (generator / "loan_truth.csv").open(newline="") as handle:
        truth = list(csv.DictReader(handle))
    ages = {row["loan_id"]: (last_day - date.fromisoformat(row["origination_date"])).days for row in truth}
    observed = {row["loan_id"] for row in truth if row["outcome_observed"] == "1"}
    assert observed and {i for i, age in ages.items() if age >= declared} == observed
    # with margin: a day's shift of the as-of date changes nothing
    assert {i for i, age in ages.items() if age + 1 >= declared} == {
        i for i, age in ages.items() if age - 1 >= declared
    }
