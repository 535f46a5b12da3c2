"""Units (单位): the declared conversions, every number's unit, and where a value is converted (E340-E344).

Each unit converts into one base (conversions form trees); 学时 and 学分 are bases without a declaration.
Same or convertible units add and compare (both made the common unit: the one they share, else their base);
× and ÷ take a unitless side; a unit ÷ the same (or a convertible) unit is unitless. A unitless *literal*
takes the unit of what it meets; a unitless input or definition does not (E343). Every conversion is
recorded in ``policy.units`` with its exact factor, so evaluation never looks a unit up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal, Inexact, localcontext
from fractions import Fraction

import attrs

from trainrules.check.division import terminates
from trainrules.check.names import did_you_mean
from trainrules.check.walk import children, entry_sites, sites
from trainrules.diagnostics import Collector
from trainrules.functions import AGGREGATES, FUNCTIONS, LIST_AGGREGATES, ROUNDING, list_source
from trainrules.ir import CheckedPolicy, Conversion, Symbol, resolve
from trainrules.source import Span
from trainrules.syntax import ast
from trainrules.syntax.grammar import keywords

__all__ = ["BUILTIN_UNITS", "check_units"]

#: Units every policy has without declaring them: two unrelated bases.
BUILTIN_UNITS = ("学时", "学分")

#: Functions whose result has the unit of their (common) number arguments.
_SAME_UNIT = frozenset({"最小", "最大", "绝对值", "取值", *ROUNDING})


@attrs.frozen
class _U:
    """An expression's unit (None: unitless) and whether it is a unitless literal (which adapts)."""

    unit: str | None
    literal: bool = False


_NONE = _U(None)


def _table(policy: CheckedPolicy, out: Collector) -> None:
    """Each unit's base and factor, from the 单位 declarations: E340 for twice, a cycle or a factor not above 0."""
    decls: dict[str, ast.UnitDecl] = {}
    for d in policy.module.decls:
        if not isinstance(d, ast.UnitDecl):
            continue
        if d.name in decls or (d.name in BUILTIN_UNITS and d.base is None):
            if d.name in decls:
                out.add(
                    "E340",
                    d.span,
                    name=d.name,
                    what=f"已在第 {decls[d.name].span.line} 行声明过",
                    what_en=f"is already declared on line {decls[d.name].span.line}",
                    hint="每个单位只声明一次。",
                    hint_en="Declare each unit once.",
                )
            continue  # 单位 学时 alone restates a built-in base: harmless
        if d.factor is not None and d.factor <= 0:
            out.add(
                "E340",
                d.span,
                name=d.name,
                what=f"的换算系数须大于 0，这里是 {d.factor}",
                what_en=f"needs a factor above 0, not {d.factor}",
                hint=f"写成 单位 {d.name} = 6 学时 这样的形式。",
                hint_en=f"Write it like 单位 {d.name} = 6 学时.",
            )
            continue
        if d.base is not None and d.base == d.name:
            out.add(
                "E340",
                d.span,
                name=d.name,
                what="不能由它自己换算",
                what_en="cannot convert into itself",
                hint="“=”右边写另一个单位。",
                hint_en="Write another unit after =.",
            )
            continue
        if d.base is not None and not d.cite.rule_ids:  # a conversion is a ruling: it cites one
            out.add("E308", d.span, what=f"单位换算“{d.name}”", what_en=f"the unit conversion '{d.name}'")
        decls[d.name] = d
    known = {*BUILTIN_UNITS, *decls}
    table = policy.units.table
    for u in BUILTIN_UNITS:
        table[u] = (u, Decimal(1), ())
    for name, d in decls.items():
        if d.base is not None and d.base not in known:
            _unknown(out, d.base, d.base_span or d.span, known)
            table[name] = (name, Decimal(1), ())
            continue
        chain: list[ast.UnitDecl] = []
        factor, at, seen = Decimal(1), name, {name}
        while at in decls and decls[at].base is not None:
            step = decls[at]
            assert step.factor is not None  # a conversion has a factor and a base
            assert step.base is not None
            chain.append(step)
            factor *= step.factor
            at = step.base
            if at in seen:
                out.add(
                    "E340",
                    d.span,
                    name=name,
                    what="的换算绕成了一圈：" + " → ".join([*(c.name for c in chain), at]),
                    what_en="converts in a cycle: " + " -> ".join([*(c.name for c in chain), at]),
                    hint="换算须成树：每个单位最终换成一个基本单位（如 学时）。",
                    hint_en="Conversions form trees: each unit ends in one base unit (such as 学时).",
                )
                chain, factor, at = [], Decimal(1), name
                break
            seen.add(at)
        table[name] = (at, factor, tuple(chain))


