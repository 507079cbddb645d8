"""Erasure: the customer's identifiers are in lake files before, nowhere outside Bronze after."""

from __future__ import annotations

import contextlib
import gzip
import json
import zlib
from datetime import date
from pathlib import Path

import fastavro
import pyarrow.parquet as pq
import pytest
from silver.bronze_rows import row, write_bronze

from finlake import storage
from finlake.erasure import BRONZE_RETENTION_DAYS, erase_customer, pending_bronze_purge
from finlake.errors import UsageError
from finlake.lake import Lake
from finlake.silver.job import run_bronze_to_silver

ADA = ["Lovelace", "ada@example.com", "1 Analytical St", "+44 1"]  # C1's identifiers (bronze_rows.CUSTOMER)
GRACE = ["Hopper", "grace@example.com", "+1 555 0100", "2 Compiler Rd"]


def _file_text(path: Path) -> str:
    """Everything a file holds, decoded: Parquet rows, Avro manifests, JSON/text (compressed or not)."""
    if path.suffix == ".parquet":
        return json.dumps(pq.ParquetFile(path).read().to_pylist(), default=str)
    if path.suffix == ".avro":
        with path.open("rb") as f:
            return repr(list(fastavro.reader(f)))
    data = path.read_bytes()
    for decompress in (gzip.decompress, zlib.decompress):
        with contextlib.suppress(Exception):
            data = decompress(data)
    return data.decode("utf-8", "replace")


def _files_holding(root: Path, needles: list[str]) -> set[str]:
    found = set()
    for path in root.rglob("*"):
        if path.is_file() and path.relative_to(root).parts[0] != "bronze":
            text = _file_text(path)
            found |= {f"{path.relative_to(root)}: {n}" for n in needles if n in text}
    return found


@pytest.fixture
def lake_with_ada(spark, tmp_path):
    root = tmp_path / "lake"
    grace = {"customer_id": "C2", "first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com",
             "phone": "+1 555 0100", "street_address": "2 Compiler Rd"}  # fmt: skip
    write_bronze(root, "customers", "2024-01-01", [row("customers"), row("customers", **grace)])
    # day 2: a newer version of Ada and a quarantined one (bad gender) still holding her identifiers
    later = row("customers", phone="+44 1", updated_at="2024-01-02T00:00:00Z")
    write_bronze(
        root, "customers", "2024-01-02", [later, row("customers", gender="Q", updated_at="2024-01-03T00:00:00Z")]
    )
    lake = Lake.local(root)
    run_bronze_to_silver(spark, lake, full_refresh=False, run_id="r1")
    return root, lake


def test_erasure_leaves_no_identifier_outside_bronze(spark, lake_with_ada):
    root, lake = lake_with_ada
    assert {f.split(": ")[1] for f in _files_holding(root, ADA)} == set(ADA)  # the check can see them

    record = erase_customer(spark, lake, "C1", reason="ticket 42", requested_by="dpo")

    assert _files_holding(root, ADA) == set()
    assert {f.split(": ")[1] for f in _files_holding(root, GRACE)} == set(GRACE)  # others untouched
    pii = storage.read_table(spark, lake, "silver.customer_pii")
    assert [r.customer_id for r in pii.collect()] == ["C2"]
    quarantined = storage.read_table(spark, lake, "quarantine.customers").collect()
    assert len(quarantined) == 1 and quarantined[0].reasons == ["UNKNOWN_CODE"]  # still accounted for
    assert json.loads(quarantined[0].raw_record)["customer_id"] == "C1"
    assert record.tables["silver.customer_pii"]["rows_erased"] == 1
    assert record.tables["quarantine.customers"]["rows_erased"] == 1
    audit = (root / "_runs" / f"erasure-{record.erasure_id}.json").read_text()
    assert json.loads(audit)["reason"] == "ticket 42" and not [n for n in ADA if n in audit]
    # C1 was delivered on both days: Bronze forgets her when the 2024-01-02 delivery expires (7 years).
    assert BRONZE_RETENTION_DAYS == 2557
    assert (json.loads(audit)["bronze_files"], json.loads(audit)["bronze_purge_due"]) == (2, "2031-01-02")
    assert storage.read_table(spark, lake, "silver.customers").count() == 2  # the public table keeps C1


def _bronze_file(root: Path, day: str, name: str, text: str) -> None:
    folder = root / "bronze" / "customers" / f"ingest_date={day}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_pending_bronze_purge_counts_files_holding_the_id_as_a_whole_field(tmp_path):
    header = "customer_id,first_name,note\n"
    _bronze_file(tmp_path, "2024-01-01", "a.csv", "\ufeff" + header + "C7,Ada,x\n")  # BOM before the header
    _bronze_file(tmp_path, "2024-03-05", "b.csv", header + 'C1,"Line one\nC7 said, hi",y\n')  # only inside a field
    _bronze_file(tmp_path, "2024-02-10", "c.csv", header + 'C2,Bob,"x"\n"C7",Ada,"z"\n')  # quoted id
    _bronze_file(tmp_path, "2024-04-01", "d.csv", header + "C70,Zed,C7x\n")  # C70 and C7x are not C7
    _bronze_file(tmp_path, "2024-13-45", "e.csv", header + "C7,Ada,bad date folder\n")  # no valid ingest_date
    lake = Lake.local(tmp_path)

    assert pending_bronze_purge(lake, "C7", 30) == (2, date(2024, 3, 11))  # c.csv: 2024-02-10 + 30 days
    assert pending_bronze_purge(lake, "C1", 2557) == (1, date(2031, 3, 6))
    assert pending_bronze_purge(lake, "C9", 2557) == (0, None)
    assert pending_bronze_purge(Lake.local(tmp_path / "empty"), "C7", 30) == (0, None)


def test_erasure_needs_a_reason(spark, lake_with_ada):
    _, lake = lake_with_ada
    with pytest.raises(UsageError, match="--reason is required"):
        erase_customer(spark, lake, "C1", reason=" ")
