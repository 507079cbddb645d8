"""A parser for the subset of AWS Glue Data Quality's DQDL that finlake's rule files use.

No maintained Python parser for DQDL exists on PyPI (AWS's reference parser, awslabs/dqdl, is Java
with an ANTLR grammar), so this follows that grammar for the parts we need:

    Rules = [ rule, rule, ... ]                        (no trailing comma, as in Glue)
    rule      := RuleType parameter* condition? ('where' "sql")? ('with' 'threshold' condition)?
    parameter := "quoted string"
    condition := ['not'] 'between' n 'and' n | ('>' | '>=' | '<' | '<=' | '=' | '!=') value
               | ['not'] 'in' '[' value, ... ']' | ['not'] 'matches' "regex"
    value     := number-expression | "string" | NULL | EMPTY | WHITESPACES_ONLY
    number    := 12 | -3.5 | function(number, ...) | number (+ - * /) number | (number)

`between` is exclusive at both ends, exactly as Glue evaluates it. Functions are Glue's dynamic-rule
functions over the metric's history: `last(k)` (the metric's values on the previous k runs),
`avg`, `min`, `max`, e.g. `RowCount > avg(last(3)) * 0.8`.

Severity is a finlake convention that stays valid DQDL: a rule is BLOCKING unless a comment on the
line it starts on contains the tag `@warn` (Glue ignores comments, so the file runs there unchanged).
Composite rules (`(a) and (b)`), the Metadata/DataSources sections and analyzers are not supported and
are rejected with a clear message rather than misread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from finlake.errors import FinlakeError

WARN_TAG = "@warn"


class DqdlError(FinlakeError):
    """A rule file that is not valid (supported) DQDL; the message names the file and line."""


class Severity(StrEnum):
    BLOCKING = "blocking"  # a failure stops promotion
    WARNING = "warning"  # a failure is reported, nothing stops


class Special(StrEnum):
    """DQDL's keyword values inside a string list."""

    NULL = "NULL"
    EMPTY = "EMPTY"
    WHITESPACES_ONLY = "WHITESPACES_ONLY"


# --- number expressions (static or dynamic) -------------------------------------------------------


@dataclass(frozen=True)
class Num:
    value: float

    def __str__(self) -> str:
        return f"{self.value:g}"


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[NumberExpr, ...]

    def __str__(self) -> str:
        return f"{self.name}({', '.join(map(str, self.args))})"


@dataclass(frozen=True)
class BinOp:
    op: str
    left: NumberExpr
    right: NumberExpr

    def __str__(self) -> str:
        return f"({self.left} {self.op} {self.right})"


NumberExpr = Num | Call | BinOp
Value = NumberExpr | str | Special


def is_static(value: Value) -> bool:
    """True for a value that needs no metric history (every operand of a row-level check)."""
    if isinstance(value, BinOp):
        return is_static(value.left) and is_static(value.right)
    return not isinstance(value, Call)


@dataclass(frozen=True)
class Condition:
    op: str  # between | > | >= | < | <= | = | != | in | matches
    operands: tuple[Value, ...]
    negated: bool = False  # `not between`, `not in`, `not matches`

    def __str__(self) -> str:
        def show(v: Value) -> str:
            return f'"{v}"' if isinstance(v, str) and not isinstance(v, Special) else str(v)

        neg = "not " if self.negated else ""
        if self.op == "between":
            return f"{neg}between {show(self.operands[0])} and {show(self.operands[1])}"
        if self.op == "in":
            return f"{neg}in [{', '.join(show(v) for v in self.operands)}]"
        if self.op == "matches":
            return f"{neg}matches {show(self.operands[0])}"
        return f"{self.op} {show(self.operands[0])}"


@dataclass(frozen=True)
class Rule:
    rule_type: str
    parameters: tuple[str, ...]
    condition: Condition | None
    where: str | None
    threshold: Condition | None
    severity: Severity
    text: str  # the rule as written (comments dropped, whitespace collapsed): its identity in reports
    line: int


@dataclass(frozen=True)
class Ruleset:
    name: str  # e.g. silver.loans
    rules: tuple[Rule, ...] = field(default_factory=tuple)
    source: str = ""  # the DQDL text, for Glue's EvaluateDataQuality


