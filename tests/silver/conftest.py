"""Fixtures for the Silver tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from bronze_rows import write_bronze


@pytest.fixture
def bronze(tmp_path):
    """`bronze(entity, ingest_date, rows, ...)` writes a file in a fresh lake at tmp_path/lake."""
    root = tmp_path / "lake"

    def write(entity: str, ingest_date: str, rows=None, **kwargs) -> Path:
        return write_bronze(root, entity, ingest_date, rows, **kwargs)

    write.root = root  # type: ignore[attr-defined]
    return write
