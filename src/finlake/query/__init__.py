"""`finlake query`: the analysts' Athena SQL, run locally by DuckDB over the lake's tables or on Athena.

- `named.py`: the named queries in athena/*.sql, their header and `?` parameters.
- `sqltext.py`: database placeholders, parameter binding and the Trino -> DuckDB translation (sqlglot).
- `iceberg_tables.py`: Silver, Gold, quarantine at a snapshot (PyIceberg plans the data files; `--as-of`).
- `local.py`: the DuckDB engine: one view per table (Iceberg snapshot files, crawled Bronze), then every
  view in athena/views/.
- `athena.py`: the same SQL on AWS Athena through boto3.
- `output.py`: table, CSV or JSON output.
"""
