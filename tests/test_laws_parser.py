"""Hypothesis laws of reading a policy: any text is answered with diagnostics, never an exception."""

from __future__ import annotations

import json

from hypothesis import find, given
from hypothesis import strategies as st
from strategies import arbitrary_text, grammar_text, policy_soup

from trainrules.api import checks, loads
from trainrules.diagnostics import PolicyError, Severity
from trainrules.render import diagnostic_to_dict, render_text

SYNTAX_CODES = {"E110", "E111", "E112", "E120", "E121", "E122", "E123", "E124"}
_INTERNAL = ("__ANON", "$END", "_COLON", "_COMMA", "_LPAR", "_RPAR", "RULE_ID", "CMP_OP", "LBRACE", "RBRACE")


def _checked(text: str) -> list[object]:
    diagnostics = checks(text, name="law.policy")
    assert isinstance(diagnostics, list)
    return diagnostics


@given(st.one_of(arbitrary_text(), policy_soup()))
def test_law_check_never_raises(text: str) -> None:
    """check() answers any text, including control characters, brackets and stray keywords, with a list."""
    diagnostics = checks(text, name="law.policy")
    assert isinstance(diagnostics, list)
    assert all(d.code and d.message for d in diagnostics)


@given(st.one_of(arbitrary_text(), policy_soup(), grammar_text()))
def test_law_load_raises_only_policy_error(text: str) -> None:
    """load() either returns a Policy or raises PolicyError carrying at least one error; nothing else escapes."""
    error: PolicyError | None = None
    try:
        policy = loads(text, name="law.policy")
    except PolicyError as exc:
        error = exc
    if error is None:
        assert all(d.severity is Severity.WARNING for d in policy.warnings)
    else:
        assert any(d.severity is Severity.ERROR for d in error.diagnostics)
        assert render_text(error.diagnostics) == str(error)


@given(st.one_of(policy_soup(), grammar_text()))
def test_law_load_succeeds_iff_check_finds_no_error(text: str) -> None:
    """load() succeeds exactly when check() reports no error."""
    errors = [d for d in checks(text, name="law.policy") if d.severity is Severity.ERROR]
    try:
        loads(text, name="law.policy")
    except PolicyError:
        assert errors
    else:
        assert [] == errors


@given(st.one_of(policy_soup(), grammar_text()))
def test_law_positions_lie_in_the_text(text: str) -> None:
    """Every span lies inside the text, with 1-based line and column, in the rendered and the JSON form."""
    for d in checks(text, name="law.policy"):
        data = json.loads(json.dumps(diagnostic_to_dict(d), ensure_ascii=False))
        if d.span is None:
            assert data["span"] is None
            continue
        assert 0 <= d.span.start <= d.span.end <= len(d.span.source.text)
        line, column = data["span"]["start"]["line"], data["span"]["start"]["column"]
        assert 1 <= line <= d.span.source.text.count("\n") + 1
        assert column >= 1
        assert f"law.policy:{line}:{column}:" in render_text([d])
        assert render_text([d], "en")


@given(policy_soup())
def test_law_syntax_errors_stay_in_words(text: str) -> None:
    """No syntax error on any text shows the grammar's internal terminal names."""
    for d in checks(text, name="law.policy"):
        if d.code in SYNTAX_CODES:
            words = "\n".join((d.message, d.hint, d.message_en, d.hint_en))
            assert [] == [n for n in _INTERNAL if n in words]


@given(grammar_text())
def test_law_grammar_text_parses_or_fails_cleanly(text: str) -> None:
    """Text drawn from the grammar, tokens separated by spaces, always parses: no syntax error, only checks."""
    diagnostics = checks(text, name="law.policy")
    assert [] == [(d.code, d.message) for d in diagnostics if d.code in SYNTAX_CODES]


def test_law_some_grammar_text_parses() -> None:
    """The grammar strategy is not vacuous: it yields text that parses, and text that even loads."""
    parses = find(grammar_text(), lambda t: not any(d.code in SYNTAX_CODES for d in checks(t, name="law.policy")))
    assert not any(d.code in SYNTAX_CODES for d in checks(parses, name="law.policy"))
    assert "方案" in find(grammar_text(), lambda t: "方案" in t)


@given(st.one_of(policy_soup(), grammar_text()))
def test_law_check_is_deterministic(text: str) -> None:
    """Checking the same text twice gives the same diagnostics."""
    first = [diagnostic_to_dict(d) for d in checks(text, name="law.policy")]
    assert first == [diagnostic_to_dict(d) for d in checks(text, name="law.policy")]
