import pytest

from finlake.quality import QualityGateError, check_gate
from finlake.quality.evaluate import RuleResult


def _result(outcome, severity, rule='IsComplete "a"'):
    return RuleResult(
        "silver.x", rule, "IsComplete", severity, outcome, "Column.a.Completeness", 0.5, "1 of 2 rows are null"
    )


def test_warnings_and_skips_do_not_stop_promotion():
    check_gate([_result("failed", "warning"), _result("skipped", "blocking"), _result("passed", "blocking")], "stage")


def test_blocking_failures_stop_with_one_line_naming_them():
    failures = [_result("failed", "blocking", f'IsComplete "c{i}"') for i in range(5)]
    with pytest.raises(QualityGateError) as error:
        check_gate(failures, "Silver not promoted to Gold")
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith("data-quality gate: 5 blocking rule(s) failed, Silver not promoted to Gold: ")
    assert 'silver.x IsComplete "c0" (1 of 2 rows are null)' in message and "and 2 more" in message
