"""S3 publish: versioned prefixes, the Glue catalog repoint and `_CURRENT`, against moto's S3 and Glue.

Local Spark here cannot write s3:// (no hadoop-aws jar), so the writer is a callable that uploads
files with boto3, as Spark would on Glue; the protocol around it (manifest, catalog, `_CURRENT`,
cleanup) is the real code. Reading a version is tested with Spark over local folders laid out the
same way.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from chispa import assert_df_equality
from moto import mock_aws
from pyspark.sql import types as T

from finlake import publish_s3
from finlake.contracts.silver import SILVER_TABLES
from finlake.errors import FinlakeError
from finlake.publish import cleanup_versions, current_version_path, publish_dataframe, read_version, staged_version

REGION = "eu-central-1"
BUCKET = "finlake-dev-silver"
DATABASE = "finlake_dev_silver"
TRANSACTIONS = f"s3://{BUCKET}/transactions"
CUSTOMERS = f"s3://{BUCKET}/customers"


@pytest.fixture
def aws(monkeypatch) -> Iterator[dict[str, Any]]:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        glue = boto3.client("glue", region_name=REGION)
        glue.create_database(DatabaseInput={"Name": DATABASE})
        publish_s3.bind_lake_catalog(f"s3://{BUCKET}/", f"s3://{BUCKET}-gold/", "finlake_dev")
        yield {"s3": s3, "glue": glue}
        publish_s3.clear_catalog_bindings()


def put(s3: Any, prefix_uri: str, files: dict[str, bytes]) -> None:
    """What Spark would leave under a version prefix: data files plus a _SUCCESS marker."""
    key = prefix_uri.removeprefix(f"s3://{BUCKET}/").rstrip("/")
    for rel, body in {**files, "_SUCCESS": b""}.items():
        s3.put_object(Bucket=BUCKET, Key=f"{key}/{rel}", Body=body)


def keys(s3: Any, prefix: str) -> list[str]:
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", []))


def catalog_partitions(glue: Any, table: str) -> dict[str, str]:
    parts = glue.get_partitions(DatabaseName=DATABASE, TableName=table)["Partitions"]
    return {p["Values"][0]: p["StorageDescriptor"]["Location"] for p in parts}


def current_object(s3: Any, table: str) -> dict[str, Any]:
    return json.loads(s3.get_object(Bucket=BUCKET, Key=f"{table}/_CURRENT")["Body"].read())


def version_prefix(table: str, version: str) -> str:
    return f"s3://{BUCKET}/_versions/{table}/{version}/"


def publish_months(months: list[str], carry: bool = True, **kwargs: Any) -> str:
    """Publish transactions with one file per given month; returns the new version's name."""
    with staged_version(TRANSACTIONS, carry_unchanged_partitions=carry, **kwargs) as staging:
        s3 = boto3.client("s3", region_name=REGION)
        put(s3, str(staging), {f"booked_month={m}/part-0.parquet": m.encode() for m in months})
    return staging.name


def test_partitioned_publish_repoints_only_rewritten_partitions(aws):
    s3, glue = aws["s3"], aws["glue"]
    first = publish_months(["2024-01", "2024-02"], carry=False)

    table = glue.get_table(DatabaseName=DATABASE, Name="transactions")["Table"]
    assert table["StorageDescriptor"]["Location"] == version_prefix("transactions", first)
    assert [c["Name"] for c in table["PartitionKeys"]] == ["booked_month"]
    declared = [c.name for c in SILVER_TABLES["transactions"].columns if c.name != "booked_month"]
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]] == declared
    assert catalog_partitions(glue, "transactions") == {
        "2024-01": version_prefix("transactions", first) + "booked_month=2024-01/",
        "2024-02": version_prefix("transactions", first) + "booked_month=2024-02/",
    }

    second = publish_months(["2024-02", "2024-03"])

    table = glue.get_table(DatabaseName=DATABASE, Name="transactions")["Table"]
    assert table["StorageDescriptor"]["Location"] == version_prefix("transactions", second)
    expected = {
        "2024-01": version_prefix("transactions", first) + "booked_month=2024-01/",  # unchanged: old prefix
        "2024-02": version_prefix("transactions", second) + "booked_month=2024-02/",
        "2024-03": version_prefix("transactions", second) + "booked_month=2024-03/",
    }
    assert catalog_partitions(glue, "transactions") == expected
    pointer = current_object(s3, "transactions")
    assert pointer["version"] == second
    assert pointer["partitions"] == {f"booked_month={m}": uri for m, uri in expected.items()}
    assert pointer["written"] == ["booked_month=2024-02", "booked_month=2024-03"]
    # path readers resolve the same thing through _CURRENT
    assert dict(current_version_path(TRANSACTIONS).partitions) == pointer["partitions"]


