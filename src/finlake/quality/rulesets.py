"""The packaged rule files: `finlake/quality/rules/<layer>.<table>.dqdl`, one DQDL ruleset per table.

They ship inside the wheel, so the Glue job reads the very same files (and could hand
`Ruleset.source` to Glue's EvaluateDataQuality unchanged).
"""

from __future__ import annotations

from importlib import resources

from finlake.errors import FinlakeError
from finlake.quality.dqdl import Ruleset, parse
from finlake.quality.evaluate import validate_ruleset

RULES_PACKAGE = "finlake.quality"
RULES_DIR = "rules"
SUFFIX = ".dqdl"


def available_rulesets() -> list[str]:
    """Qualified table names that have a rule file, e.g. ['gold.loan_features', 'silver.loans']."""
    folder = resources.files(RULES_PACKAGE).joinpath(RULES_DIR)
    return sorted(p.name[: -len(SUFFIX)] for p in folder.iterdir() if p.name.endswith(SUFFIX))


def load_ruleset(qualified_name: str) -> Ruleset:
    """Parse and check the rule file of a table (`silver.loans`); one-line error if absent or invalid."""
    resource = resources.files(RULES_PACKAGE).joinpath(RULES_DIR, qualified_name + SUFFIX)
    if not resource.is_file():
        raise FinlakeError(
            f"no data-quality rules for {qualified_name} (expected {RULES_DIR}/{qualified_name}{SUFFIX})"
        )
    ruleset = parse(resource.read_text(encoding="utf-8"), qualified_name)
    validate_ruleset(ruleset)
    return ruleset
