"""The vocabulary every table declaration is written in.

A table is declared once, as data (a `Table` of `Column`s). The Spark readers and validators, the
local and Glue catalogs, the Athena DDL, the tests and the README all derive from that declaration.

Column types are written as Hive/Glue type strings (`string`, `date`, `timestamp`, `int`, `bigint`,
`double`, `boolean`, `decimal(p,s)`, `array<string>`): the same string is a Spark DDL type, a Glue
Data Catalog column type and an Athena DDL type, so nothing needs translating.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pyspark is heavy; only type checkers need it here
    from pyspark.sql.types import DataType, StructType


class Layer(StrEnum):
    BRONZE = "bronze"
    SILVER = "silver"
    GOLD = "gold"
    QUARANTINE = "quarantine"


class RecordKind(StrEnum):
    """How rows of an entity relate to each other over time."""

    CHANGE = "change"  # change records: the row with the latest updated_at for a key is current
    EVENT = "event"  # immutable events: a repeated key is a duplicate delivery


def spark_type(type_string: str) -> DataType:
    """The Spark type for one of our Hive type strings (no SparkContext needed, unlike Spark's parser)."""
    import re

    from pyspark.sql import types as T

    simple = {
        "string": T.StringType(),
        "date": T.DateType(),
        "timestamp": T.TimestampType(),
        "int": T.IntegerType(),
        "bigint": T.LongType(),
        "double": T.DoubleType(),
        "boolean": T.BooleanType(),
    }
    if type_string in simple:
        return simple[type_string]
    if m := re.fullmatch(r"decimal\((\d+),\s*(\d+)\)", type_string):
        return T.DecimalType(int(m[1]), int(m[2]))
    if m := re.fullmatch(r"array<(.+)>", type_string):
        return T.ArrayType(spark_type(m[1]))
    raise ValueError(f"unsupported column type {type_string!r}")


def _exact(bound: float | None) -> Decimal | None:
    return None if bound is None else Decimal(str(bound))


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    required: bool = False  # a Bronze row with this field empty is quarantined (MISSING_REQUIRED)
    codes: tuple[str, ...] = ()  # allowed values after trimming and upper-casing (else UNKNOWN_CODE)
    min_value: float | None = None  # inclusive lower bound (else OUT_OF_RANGE)
    max_value: float | None = None  # inclusive upper bound (else OUT_OF_RANGE)
    pii: bool = False  # a direct identifier: never readable in Gold or by analysts

    @property
    def spark_type(self) -> DataType:
        return spark_type(self.type)

    @property
    def decimal_range(self) -> tuple[Decimal | None, Decimal | None]:
        """(min_value, max_value) as exact decimals read from the bounds' text, never from a double's
        binary value: what Silver and the stream monitor both compare a number with."""
        return _exact(self.min_value), _exact(self.max_value)


@dataclass(frozen=True)
class ForeignKey:
    column: str
    parent: str  # entity name
    parent_column: str


@dataclass(frozen=True)
class Table:
    """One table of the lake: its layer, name, grain, key and columns."""

    layer: Layer
    name: str
    grain: str  # "one row per ..." in words
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    description: str = ""
    partition_by: tuple[str, ...] = ()  # partition columns (also listed in `columns`)
    restricted: bool = False  # holds direct identifiers; readable only by privileged roles

    @property
    def qualified_name(self) -> str:
        return f"{self.layer}.{self.name}"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.qualified_name} has no column {name!r}")

    @property
    def data_columns(self) -> tuple[Column, ...]:
        """Columns stored inside the files (partition columns live in the path)."""
        return tuple(c for c in self.columns if c.name not in self.partition_by)

    @property
    def partition_columns(self) -> tuple[Column, ...]:
        return tuple(self.column(n) for n in self.partition_by)

    def spark_schema(self, include_partitions: bool = True) -> StructType:
        from pyspark.sql.types import StructField, StructType

        cols = self.columns if include_partitions else self.data_columns
        return StructType([StructField(c.name, c.spark_type, nullable=True) for c in cols])


@dataclass(frozen=True)
class Entity:
    """A Bronze entity: the raw CSV contract and how its rows relate (change records or events, parent keys)."""

    name: str
    kind: RecordKind
    key: str
    columns: tuple[Column, ...]
    description: str
    foreign_keys: tuple[ForeignKey, ...] = ()
    version_column: str | None = None  # for CHANGE entities: the column that orders versions
    event_time_column: str | None = None  # for EVENT entities: when it happened
    # A row whose parent is unknown (ORPHAN_FK) is held in the quarantine and retried on later runs; it
    # loads if its parent is known by ingest_date + orphan_retry_days, else it expires (ORPHAN_FK_EXPIRED).
    orphan_retry_days: int = 0

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"bronze.{self.name} has no column {name!r}")

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def pii_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.pii]

    def raw_spark_schema(self) -> StructType:
        """Every contract column as a string: how Bronze CSV is read (no inference, ever)."""
        from pyspark.sql.types import StringType, StructField, StructType

        return StructType([StructField(c.name, StringType(), nullable=True) for c in self.columns])


@dataclass(frozen=True)
class Reason:
    code: str
    description: str


@dataclass(frozen=True)
class ReasonCatalog:
    """Reason codes shared by the generator's manifest, the Silver quarantine and the run report."""

    reasons: tuple[Reason, ...] = field(default_factory=tuple)

    @property
    def codes(self) -> list[str]:
        return [r.code for r in self.reasons]
