# Databricks notebook source
# MAGIC %md
# MAGIC # Batch scoring: open loans -> gold.customer_risk_scores
# MAGIC
# MAGIC Loads the model the registry alias (default `champion`) points at, scores every open loan
# MAGIC (status CURRENT, LATE or DEFAULT) and adds one row per customer as a new scoring run:
# MAGIC the customer's highest default probability, risk band (LOW < 10% <= MEDIUM < 25% <= HIGH),
# MAGIC open exposure, expected loss, and the model name and version that produced the score.
# MAGIC Rerunning adds a new run (new scoring_run_id); earlier runs stay as history.
# MAGIC
# MAGIC Both tables are Apache Iceberg tables in the lake's catalog (`finlake`: the Glue Data Catalog on
# MAGIC AWS, configured on the job cluster, see databricks/databricks.yml): the run is one Iceberg
# MAGIC commit to gold.customer_risk_scores, visible to Athena and every reader at once.

# COMMAND ----------

import argparse
import os

from finlake.ml.settings import DEFAULT_ALIAS, DEFAULT_MODEL_NAME

PARAMETERS = {
    "lake": os.environ.get("FINLAKE_LAKE", "./lake"),
    # On AWS (silver_root, gold_root, database_prefix set): the Glue catalog, named as the Glue jobs name it.
    "silver_root": os.environ.get("FINLAKE_SILVER_ROOT", ""),  # e.g. s3://finlake-dev-silver (catalog warehouse)
    "gold_root": os.environ.get("FINLAKE_GOLD_ROOT", ""),  # e.g. s3://finlake-dev-gold
    "database_prefix": os.environ.get("FINLAKE_DATABASE_PREFIX", ""),  # e.g. finlake_dev -> finlake_dev_gold
    "kms_key_id": os.environ.get("FINLAKE_KMS_KEY_ID", ""),  # the lake's KMS key (S3 objects are SSE-KMS)
    "model_name": os.environ.get("FINLAKE_MODEL_NAME", DEFAULT_MODEL_NAME),
    "alias": os.environ.get("FINLAKE_MODEL_ALIAS", DEFAULT_ALIAS),
}

try:
    dbutils  # type: ignore[name-defined]  # noqa: B018  (defined only on Databricks)
    ON_DATABRICKS = True
except NameError:
    ON_DATABRICKS = False

if ON_DATABRICKS:
    for name, default in PARAMETERS.items():
        dbutils.widgets.text(name, default)  # type: ignore[name-defined]  # noqa: F821
    params = {name: dbutils.widgets.get(name) for name in PARAMETERS}  # type: ignore[name-defined]  # noqa: F821
else:
    parser = argparse.ArgumentParser(description="Score open loans with the registered loan-default model.")
    for name, default in PARAMETERS.items():
        parser.add_argument(f"--{name.replace('_', '-')}", dest=name, default=default)
    params = vars(parser.parse_args())

# COMMAND ----------

from finlake.lake import lake_for
from finlake.ml.scoring import run_batch_scoring

if not ON_DATABRICKS:
    from finlake.spark import local_session

    spark = local_session("finlake-score-notebook")

# The job cluster carries the Iceberg jars and the Glue-backed `finlake` catalog (databricks.yml).
lake = lake_for(
    params["lake"], params["silver_root"], params["gold_root"], params["database_prefix"], params["kms_key_id"]
)
run = run_batch_scoring(spark, lake, model_name=params["model_name"], alias=params["alias"])
print(
    f"scoring run {run.run_id}: {run.customers} customers, model {run.model_name} version {run.model_version}; "
    f"{run.table} snapshot {run.snapshot_id} (features snapshot {run.features_snapshot_id})"
)
