"""How the local engine picks an Iceberg table's files: partition paths it can trust, refused delete files, --as-of."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import small_lake as data
from pyiceberg.table import DataScan, FileScanTask

from finlake.errors import FinlakeError, UsageError
from finlake.lake import Lake
from finlake.query.iceberg_tables import lake_tables, parse_as_of
from finlake.query.local import LocalEngine
from finlake.query.named import QueryText


def _scores(scored_date: str) -> list[dict]:
    at = datetime(2024, 5, 1, 10, 0)
    return [{"customer_id": "C1", "default_probability": 0.4, "scoring_run_id": "R1", "scored_at": at,
             "scored_date": scored_date}]  # fmt: skip


def test_a_partition_value_iceberg_escapes_in_the_path_is_read_from_the_files(tmp_path):
    lake = Lake.local(tmp_path)
    data.write_iceberg(lake, "gold.customer_risk_scores", _scores("2024-05-01"))
    data.write_iceberg(lake, "gold.customer_risk_scores", _scores("May 1st/2024"))  # "/" and " " are URL-encoded

    [table] = lake_tables(lake)
    assert not table.prunable
    result = LocalEngine(lake).run(
        QueryText("q", "SELECT scored_date, scored_at FROM gold.customer_risk_scores ORDER BY 1")
    )
    assert result.rows == [("2024-05-01", datetime(2024, 5, 1, 10, 0)), ("May 1st/2024", datetime(2024, 5, 1, 10, 0))]


def test_plain_partition_values_are_pruned_by_path(tmp_path):
    lake = Lake.local(tmp_path)
    data.write_iceberg(lake, "gold.customer_risk_scores", _scores("2024-05-01") + _scores("2024-06-01"))
    [table] = lake_tables(lake)
    assert table.prunable and table.partition_values("scored_date") == ["2024-05-01", "2024-06-01"]


def test_a_snapshot_with_delete_files_is_refused_in_one_line(tmp_path, monkeypatch):
    lake = Lake.local(tmp_path)
    data.write_iceberg(lake, "gold.customer_risk_scores", _scores("2024-05-01"))
    planned = DataScan.plan_files
    # PyIceberg writes copy-on-write only, so the merge-on-read case is simulated at planning.
    monkeypatch.setattr(
        DataScan, "plan_files", lambda self: [FileScanTask(t.file, delete_files={t.file}) for t in planned(self)]
    )

    with pytest.raises(FinlakeError, match=r"gold.customer_risk_scores snapshot \d+ has delete files") as caught:
        LocalEngine(lake)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "snapshot_id", "at"),
    [
        ("5834769112373951112", 5834769112373951112, None),
        ("2026-11-24T06:00:00Z", None, datetime(2026, 11, 24, 6, tzinfo=UTC)),
        ("2026-11-24 06:00", None, datetime(2026, 11, 24, 6, tzinfo=UTC)),  # no offset: UTC
        ("2026-11-24T07:00:00+01:00", None, datetime(2026, 11, 24, 6, tzinfo=UTC)),
    ],
)
def test_as_of_is_a_snapshot_id_or_a_time(text, snapshot_id, at):
    parsed = parse_as_of(text)
    assert parsed.snapshot_id == snapshot_id and parsed.at == at


def test_as_of_on_a_lake_without_iceberg_tables_is_one_line(tmp_path):
    with pytest.raises(UsageError, match="the lake has no Iceberg tables"):
        lake_tables(Lake.local(tmp_path), parse_as_of("2026-01-01"))
