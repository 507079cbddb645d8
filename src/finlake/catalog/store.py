"""The local Data Catalog: one JSON file per table under `<lake>/_catalog/<database>/`.

    _catalog/<database>/_database.json     {"DatabaseInput": {...}}
    _catalog/<database>/<table>.json       {"DatabaseName", "TableInput", "PartitionInputs", "CrawledAt"}
    _catalog/_log/schema_changes.jsonl     one line per logged schema change (never applied silently)
    _catalog/_log/last_crawl.json          the summary of the last crawl

Every file is written to a temporary name and renamed into place, so a reader never sees half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from finlake.errors import FinlakeError

DATABASE_FILE = "_database.json"
LOG_DIR = "_log"


def write_json_atomically(path: Path, payload: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, indent=2, sort_keys=True, default=str)
            handle.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class LocalCatalog:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def exists(self) -> bool:
        return any(self.root.glob(f"*/{DATABASE_FILE}"))

    def table_path(self, database: str, table: str) -> Path:
        return self.root / database / f"{table}.json"

    def databases(self) -> list[str]:
        return sorted(p.parent.name for p in self.root.glob(f"*/{DATABASE_FILE}"))

    def table_names(self, database: str) -> list[str]:
        return sorted(p.stem for p in (self.root / database).glob("*.json") if not p.name.startswith("_"))

    def read_table(self, database: str, table: str) -> dict[str, Any] | None:
        path = self.table_path(database, table)
        try:
            return dict(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise FinlakeError(f"local catalog file {path} is unreadable: {exc}") from None

    def write_database(self, database_input: dict[str, Any]) -> None:
        write_json_atomically(self.root / database_input["Name"] / DATABASE_FILE, {"DatabaseInput": database_input})

    def read_database(self, database: str) -> dict[str, Any]:
        path = self.root / database / DATABASE_FILE
        return dict(json.loads(path.read_text(encoding="utf-8"))["DatabaseInput"])

    def write_table(self, database: str, entry: dict[str, Any]) -> None:
        write_json_atomically(self.table_path(database, entry["TableInput"]["Name"]), entry)

    def append_log(self, name: str, records: list[dict[str, Any]]) -> None:
        if not records:
            return
        path = self.root / LOG_DIR / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            for record in records:
                handle.write(json.dumps(record, sort_keys=True, default=str) + "\n")

    def write_summary(self, summary: dict[str, Any]) -> None:
        write_json_atomically(self.root / LOG_DIR / "last_crawl.json", summary)
