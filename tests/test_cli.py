"""The CLI skeleton: help on every level, --lake / FINLAKE_LAKE, one-line errors, exit codes."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from finlake.cli import COMMANDS, build_parser, main

SUBCOMMANDS = [
    "generate",
    "import-pkdd99",
    "bronze-to-silver",
    "silver-to-gold",
    "crawl",
    "query",
    "train",
    "score",
    "dashboard",
    "alerts",
    "run",
]


def test_every_spec_subcommand_exists_with_help(capsys):
    for command in SUBCOMMANDS:
        with pytest.raises(SystemExit) as exc:
            main([command, "--help"])
        assert exc.value.code == 0
        assert f"finlake {command}" in capsys.readouterr().out


def test_the_command_table_matches_the_parser_and_every_module_has_main():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) == set(COMMANDS)  # type: ignore[attr-defined]
    for module in COMMANDS.values():
        assert callable(importlib.import_module(module).main), module


def test_lake_defaults_to_env_var(monkeypatch, tmp_path):
    monkeypatch.setenv("FINLAKE_LAKE", str(tmp_path))
    assert build_parser().parse_args(["score"]).lake == str(tmp_path)
    monkeypatch.delenv("FINLAKE_LAKE")
    assert build_parser().parse_args(["score"]).lake == "./lake"
    assert build_parser().parse_args(["--lake", "/x", "score"]).lake == "/x"


@pytest.mark.parametrize(
    "argv",
    [
        ["generate", "--customers", "-3"],
        ["generate", "--days", "abc"],
        ["generate", "--dirty-rate", "7"],
        ["generate", "--start-date", "2024-13-45"],
        ["no-such-command"],
    ],
)
def test_nonsense_arguments_give_one_line_and_exit_2(argv):
    proc = subprocess.run([sys.executable, "-m", "finlake", *argv], capture_output=True, text=True)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "error:" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_spark_failure_outside_a_job_is_its_java_cause_in_one_line(spark, monkeypatch, tmp_path, capsys):
    # a command that is not a JobRun (train, score, ...) hitting a real Java OutOfMemoryError
    from finlake import cli

    jvm = spark.sparkContext._jvm
    monkeypatch.setattr(
        cli, "handler", lambda _: lambda _: jvm.java.lang.reflect.Array.newInstance(jvm.java.lang.Long.TYPE, 2**30)
    )
    assert main(["--lake", str(tmp_path), "score"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Py4J" not in err and "An error occurred" not in err
    assert err.startswith(
        "finlake score: unexpected error: OutOfMemoryError: Java heap space: raise FINLAKE_DRIVER_MEMORY"
    )


@pytest.mark.parametrize(("argv", "challenger"), [(["train"], True), (["train", "--no-challenger"], False)])
def test_train_no_challenger_skips_the_gradient_boosted_model(monkeypatch, argv, challenger):
    from finlake.commands import train

    seen = []
    monkeypatch.setattr(train, "execute", lambda lake, settings, as_of=None, report=None: seen.append(settings) or 0)
    assert train.main(build_parser().parse_args(argv)) == 0
    assert [s.challenger for s in seen] == [challenger]


def test_the_scoring_api_and_drift_default_to_the_serving_alias():
    parser = build_parser()
    assert parser.parse_args(["serve"]).alias == parser.parse_args(["drift"]).alias == "serving"
    assert parser.parse_args(["serve", "--alias", "champion"]).alias == "champion"
