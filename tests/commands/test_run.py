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
