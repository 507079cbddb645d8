"""`finlake run` calls each step's library function directly: every step is a CLI command of its own."""

from finlake.cli import COMMANDS, build_parser
from finlake.commands import run
from finlake.generate import GeneratorConfig


def test_every_step_is_a_command_and_the_order_is_the_pipeline_order():
    names = [s.name for s in run.steps(GeneratorConfig.resolve())]
    assert names[:3] == ["generate", "bronze-to-silver", "silver-to-gold"] and names[-1] == "dashboard"
    for name in names:
        assert name.split()[0] in COMMANDS
        build_parser().parse_args(["--lake", "x", *name.split()])  # a real command line, as a person runs it


def _run_fake(monkeypatch, tmp_path, fake_steps):
    monkeypatch.setattr(run, "steps", lambda config: fake_steps)
    return run.main(build_parser().parse_args(["--lake", str(tmp_path / "lake"), "run"]))


def test_an_optional_step_without_enough_data_is_skipped_with_a_note(monkeypatch, tmp_path, capsys):
    import json

    from finlake.errors import NotEnoughData

    done = []

    def short(lake):
        raise NotEnoughData("the test months hold a single class")

    fake = (
        run.Step("train --model early-warning", short, optional=True),
        run.Step(
            "score --model early-warning", lambda lake: done.append("score") or 0, needs="train --model early-warning"
        ),
        run.Step("dashboard", lambda lake: done.append("dashboard") or 0),
    )
    assert _run_fake(monkeypatch, tmp_path, fake) == 0
    assert done == ["dashboard"]
    out = capsys.readouterr().out
    assert "== skipped train --model early-warning: the test months hold a single class" in out
    assert "== skipped score --model early-warning: it needs train --model early-warning, which was skipped" in out
    (report,) = (tmp_path / "lake" / "_runs").glob("*.json")
    saved = json.loads(report.read_text())
    assert saved["status"] == "succeeded" and len(saved["notes"]) == 2


def test_a_required_step_without_enough_data_stops_the_run(monkeypatch, tmp_path):
    import pytest

    from finlake.errors import FinlakeError, NotEnoughData

    def short(lake):
        raise NotEnoughData("no defaults")

    with pytest.raises(FinlakeError, match="no defaults"):
        _run_fake(monkeypatch, tmp_path, (run.Step("train", short),))
