"""Any Iceberg tool reads the lake: PyIceberg alone (a process without Spark) reads every Silver, Gold
and quarantine table from `<lake>/_catalog/iceberg.db` with the same rows Spark reads, and so does
the local engine (DuckDB over the PyIceberg-planned files)."""

from __future__ import annotations

import pickle
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from finlake import iceberg, storage
from finlake.query.local import LocalEngine
from finlake.query.named import QueryText

pytestmark = pytest.mark.slow

# Run in a fresh interpreter: only PyIceberg and the catalog file, what the README tells other tools.
PYICEBERG_ONLY = """
import pickle, sys
from pyiceberg.catalog.sql import SqlCatalog

catalog = SqlCatalog("finlake", uri=f"sqlite:///{sys.argv[1]}", warehouse=sys.argv[2])
tables = {}
for namespace in catalog.list_namespaces():
    for identifier in catalog.list_tables(namespace):
        tables[".".join(identifier)] = catalog.load_table(identifier).scan().to_arrow().to_pylist()
assert "pyspark" not in sys.modules
sys.stdout.buffer.write(pickle.dumps(tables))
"""


def _value(v):
    if isinstance(v, datetime) and v.tzinfo is not None:  # timestamptz: Spark's session time zone is UTC
        return v.astimezone(UTC).replace(tzinfo=None)
    if isinstance(v, list):
        return tuple(v)
    if isinstance(v, float) and not isinstance(v, bool):
        return Decimal(repr(v))  # exact, and sortable beside None
    return v


def _rows(records, columns):
    key = lambda row: tuple((x is None, str(type(x)), x if x is not None else 0) for x in row)  # noqa: E731
    return sorted((tuple(_value(r[c]) for c in columns) for r in records), key=key)


@pytest.fixture(scope="module")
def pyiceberg_tables(pipeline_lake):
    warehouse = iceberg.catalog_properties(pipeline_lake)["warehouse"]
    out = subprocess.run(
        [sys.executable, "-c", PYICEBERG_ONLY, iceberg.catalog_file(pipeline_lake), warehouse],
        capture_output=True,
        check=True,
        timeout=300,
    )
    return pickle.loads(out.stdout)


def test_pyiceberg_alone_reads_every_table_as_spark_does(spark, pipeline_lake, pyiceberg_tables):
    refs = storage.all_refs()
    assert set(pyiceberg_tables) == {f"{r.namespace_layer}.{r.contract.name}" for r in refs}
    non_empty = 0
    for ref in refs:
        columns = ref.contract.column_names
        by_spark = _rows([r.asDict() for r in storage.read_table(spark, pipeline_lake, ref.name).collect()], columns)
        by_pyiceberg = _rows(pyiceberg_tables[f"{ref.namespace_layer}.{ref.contract.name}"], columns)
        assert by_pyiceberg == by_spark, ref.name
        non_empty += bool(by_spark)
    assert non_empty >= 10  # Silver, most of Gold and some quarantine hold rows: the comparison is not vacuous


def test_the_local_engine_reads_the_same_rows(pipeline_lake, pyiceberg_tables):
    engine = LocalEngine(pipeline_lake, role="engineer")  # quarantine and silver_restricted too
    for ref in storage.all_refs():
        columns = ref.contract.column_names
        sql = f"SELECT {', '.join(columns)} FROM {ref.namespace_layer}.{ref.contract.name}"
        result = engine.run(QueryText(name="--sql", sql=sql))
        by_engine = _rows([dict(zip(columns, row, strict=True)) for row in result.rows], columns)
        assert by_engine == _rows(pyiceberg_tables[f"{ref.namespace_layer}.{ref.contract.name}"], columns), ref.name
