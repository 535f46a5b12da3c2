"""Build the symbol tables from declarations: duplicates (E302), a single plan block (E305), repeated facts (E306)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import pendulum
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from trainrules.diagnostics import Collector
from trainrules.ir import BUILTIN_FIELDS, STANDARD_FIELDS, CheckedPolicy, Symbol, Type, field_type
from trainrules.limits import MAX_DIAGNOSTICS_SHOWN, MAX_HINT_CANDIDATES, MAX_HINT_NAME_CHARS
from trainrules.source import Span
from trainrules.syntax import ast
from trainrules.syntax.lower import DEFAULT_TZ

__all__ = ["build", "did_you_mean", "single_plan"]


def did_you_mean(name: str, candidates: Iterable[str], *, shown: int = 0, containing: bool = False) -> tuple[str, str]:
    """A Chinese and an English "did you mean" hint, ranked by edit distance (empty when nothing is close).

    With ``containing`` (a word outside a vocabulary), when no spelling is close, the candidates that
    contain the name or that it contains (in their order) are offered instead. Bounded work: no
    edit-distance ranking for a name over ``MAX_HINT_NAME_CHARS`` or when more than
    ``MAX_HINT_CANDIDATES`` names are close enough in length to compare, and no hint at all for a
    diagnostic past the ``MAX_DIAGNOSTICS_SHOWN`` already collected (``shown``).
    """
    if shown >= MAX_DIAGNOSTICS_SHOWN:
        return "", ""
    names = tuple(candidates)
    close: list[str] = []
    cutoff = max(1, len(name) // 2)
    pool = sorted({c for c in names if c != name and abs(len(c) - len(name)) <= cutoff})
    if len(name) <= MAX_HINT_NAME_CHARS and len(pool) <= MAX_HINT_CANDIDATES:
        found = process.extract(name, pool, scorer=Levenshtein.distance, score_cutoff=cutoff, limit=None)
        close = [c for _, c in sorted((score, c) for c, score, _ in found)][:3]
    if not close and containing:
        close = [c for c in names if name and (name in c or c in name)][:3]
    if not close:
        return "", ""
    zh = "是不是" + "、".join(f"“{c}”" for c in close) + "？"
    en = "did you mean " + ", ".join(f"'{c}'" for c in close) + "?"
    return zh, en


def _on_line(line: int) -> dict[str, str]:
    """The E302 fields naming the line of the first definition."""
    return {"where": f"第 {line} 行", "where_en": f"on line {line}"}


def single_plan(module: ast.Module, out: Collector) -> ast.Plan | None:
    """The one 方案 block; none or several is an error."""
    plans = [d for d in module.decls if isinstance(d, ast.Plan)]
    if not plans:
        if not module.decls:
            out.add("E115", module.span)
        else:
            out.add(
                "E305",
                module.span.source.span(0, 0),
                what="策略缺少“方案”块",
                what_en="the policy has no 方案 block",
                hint='在文件开头写 方案 名称 { 标题 "…" 时区 "Asia/Shanghai" 期间 … 至 … }',
                hint_en='Start the file with 方案 NAME { 标题 "…" 时区 "Asia/Shanghai" 期间 … 至 … }',
            )
        return None
    for extra in plans[1:]:
        out.add("E302", extra.span, name="方案", **_on_line(plans[0].span.line))
    plan = plans[0]
    seen: dict[str, ast.PlanFact] = {}
    for fact in plan.facts:
        if fact.key in seen:
            out.add("E306", fact.span, name=fact.key)
        seen.setdefault(fact.key, fact)
    for key, en in (("标题", "title"),):  # 期间 is optional: a credit plan accumulates (issue 11)
        if key not in seen:
            out.add(
                "E305",
                plan.span,
                what=f"“方案”块缺少“{key}”",
                what_en=f"the 方案 block has no {key} ({en})",
                hint=f"在方案块中加上“{key} …”。",
                hint_en=f"Add '{key} …' to the 方案 block.",
            )
    return plan


def build(module: ast.Module, plan: ast.Plan, out: Collector) -> CheckedPolicy:
    """Collect every declared name into one namespace, reporting duplicates."""
    symbols: dict[str, Symbol] = {}
    group_fields: dict[str, dict[str, Symbol]] = {}
    first_span: dict[str, Span] = {}
    singular: dict[str, Span] = {}  # rules a policy has at most once: 参训, 免修, 合格
    items: dict[str, ast.Item] = {}
    assumptions: dict[str, ast.Assumption] = {}
    band_tables: dict[str, ast.BandTable] = {}
    lookup_tables: dict[str, ast.LookupTable] = {}
    inputs: list[ast.InputField] = []
    parts: list[ast.Part] = []
    lists: dict[str, ast.ListDecl] = {}
    filters: dict[str, ast.FilterDecl] = {}
    entry_defines: dict[str, dict[str, ast.Define]] = {}
    results: dict[str, ast.Result] = {}
    requirements: dict[str, ast.Requirement] = {}
    exceptions: list[ast.RuleException] = []
    unencoded: list[ast.Unencoded] = []

    for name, (key, typ) in BUILTIN_FIELDS.items():
        symbols[name] = Symbol("field", name, typ, None, key)
    symbols["总分"] = Symbol("total", "总分", "数")

    def claim(name: str, span: Span) -> bool:
        if name in first_span or name in BUILTIN_FIELDS or name == "总分":
            if name in first_span:
                out.add("E302", span, name=name, **_on_line(first_span[name].line))
            else:
                out.add("E302", span, name=name, where="内置名称中", where_en="as a built-in name")
            return False
        first_span[name] = span
        return True

    for d in module.decls:
        if isinstance(d, ast.Assumption):
            if claim(d.name, d.span):
                assumptions[d.name] = d
                if d.value is not None:
                    symbols[d.name] = Symbol("assumption", d.name, _value_type(d.value), d)
        elif isinstance(d, ast.InputField):
            inputs.append(d)
            if d.owner != "教师":  # a group's fact (学校.X, 县.X): its own namespace per kind
                facts = group_fields.setdefault(d.owner, {})
                if d.name in facts:
                    first = facts[d.name].decl.span.line  # type: ignore[attr-defined]  # decl is an InputField
                    out.add("E302", d.span, name=f"{d.owner}.{d.name}", **_on_line(first))
                else:
                    typ = field_type(d.type)
                    facts[d.name] = Symbol("group_field", d.name, typ, d, f"facts.{d.name}", group=d.owner)
            elif claim(d.name, d.span):
                key = STANDARD_FIELDS.get(d.name, f"facts.{d.name}")
                symbols[d.name] = Symbol("field", d.name, field_type(d.type), d, key)
        elif isinstance(d, ast.BandTable):
            if claim(d.name, d.span):
                band_tables[d.name] = d
        elif isinstance(d, ast.LookupTable):
            if claim(d.name, d.span):
                lookup_tables[d.name] = d
        elif isinstance(d, ast.Part):
            parts.append(d)
            if claim(d.name, d.span):
                symbols[d.name] = Symbol("part", d.name, "数", d)
            for it in d.items:
                if claim(it.name, it.span):
                    items[it.name] = it
                    symbols[it.name] = Symbol("item", it.name, "数", it)
        elif isinstance(d, ast.ScopeRule | ast.Outcome):
            rule = "合格" if isinstance(d, ast.Outcome) else "参训" if d.kind == "enrolled" else "免修"
            if rule in singular:
                out.add("E302", d.span, name=rule, **_on_line(singular[rule].line))
            singular.setdefault(rule, d.span)
        elif isinstance(d, ast.Define) and d.entry_of is not None:
            own = entry_defines.setdefault(d.entry_of, {})
            if d.name in own:
                out.add("E302", d.span, name=f"{d.entry_of}.{d.name}", **_on_line(own[d.name].span.line))
            else:
                own[d.name] = d
        elif isinstance(d, ast.Define) and claim(d.name, d.span):
            symbols[d.name] = Symbol("define", d.name, "未知", d)
        elif isinstance(d, ast.ListDecl) and claim(d.name, d.span):
            lists[d.name] = d
            symbols[d.name] = Symbol("list", d.name, "列表", d)
        elif isinstance(d, ast.FilterDecl) and claim(d.name, d.span):
            filters[d.name] = d
            symbols[d.name] = Symbol("filter", d.name, "列表", d)
        elif isinstance(d, ast.Result) and claim(d.name, d.span):
            results[d.name] = d
            symbols[d.name] = Symbol("define", d.name, "未知", d)  # read like a definition; reported besides
        elif isinstance(d, ast.Requirement) and claim(d.name, d.span):
            requirements[d.name] = d
            symbols[d.name] = Symbol("requirement", d.name, "是否", d)
        elif isinstance(d, ast.RuleException):
            exceptions.append(d)
        elif isinstance(d, ast.Unencoded):
            unencoded.append(d)

    _entry_names(lists, entry_defines, first_span, out)
    for d in module.decls:  # 逐 variables: typed by check.types from their source, shadowing is check.foreach's
        each = d.each if isinstance(d, ast.Requirement | ast.CheckRule) else None
        if each is not None:
            symbols[each.key] = Symbol("loop", each.name, "未知", each, each.key)
    _group_kinds(module, symbols, group_fields, lists, out)
    tz = plan.fact("时区")
    per = plan.fact("期间")
    tot = plan.fact("总分")
    period: tuple[pendulum.Date, pendulum.Date] | None = None
    if per is not None and len(per.values) == 2:
        a, b = per.values
        if isinstance(a, pendulum.Date) and isinstance(b, pendulum.Date):
            period = (a, b)
    if period is not None and "期间" not in symbols:  # the plan period, readable as a window of dates
        symbols["期间"] = Symbol("period", "期间", "时段", plan.fact("期间"))
    total = tot.values[0] if tot is not None and isinstance(tot.values[0], Decimal) else None
    return CheckedPolicy(
        module=module,
        plan=plan,
        tz=str(tz.values[0]) if tz else DEFAULT_TZ,
        period=period,
        total=total,
        symbols=symbols,
        group_fields=group_fields,
        items=items,
        parts=tuple(parts),
        assumptions=assumptions,
        band_tables=band_tables,
        lookup_tables=lookup_tables,
        inputs=tuple(inputs),
        lists=lists,
        filters=filters,
        entry_defines=entry_defines,
        results=results,
        requirements=requirements,
        exceptions=tuple(exceptions),
        unencoded=tuple(unencoded),
    )


def _entry_names(
    lists: dict[str, ast.ListDecl],
    entry_defines: dict[str, dict[str, ast.Define]],
    teacher: dict[str, Span],
    out: Collector,
) -> None:
    """A list's fields and per-entry definitions may not share a name with a teacher-scope name or each other (E302).

    Inside an entry a bare name is the entry's field first; forbidding the overlap means no name
    ever has two meanings (docs/design/histories.md §1.1).
    """
    for lst in lists.values():
        seen: dict[str, Span] = {}
        named: list[tuple[str, Span]] = [(f.name, f.span) for f in lst.fields]
        named += [(d.name, d.span) for d in entry_defines.get(lst.name, {}).values()]
        for name, span in named:
            if name in seen:
                out.add("E302", span, name=f"{lst.name}.{name}", **_on_line(seen[name].line))
            elif name in teacher:
                out.add("E302", span, name=name, **_on_line(teacher[name].line))
            elif name in BUILTIN_FIELDS or name == "总分":
                out.add("E302", span, name=name, where="内置名称中", where_en="as a built-in name")
            seen.setdefault(name, span)


def _value_type(v: ast.Value) -> Type:
    if isinstance(v, ast.Number):
        return "数"
    if isinstance(v, ast.TimeLit):
        return "钟点"
    if isinstance(v, ast.DateLit):
        return "日期"
    return "文本"


#: The value types a group's key field may have: a group is named by a text (学校 一中, 县 金寨县).
_KEY_TYPES = frozenset({"文本", "标签"})


def _group_kinds(
    module: ast.Module,
    symbols: dict[str, Symbol],
    group_fields: dict[str, dict[str, Symbol]],
    lists: dict[str, ast.ListDecl],
    out: Collector,
) -> None:
    """Each ``输入 X`` other than 教师 declares the facts of a group kind keyed by the teacher field X (E345, E346).

    The facts of a kind reported here stay declared, so that reading them adds no second diagnostic.
    """
    fields = [name for name, sym in symbols.items() if sym.kind == "field"]
    reported: set[str] = set()
    for d in module.decls:
        if not isinstance(d, ast.InputField | ast.ListDecl) or d.owner == "教师" or d.owner in reported:
            continue
        sym = symbols.get(d.owner)
        if sym is not None and sym.kind == "field":
            declared = sym.decl
            if isinstance(declared, ast.InputField) and field_type(declared.type) not in _KEY_TYPES:
                reported.add(d.owner)
                out.add("E346", d.owner_span or d.span, kind=d.owner, type=declared.type)
            continue
        reported.add(d.owner)
        zh, en = did_you_mean(d.owner, ["教师", *fields], shown=len(out.items))
        out.add("E345", d.owner_span or d.span, kind=d.owner, suggestion=zh, suggestion_en=en)
