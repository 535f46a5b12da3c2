"""``逐 名 取自 式`` in 要求 and 核查: the variable shadows nothing, is read, and a written range is sane.

The variable's uses were renamed by lowering (``ast.ForEach.key``), so it resolves only inside its own
rule; its type is given by check.types from the source. This pass adds what types cannot see:
E350 (the name is already another name's), E351 (a written range or list with no values), E352 (more
values than ``limits.MAX_EACH_VALUES``), E354 (a written end of 序列 that is not whole), W555 (the
variable is never read), W556 (a written list repeats a value) and W559 (a rule to look at: more than
``EACH_VALUES_WARNED`` written values each aggregating over a list, slow for long lists; or a 合格, 证书
or 结果 that reads a requirement whose values are computed for the record, so may be none and the
requirement met without checking anything). E353 (a misplaced 逐) is lowering's.
"""

from __future__ import annotations

from decimal import Decimal

from trainrules.check.walk import children, refs
from trainrules.diagnostics import Collector
from trainrules.functions import AGGREGATES, LIST_AGGREGATES, WHOLE_RUN
from trainrules.ir import CheckedPolicy
from trainrules.limits import MAX_EACH_VALUES, MAX_EACH_WORK
from trainrules.syntax import ast

__all__ = ["EACH_VALUES_WARNED", "check_foreach", "list_aggregates"]

#: A written 逐 with more values than this, whose rule aggregates over a list for each value, is W559:
#: the work is values × entries (bounded per record by ``limits.MAX_EACH_WORK``).
EACH_VALUES_WARNED = 100


def check_foreach(policy: CheckedPolicy, out: Collector) -> None:
    """Check every 逐 of the policy's requirements and checks."""
    for d in policy.module.decls:
        if isinstance(d, ast.Requirement) and d.each is not None:
            _check(
                policy, d.each, [line.expr for line in d.lines], f"要求“{d.name}”", f"the requirement '{d.name}'", out
            )
        elif isinstance(d, ast.CheckRule) and d.each is not None:
            _check(policy, d.each, [d.cond], f"核查“{d.label}”", f"the check '{d.label}'", out)
    _vacuous_uses(policy, out)


def list_aggregates(policy: CheckedPolicy, body: list[ast.Expr]) -> list[ast.Call]:
    """The aggregates over a list or filter in ``body`` (``合计(培训记录.学时, …)``): each runs over the entries."""
    found = []
    for call in (c for e in body for c in _calls(e)):
        first = call.args[0] if call.args else None
        if call.func in LIST_AGGREGATES and isinstance(first, ast.Ref) and policy.root_list(first.path[0]) is not None:
            found.append(call)
    return found


def _computed_source(policy: CheckedPolicy, each: ast.ForEach) -> bool:
    """Whether the values of a 逐 are computed for each record (so may be none), not written in the policy."""
    src = each.source
    if isinstance(src, ast.ListExpr):
        return False
    if isinstance(src, ast.Call) and src.func == "序列" and len(src.args) == 2:
        return any(_constant(policy, a) is None for a in src.args)
    return True  # a 标签集 input, or a list computed otherwise


