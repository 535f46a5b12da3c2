"""Provenance: every rule cites a rule id (E308); every assumption it relies on is declared (E307)."""

from __future__ import annotations

from trainrules.check.names import did_you_mean
from trainrules.check.walk import citations
from trainrules.diagnostics import Collector
from trainrules.ir import CheckedPolicy
from trainrules.syntax import ast

__all__ = ["check_citations"]

_NEEDS_CITATION = (
    ast.Assumption,
    ast.ScopeRule,
    ast.BandTable,
    ast.Part,
    ast.Outcome,
    ast.Certificate,
    ast.CheckRule,
    ast.Result,
    ast.Requirement,
    ast.RuleException,
    ast.Unencoded,
)


def _label(d: object) -> tuple[str, str]:
    if isinstance(d, ast.Assumption):
        return f"假设“{d.name}”", f"the assumption '{d.name}'"
    if isinstance(d, ast.ScopeRule):
        return ("参训条件", "the enrolment rule") if d.kind == "enrolled" else ("免修条件", "the exemption rule")
    if isinstance(d, ast.BandTable):
        return f"档次表“{d.name}”", f"the band table '{d.name}'"
    if isinstance(d, ast.Part):
        return f"部分“{d.name}”", f"the part '{d.name}'"
    if isinstance(d, ast.Item):
        return f"项目“{d.name}”", f"the item '{d.name}'"
    if isinstance(d, ast.Outcome):
        return "合格规则", "the pass rule"
    if isinstance(d, ast.Certificate):
        return f"证书“{d.label}”", f"the certificate '{d.label}'"
    if isinstance(d, ast.Result):
        return f"结果“{d.name}”", f"the result '{d.name}'"
    if isinstance(d, ast.Requirement):
        return f"要求“{d.name}”", f"the requirement '{d.name}'"
    if isinstance(d, ast.RuleException):
        return f"例外“{d.target}”", f"the exception to '{d.target}'"
    if isinstance(d, ast.Unencoded):
        return "不编码的条文", "the clause not encoded"
    assert isinstance(d, ast.CheckRule)  # the last of _NEEDS_CITATION
    return f"核查“{d.label}”", f"the check '{d.label}'"


def check_citations(policy: CheckedPolicy, out: Collector) -> None:
    """Report rules without a rule id and relied-on assumptions that are not declared."""
    for d in policy.module.decls:
        rules: list[object] = [d] if isinstance(d, _NEEDS_CITATION) else []
        if isinstance(d, ast.Part):
            rules += list(d.items)
        for r in rules:
            if not r.cite.rule_ids:  # type: ignore[attr-defined]  # every rule class has a cite
                zh, en = _label(r)
                out.add("E308", r.span, what=zh, what_en=en)  # type: ignore[attr-defined]  # and a span
    names = list(policy.assumptions)
    for cite, _ in citations(policy):
        for name, span in zip(cite.relies, cite.relies_spans, strict=False):
            if name not in policy.assumptions:
                zh, en = did_you_mean(name, names)
                out.add(
                    "E307",
                    span,
                    name=name,
                    suggestion=zh or f'用“假设 {name} "…" 依据 …”声明它。',
                    suggestion_en=en or f'Declare it: 假设 {name} "…" 依据 …',
                )
