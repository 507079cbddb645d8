"""What machine a benchmark ran on: cores, memory, OS, runtimes, and how busy it was."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from importlib import metadata
from typing import Any

import psutil

from finlake.spark import DEFAULT_DRIVER_MEMORY


def _os_name() -> str:
    try:
        with open("/etc/os-release", encoding="utf-8") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return platform.platform()


def _java_version() -> str:
    java = shutil.which("java")
    if not java:
        return "not found"
    out = subprocess.run([java, "-version"], capture_output=True, text=True).stderr.strip()
    return out.splitlines()[0] if out else "unknown"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def describe() -> dict[str, Any]:
    cpu_model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu_model = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "")
    except OSError:
        pass
    return {
        "logical_cores": os.cpu_count(),
        "physical_cores": psutil.cpu_count(logical=False),
        "cpu_model": cpu_model or platform.processor(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "os": _os_name(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "java": _java_version(),
        "spark": _version("pyspark"),
        "duckdb": _version("duckdb"),
        "spark_driver_memory": os.environ.get("FINLAKE_DRIVER_MEMORY", DEFAULT_DRIVER_MEMORY),
        "load_average_at_start": load_average(),
    }