def _vacuous_uses(policy: CheckedPolicy, out: Collector) -> None:
    """W559 where a 合格, 证书 or 结果 reads (through definitions) a requirement whose 逐 may have no values."""
    vacuous = {
        d.name: d
        for d in policy.module.decls
        if isinstance(d, ast.Requirement) and d.each is not None and _computed_source(policy, d.each)
    }
    if not vacuous:
        return
    named = {
        d.name: d.expr
        for d in policy.module.decls
        if isinstance(d, ast.Result) or (isinstance(d, ast.Define) and d.entry_of is None)
    }

    def reached(e: ast.Expr) -> tuple[set[str], set[str]]:
        """The vacuous requirements ``e`` reads (through definitions), and those whose ``.需`` it reads itself."""
        found: set[str] = set()
        guarded = {r.path[0] for r in refs(e) if isinstance(r, ast.Ref) and r.path[1:] == ("需",)}
        seen: set[str] = set()
        stack = [e]
        while stack:
            for r in refs(stack.pop()):
                name = r.path[0] if isinstance(r, ast.Ref) else ""
                if name in vacuous:
                    found.add(name)
                elif name in named and name not in seen:
                    seen.add(name)
                    stack.append(named[name])
        return found, guarded

    for d in policy.module.decls:
        if isinstance(d, ast.Outcome):
            expr, what, what_en = d.cond, "合格规则", "the pass rule"
        elif isinstance(d, ast.Certificate):
            expr, what, what_en = d.cond, f"证书“{d.label}”", f"the certificate '{d.label}'"
        elif isinstance(d, ast.Result):
            expr, what, what_en = d.expr, f"结果“{d.name}”", f"the result '{d.name}'"
        else:
            continue
        found, guarded = reached(expr)
        for name in sorted(found - guarded):
            each = vacuous[name].each
            assert each is not None  # vacuous holds only requirements with 逐
            text = each.source.span.text if each.source.span else ""
            src, also, also_en = each.source, "", ""
            if isinstance(src, ast.Call) and src.func == "序列" and len(src.args) == 2:
                a, b = (x.span.text if x.span else "" for x in src.args)
                also = f"；范围不应为空时，再写一条 核查 … 要求 {b} 不少于 {a}，让空范围显出来"
                also_en = f"; where the range should never be empty, add 核查 … 要求 {b} 不少于 {a} to show it"
            out.add(
                "W559",
                d.span,
                what=f"{what}读取要求“{name}”，而它的“逐 {each.name} 取自 {text}”按记录计算，可能没有任何值："
                f"那时要求什么也不核对、视为达到",
                what_en=f"{what_en} reads the requirement '{name}', whose '逐 {each.name} 取自 {text}' is computed"
                f" for each record and may have no values: then the requirement checks nothing and counts as met",
                hint=f"在条件中加上 且 {name}.需 > 0（没有值时 需 为 0，条件不成立）{also}。",
                hint_en=f"Add 且 {name}.需 > 0 to the condition (with no values 需 is 0, so it is false){also_en}.",
            )


def _check(
    policy: CheckedPolicy, each: ast.ForEach, body: list[ast.Expr], rule: str, rule_en: str, out: Collector
) -> None:
    where = _taken(policy, each.name)
    if where is not None:
        out.add("E350", each.span, name=each.name, where=where[0], where_en=where[1])
    if not any(isinstance(r, ast.Ref) and r.path == (each.key,) for e in body for r in refs(e)):
        out.add("W555", each.span, name=each.name, rule=rule, rule_en=rule_en)
    _written_values(policy, each, out)
    count = _written_count(policy, each)
    aggregates = list_aggregates(policy, body)
    if count is not None and EACH_VALUES_WARNED < count <= MAX_EACH_VALUES and aggregates:
        text = each.source.span.text if each.source.span else ""
        out.add(
            "W559",
            each.span,
            what=f"{rule}的“逐 {each.name} 取自 {text}”有 {count} 个值，每个值都对列表合计一次"
            f"（{aggregates[0].func}）：工作量是 值数 × 记录条数，记录多时很慢",
            what_en=f"'逐 {each.name} 取自 {text}' of {rule_en} has {count} values and aggregates over a list"
            f" ({aggregates[0].func}) for each: the work is values × entries, slow for long lists",
            hint=f"缩小范围（只核对需要的值）；值数 × 记录条数 超过 {MAX_EACH_WORK:,} 的记录会报错"
            f"（见 docs/limits.md 的 MAX_EACH_WORK）",
            hint_en=f"Narrow the range (check only the values needed); a record where values × entries exceeds"
            f" {MAX_EACH_WORK:,} is an error (see MAX_EACH_WORK in docs/limits.md)",
        )
    for call in _calls(each.source):
        if call.func in AGGREGATES:  # the values must be known before the group's teachers are counted
            text = each.source.span.text if each.source.span else ""
            why = (
                f"来源不能用 {call.func}（按组合计的值要等全组读完才知道）",
                f"the source cannot use {call.func} (a value over the group is known only after the whole group)",
            )
            out.add("E354", call.span, name=each.name, text=text, why=why[0], why_en=why[1])


