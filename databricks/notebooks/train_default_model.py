# Databricks notebook source
# MAGIC %md
# MAGIC # Loan-default model: training and evaluation
# MAGIC
# MAGIC This notebook trains the model that estimates, for each loan, the probability that it will
# MAGIC default (status DEFAULT or CHARGED_OFF). It reads the Gold table `loan_features`, where every
# MAGIC feature is computed **only from what the bank knew before the loan was granted** (its
# MAGIC origination date), so the model never learns from the future.
# MAGIC
# MAGIC The table is an Apache Iceberg table read by name through the lake's catalog, never by path.
# MAGIC The run records in MLflow the snapshot it read (`gold.loan_features.snapshot_id`); setting the
# MAGIC `as_of` widget to that id (or to a timestamp) trains on exactly those rows again.
# MAGIC
# MAGIC All the logic lives in the `finlake` library (`finlake.ml`); this notebook only sets the
# MAGIC parameters, calls it, and shows the results. The scheduled Databricks job and the
# MAGIC `finlake train` command run exactly the same function, so the figures here are the figures
# MAGIC everywhere. Run locally it is a plain Python script: `python train_default_model.py --lake ./lake`.

# COMMAND ----------

# Widgets first: on Databricks they are the notebook's (and the job's) parameters. Run as a plain
# script there is no `dbutils`; the same names come from the command line or FINLAKE_* variables.
import argparse
import os

from finlake.ml.settings import default_parameters

