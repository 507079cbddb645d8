"""One way to build a local SparkSession, tuned for a laptop (on Glue the job's session is used), and
one way to run independent Spark actions concurrently (used by the jobs on Glue too)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import TypeVar

from finlake.errors import FinlakeError

T = TypeVar("T")
# The local driver's heap (FINLAKE_DRIVER_MEMORY overrides it). 3g runs the 16M-transaction lake with
# the whole process tree under 4 GiB and took no longer than 4g there (docs/benchmarks.md, session 8).
DEFAULT_DRIVER_MEMORY = "3g"
# The local driver JVM's options; PYSPARK_SUBMIT_ARGS="--driver-java-options ..." replaces them.
# - A default `finlake run` is JIT-bound on 2 cores: the C2 compiler thread used ~58 of the run's ~180
#   CPU seconds (C1 ~13 more), compiling thousands of Spark planner and generated-code methods that run
#   a few thousand times each and never again. Ten times the default tier-4 thresholds keeps C2 for
#   the really hot code (a big lake's per-row loops cross them in well under a second); measured in
#   docs/benchmarks.md (session 12).
# - The Parallel collector, not G1: Silver keeps its validated batch in the heap (a local checkpoint,
#   ~1.5 GiB at 5M transactions), a live set G1 marked concurrently over and over (~80 cycles, ~15 of
#   a 5M run's ~118 CPU seconds, on one of the 2 cores). The Parallel collector never marks
#   concurrently: GC ~21 -> ~10 CPU s, the run ~8% faster (docs/benchmarks.md, session 15).
DRIVER_JAVA_OPTIONS = (
    "-XX:Tier4InvocationThreshold=50000 -XX:Tier4MinInvocationThreshold=10000 "
    "-XX:Tier4CompileThreshold=100000 -XX:Tier4BackEdgeThreshold=400000 "
    "-XX:+UseParallelGC"
)
# Spark caches generated classes by their source, 100 by default. A default `finlake run` generates
# ~1,250 distinct classes, so with 100 it compiled ~270 evicted ones again (1,529 Janino compiles vs
# 1,256; docs/benchmarks.md, session 13). The entries are small classes, freed with the session.
CODEGEN_CACHE_ENTRIES = 2000
JAVA_HINT = "Java 17 is required: install it with `sudo apt-get install -y openjdk-17-jre-headless` (or brew install openjdk@17)."


def check_java() -> str:
    """The `java -version` text of the Java 17 on the PATH (or JAVA_HOME); one line if there is none."""
    java_home = os.environ.get("JAVA_HOME")
    java = os.path.join(java_home, "bin", "java") if java_home else shutil.which("java")
    if not java or not os.path.exists(java):
        raise FinlakeError(f"no java found. {JAVA_HINT}")
    out = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
    if 'version "17' not in out:
        first = out.splitlines()[0] if out else "unknown"
        raise FinlakeError(f"found {first}, but Spark 3.5 here is pinned to Java 17. {JAVA_HINT}")
    return out


def local_session(
    app_name: str = "finlake", shuffle_partitions: int | None = None, *, dump_class_archive: Path | None = None
):
    """A local SparkSession using every core, with settings that match how Glue 5.1 writes Parquet.
    Its JVM maps the class archive if one was built (`finlake.class_archive`, which passes
    `dump_class_archive` to build one)."""
    java_version = check_java()
    from pyspark.sql import SparkSession

    from finlake import class_archive
    from finlake.iceberg import session_config

    if dump_class_archive is not None:
        archive = class_archive.dump_options(dump_class_archive)
    else:
        archive = class_archive.java_options(java_version)

    cores = os.cpu_count() or 2
    master = os.environ.get("FINLAKE_SPARK_MASTER", f"local[{cores}]")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # a laptop's Spark talks only to itself
    # Python workers (a DataFrame made from local rows needs them) run this interpreter, not whatever
    # `python3` is first on the PATH: same version and packages as the driver.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.appName(app_name)
        .master(master)
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions or max(4, cores * 2)))
        .config("spark.sql.adaptive.enabled", "true")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.sources.partitionOverwriteMode", "dynamic")
        .config("spark.sql.parquet.compression.codec", "snappy")
        .config("spark.driver.memory", os.environ.get("FINLAKE_DRIVER_MEMORY", DEFAULT_DRIVER_MEMORY))
        .config("spark.driver.extraJavaOptions", f"{DRIVER_JAVA_OPTIONS} {archive}".strip())
        .config("spark.sql.codegen.cache.maxEntries", str(CODEGEN_CACHE_ENTRIES))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.ansi.enabled", "false")
    )
    for key, value in session_config(master).items():  # Iceberg's jars and SQL extensions (MERGE, CALL, branches)
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def run_concurrently(tasks: Mapping[str, Callable[[], T]]) -> dict[str, T]:
    """Run independent Spark actions from one thread each and return their results by name.

    Small tables spend most of an action in per-job latency (scheduling, planning, code generation),
    not in CPU, so their actions overlap well even on 2 cores; big ones simply share the executors.
    Every task is waited for before returning or raising (so nothing still writes after a caller's
    cleanup); the first failure, in the order given, is re-raised."""
    if len(tasks) <= 1:
        return {name: task() for name, task in tasks.items()}
    with ThreadPoolExecutor(max_workers=len(tasks), thread_name_prefix="finlake") as pool:
        futures = {name: pool.submit(task) for name, task in tasks.items()}
        wait(futures.values())
    return {name: future.result() for name, future in futures.items()}


def start_in_background(task: Callable[[], T], name: str) -> Future[T]:
    """Start `task` in a thread of its own, so its Spark jobs overlap the caller's work. As with
    `run_concurrently`, the caller waits for the future before it returns or raises."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"finlake-{name}")
    try:
        return pool.submit(task)
    finally:
        pool.shutdown(wait=False)  # the thread ends with the task
