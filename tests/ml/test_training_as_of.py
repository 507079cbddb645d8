"""Reproducibility: a training run records the gold.loan_features snapshot it read, and training
`--as-of` that snapshot after Gold has changed gives the same model and the same ROC-AUC."""

from __future__ import annotations

from datetime import timedelta

import mlflow
import numpy as np
import pytest
from pyspark.sql import functions as F
from synthetic_loans import FAST, loan_features_frame, to_spark

from finlake import cli, storage
from finlake.asof import AsOf, parse_as_of, resolve
from finlake.errors import FinlakeError
from finlake.ml import tracking
from finlake.ml.training import TrainingSettings, train_default_model

TABLE = "gold.loan_features"


def _snapshots(spark, lake) -> list[tuple[int, int]]:
    """(snapshot id, total records) of the table's commits, oldest first, from Iceberg's metadata."""
    assert storage.table_exists(spark, lake, TABLE)  # also points the session's catalog at this lake
    rows = spark.sql(
        f"SELECT snapshot_id, summary['total-records'] FROM {storage.ref(TABLE).identifier(lake)}.snapshots "
        "ORDER BY committed_at"
    ).collect()
    return [(int(r[0]), int(r[1])) for r in rows]


def _coefficients(result) -> dict[tuple[str, str], float]:
    return {(c["feature"], c["category"]): c["coefficient_per_sd"] for c in result.report["coefficients"]}


def test_the_run_records_the_snapshot_it_read(spark, trained):
    lake, features, _, result = trained
    client = mlflow.MlflowClient(tracking_uri=tracking.tracking_for(lake).tracking_uri)  # the fixture lake's store
    params = client.get_run(result.run_id).data.params
    recorded = int(params[f"{TABLE}.snapshot_id"])
    assert params["as_of"] == "current"
    assert result.report["inputs"][TABLE]["snapshot_id"] == recorded
    # The fixture made two commits: the empty table, then its 800 loans; training read the second.
    first_commits = _snapshots(spark, lake)[:2]
    assert [n for _, n in first_commits] == [0, features.count()]
    assert recorded == first_commits[1][0]


@pytest.mark.slow
def test_training_as_of_the_recorded_snapshot_reproduces_model_and_auc(spark, trained):
    lake, features, _, first = trained
    recorded = first.report["inputs"][TABLE]["snapshot_id"]
    # Gold changes after that training: a third of the labels flipped and 200 more loans.
    changed = to_spark(spark, loan_features_frame(1000, 99)).withColumn(
        "is_default", F.when(F.rand(5) < 0.33, 1 - F.col("is_default")).otherwise(F.col("is_default"))
    )
    storage.replace_rows(spark, lake, TABLE, changed)
    try:
        assert storage.read_table(spark, lake, TABLE).count() == 1000  # the current state did change
        settings = TrainingSettings(**FAST, model_name="finlake_loan_default_as_of")  # leave `champion` alone
        again = train_default_model(spark, lake, settings, as_of=parse_as_of(str(recorded)))
    finally:  # the other tests of this session read the fixture's loans
        storage.replace_rows(spark, lake, TABLE, features)
    assert again.report["inputs"][TABLE]["snapshot_id"] == recorded
    assert again.metrics["roc_auc"] == pytest.approx(first.metrics["roc_auc"], abs=1e-12, rel=0)
    assert again.metrics["loans"] == first.metrics["loans"]
    before, after = _coefficients(first), _coefficients(again)
    assert before.keys() == after.keys()
    assert np.allclose([after[k] for k in before], list(before.values()), rtol=0, atol=1e-12)
    assert again.report["model"]["reg_param"] == first.report["model"]["reg_param"]


def test_a_timestamp_resolves_to_the_snapshot_current_then(spark, trained):
    lake, _, _, result = trained
    read = result.report["inputs"][TABLE]
    committed = resolve(spark, lake, TABLE, AsOf(snapshot_id=read["snapshot_id"])).committed_at
    assert committed.isoformat() == read["committed_at"]
    ids = [sid for sid, _ in _snapshots(spark, lake)]
    assert resolve(spark, lake, TABLE, AsOf(timestamp=committed)).snapshot_id == read["snapshot_id"]
    just_before = resolve(spark, lake, TABLE, AsOf(timestamp=committed - timedelta(milliseconds=1)))
    assert just_before.snapshot_id == ids[0]  # the empty table, made current before the loans
    with pytest.raises(FinlakeError, match="had no snapshot at or before 2001-01-01"):
        resolve(spark, lake, TABLE, parse_as_of("2001-01-01"))
    with pytest.raises(FinlakeError, match="has no snapshot 123456789 in its history"):
        resolve(spark, lake, TABLE, parse_as_of("123456789"))


def test_train_as_of_a_time_before_gold_existed_is_one_line(trained, capsys):
    lake, _, _, _ = trained
    root = lake.gold.rsplit("/", 1)[0]
    assert cli.main(["--lake", root, "train", "--as-of", "2001-01-01T00:00:00"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "gold.loan_features had no snapshot at or before 2001-01-01" in err


def test_train_as_of_garbage_is_a_usage_error(trained, capsys):
    lake, _, _, _ = trained
    assert cli.main(["--lake", lake.gold.rsplit("/", 1)[0], "train", "--as-of", "yesterday"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--as-of expects a snapshot id or an ISO timestamp" in err
