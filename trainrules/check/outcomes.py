"""Outcomes: 结果, 要求, 例外 and 不编码 — band tables they name (E301, E402), requirement lines (E331, E332),
exception targets (E330), and reading a result or requirement amount that may not apply without a default
(W540). Their citations are checked with every rule's (check.citations)."""

from __future__ import annotations

from trainrules.check.bands import check_against
from trainrules.check.intervals import Bounder
from trainrules.check.names import did_you_mean
from trainrules.check.walk import refs, sites
from trainrules.diagnostics import Collector
from trainrules.ir import CheckedPolicy, resolve
from trainrules.source import Span
from trainrules.syntax import ast

__all__ = ["check_outcomes"]

#: The functions that handle a missing value themselves: a name read inside them may be missing.
_MISSING_AWARE = frozenset({"有值", "缺失", "取值"})


def _table(policy: CheckedPolicy, name: str | None, span: Span | None, out: Collector) -> ast.BandTable | None:
    """The band table a 档次 names; an undeclared one is E301 with a did-you-mean."""
    if name is None or span is None:
        return None
    table = policy.band_tables.get(name)
    if table is None:
        zh, en = did_you_mean(name, policy.band_tables, shown=len(out.items))
        out.add("E301", span, name=name, suggestion=zh, suggestion_en=en)
    return table


def _requirement(d: ast.Requirement, out: Collector) -> None:
    if not d.lines or d.lines[0].label is not None:
        out.add(
            "E332",
            d.span,
            name=d.name,
            what="没有“须”行" if not d.lines else "第一行是“其中”",
            what_en="has no 须 line" if not d.lines else "starts with 其中",
        )
    seen: set[str] = set()
    for line in d.lines:
        if line.label is not None:
            if line.label in seen:
                out.add("E306", line.span, name=f"其中 {line.label}")
            seen.add(line.label)
        if not (isinstance(line.expr, ast.Compare) and line.expr.op in (">=", "<=")):
            out.add("E331", line.expr.span, name=d.name, text=line.expr.span.text if line.expr.span else "")


def check_outcomes(policy: CheckedPolicy, out: Collector) -> None:
    """Check what the outcome constructs name and how their lines are written."""
    bounder: Bounder | None = None
    _scoped_reads(policy, out)
    for part in policy.parts:
        _table(policy, part.bands, part.bands_span, out)
    for d in policy.module.decls:
        if isinstance(d, ast.Result):
            table = _table(policy, d.bands, d.bands_span, out)
            if table is not None:
                bounder = bounder or Bounder(policy)
                b = bounder.bound(d.expr)
                if b is not None and b.lo.known and b.hi.known and d.bands_span is not None:
                    check_against(table, d.name, b.hi.value, d.bands_span, out, low=b.lo.value, beyond=False)
        elif isinstance(d, ast.Requirement):
            _requirement(d, out)
        elif isinstance(d, ast.RuleException) and d.entry_of is not None:
            own = policy.entry_defines.get(d.entry_of, {}) if d.entry_of in policy.lists else {}
            if d.target not in own:
                zh, en = did_you_mean(d.target, own, shown=len(out.items))
                out.add("E330", d.span, name=f"{d.entry_of}.{d.target}", suggestion=zh, suggestion_en=en)
        elif isinstance(d, ast.RuleException):
            sym = policy.symbols.get(d.target)
            if sym is None or sym.kind != "define":
                zh, en = did_you_mean(
                    d.target, [k for k, v in policy.symbols.items() if v.kind == "define"], shown=len(out.items)
                )
                out.add("E330", d.span, name=d.target, suggestion=zh, suggestion_en=en)


def _scoped_reads(policy: CheckedPolicy, out: Collector) -> None:
    """W540: a 结果 with 适用 当, or an amount of a 要求 with 适用 当, read where a missing value is not handled."""
    for s in sites(policy):
        for r in refs(s.expr, _MISSING_AWARE):
            if not isinstance(r, ast.Ref):
                continue
            sym = resolve(policy, r.path, s.item)
            cond: ast.Expr | None = None
            if sym is not None and sym.kind == "define" and sym.name in policy.results:
                cond = policy.results[sym.name].applies
            elif sym is not None and sym.kind == "requirement_amount":
                cond = policy.requirements[sym.item].applies
            if cond is not None and cond.span is not None:
                out.add("W540", r.span, name=r.dotted, cond=cond.span.text)
