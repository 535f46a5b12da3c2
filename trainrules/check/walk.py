"""Where every expression of a policy sits: its scope (item, group) and what type it must have."""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from trainrules.ir import CheckedPolicy
from trainrules.syntax import ast

__all__ = ["EntrySite", "Site", "children", "entry_sites", "sites"]


@attrs.frozen
class Site:
    """One expression in its place: the scope it is read in and the type the place requires."""

    expr: ast.Expr
    item: ast.Item | None
    group: tuple[str, ...] | None
    want: str
    what: str

    def group_keys(self) -> tuple[str, ...]:
        """The names this site is grouped by (empty for a per-teacher rule)."""
        return self.group or ()


def sites(policy: CheckedPolicy) -> Iterator[Site]:
    """Every top-level expression of the policy, in source order."""
    for d in policy.module.decls:
        if isinstance(d, ast.ScopeRule):
            yield Site(d.cond, None, None, "是否", "参训条件" if d.kind == "enrolled" else "免修条件")
        elif isinstance(d, ast.Part):
            if d.cancel is not None:
                yield Site(d.cancel.expr, None, None, "是否", f"“{d.name}”的取消条件")
            if d.score is not None:
                yield Site(d.score.expr, None, None, "数", f"“{d.name}”的得分")
            if d.applies is not None:
                yield Site(d.applies.expr, None, None, "是否", f"“{d.name}”的适用条件")
            for it in d.items:
                for clause, want, what in (
                    (it.applies, "是否", "适用条件"),
                    (it.submitted_from, "时刻", "提交时间"),
                    (it.valid, "是否", "有效条件"),
                    (it.score, "数", "得分"),
                    (it.late, "数", "逾期得分"),
                    (it.missing, "数", "缺交得分"),
                ):
                    if clause is not None:
                        yield Site(clause.expr, it, None, want, f"“{it.name}”的{what}")
        elif isinstance(d, ast.Define) and d.entry_of is None:
            yield Site(d.expr, None, None, "未知", f"定义“{d.name}”")
        elif isinstance(d, ast.Outcome):
            yield Site(d.cond, None, None, "是否", "合格条件")
            if d.grant is not None:
                yield Site(d.grant, None, None, "数", "授予的学时")
            if d.applies is not None:
                yield Site(d.applies, None, None, "是否", "合格规则的适用条件")
        elif isinstance(d, ast.Certificate):
            yield Site(d.cond, None, None, "是否", f"证书“{d.label}”的条件")
        elif isinstance(d, ast.CheckRule):
            if d.each is not None:  # typed first by check.types, which gives the variable its type
                yield Site(d.each.source, None, d.group_by or None, "未知", f"核查“{d.label}”的 逐 来源")
            yield Site(d.cond, None, d.group_by or None, "是否", f"核查“{d.label}”")
            if d.applies is not None:
                yield Site(d.applies, None, None, "是否", f"核查“{d.label}”的适用条件")
        elif isinstance(d, ast.Result):
            yield Site(d.expr, None, None, "数" if d.bands else "未知", f"结果“{d.name}”")
            if d.applies is not None:
                yield Site(d.applies, None, None, "是否", f"结果“{d.name}”的适用条件")
        elif isinstance(d, ast.Requirement):
            if d.applies is not None:
                yield Site(d.applies, None, None, "是否", f"要求“{d.name}”的适用条件")
            if d.each is not None:
                yield Site(d.each.source, None, None, "未知", f"要求“{d.name}”的 逐 来源")
            for line in d.lines:
                what = f"要求“{d.name}”" + (f"的“其中 {line.label}”" if line.label else "")
                yield Site(line.expr, None, None, "是否", what)
        elif isinstance(d, ast.RuleException) and d.entry_of is None:
            yield Site(d.expr, None, None, "未知", f"例外“{d.target}”的值")
            yield Site(d.cond, None, None, "是否", f"例外“{d.target}”的条件")


_STEP_WORD = {"keep": "凡", "require": "须", "top": "前"}


@attrs.frozen
class EntrySite:
    """An expression read in the entry scope of a list or filter (``source``), or in teacher scope (``source`` None)."""

    expr: ast.Expr
    source: str | None
    want: str
    what: str


def entry_sites(policy: CheckedPolicy) -> Iterator[EntrySite]:
    """Every expression of lists, per-entry definitions and filters, with the entries it is read over."""
    for d in policy.module.decls:
        if isinstance(d, ast.ListDecl):
            for r in d.rules:
                yield EntrySite(r.cond, d.name, "是否", f"列表“{d.name}”的“须”条件")
        elif isinstance(d, ast.Define) and d.entry_of is not None:
            yield EntrySite(d.expr, d.entry_of, "未知", f"定义“{d.entry_of}.{d.name}”")
        elif isinstance(d, ast.RuleException) and d.entry_of is not None:
            yield EntrySite(d.expr, d.entry_of, "未知", f"例外“{d.entry_of}.{d.target}”的值")
            yield EntrySite(d.cond, d.entry_of, "是否", f"例外“{d.entry_of}.{d.target}”的条件")
        elif isinstance(d, ast.Define) and isinstance(d.expr, ast.Accumulate):
            acc = d.expr
            for n, lv in enumerate(acc.levels, 1):
                for k in lv.keys:
                    yield EntrySite(k, acc.source, "分组键", f"累计“{acc.name}”第 {n} 层的分组键")
                if lv.cap is not None:
                    yield EntrySite(lv.cap, acc.source, "数", f"累计“{acc.name}”第 {n} 层的上限")
        elif isinstance(d, ast.FilterDecl):
            for st in d.steps:
                what = f"筛选“{d.name}”的“{_STEP_WORD[st.kind]}”"
                if st.cond is not None:
                    yield EntrySite(st.cond, d.source, "是否", what + "条件")
                for k in st.keys:
                    yield EntrySite(k, d.source, "未知", what + "的分组键")
                if st.count is not None:
                    yield EntrySite(st.count, None, "数", what + "的条数")
                if st.by is not None:
                    yield EntrySite(st.by, d.source, "有序", what + "的排序值")


