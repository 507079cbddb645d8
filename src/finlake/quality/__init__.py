"""Data quality: declarative rules per table in AWS Glue's DQDL, evaluated by real Spark code.

- `rules/<layer>.<table>.dqdl`: the rules (a rule is blocking unless its line carries `# @warn`);
- `dqdl`: the parser; `evaluate`: one aggregation pass per table; `gate`: stop promotion on a
  failing blocking rule; `history`: earlier runs' metrics for dynamic rules (row-count change).
"""

from finlake.quality.dqdl import Rule, Ruleset, Severity, parse
from finlake.quality.evaluate import Evaluation, RuleResult, evaluate
from finlake.quality.gate import QualityGateError, check_gate
from finlake.quality.rulesets import available_rulesets, load_ruleset

__all__ = [
    "Evaluation",
    "QualityGateError",
    "Rule",
    "RuleResult",
    "Ruleset",
    "Severity",
    "available_rulesets",
    "check_gate",
    "evaluate",
    "load_ruleset",
    "parse",
]
