"""`finlake query`: the analysts' Athena SQL, run locally by DuckDB over the local catalog or on Athena.

- `named.py`: the named queries in athena/*.sql, their header and `?` parameters.
- `sqltext.py`: database placeholders, parameter binding and the Trino -> DuckDB translation (sqlglot).
- `local.py`: the DuckDB engine: one view per catalogued table, then every view in athena/views/.
- `athena.py`: the same SQL on AWS Athena through boto3.
- `output.py`: table, CSV or JSON output.
"""
