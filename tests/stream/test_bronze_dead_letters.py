"""Replaying Bronze (dirt included) dead-letters every row Silver quarantines, with Silver's reason codes.

The lake is the session's `pipeline_lake` (generated with dirt, then the real Silver job). Its Bronze is
replayed through the monitor's pure core (the handler with in-memory state: the same code the Lambda and
`finlake stream --source bronze` run, without Kinesis) and each dead letter is traced back to its Bronze
file. Both sides are compared as multisets of (source file, row, reasons), the row being the contract
fields as read (Silver's `raw_record`; empty and absent are one), or the line's own fields for the
structural reasons (MALFORMED_ROW, MISSING_COLUMN: Silver keeps `raw_line`). The generator's dirt is
field-level only, so a second, hand-written delivery adds the structural kinds and bad UTF-8.

ORPHAN_FK is excepted: the stream cannot know the accounts table, so a row whose only fault is an
unknown account is a valid event to the monitor (and is checked to be one).
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

import pytest
from generated import lambda_records

from finlake.contracts.bronze import TRANSACTIONS
from finlake.storage import read_table
from finlake.stream.handler import Deps, handle
from finlake.stream.memory import MemoryOutputs, MemoryPublisher, MemoryState
from finlake.stream.replay import bronze_sourced_records

pytestmark = pytest.mark.slow

Key = tuple[str, str, tuple[str, ...]]  # (source file, row, reasons)


def _row(fields: dict[str, object]) -> str:
    """The contract fields as read, one canonical text (absent, null and empty are one)."""
    return json.dumps([str(fields.get(c) or "") for c in TRANSACTIONS.column_names])


def _line(text: str) -> str:
    """A line held back whole, compared by its fields (quoting aside)."""
    return json.dumps(next(csv.reader(io.StringIO(text)), []))


STRUCTURAL = {"MALFORMED_ROW", "MISSING_COLUMN"}


def silver_quarantine(spark, lake) -> Counter[Key]:
    rows = read_table(spark, lake, "quarantine.transactions").collect()
    out: Counter[Key] = Counter()
    for r in rows:
        reasons = tuple(x for x in r.reasons if x != "ORPHAN_FK")
        if not reasons:
            continue  # an unknown account only: the stream cannot tell (see the module docstring)
        row = _line(r.raw_line) if STRUCTURAL & set(reasons) else _row(json.loads(r.raw_record or "{}"))
        out[(r.source_file, row, reasons)] += 1
    return out


def stream_dead_letters(bronze_root: Path) -> tuple[Counter[Key], set[str]]:
    """(dead letters by (file, row, reasons), transaction ids the monitor accepted as events)."""
    sourced = bronze_sourced_records(bronze_root)
    deps = Deps(MemoryState(), MemoryPublisher(), MemoryOutputs())
    records = lambda_records([data for _, (_, data, _) in sourced])
    for start in range(0, len(records), 500):
        assert handle(records[start : start + 500], deps)[0] == {"batchItemFailures": []}
    out: Counter[Key] = Counter()
    for item in deps.outputs.items["dead_letter"]:
        source = sourced[int(item["sequence_number"])][0]
        reasons = tuple(item["reasons"])
        try:
            fields = json.loads(item["data"])
        except ValueError:
            fields = None
        if STRUCTURAL & set(reasons):
            row = json.dumps(list(fields.values())) if isinstance(fields, dict) else _line(item["data"])
        else:
            row = _row(fields)
        out[(source, row, reasons)] += 1
    dead = {int(x["sequence_number"]) for x in deps.outputs.items["dead_letter"]}
    accepted = {json.loads(data)["transaction_id"] for i, (_, (_, data, _)) in enumerate(sourced) if i not in dead}
    return out, accepted


def check_replay(spark, lake) -> Counter[Key]:
    expected = silver_quarantine(spark, lake)
    got, accepted = stream_dead_letters(Path(lake.bronze))
    assert got == expected
    orphans = read_table(spark, lake, "quarantine.transactions").where("array_contains(reasons, 'ORPHAN_FK')")
    only_orphan = [
        json.loads(r.raw_record)["transaction_id"] for r in orphans.collect() if list(r.reasons) == ["ORPHAN_FK"]
    ]
    assert only_orphan and set(only_orphan) <= accepted
    return expected


def test_generated_bronze_replay_dead_letters_what_silver_quarantines(spark, pipeline_lake):
    expected = check_replay(spark, pipeline_lake)
    reasons = {code for _, _, codes in expected for code in codes}
    assert {"MISSING_REQUIRED", "BAD_DATE", "BAD_NUMBER", "UNKNOWN_CODE", "OUT_OF_RANGE"} <= reasons


HEADER = ",".join(TRANSACTIONS.column_names)
GOOD = {
    "transaction_id": "T1",
    "account_id": "A1",
    "booked_at": "2024-01-01T10:00:00Z",
    "amount": "25.00",
    "currency": "EUR",
    "direction": "DEBIT",
    "channel": "CARD",
    "merchant_category": "5411",
    "description": "groceries",
    "balance_after": "975.00",
}


def tx(**changes: str) -> str:
    return ",".join({**GOOD, **changes}.values())


DAY = "transactions/ingest_date=2024-01-01"
DELIVERY = {
    f"{DAY}/mixed.csv": [
        HEADER,
        tx(),
        tx(transaction_id="T2").rsplit(",", 5)[0],  # too few fields
        tx(transaction_id="T3") + ",surplus",  # too many
        tx(transaction_id="T4", description="caf\udcff"),  # bad UTF-8 (the lone byte 0xff, written below)
        tx(transaction_id="T5", description='"two\nlines, ""quoted"""'),
        tx(transaction_id="T6", account_id="A9"),  # unknown account only
        tx(transaction_id="T7", amount="abc", direction="X"),
        tx(transaction_id=" T8 ", booked_at="  ", amount="-1"),
        tx(transaction_id="T10", booked_at="31/12/2023"),
    ],
    f"{DAY}/no_balance.csv": [HEADER.rsplit(",", 1)[0], tx(transaction_id="T9").rsplit(",", 1)[0]],
}
PARENTS = {
    "customers": "customer_id,first_name,last_name,date_of_birth,gender,email,phone,street_address,city,district,"
    "postal_code,annual_income,employment_status,segment,customer_since,updated_at\n"
    "C1,Ada,L,1980-12-10,F,a@example.com,+44 1,1 St,London,W,W1,52000.00,EMPLOYED,MASS,2015-03-01,2024-01-01T09:00:00Z\n",
    "accounts": "account_id,customer_id,account_type,currency,opened_date,closed_date,status,credit_limit,updated_at\n"
    "A1,C1,CHECKING,EUR,2015-03-01,,OPEN,1000.00,2024-01-01T09:00:00Z\n",
}


def test_structural_dirt_is_dead_lettered_as_silver_quarantines_it(spark, tmp_path):
    from finlake.lake import Lake
    from finlake.silver.job import run_bronze_to_silver

    lake = Lake.local(tmp_path / "lake")
    files = {name: "\n".join(lines) + "\n" for name, lines in DELIVERY.items()}
    files |= {f"{e}/ingest_date=2024-01-01/{e}.csv": text for e, text in PARENTS.items()}
    for name, text in files.items():
        path = Path(lake.bronze) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8", errors="surrogateescape"))  # \udcff -> the lone byte 0xff
    run_bronze_to_silver(spark, lake, full_refresh=False, run_id="20260101T000000Z-silver", accept_quarantine_rate=1.0)
    expected = check_replay(spark, lake)
    reasons = {code for _, _, codes in expected for code in codes}
    assert {
        "MALFORMED_ROW",
        "MISSING_COLUMN",
        "BAD_ENCODING",
        "BAD_NUMBER",
        "UNKNOWN_CODE",
        "BAD_DATE",
        "OUT_OF_RANGE",
    } <= reasons