def test_failure_before_repoint_leaves_catalog_and_current_on_old_version(aws):
    s3, glue = aws["s3"], aws["glue"]
    first = publish_months(["2024-01"], carry=False)
    before = current_object(s3, "transactions")

    with (
        pytest.raises(RuntimeError, match="executor lost"),
        staged_version(TRANSACTIONS, carry_unchanged_partitions=True) as staging,
    ):
        put(s3, str(staging), {"booked_month=2024-01/part-0.parquet": b"half"})
        raise RuntimeError("executor lost")

    assert glue.get_table(DatabaseName=DATABASE, Name="transactions")["Table"]["StorageDescriptor"]["Location"] == (
        version_prefix("transactions", first)
    )
    assert catalog_partitions(glue, "transactions") == {
        "2024-01": version_prefix("transactions", first) + "booked_month=2024-01/"
    }
    assert current_object(s3, "transactions") == before
    # the half-written prefix is gone; only the published version remains
    assert {k.split("/")[2] for k in keys(s3, "_versions/transactions/")} == {first}


def test_failed_repoint_keeps_current_and_says_so(aws):
    s3, glue = aws["s3"], aws["glue"]
    publish_months(["2024-01"], carry=False)
    before = current_object(s3, "transactions")
    glue.delete_table(DatabaseName=DATABASE, Name="transactions")
    glue.delete_database(Name=DATABASE)  # the repoint cannot succeed

    with pytest.raises(FinlakeError, match="repointing the Glue catalog"):
        publish_months(["2024-02"])

    assert current_object(s3, "transactions") == before


def test_full_rewrite_drops_partitions_that_are_gone(aws):
    glue = aws["glue"]
    publish_months(["2024-01", "2024-02"], carry=False)
    third = publish_months(["2024-03"], carry=False)
    assert catalog_partitions(glue, "transactions") == {
        "2024-03": version_prefix("transactions", third) + "booked_month=2024-03/"
    }


def test_cleanup_never_deletes_a_prefix_still_in_use(aws):
    s3 = aws["s3"]
    first = publish_months(["2024-01", "2024-02"], carry=False, keep_versions=1)
    second = publish_months(["2024-02"], keep_versions=1)
    third = publish_months(["2024-02"], keep_versions=1)
    # 2024-01 still lives under the first version's prefix: that prefix stays; the second is unused
    versions = {k.split("/")[2] for k in keys(s3, "_versions/transactions/")}
    assert versions == {first, third}
    assert second not in versions
    assert keys(s3, f"_versions/transactions/{first}/booked_month=2024-01/") == [
        f"_versions/transactions/{first}/booked_month=2024-01/part-0.parquet"
    ]
    assert cleanup_versions(TRANSACTIONS, keep_versions=1) == ()


def test_unpartitioned_publish_moves_the_table_location(aws):
    s3, glue = aws["s3"], aws["glue"]
    versions = []
    for body in (b"one", b"two"):
        with staged_version(CUSTOMERS) as staging:
            put(s3, str(staging), {"part-0.parquet": body})
        versions.append(staging.name)
    table = glue.get_table(DatabaseName=DATABASE, Name="customers")["Table"]
    assert table["StorageDescriptor"]["Location"] == version_prefix("customers", versions[1])
    assert table["PartitionKeys"] == []
    assert current_object(s3, "customers")["partitions"] == {}
    assert not current_object(s3, "customers")["empty"]