def _taken(policy: CheckedPolicy, name: str) -> tuple[str, str] | None:
    """What else ``name`` names (in Chinese and English), if anything: a rule could not tell the two apart."""
    sym = policy.symbols.get(name)
    if sym is not None:
        kinds = {"field": ("教师字段", "a teacher field"), "define": ("定义或结果", "a definition or result")}
        kinds |= {"assumption": ("假设", "an assumption"), "requirement": ("要求", "a requirement")}
        zh, en = kinds.get(sym.kind, ("已声明的名称", "a declared name"))
        return f"{zh}“{name}”", f"{en} '{name}'"
    if name == WHOLE_RUN:
        return "内置名称“全体”", "the built-in name '全体'"
    if name in policy.band_tables or name in policy.lookup_tables:
        return "表的名称", "the name of a table"
    for lst in policy.lists.values():  # inside an aggregate a bare name is first an entry's field
        if any(f.name == name for f in lst.fields) or name in policy.entry_defines.get(lst.name, {}):
            return f"列表“{lst.name}”的字段", f"a field of the list '{lst.name}'"
    return None


def _written_values(policy: CheckedPolicy, each: ast.ForEach, out: Collector) -> None:
    """A source whose values are written in the policy: no values, too many, a fractional end, a repeat."""
    src = each.source
    text = src.span.text if src.span else ""
    if isinstance(src, ast.Call) and src.func == "序列" and len(src.args) == 2:
        ends = [_constant(policy, a) for a in src.args]
        for end, which, which_en in zip(ends, ("起点", "终点"), ("start", "end"), strict=True):
            if end is not None and end != end.to_integral_value():
                why = (
                    f"序列的{which}应为整数，这里是 {end}",
                    f"the {which_en} of 序列 must be a whole number, not {end}",
                )
                out.add("E354", src.span, name=each.name, text=text, why=why[0], why_en=why[1])
                return
        a, b = ends
        if a is None or b is None:
            return  # computed for each record: checked there (an error for that record, never a long run)
        if b < a:
            out.add("E351", src.span, name=each.name, text=text)
        elif b - a + 1 > MAX_EACH_VALUES:
            out.add("E352", src.span, text=text, count=b - a + 1, limit=MAX_EACH_VALUES)
    elif isinstance(src, ast.ListExpr):
        if not src.items:
            out.add("E351", src.span, name=each.name, text=text)
        elif len(src.items) > MAX_EACH_VALUES:
            out.add("E352", src.span, text=text, count=len(src.items), limit=MAX_EACH_VALUES)
        seen: set[object] = set()
        for item in src.items:
            value = item.value if isinstance(item, ast.Number | ast.Text) else None
            if value is not None and value in seen:
                out.add("W556", item.span, text=text, value=item.span.text if item.span else value)
            seen.add(value)


def _written_count(policy: CheckedPolicy, each: ast.ForEach) -> int | None:
    """How many values a written source has (None when they are computed for each record)."""
    src = each.source
    if isinstance(src, ast.ListExpr):
        return len(src.items)
    if isinstance(src, ast.Call) and src.func == "序列" and len(src.args) == 2:
        a, b = (_constant(policy, x) for x in src.args)
        if a is not None and b is not None:
            return max(int(b - a) + 1, 0)
    return None


def _constant(policy: CheckedPolicy, e: ast.Expr) -> Decimal | None:
    """A number written in the policy (a literal, its negation, or an assumption's value), else None."""
    if isinstance(e, ast.Number):
        return e.value
    if isinstance(e, ast.Unary) and e.op == "neg":
        inner = _constant(policy, e.operand)
        return None if inner is None else -inner
    if isinstance(e, ast.Ref) and len(e.path) == 1:
        a = policy.assumptions.get(e.path[0])
        if a is not None and isinstance(a.value, ast.Number):
            return a.value.value
    return None


def _calls(e: ast.Expr) -> list[ast.Call]:
    found, stack = [], [e]
    while stack:
        x = stack.pop()
        if isinstance(x, ast.Call):
            found.append(x)
        stack.extend(children(x))
    return found
