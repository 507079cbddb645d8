"""What the catalog says about each table, derived from the contract declarations.

Bronze is registered as raw text (every column `string`, as the CSV is read: Silver does the typing),
partitioned by `ingest_date`. Silver and Gold are Parquet with the declared Hive types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from finlake.contracts.bronze import ENTITIES
from finlake.contracts.gold import GOLD_TABLES
from finlake.contracts.model import Layer
from finlake.contracts.silver import SILVER_TABLES
from finlake.errors import FinlakeError

BRONZE_PARTITION_KEY = "ingest_date"
GLUE_COMMENT_MAX = 255  # Glue rejects longer column comments

DataFormat = Literal["csv", "parquet"]


@dataclass(frozen=True)
class CatalogColumn:
    name: str
    type: str
    comment: str = ""


@dataclass(frozen=True)
class TableSpec:
    layer: Layer
    name: str
    description: str
    data_format: DataFormat
    columns: tuple[CatalogColumn, ...]  # stored in the files
    partition_keys: tuple[CatalogColumn, ...] = ()  # stored in the folder names
    parameters: dict[str, str] = field(default_factory=dict)
    restricted: bool = False

    @property
    def qualified_name(self) -> str:
        return f"{self.layer}.{self.name}"

    @property
    def all_columns(self) -> tuple[CatalogColumn, ...]:
        return self.columns + self.partition_keys


def _bronze_spec(name: str) -> TableSpec:
    entity = ENTITIES[name]
    return TableSpec(
        layer=Layer.BRONZE,
        name=name,
        description=entity.description,
        data_format="csv",
        columns=tuple(
            CatalogColumn(c.name, "string", f"{c.description} Raw text; Silver casts it to {c.type}.")
            for c in entity.columns
        ),
        partition_keys=(CatalogColumn(BRONZE_PARTITION_KEY, "string", "Day the file landed, YYYY-MM-DD."),),
        parameters={"finlake.key": entity.key, "finlake.record_kind": str(entity.kind)},
    )


def _parquet_spec(layer: Layer, name: str) -> TableSpec:
    table = (SILVER_TABLES if layer == Layer.SILVER else GOLD_TABLES)[name]
    return TableSpec(
        layer=layer,
        name=name,
        description=table.description,
        data_format="parquet",
        columns=tuple(CatalogColumn(c.name, c.type, c.description) for c in table.data_columns),
        partition_keys=tuple(CatalogColumn(c.name, c.type, c.description) for c in table.partition_columns),
        parameters={"finlake.grain": table.grain, "finlake.key": ",".join(table.key)},
        restricted=table.restricted,
    )


def table_spec(layer: Layer | str, name: str) -> TableSpec:
    """The catalog view of one declared table; an undeclared one is an error naming it."""
    layer = Layer(layer)
    declared: dict[Layer, set[str]] = {
        Layer.BRONZE: set(ENTITIES),
        Layer.SILVER: set(SILVER_TABLES),
        Layer.GOLD: set(GOLD_TABLES),
    }
    if name not in declared[layer]:
        raise FinlakeError(f"{layer}.{name} is not declared in src/finlake/contracts/{layer}.py")
    return _bronze_spec(name) if layer == Layer.BRONZE else _parquet_spec(layer, name)
