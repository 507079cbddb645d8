"""What a Glue entry script needs, so the script itself stays a few lines.

On AWS Glue 5.1 the job runs with `GlueContext` and `Job` (init, then commit on success). Locally the
Glue ETL jars do not exist, so the same script builds a plain local SparkSession instead. Either way
the arguments are parsed by the official `awsglue.utils.getResolvedOptions` and the same library
function does the work. Glue is recognised by the `--JOB_RUN_ID` argument it always passes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from finlake.lake import Lake
from finlake.runs import new_run_id

# Job argument -> Lake field. Terraform passes these as `--<name> s3://bucket/prefix`.
LAKE_ARGUMENTS: dict[str, str] = {
    "bronze_root": "bronze",
    "silver_root": "silver",
    "silver_restricted_root": "silver_restricted",
    "gold_root": "gold",
    "quarantine_root": "quarantine",
    "runs_root": "runs",
    "state_root": "state",
    "catalog_database_prefix": "database_prefix",
    "lake_kms_key_id": "kms_key_id",
}


@dataclass
class GlueJob:
    spark: Any  # pyspark.sql.SparkSession
    args: dict[str, str]
    run_id: str
    on_glue: bool

    @property
    def lake(self) -> Lake:
        roots = {field: self.args[arg] for arg, field in LAKE_ARGUMENTS.items() if arg in self.args}
        missing = sorted(set(Lake.__dataclass_fields__) - set(roots))
        # Iceberg tables are catalogued in `<prefix>_<layer>` Glue databases ("" locally: plain layer names);
        # a local run's catalog sits beside its layers, as in Lake.local.
        silver = roots.get("silver", "")
        if silver and "://" not in silver:
            roots["catalog"] = f"{silver.rstrip('/').rsplit('/', 1)[0]}/_catalog"
            missing.remove("catalog")
        return Lake(**roots, **dict.fromkeys(missing, ""))

    def flag(self, name: str) -> bool:
        value = self.args.get(name, "false").strip().lower()
        if value not in {"true", "false"}:
            raise ValueError(f"--{name} must be true or false, got {value!r}")
        return value == "true"

    def fraction(self, name: str) -> float | None:
        """An optional share in [0, 1] (None when the run was not given `--<name>`)."""
        if name not in self.args:
            return None
        try:
            value = float(self.args[name])
        except ValueError:
            value = -1.0
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"--{name} must be a number between 0 and 1, got {self.args[name]!r}")
        return value


@contextmanager
def glue_job(argv: Sequence[str], required: Sequence[str], optional: Sequence[str] = ()) -> Iterator[GlueJob]:
    """Parse the job arguments, build the session, and commit the Glue job if the body succeeds.
    `optional` arguments are read only when the run passes them (getResolvedOptions has no defaults)."""
    from awsglue.utils import getResolvedOptions

    argv = list(argv)
    on_glue = "--JOB_RUN_ID" in argv
    given = [name for name in optional if f"--{name}" in argv]
    args = getResolvedOptions(argv, list(required) + given)
    if on_glue:  # pragma: no cover - needs the Glue ETL jars, which only exist on AWS Glue
        from awsglue.context import GlueContext
        from awsglue.job import Job
        from pyspark.context import SparkContext

        glue_context = GlueContext(SparkContext.getOrCreate())
        job = Job(glue_context)
        job.init(args["JOB_NAME"], args)
        yield GlueJob(glue_context.spark_session, args, args["JOB_RUN_ID"], on_glue=True)
        job.commit()
    else:
        from finlake.spark import local_session

        yield GlueJob(local_session(args.get("JOB_NAME", "finlake")), args, new_run_id(), on_glue=False)
