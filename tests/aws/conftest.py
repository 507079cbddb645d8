"""The local AWS of the end-to-end test: one moto server per session, provisioned as Terraform would."""

from __future__ import annotations

import pytest
from aws_local import LocalAws, Names


@pytest.fixture(scope="session")
def local_aws(tmp_path_factory):
    """moto on 127.0.0.1 (a free port) with terraform/envs/dev's buckets, KMS key and Glue databases."""
    aws = LocalAws.start(Names.from_terraform("dev"), log=tmp_path_factory.mktemp("moto") / "moto_server.log")
    try:
        aws.provision()
        yield aws
    finally:
        aws.stop()


@pytest.fixture(scope="session")
def local_twin(spark, tmp_path_factory):
    """Generated Bronze (100 customers: enough defaults among ~65 loans to train on) and the local-filesystem
    run of both jobs on it, the reference the AWS run is compared with."""
    from finlake.generate import GeneratorConfig, generate
    from finlake.gold.job import GoldParams, run_silver_to_gold
    from finlake.lake import Lake
    from finlake.silver.job import run_bronze_to_silver

    root = tmp_path_factory.mktemp("aws_twin") / "lake"
    lake = Lake.local(root)
    generate(str(root), GeneratorConfig.resolve(customers=100, days=3, seed=11), log=lambda _: None)
    run_bronze_to_silver(spark, lake, full_refresh=False, run_id="20260101T000000Z-silver")
    run_silver_to_gold(spark, lake, GoldParams(), run_id="20260101T000100Z-gold")
    return lake
