"""PKDD'99 end to end: the real bank's files through import, Silver and Gold, with exact row accounting."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from lake_tables import read

from finlake.lake import Lake

pytestmark = pytest.mark.slow


def _raw_rows(source: str, name: str) -> list[dict[str, str]]:
    with open(Path(source) / name, newline="", encoding="ascii") as f:
        return list(csv.DictReader(f, delimiter=";"))


@pytest.fixture(scope="module")
def pkdd_lake(pkdd99_lake) -> Lake:  # built once per session (tests/conftest.py), shared with the stream parity test
    return pkdd99_lake


def _silver_report(lake: Lake) -> dict[str, dict]:
    report = json.loads(sorted(Path(lake.runs).glob("*.json"))[0].read_text())  # the first run: Silver
    assert report["job"] == "bronze_to_silver"
    return {e["name"]: e for e in report["entities"] if e["layer"] == "silver"}


def test_silver_accounts_for_every_bronze_row(pkdd_lake, pkdd99_dir):
    entities = _silver_report(pkdd_lake)
    for name in ("customers", "accounts", "loans", "transactions"):
        e = entities[name]
        assert e["rows_read"] == e["rows_written"] + e["rows_quarantined"] + e["duplicates_removed"], name
    assert entities["accounts"]["rows_written"] == len(_raw_rows(pkdd99_dir, "account.asc")) == 4500
    assert entities["loans"]["rows_written"] == len(_raw_rows(pkdd99_dir, "loan.asc")) == 682
    assert entities["customers"]["rows_written"] == len(_raw_rows(pkdd99_dir, "client.asc")) == 5369
    # The one genuinely invalid source row: a transaction of 0.00, below the contract's minimum.
    trans = "trans.asc" if (Path(pkdd99_dir) / "trans.asc").is_file() else "trans.partial-first-100000-lines.asc"
    zero = [r for r in _raw_rows(pkdd99_dir, trans) if float(r["amount"]) == 0]
    assert entities["transactions"]["quarantine_reasons"] == {"OUT_OF_RANGE": len(zero)}


def test_gold_loan_features_carry_the_pkdd_default_label(pkdd_lake, pkdd99_dir, spark):
    features = read(spark, pkdd_lake, "gold.loan_features")
    raw = {r["loan_id"]: r["status"] for r in _raw_rows(pkdd99_dir, "loan.asc")}
    expected_defaults = {loan for loan, status in raw.items() if status in {"B", "D"}}
    rows = features.select("loan_id", "is_default").collect()
    assert len(rows) == 682
    assert {r.loan_id for r in rows if r.is_default == 1} == expected_defaults
    assert len(expected_defaults) == 76