def test_unbound_root_publishes_by_current_alone(aws):
    s3, glue = aws["s3"], aws["glue"]
    s3.create_bucket(Bucket="finlake-dev-quarantine", CreateBucketConfiguration={"LocationConstraint": REGION})
    with staged_version("s3://finlake-dev-quarantine/loans") as staging:
        s3.put_object(Bucket="finlake-dev-quarantine", Key=f"_versions/loans/{staging.name}/part-0.parquet", Body=b"x")
    pointer = json.loads(s3.get_object(Bucket="finlake-dev-quarantine", Key="loans/_CURRENT")["Body"].read())
    assert pointer["version"] == staging.name
    assert glue.get_tables(DatabaseName=DATABASE)["TableList"] == []


def test_undeclared_table_is_refused_before_anything_is_repointed(aws):
    s3 = aws["s3"]
    with (
        pytest.raises(FinlakeError, match=r"silver\.mystery is not declared"),
        staged_version(f"s3://{BUCKET}/mystery") as staging,
    ):
        put(s3, str(staging), {"part-0.parquet": b"x"})
    assert keys(s3, "mystery/") == []
    assert keys(s3, "_versions/mystery/") == []  # nothing was repointed, so the new prefix was removed


def _parquet(rows: list[dict[str, Any]], schema: pa.Schema) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), buffer)
    return buffer.getvalue()


def test_publish_dataframe_on_s3_with_a_passed_in_writer(spark, aws):
    s3 = aws["s3"]
    schema = T.StructType([T.StructField("customer_id", T.StringType()), T.StructField("n", T.IntegerType())])
    df = spark.createDataFrame([("c1", 1), ("c2", 2)], schema)
    arrow_schema = pa.schema([("customer_id", pa.string()), ("n", pa.int32())])

    def upload(frame: Any, path: str) -> None:  # what df.write.parquet(path) does on Glue
        rows = [r.asDict() for r in frame.orderBy("customer_id").collect()]
        put(s3, path, {"part-0.parquet": _parquet(rows, arrow_schema)})

    result = publish_dataframe(df, CUSTOMERS, write=upload)

    assert result.version_path == version_prefix("customers", result.version)
    assert current_object(s3, "customers")["version"] == result.version
    body = s3.get_object(Bucket=BUCKET, Key=f"_versions/customers/{result.version}/part-0.parquet")["Body"].read()
    assert pq.read_table(io.BytesIO(body)).to_pylist() == [{"customer_id": "c1", "n": 1}, {"customer_id": "c2", "n": 2}]


def test_read_version_spans_partitions_under_several_prefixes(spark, tmp_path):
    schema = T.StructType([T.StructField("id", T.IntegerType()), T.StructField("m", T.StringType())])
    old, new = tmp_path / "_versions/t/v1", tmp_path / "_versions/t/v2"
    spark.createDataFrame([(1, "2024-01"), (2, "2024-02")], schema).write.partitionBy("m").parquet(str(old))
    spark.createDataFrame([(3, "2024-02")], schema).write.partitionBy("m").parquet(str(new))
    version = publish_s3.S3Version(
        name="v2",
        location=f"file://{new}/",
        partition_keys=("m",),
        partitions={"m=2024-01": f"file://{old}/m=2024-01/", "m=2024-02": f"file://{new}/m=2024-02/"},
    )
    expected = spark.createDataFrame([(1, "2024-01"), (3, "2024-02")], schema)
    actual = read_version(spark, version, schema)
    assert_df_equality(actual, expected, ignore_row_order=True)
    pruned = actual.where("m = '2024-02'")
    assert_df_equality(pruned, spark.createDataFrame([(3, "2024-02")], schema))
