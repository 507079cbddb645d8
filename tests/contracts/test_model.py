"""The declarations themselves are consistent: keys, partitions and types all resolve."""

from __future__ import annotations

from pyspark.sql.types import DecimalType, StringType

from finlake.contracts import ENTITIES, ENTITY_ORDER, TABLES
from finlake.contracts.bronze import REASONS


def test_every_entity_key_and_foreign_key_is_a_declared_column():
    for entity in ENTITIES.values():
        assert entity.key in entity.column_names
        for fk in entity.foreign_keys:
            assert fk.column in entity.column_names
            parent = ENTITIES[fk.parent]
            assert fk.parent_column == parent.key
            assert ENTITY_ORDER.index(fk.parent) < ENTITY_ORDER.index(entity.name)


def test_every_table_key_and_partition_is_a_column_and_types_parse():
    for table in TABLES.values():
        for name in (*table.key, *table.partition_by):
            assert name in table.column_names, (table.qualified_name, name)
        schema = table.spark_schema()
        assert [f.name for f in schema.fields] == table.column_names
        assert len(set(table.column_names)) == len(table.column_names)


def test_bronze_is_read_as_strings_and_money_is_decimal():
    tx = ENTITIES["transactions"]
    assert all(isinstance(f.dataType, StringType) for f in tx.raw_spark_schema().fields)
    assert tx.column("amount").spark_type == DecimalType(18, 2)


def test_no_direct_identifier_reaches_an_unrestricted_table():
    pii = {c.name for e in ENTITIES.values() for c in e.columns if c.pii}
    assert pii == {"first_name", "last_name", "email", "phone", "street_address"}
    for table in TABLES.values():
        if not table.restricted:
            assert not pii & set(table.column_names), table.qualified_name


def test_reason_codes_are_unique():
    assert len(set(REASONS.codes)) == len(REASONS.codes)


def test_a_columns_range_is_read_as_the_decimals_its_bounds_are_written_as():
    from decimal import Decimal

    from finlake.contracts.model import Column

    column = Column("rate", "decimal(9,4)", "a rate", min_value=0.1, max_value=1e9)
    # the text of the bound, not the double's binary value (0.1000000000000000055511151231257827...)
    assert column.decimal_range == (Decimal("0.1"), Decimal("1000000000.0"))
    assert Column("note", "string", "free text").decimal_range == (None, None)
