"""The DQDL parser: the grammar subset, severity tags, and one-line errors naming the line."""

import pytest

from finlake.quality.dqdl import BinOp, Call, Condition, DqdlError, Num, Severity, Special, parse
from finlake.quality.evaluate import validate_ruleset

DOC = """
# header comments are fine, and so is a comment mentioning @warn on a line without a rule
Rules = [
    RowCount between 10 and 2000,
    RowCount >= avg(last(3)) * 0.9,   # @warn fewer rows than usual
    IsPrimaryKey "account_id" "month",
    ColumnValues "code" not in ["A", "B # not a comment", NULL, EMPTY] where "kind = 'x'",
    ColumnValues "rate" > -1.5 with threshold >= 0.95,
    ColumnValues "name" matches "[A-Z][a-z]*",
    CustomSql "select count(*) from primary where note = \\"a\\"" = 0,
    ReferentialIntegrity "customer_id" "customers.{customer_id}" = 1.0
]
"""


def test_parses_rules_conditions_and_severity():
    rules = parse(DOC, "t.x").rules
    assert [r.rule_type for r in rules] == [
        "RowCount", "RowCount", "IsPrimaryKey", "ColumnValues", "ColumnValues", "ColumnValues", "CustomSql",
        "ReferentialIntegrity",
    ]  # fmt: skip
    assert rules[0].condition == Condition("between", (Num(10), Num(2000)))
    assert rules[1].condition == Condition(">=", (BinOp("*", Call("avg", (Call("last", (Num(3),)),)), Num(0.9)),))
    assert [r.severity for r in rules] == [Severity.BLOCKING, Severity.WARNING] + [Severity.BLOCKING] * 6
    assert rules[2].parameters == ("account_id", "month")
    assert rules[3].condition == Condition("in", ("A", "B # not a comment", Special.NULL, Special.EMPTY), negated=True)
    assert rules[3].where == "kind = 'x'"
    assert rules[4].condition == Condition(">", (Num(-1.5),)) and rules[4].threshold == Condition(">=", (Num(0.95),))
    assert rules[5].condition == Condition("matches", ("[A-Z][a-z]*",))
    assert rules[6].parameters == ('select count(*) from primary where note = "a"',)
    assert rules[3].text == 'ColumnValues "code" not in ["A", "B # not a comment", NULL, EMPTY] where "kind = \'x\'"'
    assert rules[3].line == 7
    validate_ruleset(parse(DOC, "t.x"))


def test_arithmetic_precedence():
    rule = parse("Rules = [ RowCount > 1 + 2 * 3 ]").rules[0]
    assert rule.condition == Condition(">", (BinOp("+", Num(1), BinOp("*", Num(2), Num(3))),))


def test_empty_ruleset():
    assert parse("Rules = [ ]").rules == ()


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('Rules = [ IsComplete "a", ]', r"rules:1: expected a rule type"),
        ('Rules = [\n  (IsComplete "a") and (IsUnique "a")\n]', r"rules:2: composite rules"),
        ('Rules = [ IsComplete "a" ', r"rules:1: expected '\]', found 'end of file'"),
        ("Rules = [ RowCount > ]", r"expected a number"),
        ('Rules = [ ColumnValues "a" not > 3 ]', r'"between", "in" or "matches" after "not"'),
        ('Metadata = { "Version": "1.0" } Rules = [ ]', r"Metadata section is not supported"),
        ("Rules = [ RowCount > 0 ] extra", r"end of file after the Rules list"),
        ("Rules = [ RowCount > 0 ; ]", r"unexpected character ';'"),
    ],
)
def test_syntax_errors_name_the_line(text, error):
    with pytest.raises(DqdlError, match=error):
        parse(text, "rules")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('Rules = [ Entropy "a" > 1 ]', r"rule type Entropy is not supported"),
        ("Rules = [ RowCount ]", r"RowCount needs a condition"),
        ('Rules = [ IsComplete "a" > 1 ]', r"IsComplete takes no condition"),
        ('Rules = [ ColumnValues "a" > last(1) ]', r"cannot use last\(\)/avg\(\)"),
        ('Rules = [ IsUnique "a" where "a > 1" ]', r"does not take a where clause"),
        ("Rules = [ RowCount > 0 with threshold > 0.5 ]", r"only ColumnValues takes `with threshold`"),
        ('Rules = [ Completeness "a" > "x" ]', r"strings are not allowed"),
        ('Rules = [ ReferentialIntegrity "a" = 1.0 ]', r"wrong number of parameters"),
    ],
)
def test_unsupported_rules_are_rejected_when_loaded(text, error):
    with pytest.raises(DqdlError, match=error):
        validate_ruleset(parse(text, "rules"))