# --- tokenizer ------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r\n]+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>"(?:\\.|[^"\\\n])*")
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<op>>=|<=|!=|=|>|<|\+|-|\*|/)
  | (?P<punct>[\[\](),{}:])
  | (?P<ident>[A-Za-z_][A-Za-z0-9_.]*)
    """,
    re.VERBOSE,
)

_KEYWORDS = {"between", "and", "or", "in", "not", "matches", "with", "threshold", "where"}


@dataclass(frozen=True)
class _Token:
    kind: str  # string | number | op | punct | ident | end
    text: str
    line: int
    start: int  # offset in the source
    end: int


def _tokenize(text: str, where: str) -> tuple[list[_Token], set[int]]:
    """Tokens, and the line numbers whose comment carries the @warn tag."""
    tokens: list[_Token] = []
    warn_lines: set[int] = set()
    pos, line = 0, 1
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise DqdlError(f"{where}:{line}: unexpected character {text[pos]!r}")
        kind = m.lastgroup or ""
        if kind == "comment" and WARN_TAG in m.group().lower():
            warn_lines.add(line)
        elif kind not in ("ws", "comment"):
            tokens.append(_Token(kind, m.group(), line, m.start(), m.end()))
        line += m.group().count("\n")
        pos = m.end()
    tokens.append(_Token("end", "end of file", line, len(text), len(text)))
    return tokens, warn_lines


def _unquote(token: _Token) -> str:
    return re.sub(r"\\(.)", r"\1", token.text[1:-1])


# --- parser ---------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str, where: str):
        self.text = text
        self.where = where
        self.tokens, self.warn_lines = _tokenize(text, where)
        self.i = 0

    @property
    def tok(self) -> _Token:
        return self.tokens[self.i]

    def fail(self, expected: str) -> DqdlError:
        return DqdlError(f"{self.where}:{self.tok.line}: expected {expected}, found {self.tok.text!r}")

    def accept(self, text: str) -> bool:
        if self.tok.kind != "string" and self.tok.text == text:
            self.i += 1
            return True
        return False

    def expect(self, text: str) -> _Token:
        token = self.tok
        if not self.accept(text):
            raise self.fail(repr(text))
        return token

    def document(self) -> list[Rule]:
        if self.tok.text in ("Metadata", "DataSources", "Analyzers"):
            raise DqdlError(f"{self.where}:{self.tok.line}: the {self.tok.text} section is not supported here")
        self.expect("Rules")
        self.expect("=")
        self.expect("[")
        rules: list[Rule] = []
        if not self.accept("]"):
            rules.append(self.rule())
            while self.accept(","):
                rules.append(self.rule())
            self.expect("]")
        if self.tok.kind != "end":
            raise self.fail("end of file after the Rules list")
        return rules

    def rule(self) -> Rule:
        first = self.tok
        if first.text == "(":
            raise DqdlError(f"{self.where}:{first.line}: composite rules (and/or) are not supported here")
        if first.kind != "ident" or first.text in _KEYWORDS:
            raise self.fail("a rule type such as IsComplete")
        self.i += 1
        params: list[str] = []
        while self.tok.kind == "string":
            params.append(_unquote(self.tok))
            self.i += 1
        condition = self.condition() if self._starts_condition() else None
        where = None
        if self.accept("where"):
            if self.tok.kind != "string":
                raise self.fail('a quoted SQL condition after "where"')
            where = _unquote(self.tok)
            self.i += 1
        threshold = None
        if self.accept("with"):
            self.expect("threshold")
            threshold = self.condition()
        last = self.tokens[self.i - 1]
        text = " ".join(self.text[first.start : last.end].split())
        severity = Severity.WARNING if first.line in self.warn_lines else Severity.BLOCKING
        return Rule(first.text, tuple(params), condition, where, threshold, severity, text, first.line)

    def _starts_condition(self) -> bool:
        return self.tok.kind != "string" and self.tok.text in {
            "between", "in", "not", "matches", ">", ">=", "<", "<=", "=", "!=",
        }  # fmt: skip

    def condition(self) -> Condition:
        negated = self.accept("not")
        if self.accept("between"):
            low = self.number()
            self.expect("and")
            return Condition("between", (low, self.number()), negated)
        if self.accept("in"):
            self.expect("[")
            values = [self.value()]
            while self.accept(","):
                values.append(self.value())
            self.expect("]")
            return Condition("in", tuple(values), negated)
        if self.accept("matches"):
            if self.tok.kind != "string":
                raise self.fail('a quoted regular expression after "matches"')
            pattern = _unquote(self.tok)
            self.i += 1
            return Condition("matches", (pattern,), negated)
        if negated:
            raise self.fail('"between", "in" or "matches" after "not"')
        op = self.tok.text
        if self.tok.kind != "op" or op not in {">", ">=", "<", "<=", "=", "!="}:
            raise self.fail("a comparison (>, >=, <, <=, =, !=), between, in or matches")
        self.i += 1
        return Condition(op, (self.value(),))

    def value(self) -> Value:
        if self.tok.kind == "string":
            text = _unquote(self.tok)
            self.i += 1
            return text
        if self.tok.kind == "ident" and self.tok.text.upper() in Special.__members__:
            special = Special(self.tok.text.upper())
            self.i += 1
            return special
        return self.number()

    # number := term (('+' | '-') term)* ; term := factor (('*' | '/') factor)*
    def number(self) -> NumberExpr:
        left = self.term()
        while self.tok.text in ("+", "-") and self.tok.kind == "op":
            op = self.tok.text
            self.i += 1
            left = BinOp(op, left, self.term())
        return left

    def term(self) -> NumberExpr:
        left = self.factor()
        while self.tok.text in ("*", "/") and self.tok.kind == "op":
            op = self.tok.text
            self.i += 1
            left = BinOp(op, left, self.factor())
        return left

    def factor(self) -> NumberExpr:
        if self.accept("-"):
            if self.tok.kind != "number":
                raise self.fail("a number after '-'")
            value = -float(self.tok.text)
            self.i += 1
            return Num(value)
        if self.tok.kind == "number":
            value = float(self.tok.text)
            self.i += 1
            return Num(value)
        if self.accept("("):
            inner = self.number()
            self.expect(")")
            return inner
        if self.tok.kind == "ident" and self.tok.text not in _KEYWORDS:
            name = self.tok.text
            self.i += 1
            self.expect("(")
            args: list[NumberExpr] = []
            if not self.accept(")"):
                args.append(self.number())
                while self.accept(","):
                    args.append(self.number())
                self.expect(")")
            return Call(name, tuple(args))
        raise self.fail("a number")


def parse(text: str, name: str = "<rules>") -> Ruleset:
    """Parse a DQDL document into a Ruleset (raises DqdlError naming the line on bad input)."""
    return Ruleset(name=name, rules=tuple(_Parser(text, name).document()), source=text)
