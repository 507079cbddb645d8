"""AWS Glue job: Bronze -> Silver (clean, type, deduplicate, quarantine, publish atomically).

Locally: python glue_jobs/bronze_to_silver.py --JOB_NAME bronze_to_silver --bronze_root lake/bronze ...
(or simply `finlake bronze-to-silver`, which calls the same library function).
"""

import sys

from finlake.glue_runtime import glue_job
from finlake.silver.job import run_bronze_to_silver

# Every argument Terraform must pass (the Terraform contract test reads this list).
# catalog_database_prefix: on AWS "finlake_dev": the Iceberg tables live in the Glue databases
# finlake_dev_silver, finlake_dev_gold, ... (src/finlake/iceberg.py); "" locally (plain layer names).
# lake_kms_key_id: the lake key's ARN; every Iceberg file is written SSE-KMS under it ("" locally).
REQUIRED_ARGS = [
    "JOB_NAME",
    "bronze_root",
    "silver_root",
    "silver_restricted_root",
    "quarantine_root",
    "runs_root",
    "state_root",
    "full_refresh",
    "catalog_database_prefix",
    "lake_kms_key_id",
]
# Passed per run only (StartJobRun arguments), never as a Terraform default: loading a delivery with a
# high quarantine rate is a decision an operator takes for one run, after looking at the data.
OPTIONAL_ARGS = ["accept_quarantine_rate"]

if __name__ == "__main__":
    with glue_job(sys.argv, REQUIRED_ARGS, OPTIONAL_ARGS) as job:
        run_bronze_to_silver(
            job.spark,
            job.lake,
            full_refresh=job.flag("full_refresh"),
            run_id=job.run_id,
            accept_quarantine_rate=job.fraction("accept_quarantine_rate"),
        )
