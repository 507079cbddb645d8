"""The exchange-rate snapshot for the stream monitor: silver.fx_rates as `RateBook.to_json`, written to
`<state>/fx_rates.json` (beside the Silver state; on AWS `s3://<artifacts>/_state/fx_rates.json`, the
object the monitor Lambda's FX_RATES_URI names, terraform/modules/streaming).

Written whenever a Silver run leaves silver.fx_rates at another snapshot than the last saved state
recorded, or when the snapshot file is missing (a lake older than this file, a deleted object). It is
written before the Silver state is saved: a run that dies in between left the table committed but the
state old, so the next run sees the table "changed" again and rewrites the file. Locally the write goes
to a temporary file that replaces the old one; on S3 it is one PUT (textstore): a reader gets the old
book or the new one.
"""

from __future__ import annotations

from collections.abc import Mapping

from pyspark.sql import SparkSession

from finlake import storage
from finlake.contracts.fx_rates import RateBook
from finlake.lake import Lake
from finlake.textstore import text_exists, write_text

RATE_BOOK_NAME = "fx_rates.json"
RATES_TABLE = "silver.fx_rates"


def rate_book_uri(lake: Lake) -> str:
    return f"{lake.state.rstrip('/')}/{RATE_BOOK_NAME}"


def rate_book(spark: SparkSession, lake: Lake, snapshot_id: int) -> RateBook:
    """silver.fx_rates at `snapshot_id` as the monitor's rate book (the table is small: one row per
    currency and business day)."""
    rows = storage.read_table(spark, lake, RATES_TABLE, snapshot_id=snapshot_id).select(
        "currency", "rate_date", "rate_per_eur", "published_at"
    )
    return RateBook.from_rows(tuple(row) for row in rows.toLocalIterator())


def export_rate_book(
    spark: SparkSession, lake: Lake, previous: Mapping[str, int], current: Mapping[str, int]
) -> str | None:
    """Write the snapshot if silver.fx_rates changed between the `previous` and `current` Silver state
    snapshots (table -> snapshot id) or the file is missing; returns its URI when written, else None."""
    snapshot = current.get(RATES_TABLE)
    if snapshot is None:
        return None  # no fx_rates table yet: the monitor keeps judging EUR amounts only
    uri = rate_book_uri(lake)
    if previous.get(RATES_TABLE) == snapshot and _exists(uri):
        return None
    write_text(uri, rate_book(spark, lake, snapshot).to_json(), lake.kms_key_id)
    return uri


def _exists(uri: str) -> bool:
    try:
        return text_exists(uri)
    except Exception:  # cannot tell (without s3:ListBucket S3 answers 403 for a missing key): write it again
        return False
