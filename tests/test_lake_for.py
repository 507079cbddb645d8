"""The notebooks' lake: the local SQLite catalog, or on AWS the Glue catalog named as the Glue jobs name it."""

from __future__ import annotations

import pytest

from finlake import iceberg, storage
from finlake.errors import UsageError
from finlake.lake import lake_for


def test_no_aws_roots_is_the_local_lake_and_its_sqlite_catalog(tmp_path):
    lake = lake_for(str(tmp_path))
    assert iceberg.catalog_properties(lake)["uri"] == f"jdbc:sqlite:{tmp_path}/_catalog/iceberg.db"
    assert storage.ref("gold.loan_features").identifier(lake) == "finlake.gold.loan_features"


def test_aws_roots_are_the_glue_catalog_with_the_jobs_database_prefix(tmp_path):
    lake = lake_for(str(tmp_path), "s3://finlake-dev-silver/", "s3://finlake-dev-gold", "finlake_dev", "key-1")
    props = iceberg.catalog_properties(lake)
    assert props["catalog-impl"] == "org.apache.iceberg.aws.glue.GlueCatalog"
    assert props["warehouse"] == "s3://finlake-dev-silver" and props["s3.sse.key"] == "key-1"
    assert storage.ref("gold.customer_risk_scores").identifier(lake) == "finlake.finlake_dev_gold.customer_risk_scores"
    assert storage.ref("gold.customer_risk_scores").location(lake) == "s3://finlake-dev-gold/customer_risk_scores"
    assert lake.mlflow == f"{tmp_path}/_mlflow"


@pytest.mark.parametrize(
    "roots",
    [("", "s3://g", "finlake_dev"), ("s3://s", "s3://g", ""), ("s3://s", "/tmp/gold", "finlake_dev")],
)
def test_a_partial_or_local_aws_setting_is_one_line(tmp_path, roots):
    with pytest.raises(UsageError, match="the Glue catalog needs silver_root and gold_root as s3:// URIs"):
        lake_for(str(tmp_path), *roots)
