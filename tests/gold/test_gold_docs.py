"""The README's Gold tables and recommendation rules are the declarations, not copies that drift."""

from pathlib import Path

from finlake.contracts.gold import GOLD_TABLES
from finlake.gold.docs import BEGIN, END, render_gold

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_gold_tables_match_the_declarations():
    text = README.read_text()
    block = text[text.index(BEGIN) + len(BEGIN) : text.index(END)].strip()
    assert block == render_gold().strip(), "run: python -m finlake.gold.docs"


def test_rendering_names_every_table_and_column():
    rendered = render_gold()
    for table in GOLD_TABLES.values():
        assert f"**gold.{table.name}**" in rendered
        for column in table.columns:
            assert f"| `{column.name}` |" in rendered
