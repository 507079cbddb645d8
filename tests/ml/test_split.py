"""The split is deterministic and stratified, or out-of-time when both sides keep enough defaults."""

from __future__ import annotations

from pyspark.sql import functions as F
from synthetic_loans import loan_features_frame, to_spark

from finlake.ml.features import LABEL, feature_columns, model_input
from finlake.ml.split import split_loans, stratified_split, with_stratified_folds


def _prepared(spark, n, seed):
    df = to_spark(spark, loan_features_frame(n, seed))
    return df.transform(model_input(*feature_columns(df.columns)))


def test_stratified_split_keeps_the_default_rate_and_is_repeatable(spark):
    df = _prepared(spark, 200, 1)
    by_class = {r[LABEL]: r["count"] for r in df.groupBy(LABEL).count().collect()}
    split = stratified_split(df, 0.25, seed=3)
    test_counts = {r[LABEL]: r["count"] for r in split.test.groupBy(LABEL).count().collect()}
    for label, n in by_class.items():
        assert test_counts[label] in {n // 4, n // 4 + 1}
    again = stratified_split(df, 0.25, seed=3).test.select("loan_id").collect()
    assert sorted(again) == sorted(split.test.select("loan_id").collect())
    assert split.train.join(split.test, "loan_id", how="inner").count() == 0


def test_out_of_time_when_the_data_allows_it(spark):
    split = split_loans(_prepared(spark, 800, 2), 0.25, seed=3)
    assert split.method == "out_of_time"
    last_train = split.train.agg(F.max("origination_date")).first()[0]
    first_test = split.test.agg(F.min("origination_date")).first()[0]
    assert last_train < first_test


def test_stratified_when_too_few_defaults_for_out_of_time(spark):
    assert split_loans(_prepared(spark, 120, 2), 0.25, seed=3).method == "stratified"


def test_folds_are_balanced_by_class(spark):
    folded = _prepared(spark, 200, 4).transform(with_stratified_folds(2, 9, "f"))
    counts = {(r["f"], r[LABEL]): r["count"] for r in folded.groupBy("f", LABEL).count().collect()}
    for label in (0.0, 1.0):
        assert abs(counts[(0, label)] - counts[(1, label)]) <= 1
