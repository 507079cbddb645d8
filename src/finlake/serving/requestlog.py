"""The request log: one JSON line per scored request, for monitoring and drift.

What a line holds: request id, kind, loan/customer id (pseudonymous keys), probability, risk band,
model name and version, latency, HTTP status. Never a name, address, income or the application's
terms: no PII leaves the service in its logs. Locally the lines go to the `finlake.serving` logger
and to `<lake>/_online/requests/<date>.jsonl`; on Lambda to CloudWatch (stdout) and to a Firehose
stream that lands them in S3 for Athena.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

LOGGER = logging.getLogger("finlake.serving")
FIELDS = ("request_id", "kind", "loan_id", "customer_id", "probability", "risk_band", "model_name",
          "model_version", "latency_ms", "status")  # fmt: skip


def record(**values: Any) -> dict[str, Any]:
    """Only the allowed fields, plus the time: anything else passed in is dropped, not logged."""
    line = {k: values.get(k) for k in FIELDS}
    line["ts"] = datetime.now(UTC).isoformat(timespec="milliseconds")
    return line


class RequestLog(Protocol):
    def write(self, line: dict[str, Any]) -> None: ...


class LoggerLog:
    """To the `finlake.serving` logger (uvicorn's console, CloudWatch on Lambda)."""

    def write(self, line: dict[str, Any]) -> None:
        LOGGER.info(json.dumps(line))


class FileLog(LoggerLog):
    """Also appended to one JSON-lines file per day under `folder`."""

    def __init__(self, folder: str | Path, echo: bool = True):
        self.folder = Path(folder)
        self.echo = echo
        self._lock = threading.Lock()

    def write(self, line: dict[str, Any]) -> None:
        if self.echo:
            super().write(line)
        self.folder.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self.folder / f"{line['ts'][:10]}.jsonl", "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")


class FirehoseLog(LoggerLog):
    """Also put on a Kinesis Data Firehose stream (which buffers into S3, partitioned by date)."""

    def __init__(self, stream: str, client: Any = None):
        self.stream = stream
        self._client = client

    def write(self, line: dict[str, Any]) -> None:
        super().write(line)
        if self._client is None:
            import boto3

            self._client = boto3.client("firehose")
        try:
            self._client.put_record(DeliveryStreamName=self.stream, Record={"Data": (json.dumps(line) + "\n").encode()})
        except Exception as exc:  # a lost log line must not fail the score; CloudWatch still has it
            LOGGER.warning("request log to Firehose failed: %s", type(exc).__name__)
