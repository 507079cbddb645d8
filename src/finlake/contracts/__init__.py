"""Every table of the lake, declared once as data: Bronze contract, Silver and Gold tables."""

from finlake.contracts.bronze import ENTITIES, ENTITY_ORDER, REASONS
from finlake.contracts.gold import GOLD_TABLES
from finlake.contracts.model import Column, Entity, Layer, RecordKind, Table
from finlake.contracts.silver import SILVER_TABLES

TABLES: dict[str, Table] = {
    **{t.qualified_name: t for t in SILVER_TABLES.values()},
    **{t.qualified_name: t for t in GOLD_TABLES.values()},
}

__all__ = [
    "ENTITIES",
    "ENTITY_ORDER",
    "GOLD_TABLES",
    "REASONS",
    "SILVER_TABLES",
    "TABLES",
    "Column",
    "Entity",
    "Layer",
    "RecordKind",
    "Table",
]
