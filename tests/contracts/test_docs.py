"""The README's Bronze contract is the declaration, not a copy that can drift."""

from __future__ import annotations

from pathlib import Path

from finlake.contracts.bronze import ENTITIES
from finlake.contracts.docs import BEGIN, END, render_contract

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_contract_matches_the_declaration():
    text = README.read_text()
    block = text[text.index(BEGIN) + len(BEGIN) : text.index(END)].strip()
    assert block == render_contract().strip(), "run: python -m finlake.contracts.docs"


def test_rendered_contract_names_every_column():
    rendered = render_contract()
    for entity in ENTITIES.values():
        for column in entity.columns:
            assert f"| `{column.name}` |" in rendered
