"""Shared fixtures: one local SparkSession for the whole test run (chispa's pattern)."""

from __future__ import annotations

import os

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The real PKDD'99 files live beside the repository (../shared/data/pkdd99) on the team's machines.
_PKDD99_CANDIDATES = [
    os.environ.get("FINLAKE_PKDD99_DIR", ""),
    os.path.join(REPO_ROOT, "..", "shared", "data", "pkdd99"),
    "/work/shared/data/pkdd99",
]
PKDD99_DIR = next(
    (d for d in _PKDD99_CANDIDATES if d and os.path.isfile(os.path.join(d, "loan.asc"))), _PKDD99_CANDIDATES[1]
)


@pytest.fixture(scope="session")
def spark():
    os.environ.setdefault("FINLAKE_DRIVER_MEMORY", "2g")
    from finlake.spark import local_session

    session = local_session("finlake-tests", shuffle_partitions=2)
    yield session
    session.stop()


@pytest.fixture(scope="session")
def pkdd99_dir() -> str:
    """The real PKDD'99 files; tests that need them are skipped (with the reason) when absent."""
    if not os.path.isfile(os.path.join(PKDD99_DIR, "loan.asc")):
        pytest.skip(f"PKDD'99 data not found at {PKDD99_DIR} (set FINLAKE_PKDD99_DIR)")
    return PKDD99_DIR


@pytest.fixture(scope="session")
def pkdd99_lake(pkdd99_dir, tmp_path_factory, spark):  # spark: the jobs reuse the test session
    """The real PKDD'99 files through import-pkdd99, bronze-to-silver and silver-to-gold, once per session.

    Read it, don't change it (tests/pipeline/test_pkdd99_end_to_end.py, tests/stream/test_parity_pkdd99.py)."""
    from finlake.cli import main
    from finlake.lake import Lake

    root = tmp_path_factory.mktemp("pkdd") / "lake"
    for argv in (["import-pkdd99", "--source", pkdd99_dir], ["bronze-to-silver"], ["silver-to-gold"]):
        assert main(["--lake", str(root), *argv]) == 0, argv
    return Lake.local(root)


@pytest.fixture(scope="session")
def small_lake_template(tmp_path_factory):
    """A tiny hand-made lake (tests/small_lake.py), built once; copy it before changing it."""
    from small_lake import build_small_lake

    return build_small_lake(str(tmp_path_factory.mktemp("small_lake") / "lake"))


@pytest.fixture(scope="session")
def pipeline_lake(spark, tmp_path_factory):
    """generate (25 customers, 3 days) -> the real Silver job -> the real Gold job, once per session.

    Read it, don't change it: tests that need their own runs build their own lake."""
    from finlake.generate import GeneratorConfig, generate
    from finlake.gold.job import GoldParams, run_silver_to_gold
    from finlake.lake import Lake
    from finlake.silver.job import run_bronze_to_silver

    root = tmp_path_factory.mktemp("pipeline") / "lake"
    lake = Lake.local(root)
    generate(str(root), GeneratorConfig.resolve(customers=25, days=3, seed=11), log=lambda _: None)
    run_bronze_to_silver(spark, lake, full_refresh=False, run_id="20260101T000000Z-silver")
    run_silver_to_gold(spark, lake, GoldParams(), run_id="20260101T000100Z-gold")
    return lake
