"""The importer on the hand-made trap fixture: whole Bronze files compared with hand-written rows."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from pkdd99_fixture import FILES, write_fixture

from finlake.contracts.bronze import ENTITIES
from finlake.errors import UsageError
from finlake.lake import Lake
from finlake.pkdd99 import import_pkdd99
from finlake.pkdd99 import importer as importer_module

TS = "1999-01-01T00:00:00"

EXPECTED = {
    "customers": [
        # client 1's gold card came in 1995, after the 1993 loan: not her segment as of that loan
        ["1", "", "", "1970-12-13", "F", "", "", "", "", "Hl.m. Praha", "", "", "UNKNOWN", "MASS", "1993-01-01", TS],
        ["2", "", "", "1945-02-04", "M", "", "", "", "", "Jesenik", "", "", "UNKNOWN", "MASS", "1995-03-15", TS],
        # client 3's junior card (1998-01-01) came before the loan (1998-12-08)
        ["3", "", "", "1982-05-06", "F", "", "", "", "", "Hl.m. Praha", "", "", "UNKNOWN", "YOUTH", "1997-12-29", TS],
        ["4", "", "", "1960-01-15", "M", "", "", "", "", "Jesenik", "", "", "UNKNOWN", "MASS", "1995-03-15", TS],
    ],
    "accounts": [
        ["10", "1", "CHECKING", "CZK", "1993-01-01", "", "OPEN", "", TS],
        ["20", "2", "CHECKING", "CZK", "1995-03-15", "", "OPEN", "", TS],
        ["30", "3", "CHECKING", "CZK", "1997-12-29", "", "OPEN", "", TS],
    ],
    "loans": [
        ["100", "1", "10", "OTHER", "96396", "0.0000", "12", "1993-07-05", "1994-07-05", "8033.00", "CHARGED_OFF", TS],
        ["101", "2", "20", "OTHER", "10000", "~12", "12", "1996-01-31", "1997-01-31", "888.49", "DEFAULT", TS],
        ["102", "3", "30", "OTHER", "60000", "0.0000", "60", "1998-12-08", "2003-12-08", "1000.00", "CURRENT", TS],
        ["103", "2", "20", "OTHER", "24000", "0.0000", "24", "1996-02-29", "1998-02-28", "1000.00", "PAID_OFF", TS],
    ],
    "transactions": [
        ["1", "10", "1993-01-01T00:00:00", "700.00", "CZK", "CREDIT", "BRANCH", "", "cash deposit", "700.00"],
        ["2", "10", "1993-01-05T00:00:00", "2452.00", "CZK", "DEBIT", "STANDING_ORDER", "SIPO",
         "standing order payment: household payment", "-1752.00"],
        ["3", "10", "1993-01-06T00:00:00", "300.00", "CZK", "DEBIT", "STANDING_ORDER", "",
         "standing order payment", "-2052.00"],
        ["4", "10", "1993-01-07T00:00:00", "999.00", "CZK", "DEBIT", "TRANSFER", "POJISTNE",
         "remittance to another bank: insurance payment", "-3051.00"],
        ["5", "10", "1993-01-31T00:00:00", "12.30", "CZK", "CREDIT", "SYSTEM", "UROK",
         "bank-generated: interest credited", "-3038.70"],
        ["6", "10", "1993-01-31T00:00:00", "14.60", "CZK", "DEBIT", "SYSTEM", "SLUZBY",
         "bank-generated: statement fee", "-3053.30"],
        ["7", "20", "1995-03-20T00:00:00", "5000.00", "CZK", "DEBIT", "BRANCH", "", "cash withdrawal", "4000.00"],
        ["8", "20", "1995-03-21T00:00:00", "1500.00", "CZK", "DEBIT", "ATM", "", "credit card withdrawal", "2500.00"],
        ["9", "20", "1995-03-22T00:00:00", "9000.00", "CZK", "CREDIT", "TRANSFER", "DUCHOD",
         "collection from another bank: old-age pension", "11500.00"],
        ["10", "20", "1995-03-31T00:00:00", "0.00", "CZK", "DEBIT", "SYSTEM", "SANKC. UROK",
         "bank-generated: penalty interest on a negative balance", "11500.00"],
        ["11", "30", "1997-12-31T00:00:00", "100.00", "CZK", "DEBIT", "BRANCH", "", "cash withdrawal", "-100.00"],
        ["12", "30", "1998-01-01T00:00:00", "5.00", "CZK", "XYZ", "NOVA", "", "nova", "-105.00"],
        ["13", "99", "1998-01-02T00:00:00", "50.00", "CZK", "CREDIT", "BRANCH", "", "cash deposit", "50.00"],
    ],
    # Reference data: the ECB's series starts after the 1993-1998 bookings, so its first CZK rate only.
    "fx_rates": [["CZK:1999-01-04", "1999-01-04", "CZK", "35.107000", "1999-01-04T15:00:00"]],
    # disp has no dates; DISPONENT is an authorised user
    "dispositions": [
        ["1", "10", "1", "OWNER", "", "", TS],
        ["2", "20", "2", "OWNER", "", "", TS],
        ["3", "30", "3", "OWNER", "", "", TS],
        ["4", "20", "4", "AUTHORISED_USER", "", "", TS],
    ],
    "cards": [["7", "1", "GOLD", "1995-11-07", TS], ["8", "3", "JUNIOR", "1998-01-01", TS]],
}  # fmt: skip


def _read_bronze(lake: Lake, entity: str) -> tuple[list[str], list[list[str]]]:
    path = Path(importer_module.bronze_file(lake, entity))
    with path.open(newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    return header, rows


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return write_fixture(tmp_path / "pkdd99")


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    return Lake.local(tmp_path / "lake")


@pytest.mark.parametrize("entity", list(EXPECTED))
def test_every_trap_maps_to_the_expected_bronze_rows(source: Path, lake: Lake, entity: str):
    import_pkdd99(source, lake)
    header, rows = _read_bronze(lake, entity)
    assert header == ENTITIES[entity].column_names
    expected = [list(row) for row in EXPECTED[entity]]
    if entity == "loans":  # the one non-zero rate is checked by value, not by its last digits
        rate_at = header.index("interest_rate")
        assert float(rows[1][rate_at]) == pytest.approx(12.0, abs=0.01)
        expected[1][rate_at] = rows[1][rate_at]
    assert rows == expected


def test_manifest_counts_rows_and_what_silver_will_quarantine(source: Path, lake: Lake):
    result = import_pkdd99(source, lake)
    manifest = json.loads(Path(result.manifest_path).read_text())
    assert manifest["rows_written"] == {e: len(rows) for e, rows in EXPECTED.items()}
    assert manifest["source_files"]["trans"]["rows"] == len(FILES["trans.asc"]) - 1
    assert manifest["transactions_partial"] is False
    assert manifest["transactions_note"] is None
    assert manifest["ingest_date"] == "1999-01-01"
    assert manifest["cards_issued"] == {"first": "1995-11-07", "last": "1998-01-01", "unparsed": 0}
    # transaction 10 has a 0.00 amount, 12 unknown type and operation codes, 13 an unknown account.
    assert manifest["expected_quarantine"] == {
        "customers": {"rows": 0},
        "accounts": {"rows": 0},
        "loans": {"rows": 0},
        "transactions": {"rows": 3, "OUT_OF_RANGE": 1, "UNKNOWN_CODE": 1, "ORPHAN_FK": 1},
        "fx_rates": {"rows": 0},
        "dispositions": {"rows": 0},
        "cards": {"rows": 0},
    }


def test_partial_trans_file_is_used_and_recorded_when_the_full_one_is_absent(source: Path, lake: Lake):
    (source / "trans.asc").rename(source / "trans.partial-first-100000-lines.asc")
    manifest = import_pkdd99(source, lake).manifest
    assert manifest["transactions_partial"] is True
    assert manifest["source_files"]["trans"]["file"] == "trans.partial-first-100000-lines.asc"
    note = manifest["transactions_note"]
    assert "\n" not in note
    assert "13 of 1,056,320 transactions" in note and "1998-01-02" in note


def test_reimporting_the_same_files_writes_nothing(source: Path, lake: Lake):
    import_pkdd99(source, lake)
    before = sorted((p, p.stat().st_mtime_ns) for p in Path(lake.bronze).rglob("*"))
    again = import_pkdd99(source, lake)
    assert again.skipped is True
    assert sorted((p, p.stat().st_mtime_ns) for p in Path(lake.bronze).rglob("*")) == before
    _, rows = _read_bronze(lake, "transactions")
    assert len(rows) == len(EXPECTED["transactions"])


def test_importing_different_files_into_the_same_lake_is_refused(source: Path, lake: Lake, tmp_path: Path):
    import_pkdd99(source, lake)
    other = write_fixture(tmp_path / "other", {**FILES, "trans.asc": FILES["trans.asc"][:3]})
    with pytest.raises(UsageError, match="different source files"):
        import_pkdd99(other, lake)


def test_a_lake_holding_other_bronze_data_is_refused(source: Path, lake: Lake):
    generated = Path(lake.bronze_entity("customers", "2024-01-01"))
    generated.mkdir(parents=True)
    (generated / "part-0.csv").write_text("customer_id\nC1\n")
    with pytest.raises(UsageError, match="not a PKDD'99 import"):
        import_pkdd99(source, lake)
    assert not Path(lake.bronze_entity("accounts")).exists()


def test_a_failure_while_writing_leaves_no_bronze_behind(source: Path, lake: Lake, monkeypatch):
    real_write = importer_module._write_csv

    def write_then_fail_on_transactions(con, entity, folder):
        if entity == "transactions":
            raise OSError("disk full")
        return real_write(con, entity, folder)

    monkeypatch.setattr(importer_module, "_write_csv", write_then_fail_on_transactions)
    with pytest.raises(OSError, match="disk full"):
        import_pkdd99(source, lake)
    assert [p for p in Path(lake.bronze).rglob("*") if p.is_file()] == []
    assert not Path(importer_module.manifest_path(lake)).exists()


def test_a_source_copy_with_lf_line_ends_gives_the_same_rows(source: Path, lake: Lake, tmp_path: Path):
    lf = tmp_path / "lf"
    shutil.copytree(source, lf)
    for path in lf.iterdir():
        path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n"))
    import_pkdd99(lf, lake)
    assert _read_bronze(lake, "customers")[1] == EXPECTED["customers"]


def test_a_failure_while_publishing_undoes_the_entities_already_moved(source: Path, lake: Lake, monkeypatch):
    real_rename = importer_module.os.rename

    def rename_until_loans(src, dst):
        if str(dst).startswith(lake.bronze_entity("loans")):
            raise OSError("rename failed")
        real_rename(src, dst)

    monkeypatch.setattr(importer_module.os, "rename", rename_until_loans)
    with pytest.raises(OSError, match="rename failed"):
        import_pkdd99(source, lake)
    assert [p for p in Path(lake.bronze).rglob("*") if p.is_file()] == []
