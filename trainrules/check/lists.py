"""Lists, per-entry definitions and filters: where group lists are read (E328), naming fields (E313), targets
(E314), sources (E312), counts (E315), repeated reasons (W550), and what nothing reads (W601).

Cycles through filters and per-entry definitions are E309 in ``check.definitions``, with every other cycle.

Entry-scope names and aggregates are typed in ``check.types``; this pass checks the declarations.
"""

from __future__ import annotations

from trainrules.check.names import did_you_mean
from trainrules.check.walk import children, entry_sites, sites
from trainrules.diagnostics import Collector
from trainrules.functions import LIST_AGGREGATES, list_source
from trainrules.ir import CheckedPolicy
from trainrules.syntax import ast

__all__ = ["check_lists", "list_reads"]


def check_lists(policy: CheckedPolicy, out: Collector) -> None:
    """Check every list, per-entry definition and filter declaration."""
    _school_list_reads(policy, out)
    for lst in policy.lists.values():
        if lst.key is not None:
            field = next((f for f in lst.fields if f.name == lst.key), None)
            if field is None or field.type != "文本":
                what = (
                    f"“{lst.name}”按“{lst.key}”命名条目，但它不是该列表的字段"
                    if field is None
                    else f"“{lst.name}”按“{lst.key}”命名条目，但它是{field.type}，不是文本"
                )
                what_en = (
                    f"'{lst.name}' names its entries by '{lst.key}', which is not one of its fields"
                    if field is None
                    else f"'{lst.name}' names its entries by '{lst.key}', a {field.type}, not a 文本"
                )
                out.add("E313", lst.key_span or lst.span, what=what, what_en=what_en)
    for target, defs in policy.entry_defines.items():
        if target not in policy.lists:
            d = next(iter(defs.values()))
            zh, en = did_you_mean(target, policy.lists, shown=len(out.items))
            root = policy.root_list(target)
            if target in policy.filters and root is not None:
                zh = f"逐条定义写在列表上：定义 {root.name}.{d.name} = …"
                en = f"Define it on the list the filter reads from: 定义 {root.name}.{d.name} = …"
            out.add("E314", d.span, name=target, suggestion=zh, suggestion_en=en)
    for f in policy.filters.values():
        _check_filter(policy, f, out)
    for decl in policy.module.decls:
        if isinstance(decl, ast.Define) and isinstance(decl.expr, ast.Accumulate):
            _check_accumulation(policy, decl.expr, out)
    _unused(policy, out)


def _school_list_reads(policy: CheckedPolicy, out: Collector) -> None:
    """A group's list (a school's, a county's; or a filter over one) is read only in a group check by that
    group (按 学校, 按 县), where the group whose entries are meant is known (E328)."""
    if all(lst.owner == "教师" for lst in policy.lists.values()):
        return
    for site in sites(policy):
        keys = site.group_keys()
        stack = [site.expr]
        while stack:
            x = stack.pop()
            name = None
            if isinstance(x, ast.Ref) and (x.path[0] in policy.lists or x.path[0] in policy.filters):
                name = x.path[0]
            elif isinstance(x, ast.Accumulate):
                name = x.source
            root = policy.root_list(name) if name is not None else None
            if root is not None and root.owner != "教师" and root.owner not in keys:
                kind, kind_en = root.owner, "school" if root.owner == "学校" else root.owner
                out.add("E328", x.span, name=name, what=site.what, kind=kind, kind_en=kind_en)
                break
            stack.extend(children(x))


def _entry_reads(policy: CheckedPolicy, source: str, e: ast.Expr, skip: tuple[ast.Expr, ...] = ()) -> list[ast.Ref]:
    """The bare names in ``e`` that are fields or per-entry definitions of ``source``, except inside ``skip``."""
    found: list[ast.Ref] = []
    stack = [e]
    while stack:
        x = stack.pop()
        if x in skip:  # structural equality: the same key expression, written the same way
            continue
        if isinstance(x, ast.Ref) and len(x.path) == 1 and policy.entry_symbol(source, x.path[0]) is not None:
            found.append(x)
        stack.extend(children(x))
    return found


