"""Incremental state: processed files survive a round trip and are written atomically."""

from __future__ import annotations

from finlake.lake import Lake
from finlake.silver.state import SilverState, load_state, save_state, state_uri


def test_roundtrip(tmp_path):
    lake = Lake.local(tmp_path)
    assert load_state(lake).processed == {}
    state = SilverState()
    state.mark("loans", ["loans/ingest_date=2024-01-01/a.csv"], "run1")
    save_state(lake, state)
    again = load_state(lake)
    assert again.is_processed("loans", "loans/ingest_date=2024-01-01/a.csv")
    assert not again.is_processed("loans", "loans/ingest_date=2024-01-02/a.csv")
    assert not again.is_processed("accounts", "loans/ingest_date=2024-01-01/a.csv")
    assert state_uri(lake) == str(tmp_path / "_state" / "bronze_to_silver.json")
