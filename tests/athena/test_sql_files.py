"""athena/*.sql and athena/views/*.sql: templatefile-safe, documented, valid Athena (Trino) SQL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from finlake.query import sqltext
from finlake.query.named import named_queries, parse_header

ATHENA = Path(__file__).parents[2] / "athena"
FILES = sorted(ATHENA.glob("*.sql")) + sorted((ATHENA / "views").glob("*.sql"))
REQUIRED = {
    "top_high_risk_customers",
    "default_rate_by_segment",
    "loan_portfolio_summary",
    "monthly_transaction_volumes",
    "compliance_cash_report",
    "product_recommendations_by_product",
}


def test_the_analysts_queries_exist():
    assert set(named_queries()) >= REQUIRED


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_only_database_placeholders_for_templatefile(path):
    text = path.read_text()
    assert set(re.findall(r"\$\{(\w+)\}", text)) <= {"bronze_db", "silver_db", "gold_db"}
    assert "%{" not in text and "${" not in re.sub(r"\$\{(bronze|silver|gold)_db\}", "", text)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_parses_as_one_trino_statement_with_a_declared_parameter_per_placeholder(path):
    query = parse_header(path.stem, path.read_text(), str(path))
    text = sqltext.substitute_databases(query.sql, sqltext.database_names("finlake_dev_"), str(path))
    sqltext.parse_trino(text, str(path))
    assert sqltext.placeholder_count(text, str(path)) == len(query.params)


@pytest.mark.parametrize("path", sorted(ATHENA.glob("*.sql")), ids=lambda p: p.name)
def test_named_queries_say_what_they_answer(path):
    assert parse_header(path.stem, path.read_text(), str(path)).question
