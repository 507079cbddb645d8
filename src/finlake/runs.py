"""Run identity. Every job run has one id; it names the run report and stamps every row it writes."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime


def new_run_id(now: datetime | None = None) -> str:
    """Sortable and unique: `20261124T101500Z-1a2b3c4d`."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{secrets.token_hex(4)}"
