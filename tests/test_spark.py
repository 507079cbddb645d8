"""finlake.spark: run_concurrently (results by name, every task finished before a failure is raised),
start_in_background, the local session's Python workers, its local file system, its JIT settings, its
class path and its class archive."""

from __future__ import annotations

import os
import re
import stat
import sys
import threading
import time

import pytest

from finlake import class_archive
from finlake.iceberg import LOCAL_FS
from finlake.spark import CODEGEN_CACHE_ENTRIES, DRIVER_JAVA_OPTIONS, check_java, run_concurrently, start_in_background


def test_results_come_back_by_name_and_tasks_overlap():
    started = threading.Barrier(3, timeout=5)  # fails unless all three run at the same time

    def task(value: int):
        def run() -> int:
            started.wait()
            return value * 10

        return run

    assert run_concurrently({"a": task(1), "b": task(2), "c": task(3)}) == {"a": 10, "b": 20, "c": 30}


def test_the_first_failure_in_order_is_raised_after_every_task_finished():
    finished = []

    def slow() -> None:
        time.sleep(0.3)
        finished.append("slow")

    def fails(message: str):
        def run() -> None:
            raise ValueError(message)

        return run

    with pytest.raises(ValueError, match="first"):
        run_concurrently({"ok": slow, "x": fails("first"), "y": fails("second")})
    assert finished == ["slow"]  # the caller's cleanup never races a task still running


def test_a_single_task_runs_in_the_calling_thread():
    caller = threading.get_ident()
    assert run_concurrently({"only": threading.get_ident}) == {"only": caller}


def test_a_background_task_runs_beside_the_caller_and_its_result_comes_back():
    both = threading.Barrier(2, timeout=5)  # fails unless the task and the caller run at the same time

    def task() -> str:
        both.wait()
        return threading.current_thread().name

    future = start_in_background(task, "probe")
    both.wait()
    assert future.result(timeout=5).startswith("finlake-probe")


def test_python_workers_run_the_drivers_interpreter(spark):
    # a DataFrame from local rows is decoded by Python workers: they must be this venv's Python
    executables = spark.createDataFrame([(1,), (2,)], "n int").rdd.map(lambda _: sys.executable).collect()
    assert set(executables) == {sys.executable}


def test_local_files_are_written_through_java_nio_with_the_usual_permissions(spark, tmp_path):
    jvm = spark.sparkContext._jvm
    hadoop = spark.sparkContext._jsc.hadoopConfiguration()
    fs = jvm.org.apache.hadoop.fs.FileSystem.get(jvm.java.net.URI.create("file:///"), hadoop)
    assert fs.getClass().getName() == LOCAL_FS  # no `chmod` process per file written

    out = tmp_path / "table"
    spark.range(3).write.parquet(str(out))
    data = [f for f in os.listdir(out) if f.endswith(".parquet")]
    assert data and spark.read.parquet(str(out)).count() == 3
    assert stat.S_IMODE((out / data[0]).stat().st_mode) == 0o644  # rw-rw-rw- under Hadoop's umask 022
    status = fs.getFileStatus(jvm.org.apache.hadoop.fs.Path(str(out / data[0])))
    assert status.getPermission().toShort() == 0o644  # read without an `ls` process


def test_the_driver_jvm_runs_with_the_raised_c2_thresholds_and_the_parallel_collector(spark):
    jvm = spark.sparkContext._jvm
    arguments = set(jvm.java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments())
    assert set(DRIVER_JAVA_OPTIONS.split()) <= arguments
    flags = jvm.java.lang.management.ManagementFactory.getPlatformMXBean(
        jvm.java.lang.Class.forName("com.sun.management.HotSpotDiagnosticMXBean")
    )
    for option in DRIVER_JAVA_OPTIONS.split():  # the JVM took each value, not just the argument
        flag = option.removeprefix("-XX:")
        name, value = flag.split("=") if "=" in flag else (flag.removeprefix("+"), "true")
        assert flags.getVMOption(name).getValue() == value
    collectors = {b.getName() for b in jvm.java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()}
    assert collectors == {"PS Scavenge", "PS MarkSweep"}  # the Parallel collector, not G1


def test_generated_code_is_not_compiled_again_after_a_hundred_other_queries(spark):
    compilations = spark.sparkContext._jvm.org.apache.spark.metrics.source.CodegenMetrics.METRIC_COMPILATION_TIME()

    def query(i: int) -> None:
        spark.range(1).selectExpr(f"id * 7 + {i} AS x_{i}").collect()  # a distinct generated class each

    query(0)
    others = 150  # more than Spark's default cache (100 classes), fewer than ours
    assert others < CODEGEN_CACHE_ENTRIES
    for i in range(1, others + 1):
        query(i)
    before = compilations.getCount()
    query(0)
    assert compilations.getCount() == before  # the first query's class came from the cache


def test_the_iceberg_jars_are_on_the_driver_class_path_not_copied_per_session(spark):
    assert spark.conf.get("spark.jars", "") == ""  # `spark.jars` copies every jar into a temporary folder
    loader = spark.sparkContext._jvm.java.lang.ClassLoader.getSystemClassLoader()
    assert (
        loader.loadClass("org.apache.iceberg.spark.SparkCatalog").getName() == "org.apache.iceberg.spark.SparkCatalog"
    )


def _vm_info(spark) -> str:
    """What `jcmd <pid> VM.info` prints, asked of the JVM itself (the JRE has no jcmd)."""
    jvm, gateway = spark.sparkContext._jvm, spark.sparkContext._gateway

    def array(kind, *items):
        out = gateway.new_array(kind, len(items))
        for i, item in enumerate(items):
            out[i] = item
        return out

    server = jvm.java.lang.management.ManagementFactory.getPlatformMBeanServer()
    name = jvm.javax.management.ObjectName("com.sun.management:type=DiagnosticCommand")
    strings = jvm.java.lang.Class.forName("[Ljava.lang.String;")
    # through the public interface's method: py4j cannot call the server's own (JDK-internal) class
    cls = jvm.java.lang.Class
    invoke = cls.forName("javax.management.MBeanServer").getMethod(
        "invoke",
        array(cls, name.getClass(), cls.forName("java.lang.String"), cls.forName("[Ljava.lang.Object;"), strings),
    )
    no_arguments = array(jvm.java.lang.Object, None)
    call = array(jvm.java.lang.Object, name, "vmInfo", no_arguments, array(jvm.java.lang.String, strings.getName()))
    return invoke.invoke(server, call)


def test_the_driver_jvm_maps_the_class_archive_make_built(spark):
    # `make test` builds the archive first; its build never fails `make`, so a broken build shows here
    archive = class_archive.archive_path(check_java())
    assert archive.is_file(), f"no class archive at {archive}: `make class-archive` could not build it (see its line)"
    jvm = spark.sparkContext._jvm
    arguments = set(jvm.java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments())
    assert f"-XX:SharedArchiveFile={archive}" in arguments
    mapped = re.search(r"CDS archive\(s\) mapped at: .*size (\d+)", _vm_info(spark))
    assert mapped, "the JVM maps no class archive"
    assert int(mapped.group(1)) > archive.stat().st_size  # the JDK's base archive with this one on top
