"""Differences between two column lists: between crawls, and between the contract and the files."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ColumnChange:
    kind: str  # "added" | "removed" | "retyped"
    column: str
    old_type: str | None = None
    new_type: str | None = None

    def __str__(self) -> str:
        if self.kind == "added":
            return f"+{self.column} {self.new_type}"
        if self.kind == "removed":
            return f"-{self.column} {self.old_type}"
        return f"~{self.column} {self.old_type}->{self.new_type}"

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "column": self.column, "old_type": self.old_type, "new_type": self.new_type}


def column_changes(old: Iterable[tuple[str, str]], new: Iterable[tuple[str, str]]) -> list[ColumnChange]:
    """Added, removed and retyped columns going from `old` to `new` (name, type) lists."""
    before, after = dict(old), dict(new)
    changes = [ColumnChange("removed", n, old_type=t) for n, t in before.items() if n not in after]
    changes += [ColumnChange("added", n, new_type=t) for n, t in after.items() if n not in before]
    changes += [
        ColumnChange("retyped", n, old_type=before[n], new_type=t)
        for n, t in after.items()
        if n in before and before[n].replace(" ", "") != t.replace(" ", "")
    ]
    return changes


def table_columns(table_input: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, type) of every column of a TableInput, data columns then partition keys."""
    columns = table_input["StorageDescriptor"]["Columns"] + table_input.get("PartitionKeys", [])
    return [(c["Name"], c["Type"]) for c in columns]
