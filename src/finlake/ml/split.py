"""How loans are divided into training and test data, and training data into CV folds.

Out-of-time first: the test set is the most recent `test_fraction` of loans by origination_date, so
the model is judged on loans it could not have seen, as it will be used. That needs enough defaults
on both sides of the cut-off; otherwise (few defaults, or all loans on a handful of dates) the split
is stratified: the same default rate in train and test. Either way it is deterministic: a loan's
place depends only on its loan_id and the seed (a seeded hash, not `rand()`, whose draws depend on
how Spark happens to partition the data).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from finlake.ml.features import CUTOFF, KEY, LABEL

RANK = "_strat_rank"
FOLD = "fold"
# Out-of-time is used only if each side keeps at least this many loans of each class.
MIN_CLASS_COUNT_PER_SIDE = 20
EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class Split:
    train: DataFrame
    test: DataFrame
    method: str  # "out_of_time" or "stratified"
    description: str  # one sentence for the report and the README


def stratified_rank(seed: int) -> Callable[[DataFrame], DataFrame]:
    """Transform: `_strat_rank` in [0, 1), evenly spread within each class (ordered by a seeded hash)."""

    def transform(df: DataFrame) -> DataFrame:
        by_class = Window.partitionBy(LABEL)
        ordered = by_class.orderBy(F.xxhash64(F.col(KEY), F.lit(seed)), F.col(KEY))
        return df.withColumn(RANK, (F.row_number().over(ordered) - 1) / F.count(F.lit(1)).over(by_class))

    return transform


def with_stratified_folds(num_folds: int, seed: int, column: str = FOLD) -> Callable[[DataFrame], DataFrame]:
    """Transform: `column` in 0..num_folds-1, each fold with (almost exactly) the same default rate."""

    def transform(df: DataFrame) -> DataFrame:
        ranked = df.transform(stratified_rank(seed))
        return ranked.withColumn(column, F.floor(F.col(RANK) * num_folds).cast("int")).drop(RANK)

    return transform


def stratified_split(df: DataFrame, test_fraction: float, seed: int) -> Split:
    ranked = df.transform(stratified_rank(seed))
    return Split(
        train=ranked.where(F.col(RANK) >= test_fraction).drop(RANK),
        test=ranked.where(F.col(RANK) < test_fraction).drop(RANK),
        method="stratified",
        description=(
            f"stratified random split: {test_fraction:.0%} of the loans of each class held out "
            f"(seeded hash of loan_id, seed {seed})"
        ),
    )


def split_loans(df: DataFrame, test_fraction: float, seed: int) -> Split:
    """Out-of-time if the data allows it (see module docstring), stratified otherwise."""
    days = F.datediff(F.col(CUTOFF), F.lit(EPOCH.isoformat()).cast("date"))
    quantile = df.select(days.cast("double").alias("d")).approxQuantile("d", [1.0 - test_fraction], 0.001)
    if quantile:
        cutoff_day = int(quantile[0])
        sides = (
            df.groupBy((days >= cutoff_day).alias("is_test"), F.col(LABEL)).count().collect()  # at most 4 rows
        )
        counts = {(bool(r["is_test"]), float(r[LABEL])): int(r["count"]) for r in sides}
        if all(counts.get((side, c), 0) >= MIN_CLASS_COUNT_PER_SIDE for side in (False, True) for c in (0.0, 1.0)):
            cutoff = (EPOCH + timedelta(days=cutoff_day)).isoformat()
            return Split(
                train=df.where(days < cutoff_day),
                test=df.where(days >= cutoff_day),
                method="out_of_time",
                description=(
                    f"out-of-time split: loans originated before {cutoff} train the model, loans from "
                    f"{cutoff} on (the latest {test_fraction:.0%}) test it"
                ),
            )
    return stratified_split(df, test_fraction, seed)
