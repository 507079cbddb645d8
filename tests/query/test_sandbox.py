"""The local engine reads the catalog's tables its role may read, and nothing else (issue 21 item 7).

Each hostile statement is refused by the statement allow-list (a one-line UsageError) and, sent to
DuckDB directly past that check, by the locked-down connection too.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
import small_lake as data

from finlake.catalog.crawler import crawl
from finlake.errors import UsageError
from finlake.query.iceberg_tables import lake_tables
from finlake.query.local import LocalEngine
from finlake.query.named import QueryText, named_queries

QUARANTINED = [
    {
        "entity": "customers",
        "reasons": ["BAD_EMAIL"],
        "raw_record": '{"email": "secret@example.com"}',
        "source_file": "customers/ingest_date=2024-04-01/x.csv",
        "run_id": "R1",
        "ingest_date": date(2024, 4, 1),
    }
]


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    lake = data.build_small_lake(str(tmp_path_factory.mktemp("sandbox") / "lake"))
    data.write_table(lake, "quarantine.customers", QUARANTINED)
    crawl(lake)
    return lake


@pytest.fixture(scope="module")
def analyst(lake) -> LocalEngine:
    return LocalEngine(lake)


@pytest.fixture(scope="module")
def engineer(lake) -> LocalEngine:
    return LocalEngine(lake, role="engineer")


def _file_of(lake, database: str, name: str) -> str:
    table = next(t for t in lake_tables(lake) if (t.database, t.name) == (database, name))
    assert table.paths, f"{database}.{name} has no data file: the test would prove nothing"
    return table.paths[0]


def sql(engine: LocalEngine, text: str) -> list[tuple]:
    return engine.run(QueryText(name="--sql", sql=text)).rows


def test_reading_a_local_file_is_refused(analyst):
    assert Path("/etc/passwd").is_file()
    for text in (
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM TABLE(read_text('/etc/passwd'))",
        "SELECT * FROM gold.loan_features CROSS JOIN LATERAL read_csv('/etc/passwd')",
        "SELECT (SELECT count(*) FROM read_blob('/etc/passwd'))",
        "SELECT * FROM glob('/etc/*')",
        'SELECT * FROM "/etc/passwd"',
    ):
        with pytest.raises(UsageError) as err:
            sql(analyst, text)
        assert "\n" not in str(err.value), text


@pytest.mark.parametrize(("database", "name"), [("silver_restricted", "customer_pii"), ("quarantine", "customers")])
def test_restricted_data_file_by_path_is_refused_for_every_role(lake, analyst, engineer, database, name):
    path = _file_of(lake, database, name)
    for engine in (analyst, engineer):
        with pytest.raises(UsageError, match="table functions are not allowed"):
            sql(engine, f"SELECT * FROM read_parquet('{path}')")
    # Past the allow-list, DuckDB itself refuses the file to the analyst (its views do not read it).
    with pytest.raises(duckdb.PermissionException):
        analyst.con.execute(f"SELECT * FROM read_parquet('{path}')").fetchall()
    with pytest.raises(duckdb.PermissionException):
        analyst.con.execute("SELECT * FROM read_csv('/etc/passwd')").fetchall()


@pytest.mark.parametrize(
    "text",
    [
        "COPY (SELECT * FROM gold.loan_features) TO '{out}'",
        "ATTACH '{out}' AS other",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET enable_external_access = true",
        "RESET lock_configuration",
        "PRAGMA enable_profiling = 'json'",
        "CREATE TABLE t AS SELECT 1 AS x",
        "DROP VIEW gold.dash_latest_risk",
        "INSERT INTO gold.loan_features SELECT * FROM gold.loan_features",
        "DELETE FROM gold.loan_features",
        "UPDATE gold.loan_features SET loan_id = 'x'",
        "EXPORT DATABASE '{out}'",
        "CALL pragma_version()",
        "SELECT 1; SELECT 2",
        "SELECT count(*) FROM gold.loan_features; COPY (SELECT 1) TO '{out}'",
        "WITH w AS (INSERT INTO gold.loan_features SELECT * FROM gold.loan_features RETURNING *) SELECT * FROM w",
        "SELECT * FROM duckdb_settings()",
        "SELECT * FROM memory.gold.loan_features",
    ],
)
def test_anything_but_one_read_is_refused_in_one_line(analyst, tmp_path, text):
    out = tmp_path / "out"
    with pytest.raises(UsageError) as err:
        sql(analyst, text.format(out=out))
    assert "\n" not in str(err.value)
    assert not out.exists()


@pytest.mark.parametrize(
    "text",
    [
        "COPY (SELECT 1) TO '{out}'",
        "ATTACH '{out}' AS other",
        "INSTALL httpfs",
        "EXPORT DATABASE '{out}'",
    ],
)
def test_duckdb_itself_refuses_writes_and_extensions(analyst, tmp_path, text):
    out = tmp_path / "out"
    with pytest.raises(duckdb.PermissionException):
        analyst.con.execute(text.format(out=out))
    assert not out.exists()


@pytest.mark.parametrize(
    "text", ["SET enable_external_access = true", "SET allowed_directories = ['/']", "PRAGMA enable_profiling"]
)
def test_duckdb_settings_are_locked(analyst, text):
    with pytest.raises(duckdb.InvalidInputException, match="configuration has been locked"):
        analyst.con.execute(text)


@pytest.mark.parametrize("table", ["quarantine.customers", "silver_restricted.customer_pii", "bronze.customers"])
def test_an_analyst_is_told_which_role_reads_pii_layers(analyst, table):
    with pytest.raises(UsageError) as err:
        sql(analyst, f"SELECT count(*) FROM {table}")
    assert str(err.value) == f"{table} in --sql needs --role engineer (the analyst role reads silver, gold)"


def test_an_engineer_reads_quarantine_restricted_and_bronze(engineer):
    assert sql(engineer, "SELECT entity, raw_record, ingest_date FROM quarantine.customers") == [
        (r["entity"], r["raw_record"], r["ingest_date"]) for r in QUARANTINED
    ]
    emails = sql(engineer, "SELECT customer_id, email FROM silver_restricted.customer_pii ORDER BY 1")
    assert emails == sorted((c, f"{c.lower()}@example.com") for c, _, _ in data.CUSTOMERS)
    assert sql(engineer, "SELECT count(*) FROM bronze.customers")[0][0] > 0


def test_reads_views_ctes_values_and_unions_still_work(analyst):
    assert sql(analyst, "WITH c AS (SELECT loan_id FROM silver.loans) SELECT count(*) FROM c") == [(len(data.LOANS),)]
    assert sql(analyst, "VALUES (1, 'a'), (2, 'b')") == [(1, "a"), (2, "b")]
    assert sql(analyst, "(SELECT 1) UNION ALL (SELECT 2) ORDER BY 1") == [(1,), (2,)]
    assert sql(analyst, "SELECT x FROM UNNEST(sequence(1, 3)) AS t (x) ORDER BY 1") == [(1,), (2,), (3,)]
    assert sql(analyst, "SELECT count(*) FROM gold.dash_latest_risk")[0][0] > 0  # an athena/views view
    assert not analyst.view_errors


def test_every_named_query_passes_the_sandbox(analyst):
    for name, query in named_queries().items():
        params = {p.name: {"month": "2024-03", "date": "2024-04-01"}.get(p.type, "1") for p in query.params}
        assert analyst.run(query, params).columns, name  # a refusal would raise UsageError


def test_profile_works_on_the_locked_engine(analyst, lake):
    profile = analyst.profile(QueryText(name="--sql", sql="SELECT loan_id FROM silver.loans"))
    assert _file_of(lake, "silver", "loans") in str(profile)


def test_unknown_role_is_one_line(lake):
    with pytest.raises(UsageError, match="unknown role 'admin': expected one of analyst, engineer"):
        LocalEngine(lake, role="admin")
