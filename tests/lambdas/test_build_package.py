"""The Lambda zip is reproducible and self-sufficient (the handler imports from the zip alone)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "lambdas"))

from build_package import build  # noqa: E402


def test_zip_is_byte_identical_across_builds(tmp_path):
    a = build("high_risk_alert", tmp_path / "a.zip").read_bytes()
    b = build("high_risk_alert", tmp_path / "b.zip").read_bytes()
    assert a == b


def test_handler_imports_from_the_zip_alone(tmp_path):
    archive = build("high_risk_alert", tmp_path / "f.zip")
    with zipfile.ZipFile(archive) as z:
        assert sorted(z.namelist()) == [
            "finlake/__init__.py",
            "finlake/alerting.py",
            "handler.py",
            "high_risk_new_entrants.sql",
            "loans_whose_risk_rose.sql",
        ]
        z.extractall(tmp_path / "task")
    # -I: isolated, so the project's installed finlake cannot stand in for the packaged copy.
    code = (
        "import sys; sys.path.insert(0, '.'); import handler, finlake.alerting as a; "
        "assert a.__file__.startswith(sys.path[0]) or a.__file__.startswith('./') or 'task' in a.__file__; "
        "print(handler.find_query_file(*handler.QUERY_DIRS).name); "
        "print(handler.find_query_file(*handler.QUERY_DIRS, file_name=handler.RISK_ROSE_QUERY_FILE).parent.name)"
    )
    proc = subprocess.run([sys.executable, "-I", "-c", code], cwd=tmp_path / "task", capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    # Both alert queries are found next to the handler, in the zip (not in the repository's athena/).
    assert proc.stdout.split() == ["high_risk_new_entrants.sql", "task"]
