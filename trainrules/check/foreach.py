"""``逐 名 取自 式`` in 要求 and 核查: the variable shadows nothing, is read, and a written range is sane.

The variable's uses were renamed by lowering (``ast.ForEach.key``), so it resolves only inside its own
rule; its type is given by check.types from the source. This pass adds what types cannot see:
E350 (the name is already another name's), E351 (a written range or list with no values), E352 (more
values than ``limits.MAX_EACH_VALUES``), E354 (a written end of 序列 that is not whole), W555 (the
variable is never read) and W556 (a written list repeats a value). E353 (a misplaced 逐) is lowering's.
"""

from __future__ import annotations

from decimal import Decimal

from trainrules.check.walk import children, refs
from trainrules.diagnostics import Collector
from trainrules.functions import AGGREGATES, WHOLE_RUN
from trainrules.ir import CheckedPolicy
from trainrules.limits import MAX_EACH_VALUES
from trainrules.syntax import ast

__all__ = ["check_foreach"]


def check_foreach(policy: CheckedPolicy, out: Collector) -> None:
    """Check every 逐 of the policy's requirements and checks."""
    for d in policy.module.decls:
        if isinstance(d, ast.Requirement) and d.each is not None:
            _check(
                policy, d.each, [line.expr for line in d.lines], f"要求“{d.name}”", f"the requirement '{d.name}'", out
            )
        elif isinstance(d, ast.CheckRule) and d.each is not None:
            _check(policy, d.each, [d.cond], f"核查“{d.label}”", f"the check '{d.label}'", out)


def _check(
    policy: CheckedPolicy, each: ast.ForEach, body: list[ast.Expr], rule: str, rule_en: str, out: Collector
) -> None:
    where = _taken(policy, each.name)
    if where is not None:
        out.add("E350", each.span, name=each.name, where=where[0], where_en=where[1])
    if not any(isinstance(r, ast.Ref) and r.path == (each.key,) for e in body for r in refs(e)):
        out.add("W555", each.span, name=each.name, rule=rule, rule_en=rule_en)
    _written_values(policy, each, out)
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
