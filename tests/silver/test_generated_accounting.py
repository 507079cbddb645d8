"""On generated Bronze, Silver's counts equal the generator's manifest, reason by reason."""

from __future__ import annotations

import json
import shutil

from finlake.contracts.bronze import ENTITY_ORDER
from finlake.generate import GeneratorConfig, generate
from finlake.lake import Lake
from finlake.silver.job import run_bronze_to_silver


def _silver_counts(report):
    out = {}
    for e in report.entities:
        out[e.name] = {
            "rows": e.rows_read,
            "written": e.rows_written,
            "quarantine": e.quarantine_reasons,
            "duplicates": e.duplicate_reasons,
        }
    return out


def _manifest_counts(entities):
    return {
        name: {
            "rows": m["rows"],
            "written": m["written"],
            "quarantine": {k: v for k, v in m["quarantine"].items() if v},
            "duplicates": {k: v for k, v in m["duplicates"].items() if v},
        }
        for name, m in entities.items()
    }


def test_counts_match_the_manifest_in_one_run_and_day_by_day(spark, tmp_path):
    generated = tmp_path / "generated"
    config = GeneratorConfig.resolve(customers=6, days=2, start_date="2024-07-01", seed=11, dirty_rate=0.3)
    generate(str(generated), config, log=lambda _: None)
    manifest = json.loads((generated / "_generator" / "manifest.json").read_text())

    report = run_bronze_to_silver(
        spark, Lake.local(generated), full_refresh=False, run_id="all-days", accept_quarantine_rate=1.0
    )
    assert report.unbalanced() == []
    assert _silver_counts(report) == _manifest_counts(manifest["entities"])
    drift = sorted((d["file"], tuple(d["extra_columns"])) for e in report.entities for d in e.schema_drift)
    expected_drift = sorted(
        (d["file"].removeprefix("bronze/"), tuple(d["extra_columns"])) for d in manifest["schema_drift"]
    )
    assert drift == expected_drift

    # the same Bronze delivered one ingest_date at a time into a fresh lake
    daily = tmp_path / "daily"
    for day in manifest["ingest_dates"]:
        for name in ENTITY_ORDER:
            src = generated / "bronze" / name / f"ingest_date={day}"
            if src.is_dir():
                shutil.copytree(src, daily / "bronze" / name / f"ingest_date={day}")
        day_report = run_bronze_to_silver(
            spark, Lake.local(daily), full_refresh=False, run_id=f"day-{day}", accept_quarantine_rate=1.0
        )
        assert day_report.unbalanced() == []
        expected = _manifest_counts(
            {n: m["by_ingest_date"][day] for n, m in manifest["entities"].items() if day in m["by_ingest_date"]}
        )
        actual = {n: c for n, c in _silver_counts(day_report).items() if n in expected}
        assert actual == expected, day
