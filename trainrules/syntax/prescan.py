"""Bounds checked before parsing: the token count (E114) and a lower bound on the nesting (E113); and a
number in exponent form (``1e2``, E129), which the lexer would read as ``1`` and the unit ``e2``.

Parsing costs about 10 µs a token, so a policy near the byte limit would take seconds to
parse only to be refused afterwards. One pass of a regular expression instead counts the
tokens (never more than the lexer reads) and follows what nests: a ``[`` and a call's ``(``
always make a node; a ``(`` whose content has an operator makes one; a run of ``-`` or ``非``
makes one per sign but the first; every ``若`` still open (its ``否则`` branch not ended)
encloses what follows. Each is a lower bound on the depth the parser would build, so what
this refuses, the check after parsing would refuse too; what it lets through, that check sees.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import attrs

from trainrules.diagnostics import Collector
from trainrules.limits import MAX_NESTING, MAX_TOKENS
from trainrules.source import Source
from trainrules.syntax.grammar import keywords

__all__ = ["TOKEN", "prescan"]

#: One token, roughly as the lexer reads it: strings, dates, times, rule ids, numbers and words
#: are taken whole (as the lexer does), so the count never exceeds the lexer's.
TOKEN = re.compile(
    r"""(?P<skip>[ \t\f\r\n\u3000]+|\#[^\n]*)
    |(?P<string>"[^"\n]*"|“[^”\n]*”)
    |(?P<date>[0-9０-９]{4}-[0-9０-９]{1,2}-[0-9０-９]{1,2}(?![0-9０-９:])|[0-9０-９]{4}年[0-9０-９]{1,2}月[0-9０-９]{1,2}日)
    |(?P<time>[0-9０-９]{1,2}[:：][0-9０-９]{2}(?::[0-9０-９]{2})?)
    |(?P<rule>[A-Z][A-Z0-9]*[0-9](?:-[0-9A-Za-z]+)*(?!\w))
    |(?P<number>[0-9０-９]+(?:\.[0-9０-９]+)?)
    |(?P<word>[^\W\d]\w*)
    |(?P<sign>[<>=!]=|.)""",
    re.VERBOSE,
)

#: What follows a number (with no space) to make it exponent form: e2, E+2, e-3.
_EXPONENT = re.compile(r"[eE][+-]?[0-9]+(?!\w)")

#: Signs that make an operator node when they stand in a bracket's content.
_OPERATOR_SIGNS = frozenset("+-*×/÷%％<>≥≤≠") | {">=", "<=", "==", "!="}
#: Words inside an expression: operators and the parts of 若 … 则 … 否则 ….
_EXPRESSION_WORDS = frozenset(
    {"且", "或", "非", "若", "则", "否则", "不少于", "不低于", "不超过", "不高于", "大于", "小于", "高于", "低于"}
    | {"早于", "晚于", "等于", "不等于", "含任一", "含", "属于"}
)
_PREFIX = frozenset({"-", "非"})
_OPEN = {"[": "]", "(": ")", "（": ")"}
_CLOSE = {"]": "]", ")": ")", "）": ")"}
#: Signs that end an expression wherever they stand (a list item or argument, a block, a definition's name).
_ENDS = frozenset({",", "，", "{", "}", "=", ":", "："})
#: What an operand ends with: after one of these, a word that is no operator ends the expression.
_OPERAND_END = frozenset({")", "）", "]", "%", "％"})


@attrs.define
class _Level:
    """An open bracket (or the top level): whether it makes a node, the nesting inside it, its open 若s."""

    closer: str
    at: int
    node: bool
    operator: bool = False
    inner: int = 0
    ifs: list[str] = attrs.field(factory=list)  # each open 若: in its condition, 则 part or 否则 part

    @property
    def height(self) -> int:
        return self.inner + (1 if self.node or self.operator else 0)


def _close_ifs(level: _Level, until: str) -> int:
    """Close the ended 否则 parts on top, then move the innermost 若 in part ``until`` on; how many closed."""
    closed = 0
    while level.ifs and level.ifs[-1] == "else":
        level.ifs.pop()
        closed += 1
    if level.ifs and level.ifs[-1] == until:
        level.ifs[-1] = "then" if until == "cond" else "else"
    return closed


def prescan(source: Source, out: Collector) -> bool:
    """Refuse, before parsing, a policy with more than MAX_TOKENS tokens (E114), nested too deep (E113), or with
    a number in exponent form (E129, each one)."""
    text = source.text
    count = 0
    levels = [_Level("", 0, node=False)]
    open_nodes = 0  # brackets open now that make a node
    open_ifs = 0  # 若 open now, at every level
    run = 0  # length of the current run of prefix signs
    prev_kind, prev = "", ""
    exponents = 0
    for m in TOKEN.finditer(text):
        kind = m.lastgroup or ""
        if kind == "skip":
            continue
        count += 1
        if count > MAX_TOKENS:
            out.add("E114", source.span(m.start(), m.end()), limit=MAX_TOKENS, unit="个词、数和符号", unit_en="tokens")
            return False
        tok = m.group()
        if kind == "number" and (e := _EXPONENT.match(text, m.end())) is not None:
            exponents += 1
            out.add("E129", source.span(m.start(), e.end()), text=text[m.start() : e.end()], plain=_plain(m, e))
        level = levels[-1]
        run = (run + 1 if prev in _PREFIX else 1) if tok in _PREFIX else 0
        operand_ended = prev in _OPERAND_END or (
            prev_kind in ("word", "number", "string", "date", "time", "rule") and prev not in _EXPRESSION_WORDS
        )
        if tok in _ENDS or (kind == "word" and operand_ended and tok not in _EXPRESSION_WORDS):
            open_ifs -= len(level.ifs)
            level.ifs.clear()
        if tok in _OPEN:
            call = tok != "[" and prev_kind == "word" and prev not in keywords()
            levels.append(_Level(_OPEN[tok], m.start(), node=tok == "[" or call))
            open_nodes += levels[-1].node
        elif len(levels) > 1 and _CLOSE.get(tok) == level.closer:
            levels.pop()
            open_nodes -= level.node
            open_ifs -= len(level.ifs)
            if level.height > MAX_NESTING:
                out.add("E113", source.span(level.at, level.at + 1), limit=MAX_NESTING)
                return False
            levels[-1].inner = max(levels[-1].inner, level.height)
        elif tok == "若":
            level.ifs.append("cond")
            open_ifs += 1
        elif tok in ("则", "否则"):
            open_ifs -= _close_ifs(level, "cond" if tok == "则" else "then")
        if tok in _OPERATOR_SIGNS or tok in _EXPRESSION_WORDS:
            level.operator = True
            level.inner = max(level.inner, run - 1)
        if max(run - 1, open_nodes + open_ifs) > MAX_NESTING:
            out.add("E113", source.span(m.start(), m.end()), limit=MAX_NESTING)
            return False
        prev_kind, prev = kind, tok
    return exponents == 0


def _plain(number: re.Match[str], exponent: re.Match[str]) -> str:
    """``1e2`` -> ``100``, for the hint (a number too long to write out gets the example 100)."""
    try:
        value = Decimal(number.group() + exponent.group())
    except InvalidOperation:  # full-width digits
        return "100"
    return "100" if abs(value.adjusted()) > 12 else format(value.normalize(), "f")
