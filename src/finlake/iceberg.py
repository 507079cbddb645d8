"""Apache Iceberg underneath Silver, Gold and the quarantine: the jars, the catalog, table identifiers.

One Spark catalog, named `finlake`, holds every table:

- locally an Iceberg JDBC catalog in SQLite at `<lake>/_catalog/iceberg.db` (warehouse: the lake
  root), which Spark's `JdbcCatalog` and PyIceberg's `SqlCatalog` both open;
- on AWS the Glue Data Catalog (Glue 5.1's native Iceberg 1.10.0, `--datalake-formats iceberg`),
  with S3FileIO; databases carry the environment's prefix (`finlake_dev_silver`).

Namespaces are the layers: `silver`, `silver_restricted`, `quarantine`, `gold`. A table's files live
at `<layer root>/<table>/` (`data/`, `metadata/`), the place the old layout used, so bucket policies
and IAM grants follow the layer roots.

A SparkSession can serve several lakes one after another (the test suite does): `bind` points the
catalog at a lake and, if it was bound to another one, drops Spark's cached catalog instance.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from pyspark.sql import SparkSession

from finlake.errors import FinlakeError
from finlake.lake import Lake

CATALOG = "finlake"
CATALOG_FILE = "iceberg.db"
NAMESPACES = ("silver", "silver_restricted", "quarantine", "gold")
EXTENSIONS = "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"
# What jvm/pom.xml declares; `make jars` copies them into .jars/ (FINLAKE_JARS_DIR overrides).
JARS = (
    "iceberg-spark-runtime-3.5_2.12-1.10.0.jar",
    "iceberg-aws-bundle-1.10.0.jar",
    "sqlite-jdbc-3.50.3.0.jar",
    # S3A, so local Spark reads s3:// (Bronze) as Glue's EMRFS does: the hadoop-aws of pyspark's Hadoop 3.3.4.
    "hadoop-aws-3.3.4.jar",
    "aws-java-sdk-bundle-1.12.262.jar",
    "hadoop-bare-naked-local-fs-0.1.0.jar",  # LOCAL_FS, below
)
# Hadoop's local file system, without its native library (pip's pyspark has none), forks `chmod` for
# every file it writes and `ls` to read permissions: ~1,400 processes in one `make run`. This one
# does the same through java.nio (docs/benchmarks.md, session 11).
LOCAL_FS = "com.globalmentor.apache.hadoop.fs.BareLocalFileSystem"
_REPO_JARS = Path(__file__).resolve().parents[2] / ".jars"
_bind_lock = threading.Lock()


def jars_dir() -> Path:
    return Path(os.environ.get("FINLAKE_JARS_DIR") or _REPO_JARS)


def jar_paths() -> list[str]:
    """The local Spark classpath additions; one line if they were never fetched."""
    folder = jars_dir()
    missing = [j for j in JARS if not (folder / j).is_file()]
    if missing:
        raise FinlakeError(
            f"Iceberg jars missing in {folder} ({', '.join(missing)}): run `make jars` (fetches them once with mvn)"
        )
    return [str(folder / j) for j in JARS]


def aws_endpoint(service: str) -> str:
    """A non-AWS endpoint for `service` (a local AWS such as moto) from the SDKs' standard variables
    AWS_ENDPOINT_URL_<SERVICE> / AWS_ENDPOINT_URL; "" (the real AWS) when neither is set."""
    return os.environ.get(f"AWS_ENDPOINT_URL_{service.upper()}") or os.environ.get("AWS_ENDPOINT_URL") or ""


def _s3a_config() -> dict[str, str]:
    """s3:// through S3A locally; pointed at a local endpoint (path-style) when one is set."""
    conf = {"spark.hadoop.fs.s3.impl": "org.apache.hadoop.fs.s3a.S3AFileSystem"}
    endpoint = aws_endpoint("s3")
    if endpoint:
        conf |= {
            "spark.hadoop.fs.s3a.endpoint": endpoint,
            "spark.hadoop.fs.s3a.path.style.access": "true",
            "spark.hadoop.fs.s3a.connection.ssl.enabled": str(endpoint.startswith("https")).lower(),
            "spark.hadoop.fs.s3a.endpoint.region": os.environ.get("AWS_REGION", "us-east-1"),
        }
    return conf


def session_config(master: str) -> dict[str, str]:
    """Static settings a local session needs at start (on Glue: --datalake-formats iceberg + --conf)."""
    jars = jar_paths()
    # On the driver's class path: with a `local` master the executor is the driver, and `spark.jars`
    # would copy ~390 MB of jars into a temporary folder for every session (left behind when the
    # process is killed), where the JVM's class archive (class_archive) cannot hold their classes. A
    # cluster's executors still get them through `spark.jars`. The local file system's jar is needed
    # there in any case: the JVM opens file:// before `spark.jars` are loaded.
    shipped = {} if master.startswith("local") else {"spark.jars": ",".join(jars)}
    return (
        {
            "spark.driver.extraClassPath": os.pathsep.join(jars),
            "spark.hadoop.fs.file.impl": LOCAL_FS,
            "spark.sql.extensions": EXTENSIONS,
        }
        | shipped
        | _s3a_config()
    )


