"""Exact aggregates of money: decimal sums made double once, at the end.

A sum of doubles moves in its last bits with the row order (the file layout, the partitioning), so a
Gold table rebuilt on a lake whose files changed would not match the same rows kept by an increment.
Silver's amounts and balances are decimals: summed as decimals they are exact in any order.
"""

from __future__ import annotations

from pyspark.sql import Column
from pyspark.sql import functions as F


def exact_sum(decimals: Column) -> Column:
    """Sum of a decimal column as a double, exact before the cast; null without values."""
    return F.sum(decimals).cast("double")


def exact_avg(decimals: Column) -> Column:
    """Mean of a decimal column as a double: the exact sum over the count; null without values."""
    return exact_sum(decimals) / F.count(decimals)
