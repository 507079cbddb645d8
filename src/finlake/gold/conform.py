"""The final select of every Gold builder: the declared columns, in order, with the declared types."""

from __future__ import annotations

from collections.abc import Callable

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from finlake.contracts.model import Table


def conform(table: Table) -> Callable[[DataFrame], DataFrame]:
    """`df.transform(conform(TABLE))`: select exactly `TABLE.column_names`, cast to the declared types."""

    def select(df: DataFrame) -> DataFrame:
        return df.select(*[F.col(c.name).cast(c.spark_type).alias(c.name) for c in table.columns])

    return select