TRAINING = default_parameters()  # the library's training defaults (finlake.ml.settings), as widget text
PARAMETERS = {
    "lake": os.environ.get("FINLAKE_LAKE", "./lake"),  # local root (_catalog/iceberg.db, _mlflow/, _generator/)
    # On AWS (silver_root, gold_root, database_prefix set): the Glue catalog, named as the Glue jobs name it.
    "silver_root": os.environ.get("FINLAKE_SILVER_ROOT", ""),  # e.g. s3://finlake-dev-silver (catalog warehouse)
    "gold_root": os.environ.get("FINLAKE_GOLD_ROOT", ""),  # e.g. s3://finlake-dev-gold
    "database_prefix": os.environ.get("FINLAKE_DATABASE_PREFIX", ""),  # e.g. finlake_dev -> finlake_dev_gold
    "kms_key_id": os.environ.get("FINLAKE_KMS_KEY_ID", ""),  # the lake's KMS key (S3 objects are SSE-KMS)
    **TRAINING,  # model_name, alias, test_fraction, cv_folds, reg_grid, seed, repeated_cv, min_loan_age_days
    "model_name": os.environ.get("FINLAKE_MODEL_NAME", TRAINING["model_name"]),
    "alias": os.environ.get("FINLAKE_MODEL_ALIAS", TRAINING["alias"]),
    "report": "",  # write the headline metrics JSON here
    "as_of": "",  # train on gold.loan_features as it was: a snapshot id or an ISO timestamp (UTC)
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
    parser = argparse.ArgumentParser(description="Train the finlake loan-default model (notebook as a script).")
    for name, default in PARAMETERS.items():
        parser.add_argument(f"--{name.replace('_', '-')}", dest=name, default=default)
    params = vars(parser.parse_args())
params

# COMMAND ----------

# MAGIC %md
# MAGIC ## 1. Where the data and the model registry are
# MAGIC
# MAGIC On Databricks the cluster's Spark session and the workspace MLflow server (experiments and the
# MAGIC model registry) are used. Locally a Spark session is started on this machine and MLflow keeps
# MAGIC its runs and registered models in a small database under the lake (`_mlflow/`), offline.
# MAGIC
# MAGIC Tables are found through the Iceberg catalog Spark knows as `finlake`: locally a SQLite file
# MAGIC (`<lake>/_catalog/iceberg.db`), on AWS the Glue Data Catalog (databases `<prefix>_gold`, ...).

# COMMAND ----------

from finlake.asof import parse_as_of
from finlake.lake import lake_for
from finlake.ml.settings import settings_from_parameters
from finlake.ml.training import train_default_model, write_report

if not ON_DATABRICKS:
    from finlake.spark import local_session

    spark = local_session("finlake-train-notebook")

# On Databricks the job cluster (databricks/databricks.yml) starts with the Iceberg 1.10.0 runtime and
# AWS bundle jars (Maven libraries), spark.sql.extensions = IcebergSparkSessionExtensions and the
# `finlake` catalog = SparkCatalog with catalog-impl GlueCatalog, io-impl S3FileIO, warehouse the Silver
# bucket; its instance profile may read the Glue databases and the layer buckets. lake_for names the
# same catalog, so finlake.iceberg.bind finds it already configured.
lake = lake_for(
    params["lake"], params["silver_root"], params["gold_root"], params["database_prefix"], params["kms_key_id"]
)
as_of = parse_as_of(params["as_of"]) if params["as_of"] else None
settings = settings_from_parameters(params)  # the same parser and defaults `finlake train` uses


def show(frame):
    """A table: Databricks' rich display in a notebook, plain text in a terminal."""
    if ON_DATABRICKS:
        display(frame)  # type: ignore[name-defined]  # noqa: F821
    else:
        print(frame.to_string(index=False))


# COMMAND ----------

# MAGIC %md
# MAGIC ## 2. Train
# MAGIC
# MAGIC What happens inside `train_default_model`, in order:
# MAGIC
# MAGIC 1. **Checks.** An empty table, loans without a label, or a table where every loan has the same
# MAGIC    outcome stop here with a one-line message. A feature that on its own separates defaulters
# MAGIC    from good loans almost perfectly is refused as well: that is the signature of information from
# MAGIC    after origination (arrears, collections) leaking into the features.
# MAGIC 2. **Split.** The most recent 25% of loans (by origination date) are held out as the test set:
# MAGIC    the model is judged on loans that came after the ones it learned from, as in real use. If
# MAGIC    there are too few defaults on either side of that date, a stratified random split is used
# MAGIC    instead (same default rate in both parts). The report says which.
# MAGIC 3. **Preparation.** Missing numbers are filled with the median of the training loans; categories
# MAGIC    (loan type, segment, employment, gender, district) become indicator columns; every input is
# MAGIC    standardised, so that coefficients compare the effect of one standard deviation.
# MAGIC 4. **Model.** A logistic regression. Defaults are rare, so they are weighted up during fitting;
# MAGIC    a final correction step then maps the scores back to real probabilities, so that "8%" means
# MAGIC    about 8 in 100 such loans default.
# MAGIC 5. **Tuning.** The strength of regularisation (how strongly the coefficients are held back to
# MAGIC    avoid over-fitting) is chosen by cross-validation **on the training loans only**.

# COMMAND ----------

result = train_default_model(spark, lake, settings, as_of=as_of)
print(f"model {result.model_name} version {result.model_version}, alias {settings.alias}")
print(result.report["split"]["description"])
for table, read in result.report["inputs"].items():
    print(f"read {table} at snapshot {read['snapshot_id']} (committed {read['committed_at']})")

# COMMAND ----------

# MAGIC %md
# MAGIC ## 3. How good is it? (held-out test loans)
# MAGIC
# MAGIC * **ROC-AUC**: the chance that a randomly chosen defaulter scores higher than a randomly chosen
# MAGIC   good loan (0.5 = coin toss, 1 = perfect ranking).
# MAGIC * **PR-AUC** (average precision): how clean the top of the list is; compare it with the default
# MAGIC   rate, which is what a random ranking would get.
# MAGIC * **KS**: the largest gap between the score distributions of defaulters and good loans.
# MAGIC * **Brier score**: mean squared error of the probabilities (lower is better); it punishes
# MAGIC   probabilities that are too high or too low, not just a bad ranking.
# MAGIC * On generated data the generator knows each loan's true default probability: its ROC-AUC on the
# MAGIC   same test loans is the best any model could reach, and **ratio** = model / best.

# COMMAND ----------

import pandas as pd

show(pd.DataFrame([result.metrics]))

# COMMAND ----------

# MAGIC %md
# MAGIC ## 4. Can the probabilities be taken at face value? (calibration by score decile)
# MAGIC
# MAGIC Test loans are sorted by predicted probability and cut into ten equal groups (decile 10 = the
# MAGIC riskiest). In a well-calibrated model the mean predicted probability of each group is close to
# MAGIC the share of its loans that actually defaulted. Risk bands and expected loss rely on this.

# COMMAND ----------

show(pd.DataFrame(result.report["calibration_by_decile"]))

# COMMAND ----------

# MAGIC %md
# MAGIC ## 5. Flagging loans: the threshold and what it catches
# MAGIC
# MAGIC The cut-off is chosen on the **training** loans, at the KS point (the probability where the
# MAGIC share of defaulters flagged minus the share of good loans flagged is largest), and then applied
# MAGIC unchanged to the test loans: the test loans never influence it.

# COMMAND ----------

show(pd.DataFrame([result.report["confusion_at_threshold"]]))

# COMMAND ----------

# MAGIC %md
# MAGIC ## 6. Why a loan scores high: the coefficients
# MAGIC
# MAGIC Each row is the change in the log-odds of default for one standard deviation more of a feature
# MAGIC (or, for a category, for belonging to it rather than the average mix), largest effects first.
# MAGIC An odds ratio of 1.5 means the odds of default are 1.5 times higher; 0.7 means 30% lower.

# COMMAND ----------

show(pd.DataFrame(result.report["coefficients"]))

# COMMAND ----------

# MAGIC %md
# MAGIC ## 7. Record
# MAGIC
# MAGIC The run is in MLflow with its parameters (among them the Gold snapshot it read), metrics, ROC
# MAGIC and calibration charts and the coefficient table; the model is registered and the alias
# MAGIC (default `champion`) points at the new version. The scoring job loads the model by that alias,
# MAGIC so promoting a model is moving the alias.

# COMMAND ----------

if "repeated_cv" in result.report:
    show(pd.DataFrame([{k: v for k, v in result.report["repeated_cv"].items() if k != "roc_auc_per_fold"}]))
if params["report"]:
    write_report(result, params["report"])
    print(f"report written to {params['report']}")
print(result.report["mlflow"])
