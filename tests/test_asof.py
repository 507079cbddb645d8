"""`--as-of` values: a snapshot id or an ISO timestamp (UTC unless it says otherwise); nonsense is one line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from finlake.asof import AsOf, parse_as_of
from finlake.errors import UsageError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5834769112373951112", AsOf(snapshot_id=5834769112373951112)),
        (" 123456 ", AsOf(snapshot_id=123456)),
        ("2026-03-02", AsOf(timestamp=datetime(2026, 3, 2, tzinfo=UTC))),
        ("2026-03-02T09:30:00", AsOf(timestamp=datetime(2026, 3, 2, 9, 30, tzinfo=UTC))),
        ("2026-03-02 09:30:00Z", AsOf(timestamp=datetime(2026, 3, 2, 9, 30, tzinfo=UTC))),
        (
            "2026-03-02T10:30:00+01:00",
            AsOf(timestamp=datetime(2026, 3, 2, 10, 30, tzinfo=timezone(timedelta(hours=1)))),
        ),
    ],
)
def test_snapshot_ids_and_timestamps(text, expected):
    assert parse_as_of(text) == expected


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01", "12:00", "", "0x1f"])
def test_anything_else_is_one_usage_line(text):
    with pytest.raises(UsageError, match="--as-of expects a snapshot id or an ISO timestamp") as caught:
        parse_as_of(text)
    assert "\n" not in str(caught.value)


def test_described_for_reports():
    assert str(AsOf()) == "current"
    assert str(AsOf(snapshot_id=42)) == "snapshot 42"
    assert str(parse_as_of("2026-03-02T09:30:00")) == "2026-03-02T09:30:00+00:00"
