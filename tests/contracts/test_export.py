"""Terraform's table list is the contracts' own, exported (never edited by hand)."""

from __future__ import annotations

from finlake.contracts.export import TABLES_JSON, render
from finlake.storage import all_refs


def test_tables_json_is_current():
    assert TABLES_JSON.read_text(encoding="utf-8") == render(), "run `python -m finlake.contracts.export`"


def test_every_table_is_exported_once():
    exported = {(ns, t) for ns, tables in __import__("json").loads(render()).items() for t in tables}
    assert exported == {(r.namespace_layer, r.contract.name) for r in all_refs()}