def catalog_file(lake: Lake) -> str:
    return f"{lake.catalog.rstrip('/')}/{CATALOG_FILE}"


def catalog_properties(lake: Lake) -> dict[str, str]:
    """The `finlake` catalog's properties for this lake (keys without the spark.sql.catalog prefix)."""
    if lake.silver.startswith("s3://"):
        props = {
            "catalog-impl": "org.apache.iceberg.aws.glue.GlueCatalog",
            "io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
            "warehouse": lake.silver,
        }
        if lake.kms_key_id:  # every data and metadata file under the lake key (the bucket policy demands SSE-KMS)
            props |= {"s3.sse.type": "kms", "s3.sse.key": lake.kms_key_id}
        if aws_endpoint("glue"):  # a local AWS (tests/aws): its Glue, and its S3 addressed path-style
            props |= {"glue.endpoint": aws_endpoint("glue")}
        if aws_endpoint("s3"):
            props |= {"s3.endpoint": aws_endpoint("s3"), "s3.path-style-access": "true"}
        return props
    return {
        "type": "jdbc",
        "uri": f"jdbc:sqlite:{catalog_file(lake)}",
        "warehouse": f"file://{Path(lake.silver).parent}",
        "jdbc.schema-version": "V1",  # the schema PyIceberg's SqlCatalog reads and writes
        # A job commits several tables at once from threads, and readers (query, dashboard, a test's
        # session) may hold the file open: write-ahead logging lets readers and the writer proceed
        # together, and a writer waits for another writer's lock instead of failing.
        "jdbc.journal_mode": "WAL",
        "jdbc.busy_timeout": "60000",
        # One pooled connection: with two, one could still sit in a read transaction that hides a
        # table the other just created (seen as TABLE_OR_VIEW_NOT_FOUND / SQLITE_BUSY under load).
        "clients": "1",
        "cache-enabled": "false",  # see commits made by other processes (erasure, a second writer)
    }


def bind(spark: SparkSession, lake: Lake) -> None:
    """Point the session's `finlake` catalog at `lake` (a no-op when it already is)."""
    props = catalog_properties(lake)
    key = f"spark.sql.catalog.{CATALOG}"
    with _bind_lock:
        current = spark.conf.get(f"{key}.uri", None) or spark.conf.get(f"{key}.warehouse", None)
        wanted = props.get("uri") or props.get("warehouse")
        if spark.conf.get(key, None) and current == wanted:
            return
        if "uri" in props:
            check_not_moved(lake)
            Path(catalog_file(lake)).parent.mkdir(parents=True, exist_ok=True)
        spark.conf.set(key, "org.apache.iceberg.spark.SparkCatalog")
        for name, value in props.items():
            spark.conf.set(f"{key}.{name}", value)
        # CatalogManager keeps the first instance it made for a name; forget it so the new conf is read.
        spark._jsparkSession.sessionState().catalogManager().reset()  # type: ignore[attr-defined]


def check_not_moved(lake: Lake) -> None:
    """Iceberg metadata holds absolute paths: a copied or moved local lake would read (and commit
    into) the original's files. Refuse it in one line instead."""
    path = Path(catalog_file(lake))
    if lake.silver.startswith("s3://") or not path.is_file():
        return
    import sqlite3

    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
        row = con.execute("SELECT metadata_location FROM iceberg_tables LIMIT 1").fetchone()
    root = str(Path(lake.silver).parent)
    if row and row[0] and not row[0].removeprefix("file:").startswith(root + "/"):
        origin = row[0].removeprefix("file:").split("/silver", 1)[0].split("/gold", 1)[0]
        raise FinlakeError(
            f"the lake at {root} was copied or moved from {origin} (its Iceberg tables point there): "
            "rebuild it here with `finlake bronze-to-silver --full-refresh` after removing _catalog/, "
            "silver/, silver_restricted/, quarantine/ and gold/"
        )


def namespace(lake: Lake, layer: str) -> str:
    if layer not in NAMESPACES:
        raise FinlakeError(f"unknown layer {layer!r}: expected one of {', '.join(NAMESPACES)}")
    return f"{lake.database_prefix}_{layer}" if lake.database_prefix else layer


def identifier(lake: Lake, layer: str, table: str) -> str:
    """`finlake.<namespace>.<table>`, what Spark SQL and DataFrameWriterV2 take."""
    return f"{CATALOG}.{namespace(lake, layer)}.{table}"
