"""`finlake query`: a named Athena query, a .sql file or ad-hoc SQL, locally (DuckDB) or on Athena."""

from __future__ import annotations

import argparse

from finlake.errors import UsageError
from finlake.lake import Lake
from finlake.query.local import LocalEngine, Result
from finlake.query.named import QueryText, named_queries, named_query, query_file
from finlake.query.output import render
from finlake.query.sandbox import DEFAULT_ROLE


def _query(args: argparse.Namespace) -> QueryText:
    if args.sql is not None:
        return QueryText(name="--sql", sql=args.sql, source="--sql")
    if args.file is not None:
        return query_file(args.file)
    return named_query(args.name)


def _params(pairs: list[tuple[str, str]]) -> dict[str, str]:
    params: dict[str, str] = {}
    for key, value in pairs:
        if key in params:
            raise UsageError(f"parameter {key} given twice")
        params[key] = value
    return params


def _list() -> int:
    for name, q in named_queries().items():
        params = " ".join(f"--param {p.name}=<{p.type}>" for p in q.params)
        print(f"{name:<34} {q.question}" + (f"  [{params}]" if params else ""))
    return 0


def _athena(args: argparse.Namespace, query: QueryText, params: dict[str, str]) -> Result:
    import boto3

    from finlake.query.athena import AthenaRunner

    runner = AthenaRunner(
        boto3.client("athena"),
        workgroup=args.athena_workgroup,
        database_prefix=getattr(args, "database_prefix", ""),
        output_location=args.athena_output,
        database=args.database,
    )
    return runner.run(query, params)


def main(args: argparse.Namespace) -> int:
    if args.list:
        return _list()
    query, params = _query(args), _params(args.param)
    as_of = getattr(args, "as_of", None)
    if args.athena_workgroup:
        if as_of:
            raise UsageError("--as-of runs locally; on Athena write FOR TIMESTAMP AS OF / FOR VERSION AS OF in the SQL")
        result = _athena(args, query, params)
    else:
        engine = LocalEngine(Lake.local(args.lake), as_of=as_of, role=getattr(args, "role", DEFAULT_ROLE))
        result = engine.run(query, params)
    print(render(result, args.format))
    return 0
