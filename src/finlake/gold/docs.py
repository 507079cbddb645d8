"""Render the Gold tables and the recommendation rules as README markdown, from their declarations.

`python -m finlake.gold.docs [README.md]` rewrites the block between the markers below;
tests/gold/test_gold_docs.py fails if the README and the code disagree.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from finlake.contracts.gold import GOLD_TABLES
from finlake.gold.models import UPSTREAM
from finlake.gold.recommendations import RULES

BEGIN, END = "<!-- gold-tables:begin -->", "<!-- gold-tables:end -->"


def render_gold() -> str:
    lines: list[str] = []
    for t in GOLD_TABLES.values():
        key = ", ".join(f"`{k}`" for k in t.key)
        parts = f"; partitioned by `{', '.join(t.partition_by)}`" if t.partition_by else ""
        made = (
            "built from " + ", ".join(f"`silver.{n}`" for n in UPSTREAM[t.name])
            if t.name in UPSTREAM
            else "written by `finlake score`"
        )
        lines += [
            f"**gold.{t.name}**: {t.grain}; key {key}{parts}; {made}. {t.description}",
            "",
            "| column | type | meaning |",
            "| --- | --- | --- |",
        ]
        lines += [f"| `{c.name}` | {c.type} | {c.description} |" for c in t.columns]
        lines.append("")
    lines += ["Product recommendation rules (first that holds wins):", "", "| priority | rule | product | when |"]
    lines.append("| --- | --- | --- | --- |")
    lines += [
        f"| {r.priority} | `{r.rule_id}` | {r.product} | {r.reason} |" for r in sorted(RULES, key=lambda r: r.priority)
    ]
    return "\n".join(lines)


def splice(readme: str) -> str:
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
    return pattern.sub(lambda _: f"{BEGIN}\n{render_gold()}\n{END}", readme)


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    path.write_text(splice(path.read_text()))
    print(f"wrote the Gold tables into {path}")
