"""AWS Glue job: Silver -> Gold (business tables, data-quality gate, atomic publish).

Locally: python glue_jobs/silver_to_gold.py --JOB_NAME silver_to_gold --silver_root lake/silver ...
(or simply `finlake silver-to-gold`, which calls the same library function).
"""

import sys

from finlake.glue_runtime import glue_job
from finlake.gold.job import GoldParams, run_silver_to_gold

# Every argument Terraform must pass (the Terraform contract test reads this list).
# catalog_database_prefix: on AWS "finlake_dev": the Iceberg tables live in the Glue databases
# finlake_dev_silver, finlake_dev_gold, ... (src/finlake/iceberg.py); "" locally (plain layer names).
# lake_kms_key_id: the lake key's ARN; every Iceberg file is written SSE-KMS under it ("" locally).
REQUIRED_ARGS = [
    "JOB_NAME",
    "silver_root",
    "gold_root",
    "runs_root",
    "state_root",
    "large_cash_threshold",
    "structuring_window_days",
    "catalog_database_prefix",
    "lake_kms_key_id",
]

# Per run only: rebuild every Gold table instead of what Silver appended since the last run.
OPTIONAL_ARGS = ["full_refresh"]

if __name__ == "__main__":
    with glue_job(sys.argv, REQUIRED_ARGS, OPTIONAL_ARGS) as job:
        params = GoldParams(
            large_cash_threshold=float(job.args["large_cash_threshold"]),
            structuring_window_days=int(job.args["structuring_window_days"]),
        )
        run_silver_to_gold(job.spark, job.lake, params=params, run_id=job.run_id, full_refresh=job.flag("full_refresh"))