def _unknown(out: Collector, name: str, span: Span | None, known: Iterable[str]) -> None:
    """E341: an undeclared unit, with a did-you-mean; a word that is no unit at all may be a glued keyword."""
    zh, en = did_you_mean(name, known, shown=len(out.items))
    if not zh:
        glued = next((k for k in sorted(keywords(), key=len, reverse=True) if name.startswith(k)), None)
        if glued is not None:  # 60授予36学时: the number and the keyword need a space between them
            fixed = " ".join(p for p in (glued, name[len(glued) :]) if p)
            zh = f"“{name}”不是单位：是不是漏了空格，想写“… {fixed}”？在数和“{glued}”之间加空格。"
            en = f"'{name}' is no unit: is a space missing, as in '… {fixed}'? Put a space before {glued}."
        else:
            zh = f"若“{name}”不是单位，可能漏了空格、运算符或关键字；若是单位，请先声明：单位 {name} = N 学时 依据 …。"
            en = (
                f"If '{name}' is not a unit, a space, an operator or a keyword may be missing;"
                f" if it is a unit, declare it first: 单位 {name} = N 学时 依据 …."
            )
    out.add("E341", span, name=name, suggestion=zh, suggestion_en=en)


class _Units:
    def __init__(self, policy: CheckedPolicy, out: Collector) -> None:
        self.policy = policy
        self.out = out
        self.units = policy.units
        self.defines: dict[str, _U] = {}
        self.entry_defines: dict[tuple[str, str], _U | None] = {}
        self.roots: dict[int, _U] = {}

    # ---------- units of declarations ----------
    def known(self, unit: str | None, span: Span | None) -> str | None:
        """``unit`` when declared (else E341 and None)."""
        if unit is None:
            return None
        if unit not in self.units.table:
            _unknown(self.out, unit, span, self.units.table)
            return None
        return unit

    def declared(self) -> None:
        """Units written on fields, assumptions and lookup tables are declared units."""
        for d in self.policy.module.decls:
            if isinstance(d, ast.InputField | ast.Assumption | ast.LookupTable):
                self.known(d.unit, d.unit_span or d.span)
                if isinstance(d, ast.InputField) and d.unit is not None and d.type not in ("数", "整数"):
                    self.out.add(
                        "E344",
                        d.unit_span or d.span,
                        what=f"“{d.name}”是{d.type}，不能带单位",
                        what_en=f"'{d.name}' is a {d.type}, which has no unit",
                    )
            if isinstance(d, ast.ListDecl):
                for f in d.fields:
                    self.known(f.unit, f.unit_span or f.span)

    def symbol(self, sym: Symbol) -> _U:
        """The unit of what a name stands for."""
        decl = sym.decl
        if sym.kind in ("field", "school_field", "entry_field") and isinstance(decl, ast.InputField):
            return _U(self.valid(decl.unit))
        if sym.kind == "assumption" and isinstance(decl, ast.Assumption):
            return _U(self.valid(decl.unit))
        if sym.kind == "define" and isinstance(decl, ast.Define | ast.Result):
            return self.define(sym.name, decl.expr)
        if sym.kind == "entry_define" and isinstance(decl, ast.Define):
            return self.entry_define(sym.item, sym.name, decl.expr)
        if sym.kind == "requirement_amount" and isinstance(decl, ast.Requirement) and decl.lines:
            line = decl.lines[0].expr
            self.root(line, None, None)
            return _U(self.units.unit(line.left) if isinstance(line, ast.Compare) else None)
        return _NONE

    def valid(self, unit: str | None) -> str | None:
        return unit if unit in self.units.table else None

    def define(self, name: str, e: ast.Expr) -> _U:
        if name not in self.defines:
            self.defines[name] = _NONE  # definitions are acyclic (check.definitions); a guard all the same
            self.defines[name] = attrs.evolve(self.root(e, None, None), literal=False)
        return self.defines[name]

    def entry_define(self, list_name: str, name: str, e: ast.Expr) -> _U:
        key = (list_name, name)
        if key in self.entry_defines:
            return self.entry_defines[key] or _NONE  # None while being worked out: a cycle, E309 in check.types
        self.entry_defines[key] = None
        u = attrs.evolve(self.root(e, None, list_name), literal=False)
        self.entry_defines[key] = u
        return u

    # ---------- expressions ----------
    def root(self, e: ast.Expr, item: ast.Item | None, entry: str | None) -> _U:
        """The unit of a top-level expression, worked out once."""
        if id(e) not in self.roots:
            self.roots[id(e)] = self.infer(e, item, entry, rounded=False)
        return self.roots[id(e)]

    def note(self, e: ast.Expr, u: _U) -> _U:
        if u.unit is not None:
            self.units.of[id(e)] = u.unit
        return u

    def infer(self, e: ast.Expr, item: ast.Item | None, entry: str | None, rounded: bool) -> _U:
        return self.note(e, self.form(e, item, entry, rounded))

    def form(self, e: ast.Expr, item: ast.Item | None, entry: str | None, rounded: bool) -> _U:
        def sub(x: ast.Expr, at: str | None = entry, r: bool = rounded) -> _U:
            return self.infer(x, item, at, r)

        if isinstance(e, ast.Number):
            return _U(None, literal=True)
        if isinstance(e, ast.Quantity):
            inner = sub(e.expr)
            unit = self.known(e.unit, e.unit_span or e.span)
            if unit is None:
                return _U(None, literal=True)  # E341 said it: nothing more about it
            if inner.unit is not None and inner.unit != unit:
                self.convert(e.expr, inner.unit, unit, e, rounded)
            return _U(unit)
        if isinstance(e, ast.Ref):
            if entry is not None and len(e.path) == 1:
                esym = self.policy.entry_symbol(entry, e.path[0])
                if esym is not None:
                    return self.symbol(esym)
            sym = resolve(self.policy, e.path, item)
            return self.symbol(sym) if sym is not None else _NONE
        if isinstance(e, ast.Lookup):
            sub(e.key)
            table = self.policy.lookup_tables.get(e.table)
            return _U(self.valid(table.unit)) if table is not None else _NONE
        if isinstance(e, ast.Accumulate):
            return self.accumulate(e)
        if isinstance(e, ast.Unary):
            u = sub(e.operand)
            return u if e.op == "neg" else _NONE
        if isinstance(e, ast.Chain):
            if e.kind == "sum":
                ops = [e.first, *(x for _, x in e.rest)]
                return self.common(ops, [sub(x) for x in ops], "相加", "added to", rounded)
            return self.product(e, sub, rounded)
        if isinstance(e, ast.Compare):
            left, right = sub(e.left), sub(e.right)
            if e.op not in ("contains", "contains_any", "in"):
                self.common([e.left, e.right], [left, right], "比较", "compared with", rounded)
            return _NONE
        if isinstance(e, ast.If):
            sub(e.cond)
            return self.common([e.then, e.otherwise], [sub(e.then), sub(e.otherwise)], "并列", "put beside", rounded)
        if isinstance(e, ast.Call):
            return self.call(e, item, entry, rounded)
        for x in children(e):
            sub(x)
        return _NONE

    def call(self, e: ast.Call, item: ast.Item | None, entry: str | None, rounded: bool) -> _U:
        source = list_source(self.policy, e.args[0]) if e.func in LIST_AGGREGATES and e.args else None
        if source is not None:
            first = e.args[0]
            assert isinstance(first, ast.Ref)  # list_source said so
            for x in e.args[1:]:
                self.infer(x, None, source, rounded)
            if e.func in ("合计", "最大", "最小") and len(first.path) == 2:
                esym = self.policy.entry_symbol(source, first.path[1])
                return attrs.evolve(self.symbol(esym), literal=False) if esym is not None else _NONE
            return _NONE
        inner = rounded or e.func in ROUNDING
        us = [self.infer(x, item, entry, inner) for x in e.args]
        if e.func in AGGREGATES and e.func != "计数" and us:
            return attrs.evolve(us[0], literal=False)
        if e.func in ROUNDING:
            # the step is in the value's unit: a literal step adapts, a step with a unit is converted
            return self.common(list(e.args), us, "取整", "rounded by", rounded, keep_first=True)
        if e.func in _SAME_UNIT and us:
            return self.common(list(e.args), us, "并列", "put beside", rounded)
        fn = FUNCTIONS.get(e.func)
        if fn is None or (fn.arg_type == "任意" and not fn.args):  # 有值, 缺失: any value, a quantity too
            return _NONE
        for x, u in zip(e.args, us, strict=True):
            if u.unit is not None:
                self.out.add(
                    "E342",
                    x.span,
                    what=f"“{e.func}”不接受带单位的值（这里是{u.unit}）",
                    what_en=f"'{e.func}' takes no value with a unit (here {u.unit})",
                    hint=f"先除以 1 {u.unit} 得到无单位的数：(式) ÷ (1 {u.unit})。",
                    hint_en=f"Divide by 1 {u.unit} first to get a plain number.",
                )
        return _NONE

    def accumulate(self, e: ast.Accumulate) -> _U:
        esym = self.policy.entry_symbol(e.source, e.column)
        column = attrs.evolve(self.symbol(esym), literal=False) if esym is not None else _NONE
        for lv in e.levels:
            for k in lv.keys:
                self.root(k, None, e.source)
            if lv.cap is not None:
                cap = self.root(lv.cap, None, e.source)
                if cap.unit is not None and column.unit is None:
                    self.mismatch(lv.cap, cap.unit, "无单位", "no unit")
                elif cap.unit is not None and column.unit is not None and cap.unit != column.unit:
                    self.convert(lv.cap, cap.unit, column.unit, lv.cap, rounded=False)
        return column

    def product(self, e: ast.Chain, sub: Callable[[ast.Expr], _U], rounded: bool) -> _U:
        """× and ÷ left to right: a unit times a plain number; a unit ÷ a (convertible) unit is a plain number."""
        acc = sub(e.first)
        for op, x in e.rest:
            u = sub(x)
            if op == "*":
                if acc.unit is not None and u.unit is not None:
                    self.mismatch(x, u.unit, acc.unit, acc.unit, times=True)
                    acc = _U(acc.unit)
                else:
                    acc = _U(acc.unit or u.unit, acc.literal and u.literal)
                continue
            if u.unit is None:  # ÷ a plain number
                acc = _U(acc.unit, acc.literal and u.literal)
            elif acc.unit is None:
                self.out.add(
                    "E342",
                    x.span,
                    what=f"无单位的值不能除以{u.unit}的值",
                    what_en=f"a unitless value cannot be divided by a value in {u.unit}",
                    hint=f"把被除数也写成{u.unit}的值，如 (式) {u.unit}。",
                    hint_en=f"Give the dividend a unit too, as in (…) {u.unit}.",
                )
                acc = _NONE
            else:
                if u.unit != acc.unit and self.convertible(acc.unit, u.unit):
                    if x is e.rest[0][1] and not self.even(u.unit, acc.unit) and self.even(acc.unit, u.unit):
                        self.convert(e.first, acc.unit, u.unit, e.first, rounded)  # 天 ÷ 学时: the days to hours
                    else:
                        self.convert(x, u.unit, acc.unit, x, rounded)
                elif u.unit != acc.unit:
                    self.mismatch(x, u.unit, acc.unit, acc.unit)
                acc = _NONE  # a unit ÷ the same unit is a plain number
        return acc

    def exception(self, d: ast.RuleException) -> None:
        """An exception's value is made the unit of the 定义 or 结果 it stands in for."""
        sym = self.policy.symbols.get(d.target)
        if sym is None or sym.kind != "define":
            return  # check.outcomes reports a target that is not a definition
        want = self.symbol(sym).unit
        got = self.root(d.expr, None, None)
        if got.unit is None:
            if want is not None and got.literal:
                self.note(d.expr, _U(want))
            elif want is not None:
                self.unitless(d.expr, d.expr.span.text if d.expr.span else "…", want, "替换", "stand in for")
        elif want is None:
            self.out.add(
                "E342",
                d.expr.span,
                what=f"例外的值是{got.unit}，而“{d.target}”没有单位",
                what_en=f"the exception's value is in {got.unit}, but '{d.target}' has no unit",
                hint=f"给“{d.target}”的式子写上单位：(式) {got.unit}。",
                hint_en=f"Give the formula of '{d.target}' its unit: (…) {got.unit}.",
            )
        elif got.unit != want:
            self.convert(d.expr, got.unit, want, d.expr, rounded=False)

    # ---------- mixing units ----------
    def convertible(self, a: str, b: str) -> bool:
        table = self.units.table
        return a in table and b in table and table[a][0] == table[b][0]

    def common(
        self,
        exprs: list[ast.Expr],
        us: list[_U],
        how: str,
        how_en: str,
        rounded: bool,
        keep_first: bool = False,
    ) -> _U:
        """The unit values take together: the one they share, else their base; each other one is converted."""
        units = [u.unit for u in us if u.unit is not None]
        if not units:
            return _U(None, all(u.literal for u in us))
        first = units[0]
        if keep_first and us[0].unit is None:
            first_expr = exprs[0]
            name = first_expr.span.text if first_expr.span else "…"
            if not us[0].literal:
                self.unitless(first_expr, name, units[0], how, how_en)
            return _NONE
        if keep_first or len(set(units)) == 1:
            target = first
        else:
            target = self.units.table[first][0] if first in self.units.table else first
        for x, u in zip(exprs, us, strict=True):
            if u.unit is None:
                if u.literal:
                    self.note(x, _U(target))  # the literal takes the unit
                else:
                    self.unitless(x, x.span.text if x.span else "…", target, how, how_en)
            elif u.unit != target:
                if self.convertible(u.unit, target):
                    self.convert(x, u.unit, target, x, rounded)
                else:
                    self.mismatch(x, u.unit, first, target)
                    return _U(target)
        return _U(target)

    def unitless(self, x: ast.Expr, name: str, unit: str, how: str, how_en: str) -> None:
        counted = _counted_in(x, self.units.table)
        if counted is not None:  # the value is named after a unit (天): that is the unit it is likely counted in
            hint = (
                f"写上它计数所用的单位：若它按{counted}计，写成 ({name}) {counted}，或把它的声明写成 数（{counted}）。"
            )
            hint_en = (
                f"Attach the unit it is counted in: if it counts {counted}, write ({name}) {counted},"
                f" or declare it as 数（{counted}）."
            )
        else:
            hint = f"写上它计数所用的单位：({name}) 单位，或把它的声明写成 数（单位）；只在它按{unit}计时才写 {unit}。"
            hint_en = (
                f"Attach the unit it is counted in, its own unit: ({name}) UNIT, or declare it as 数（UNIT）;"
                f" write {unit} only if it counts {unit}."
            )
        self.out.add("E343", x.span, name=name, unit=unit, how=how, how_en=how_en, hint=hint, hint_en=hint_en)

    def mismatch(self, x: ast.Expr, got: str, other: str, want: str, *, times: bool = False) -> None:
        if times:
            what = f"两个带单位的值不能相乘（{other} × {got}）"
            what_en = f"two values with units cannot be multiplied ({other} × {got})"
            hint, hint_en = "乘数应是无单位的数，如 学时 × 2。", "One factor must be a plain number, as in 学时 × 2."
        else:
            what = f"{got}与{other}不能换算"
            what_en = f"{got} and {other} do not convert into each other"
            # (式) 单位 cannot join two trees, so the one fix is a declaration joining their bases
            a, b = (self.units.table[u][0] if u in self.units.table else u for u in (want, got))
            hint = f"声明两者的换算：单位 {a} = N {b} 依据 …（N 为 1 {a} 合多少 {b}）。"
            hint_en = f"Declare how they convert: 单位 {a} = N {b} 依据 … (N {b} make one {a})."
        self.out.add("E342", x.span, what=what, what_en=what_en, hint=hint, hint_en=hint_en)

    def even(self, source: str, target: str) -> bool:
        """Whether converting ``source`` into ``target`` multiplies by a finite decimal."""
        return terminates(Fraction(self.units.table[source][1]) / Fraction(self.units.table[target][1]))

    def convert(self, x: ast.Expr, source: str, target: str, at: ast.Expr, rounded: bool) -> None:
        """Record that the value of ``x`` (in ``source``) is made ``target``; E342 when they do not convert."""
        if not self.convertible(source, target):
            self.mismatch(at, source, target, target)
            return
        base, f_src, chain_src = self.units.table[source]
        _, f_tgt, chain_tgt = self.units.table[target]
        ratio = Fraction(f_src) / Fraction(f_tgt)
        multiply, divide = f_src, f_tgt
        if terminates(ratio):
            with localcontext() as ctx:
                ctx.prec = 200
                ctx.traps[Inexact] = True
                multiply, divide = f_src / f_tgt, Decimal(1)
        elif not rounded:
            self.out.add("W502", at.span, divisor=f"{f_tgt}（{target}换成{base}的系数）")
        rules = tuple(d for d in (*chain_src, *chain_tgt) if d not in chain_src or d not in chain_tgt)
        self.units.conversions[id(x)] = Conversion(source, target, multiply, divide, rules)
        self.units.of[id(x)] = target


def _counted_in(e: ast.Expr, table: dict[str, tuple[str, Decimal, tuple[ast.UnitDecl, ...]]]) -> str | None:
    """The declared unit a value is named after (``天`` in ``取值(天, 0)``): its first name's last part, if a unit."""
    if isinstance(e, ast.Ref):
        return e.path[-1] if e.path[-1] in table else None
    first = next((x for x in children(e) if isinstance(x, ast.Ref | ast.Call | ast.Unary)), None)
    return None if first is None else _counted_in(first, table)


def check_units(policy: CheckedPolicy, out: Collector) -> None:
    """Build the unit table, check every expression's units, and record each conversion."""
    _table(policy, out)
    u = _Units(policy, out)
    u.declared()
    for s in sites(policy):
        u.root(s.expr, s.item, None)
    for es in entry_sites(policy):
        if es.source is None or policy.root_list(es.source) is not None:
            u.root(es.expr, None, es.source)
    for d in policy.module.decls:
        if isinstance(d, ast.RuleException):
            u.exception(d)
