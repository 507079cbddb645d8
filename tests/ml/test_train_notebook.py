"""The training notebook: Databricks source format, widgets first, explained cells, and it runs top to
bottom as a plain script on a small local lake (the same path `finlake train` takes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from finlake.iceberg import EXTENSIONS, JARS

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "databricks" / "notebooks"
NOTEBOOK = NOTEBOOKS / "train_default_model.py"
CELL = "\n# COMMAND ----------\n"


def _cells(path: Path) -> list[str]:
    body = path.read_text().removeprefix("# Databricks notebook source\n")
    return [c.strip() for c in body.split(CELL)]


def test_source_format_header_cells_and_widgets_first():
    text = NOTEBOOK.read_text()
    assert text.splitlines()[0] == "# Databricks notebook source"
    cells = _cells(NOTEBOOK)
    markdown = [c for c in cells if c.splitlines()[0].strip() == "# MAGIC %md"]
    code = [c for c in cells if c not in markdown]
    assert len(markdown) >= 6 and len(code) >= 6
    assert "dbutils.widgets.text" in code[0] and "argparse" in code[0]  # the first code cell: parameters
    assert all(line.startswith("# MAGIC") for c in markdown for line in c.splitlines())
    assert "from finlake.ml.training import" in text and "train_default_model(" in text


def test_notebook_runs_top_to_bottom_on_a_small_lake(spark, make_features, tmp_path):
    from finlake import storage
    from finlake.lake import Lake

    lake = Lake.local(tmp_path / "lake")
    features, truth = make_features(400, 21)
    storage.replace_rows(spark, lake, "gold.loan_features", features)  # the notebook finds it in the catalog
    snapshot = storage.current_snapshot_id(spark, lake, "gold.loan_features")
    os.makedirs(lake.generator)
    truth.to_csv(os.path.join(lake.generator, "loan_truth.csv"), index=False)
    report = tmp_path / "report.json"
    env = {**os.environ, "FINLAKE_DRIVER_MEMORY": "1g", "FINLAKE_SPARK_MASTER": "local[1]"}
    env.pop("MLFLOW_TRACKING_URI", None)
    done = subprocess.run(
        [sys.executable, str(NOTEBOOK), "--lake", str(tmp_path / "lake"), "--cv-folds", "2",
         "--reg-grid", "0.01,0.1", "--report", str(report)],
        capture_output=True, text=True, env=env, timeout=1200,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(report.read_text())
    assert 0.5 < figures["roc_auc"] <= 1 and "best_possible_roc_auc" in figures
    assert figures["details"]["inputs"]["gold.loan_features"]["snapshot_id"] == snapshot
    assert f"read gold.loan_features at snapshot {snapshot}" in done.stdout
    assert "calibration" in done.stdout or "decile" in done.stdout
    assert (tmp_path / "lake" / "_mlflow" / "mlflow.db").is_file()


def test_bundle_defines_training_and_scoring_jobs_on_existing_notebooks():
    bundle = yaml.safe_load((REPO / "databricks" / "databricks.yml").read_text())
    jobs = bundle["resources"]["jobs"]
    assert {"train_default_model", "score_customers"} <= set(jobs)
    for job in jobs.values():
        for task in job["tasks"]:
            notebook = REPO / "databricks" / task["notebook_task"]["notebook_path"]
            assert notebook.is_file(), notebook
            assert notebook.read_text().startswith("# Databricks notebook source\n")
            assert task["libraries"][0] == {"whl": "../dist/*.whl"}
            # the Iceberg jars Glue 5.1 ships (the ones jvm/pom.xml fetches for local runs)
            coordinates = {lib["maven"]["coordinates"] for lib in task["libraries"][1:]}
            assert coordinates == {f"org.apache.iceberg:{jar.removesuffix('.jar').rsplit('-', 1)[0]}:1.10.0"
                                   for jar in JARS if jar.startswith("iceberg-")}  # fmt: skip
        cluster = job["job_clusters"][0]["new_cluster"]
        assert (
            cluster["spark_conf"]["spark.sql.catalog.finlake.catalog-impl"] == "org.apache.iceberg.aws.glue.GlueCatalog"
        )
        assert cluster["spark_conf"]["spark.sql.extensions"] == EXTENSIONS
