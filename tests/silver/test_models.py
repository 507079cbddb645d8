"""The Silver registry covers exactly the Silver contract: every entity publishes, every table is published once."""

from finlake.contracts.bronze import ENTITIES
from finlake.contracts.silver import SILVER_TABLES
from finlake.silver.models import SILVER_MODELS


def test_every_entity_publishes_and_every_silver_table_has_one_builder():
    assert set(SILVER_MODELS) == set(ENTITIES)
    published = [table for tables in SILVER_MODELS.values() for table in tables]
    assert sorted(published) == sorted(SILVER_TABLES)
