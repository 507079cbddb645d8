"""The shared job runner: a failure is one line naming the step, the report is written either way."""

import json
from pathlib import Path

import pytest

from finlake.errors import FinlakeError
from finlake.jobrun import JobRun
from finlake.lake import Lake
from finlake.report import RunReport


def _run(tmp_path):
    lake = Lake.local(tmp_path / "lake")
    return lake, JobRun(lake, RunReport(run_id="r1", job="demo"), "demo-job", "nothing was published")


def test_a_crash_is_one_line_naming_the_step_with_the_trace_in_a_log(tmp_path, capsys):
    lake, job = _run(tmp_path)
    with pytest.raises(FinlakeError) as failed, job.guarded(), job.stage("reading things", timed="read"):
        raise ValueError("bad value\nsecond line of detail")
    message = str(failed.value)
    assert message.startswith("demo-job failed at reading things: ValueError: bad value (stack trace: ")
    assert message.endswith("; nothing was published") and "\n" not in message
    trace = Path(lake.runs) / "r1.trace.log"
    assert "second line of detail" in trace.read_text() and "Traceback" in trace.read_text()
    report = json.loads(Path(lake.run_report("r1")).read_text())
    assert report["status"] == "failed" and report["message"] == message and "read" in report["timings"]
    assert "demo run r1: failed" in capsys.readouterr().out


def test_a_finlake_error_keeps_its_own_message_and_type(tmp_path):
    class GateClosed(FinlakeError):
        pass

    lake, job = _run(tmp_path)
    with pytest.raises(GateClosed, match=r"^gate closed: 2 rules failed$"), job.guarded(), job.stage("checking"):
        raise GateClosed("gate closed: 2 rules failed")
    assert json.loads(Path(lake.run_report("r1")).read_text())["message"] == "gate closed: 2 rules failed"


def test_success_writes_the_report(tmp_path):
    lake, job = _run(tmp_path)
    with job.guarded(), job.stage("working", timed="work"):
        pass
    report = job.finish("succeeded")
    assert report.status == "succeeded"
    assert json.loads(Path(lake.run_report("r1")).read_text())["status"] == "succeeded"
