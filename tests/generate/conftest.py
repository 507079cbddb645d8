"""Tiny generated lakes shared by the generator tests (generated once per session)."""

from __future__ import annotations

import pytest

from finlake.generate import GeneratorConfig, generate

TINY = {"customers": 50, "days": 5, "start_date": "2024-03-01", "seed": 11, "dirty_rate": 0.08}


@pytest.fixture(scope="session")
def tiny_args() -> dict[str, object]:
    return dict(TINY)


@pytest.fixture(scope="session")
def tiny_lake(tmp_path_factory) -> str:
    """50 customers, 5 ingest days, 8% dirt: every kind of defect at a size a test can re-check."""
    root = str(tmp_path_factory.mktemp("tiny-lake"))
    generate(root, GeneratorConfig.resolve(**TINY), log=lambda _: None)
    return root


@pytest.fixture(scope="session")
def risk_lake(tmp_path_factory) -> str:
    """Enough loans (about 200) to see the default mechanism; no dirt."""
    root = str(tmp_path_factory.mktemp("risk-lake"))
    config = GeneratorConfig.resolve(customers=300, days=1, start_date="2024-03-01", seed=5, dirty_rate=0.0)
    generate(root, config, log=lambda _: None)
    return root
