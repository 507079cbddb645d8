"""Render the Bronze contract as the README's markdown (`python -m finlake.contracts.docs` rewrites it)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from finlake.contracts.bronze import ENTITIES, ENTITY_ORDER, REASONS
from finlake.contracts.iso4217 import ACTIVE_CURRENCIES
from finlake.contracts.model import Column

BEGIN, END = "<!-- contract:begin -->", "<!-- contract:end -->"


def _rules(column: Column) -> str:
    parts = ["required" if column.required else "may be empty"]
    if column.codes is ACTIVE_CURRENCIES:  # 176 codes: named, not listed
        parts.append(f"an active ISO 4217 code ({len(column.codes)}, `src/finlake/contracts/iso4217.py`)")
    elif column.codes:
        parts.append("one of " + ", ".join(f"`{c}`" for c in column.codes))
    if column.min_value is not None:
        parts.append(f">= {column.min_value:g}")
    if column.max_value is not None:
        parts.append(f"<= {column.max_value:g}")
    if column.pii:
        parts.append("**PII**")
    return "; ".join(parts)


def render_contract() -> str:
    lines: list[str] = []
    for name in ENTITY_ORDER:
        e = ENTITIES[name]
        fks = ", ".join(f"`{fk.column}` → {fk.parent}" for fk in e.foreign_keys) or "none"
        if e.foreign_keys:  # silver/orphans.py: a row whose parent is late is held, then expired
            fks += f"; an orphan is held and retried for {e.orphan_retry_days} days"
        lines += [
            f"**{e.name}** ({e.kind.value} records, key `{e.key}`; parents: {fks}). {e.description}",
            "",
            "| column | type | rules | meaning |",
            "| --- | --- | --- | --- |",
        ]
        lines += [f"| `{c.name}` | {c.type} | {_rules(c)} | {c.description} |" for c in e.columns]
        lines.append("")
    lines += ["Quarantine reason codes:", "", "| code | meaning |", "| --- | --- |"]
    lines += [f"| `{r.code}` | {r.description} |" for r in REASONS.reasons]
    return "\n".join(lines)


def splice(readme: str) -> str:
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
    return pattern.sub(lambda _: f"{BEGIN}\n{render_contract()}\n{END}", readme)


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    path.write_text(splice(path.read_text()))
    print(f"wrote the Bronze contract into {path}")
