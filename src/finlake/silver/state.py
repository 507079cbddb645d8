"""Incremental state of the Silver job: which Bronze files have been processed, and by which run.

Stored as one JSON document, `<state>/bronze_to_silver.json` (locally under the lake; on AWS in
`s3://<artifacts>/_state/`), written atomically and only after every table of the run is published.
The same file works on Glue and locally, so we do not use Glue job bookmarks: bookmarks track S3
objects per job run opaquely, cannot be inspected or reset per entity, and do not exist locally.
A file is never edited after it lands (SPEC), so its path identifies it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from finlake.lake import Lake
from finlake.textstore import read_text, write_text

STATE_NAME = "bronze_to_silver.json"
STATE_VERSION = 1


def state_uri(lake: Lake) -> str:
    return f"{lake.state.rstrip('/')}/{STATE_NAME}"


@dataclass
class SilverState:
    """entity -> {file path below the Bronze root -> run id that processed it}."""

    processed: dict[str, dict[str, str]] = field(default_factory=dict)
    # Silver table -> the Iceberg snapshot the last successful run left: the consistent cut Gold reads.
    snapshots: dict[str, int] = field(default_factory=dict)

    def is_processed(self, entity: str, rel: str) -> bool:
        return rel in self.processed.get(entity, {})

    def mark(self, entity: str, rels: Iterable[str], run_id: str) -> None:
        self.processed.setdefault(entity, {}).update(dict.fromkeys(rels, run_id))

    def to_json(self) -> str:
        document = {"version": STATE_VERSION, "processed": self.processed, "snapshots": self.snapshots}
        return json.dumps(document, indent=1, sort_keys=True) + "\n"


def load_state(lake: Lake) -> SilverState:
    text = read_text(state_uri(lake))
    if text is None:
        return SilverState()
    document = json.loads(text)
    return SilverState(processed=document["processed"], snapshots=document.get("snapshots", {}))


def save_state(lake: Lake, state: SilverState) -> None:
    write_text(state_uri(lake), state.to_json())