def children(e: ast.Expr) -> tuple[ast.Expr, ...]:
    """The direct sub-expressions of ``e``."""
    if isinstance(e, ast.Call):
        return e.args
    if isinstance(e, ast.ListExpr):
        return e.items
    if isinstance(e, ast.Lookup):
        return (e.key,)
    if isinstance(e, ast.Unary):
        return (e.operand,)
    if isinstance(e, ast.Chain):
        return (e.first, *(x for _, x in e.rest))
    if isinstance(e, ast.BoolChain):
        return e.operands
    if isinstance(e, ast.Compare):
        return (e.left, e.right)
    if isinstance(e, ast.If):
        return (e.cond, e.then, e.otherwise)
    if isinstance(e, ast.AtTime):
        return (e.date,)
    if isinstance(e, ast.Window):
        return (e.start, e.end)
    if isinstance(e, ast.Quantity):
        return (e.expr,)
    return ()


def refs(e: ast.Expr, skip_calls: frozenset[str] = frozenset()) -> Iterator[ast.Ref | ast.Lookup]:
    """Every name reference and lookup inside ``e`` (iterative), except inside calls named in ``skip_calls``."""
    stack = [e]
    while stack:
        x = stack.pop()
        if isinstance(x, ast.Ref | ast.Lookup):
            yield x
        if not (isinstance(x, ast.Call) and x.func in skip_calls):
            stack.extend(children(x))


def citations(policy: CheckedPolicy) -> Iterator[tuple[ast.Citation, str]]:
    """Every citation in the policy with a short description of the rule it stands on."""
    for f in policy.plan.facts:
        yield f.cite, f"方案·{f.key}"
    for d in policy.module.decls:
        if isinstance(d, ast.Assumption):
            yield d.cite, f"假设 {d.name}"
        elif isinstance(d, ast.InputField):
            yield d.cite, f"输入 {d.owner}.{d.name}"
        elif isinstance(d, ast.ScopeRule):
            yield d.cite, "参训" if d.kind == "enrolled" else "免修"
        elif isinstance(d, ast.BandTable):
            yield d.cite, f"档次表 {d.name}"
            for b in d.bands:
                yield b.cite, f"档次表 {d.name}·{b.label}"
            for g in d.gaps:
                yield g.cite, f"档次表 {d.name}·空档"
        elif isinstance(d, ast.LookupTable):
            yield d.cite, f"对照表 {d.name}"
        elif isinstance(d, ast.Part):
            yield d.cite, f"部分 {d.name}"
            yield d.bands_cite, f"部分 {d.name}·档次"
            for c, w in ((d.cancel, "取消"), (d.score, "得分"), (d.applies, "适用")):
                if c is not None:
                    yield c.cite, f"部分 {d.name}·{w}"
            for it in d.items:
                yield from item_citations(it)
        elif isinstance(d, ast.Define) and isinstance(d.expr, ast.Accumulate):
            yield d.cite, f"累计 {d.name}"
            for n, lv in enumerate(d.expr.levels, 1):
                yield lv.cite, f"累计 {d.name}·第 {n} 层"
        elif isinstance(d, ast.Define):
            yield d.cite, f"定义 {d.entry_of + '.' if d.entry_of else ''}{d.name}"
        elif isinstance(d, ast.ListDecl):
            yield d.cite, f"输入 {d.owner}.{d.name}"
            for fd in d.fields:
                yield fd.cite, f"输入 {d.owner}.{d.name}.{fd.name}"
            for r in d.rules:
                yield r.cite, f"输入 {d.owner}.{d.name}·须"
        elif isinstance(d, ast.FilterDecl):
            yield d.cite, f"筛选 {d.name}"
            for st in d.steps:
                yield st.cite, f"筛选 {d.name}·{_STEP_WORD[st.kind]}"
        elif isinstance(d, ast.Outcome):
            yield d.cite, "合格"
        elif isinstance(d, ast.Certificate):
            yield d.cite, f"证书 {d.label}"
        elif isinstance(d, ast.CheckRule):
            yield d.cite, f"核查 {d.label}"
        elif isinstance(d, ast.Result):
            yield d.cite, f"结果 {d.name}"
        elif isinstance(d, ast.Requirement):
            yield d.cite, f"要求 {d.name}"
            if d.each is not None:
                yield d.each.cite, f"要求 {d.name}·逐"
            for line in d.lines:
                yield line.cite, f"要求 {d.name}·{line.label or '须'}"
        elif isinstance(d, ast.RuleException):
            yield d.cite, f"例外 {d.target}"
        elif isinstance(d, ast.Unencoded):
            yield d.cite, "不编码"
        elif isinstance(d, ast.UnitDecl):
            yield d.cite, f"单位 {d.name}"


def item_citations(it: ast.Item) -> Iterator[tuple[ast.Citation, str]]:
    """An item's own citation and those of its clauses."""
    yield it.cite, f"项目 {it.name}"
    yield it.deadline_cite, f"项目 {it.name}·截止"
    yield it.opens_cite, f"项目 {it.name}·开放"
    yield it.bands_cite, f"项目 {it.name}·档次"
    for c, w in (
        (it.late, "逾期"),
        (it.missing, "缺交"),
        (it.valid, "有效"),
        (it.score, "得分"),
        (it.submitted_from, "提交时间"),
        (it.applies, "适用"),
    ):
        if c is not None:
            yield c.cite, f"项目 {it.name}·{w}"
