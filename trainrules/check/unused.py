"""Unused declarations: definitions, assumptions, tables and inputs that no rule reads (W601)."""

from __future__ import annotations

from trainrules.check.walk import citations, entry_sites, refs, sites
from trainrules.diagnostics import Collector
from trainrules.functions import CLAMP_ASSUMPTION
from trainrules.ir import CheckedPolicy, resolve
from trainrules.syntax import ast

#: Assumptions the language reads itself: 下班前 reads 下班时间, 加年/加月/首年/近月/周期 rely on 月末对齐.
_IMPLICIT = frozenset({"下班时间", CLAMP_ASSUMPTION})

__all__ = ["check_unused"]


def check_unused(policy: CheckedPolicy, out: Collector) -> None:
    """Warn about each declaration nothing refers to."""
    used: set[str] = set()
    used_group: set[tuple[str, str]] = set()  # (kind, fact): 学校.经费, 县.名额
    used_tables: set[str] = set()
    for s in sites(policy):
        for r in refs(s.expr):
            if isinstance(r, ast.Lookup):
                used_tables.add(r.table)
                continue
            sym = resolve(policy, r.path, s.item)
            if sym is None:
                continue
            if sym.kind == "group_field":
                used_group.add((sym.group, sym.name))
            else:
                used.add(sym.name)
            if len(r.path) == 1 and r.path[0] in s.group_keys():
                used.add(r.path[0])
    for es in entry_sites(policy):  # lists, per-entry definitions, filters: teacher names and tables they read
        for r in refs(es.expr):
            if isinstance(r, ast.Lookup):
                used_tables.add(r.table)
            elif es.source is None or len(r.path) != 1 or policy.entry_symbol(es.source, r.path[0]) is None:
                sym = resolve(policy, r.path, None)
                if sym is not None and sym.kind != "group_field":
                    used.add(sym.name)
    used.update(policy.group_kinds)  # a teacher field that keys groups (输入 县) names the teacher's county
    for d in policy.module.decls:
        if isinstance(d, ast.CheckRule):
            used.update(d.group_by)
    used_tables.update(it.bands for it in policy.items.values() if it.bands)
    used_tables.update(p.bands for p in policy.parts if p.bands)
    used_tables.update(r.bands for r in policy.results.values() if r.bands)
    relied = {name for cite, _ in citations(policy) for name in cite.relies}
    for d in policy.module.decls:
        if isinstance(d, ast.Define) and d.entry_of is None and d.name not in used:
            out.add("W601", d.span, kind="定义", kind_en="the definition", name=d.name)
        elif isinstance(d, ast.Assumption) and d.name not in relied and d.name not in used and d.name not in _IMPLICIT:
            out.add("W601", d.span, kind="假设", kind_en="the assumption", name=d.name)
        elif isinstance(d, ast.BandTable | ast.LookupTable) and d.name not in used_tables:
            kind = "档次表" if isinstance(d, ast.BandTable) else "对照表"
            out.add("W601", d.span, kind=kind, kind_en="the table", name=d.name)
        elif isinstance(d, ast.InputField) and (
            (d.owner, d.name) not in used_group if d.owner != "教师" else d.name not in used
        ):
            out.add("W601", d.span, kind=f"输入字段（{d.owner}）", kind_en="the input field", name=d.name)