def _check_accumulation(policy: CheckedPolicy, acc: ast.Accumulate, out: Collector) -> None:
    """Levels nest (a level's keys read only what the level before it read: E325); a cap reads its level's
    keys and teacher names only (E326); a literal cap is not negative (E327)."""
    if policy.root_list(acc.source) is None:
        return  # check.types reports the source
    before: set[str] | None = None  # the entry names the previous level's keys read (None: no previous level)
    for n, lv in enumerate(acc.levels, 1):
        reads = [r for k in lv.keys for r in _entry_reads(policy, acc.source, k)]
        if before is not None:
            for r in reads:
                if r.path[0] not in before:
                    out.add("E325", r.span, name=acc.name, level=n, before=n - 1, field=r.path[0])
                    break
        before = {r.path[0] for r in reads}
        if lv.cap is None:
            continue
        for r in _entry_reads(policy, acc.source, lv.cap, lv.keys)[:1]:
            out.add("E326", r.span, name=acc.name, level=n, field=r.path[0])
        cap = lv.cap
        if isinstance(cap, ast.Number) and cap.value < 0:
            out.add("E327", cap.span, name=acc.name, level=n, cap=cap.text)
        elif isinstance(cap, ast.Unary) and isinstance(cap.operand, ast.Number) and cap.operand.value > 0:
            out.add("E327", cap.span, name=acc.name, level=n, cap=f"-{cap.operand.text}")


def _check_filter(policy: CheckedPolicy, f: ast.FilterDecl, out: Collector) -> None:
    if f.source not in policy.lists and f.source not in policy.filters:
        zh, en = did_you_mean(f.source, [*policy.lists, *policy.filters], shown=len(out.items))
        out.add(
            "E312",
            f.source_span or f.span,
            name=f.source,
            suggestion=zh or "“取自”后写一个列表（输入 教师 { 名称: 列表 {…} }）或另一个筛选。",
            suggestion_en=en or "After 取自 name a list (输入 教师 { NAME: 列表 {…} }) or another filter.",
        )
    reasons: set[str] = set()
    for st in f.steps:
        if st.kind == "require":
            if st.reason in reasons:
                out.add("W550", st.span, name=f.name, reason=st.reason)
            reasons.add(st.reason)
        if isinstance(st.count, ast.Number) and (st.count.value < 0 or st.count.value != st.count.value.to_integral()):
            out.add("E315", st.count.span, count=st.count.text)


def list_reads(policy: CheckedPolicy) -> tuple[set[str], set[tuple[str, str]]]:
    """The lists and filters some rule reads, and the (list, field-or-definition) pairs it reads."""
    sources: set[str] = set()
    fields: set[tuple[str, str]] = set()
    stack: list[tuple[ast.Expr, str | None]] = [(s.expr, None) for s in sites(policy)]
    stack += [(s.expr, s.source) for s in entry_sites(policy)]
    for f in policy.filters.values():
        sources.add(f.source)
    for lst in policy.lists.values():
        if lst.key is not None:
            fields.add((lst.name, lst.key))  # the naming field is read by every explanation
    while stack:
        e, scope = stack.pop()
        if isinstance(e, ast.Ref) and (e.path[0] in policy.lists or e.path[0] in policy.filters):
            sources.add(e.path[0])  # read outside an aggregate: E311 says so, "unused" would be noise
            sym = policy.entry_symbol(e.path[0], e.path[1]) if len(e.path) == 2 else None
            if sym is not None:
                fields.add((sym.item, sym.name))
        if isinstance(e, ast.Ref) and scope is not None and len(e.path) == 1:
            sym = policy.entry_symbol(scope, e.path[0])
            if sym is not None:
                fields.add((sym.item, sym.name))
        if isinstance(e, ast.Accumulate):  # its keys and caps are entry sites already
            sources.add(e.source)
            sym = policy.entry_symbol(e.source, e.column)
            if sym is not None:
                fields.add((sym.item, sym.name))
            continue
        if isinstance(e, ast.Call) and e.func in LIST_AGGREGATES and e.args:
            src = list_source(policy, e.args[0])
            if src is not None:
                sources.add(src)
                first = e.args[0]
                assert isinstance(first, ast.Ref)  # list_source said so
                if len(first.path) == 2:
                    sym = policy.entry_symbol(src, first.path[1])
                    if sym is not None:
                        fields.add((sym.item, sym.name))
                stack += [(a, src) for a in e.args[1:]]
                continue
        stack += [(c, scope) for c in children(e)]
    return sources, fields


def _unused(policy: CheckedPolicy, out: Collector) -> None:
    sources, fields = list_reads(policy)
    for lst in policy.lists.values():
        if lst.name not in sources:
            out.add("W601", lst.span, kind="列表", kind_en="the list", name=lst.name)
            continue
        for fd in lst.fields:
            if (lst.name, fd.name) not in fields:
                out.add("W601", fd.span, kind=f"列表字段（{lst.name}）", kind_en="the list field", name=fd.name)
        for d in policy.entry_defines.get(lst.name, {}).values():
            if (lst.name, d.name) not in fields:
                out.add(
                    "W601", d.span, kind="逐条定义", kind_en="the per-entry definition", name=f"{lst.name}.{d.name}"
                )
    for f in policy.filters.values():
        if f.name not in sources:
            out.add("W601", f.span, kind="筛选", kind_en="the filter", name=f.name)
