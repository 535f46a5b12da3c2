"""Interval bounds of every numeric expression from the declared input ranges, each end with its derivation.

An end is a number (or ±∞ when it cannot be known, with the reason), the arithmetic with numbers
that reaches it (``2 × 50``), and notes on where its named leaves came from (``篇数：输入范围 0 至 50``).
Definitions are bounded once each, in dependency order and without recursion across them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

import attrs

from trainrules.check.walk import refs
from trainrules.functions import LIST_AGGREGATES, TIME_BOUNDS, list_source, round_to
from trainrules.ir import CheckedPolicy, Symbol, resolve
from trainrules.limits import MAX_ENTRIES
from trainrules.syntax import ast
from trainrules.values import decimal_text

__all__ = ["INF", "Bound", "Bounder", "End", "Unknown", "derivation", "fmt"]

INF = Decimal("Infinity")
_ZERO = Decimal(0)
_MAX_NOTES = 4
_MAX_HOW = 120
#: Operator precedence of a derivation text: an atom, a product, a sum, anything looser.
_ATOM, _PRODUCT, _SUM, _LOOSE = 3, 2, 1, 0
_ROUNDING = {"向下取整": ROUND_FLOOR, "向上取整": ROUND_CEILING, "四舍五入": ROUND_HALF_UP}

Note = tuple[str, str]


@attrs.frozen
class Unknown:
    """Why an end of a bound cannot be known, and the fix (zh and en)."""

    zh: str
    en: str
    fix: str
    fix_en: str


@attrs.frozen
class End:
    """One end of a bound: its value (±∞ when unknown), how it arose, and where its names' bounds came from."""

    value: Decimal
    how: str
    prec: int = _ATOM
    why: Unknown | None = None
    notes: tuple[Note, ...] = ()

    @property
    def known(self) -> bool:
        """Whether the end is a finite number."""
        return self.value.is_finite()


@attrs.frozen
class Bound:
    """The lowest and highest value an expression can take."""

    lo: End
    hi: End


def fmt(v: Decimal) -> str:
    """A bound as written in a message (∞ for an unknown end)."""
    if v.is_infinite():
        return "∞" if v > 0 else "-∞"
    return decimal_text(v)


def _num(v: Decimal, text: str | None = None, notes: tuple[Note, ...] = ()) -> End:
    t = text if text is not None else fmt(v)
    return End(v, t, _ATOM if not t.startswith("-") else _LOOSE, None, notes)


def _unknown(sign: int, why: Unknown) -> End:
    return End(INF if sign > 0 else -INF, "∞" if sign > 0 else "-∞", _ATOM, why)


def _exact(v: Decimal, text: str, notes: tuple[Note, ...] = ()) -> Bound:
    return Bound(_num(v, text, notes), _num(v, text, notes))


def _merge(*groups: tuple[Note, ...]) -> tuple[Note, ...]:
    out: list[Note] = []
    for g in groups:
        out += [n for n in g if n not in out]
    return tuple(out[:_MAX_NOTES])


def _wrap(e: End, prec: int) -> str:
    return f"({e.how})" if e.prec < prec else e.how


def _combine(value: Decimal, how: str, prec: int, parts: Iterable[End]) -> End:
    ps = list(parts)
    why = None if value.is_finite() else next((p.why for p in ps if p.why is not None), None)
    if len(how) > _MAX_HOW:
        how, prec = fmt(value), _ATOM if value >= 0 else _LOOSE
    return End(value, how, prec, why, _merge(*(p.notes for p in ps)))


def _mul(a: Decimal, b: Decimal) -> Decimal:
    return _ZERO if a == 0 or b == 0 else a * b


def _div(a: Decimal, b: Decimal) -> Decimal:
    if b.is_infinite():
        return _ZERO
    return a / b


def _rounded(v: Decimal, step: Decimal, mode: str) -> Decimal:
    """``v`` rounded as the function would; beyond exact precision, the farthest the rounding can move it."""
    try:
        return round_to(v, step, mode)
    except ArithmeticError:  # a bound too large to quantize exactly: widen by a step instead
        return v - step if mode == ROUND_FLOOR else v + step if mode == ROUND_CEILING else v


def _pick(ends: list[End], lowest: bool) -> End:
    best = ends[0]
    for e in ends[1:]:
        if (e.value < best.value) if lowest else (e.value > best.value):
            best = e
    return best


def _no_max(name: str) -> Unknown:
    """Why the upper end of a part (or of a total over such a part) cannot be known: it has no 满分."""
    return Unknown(
        f"“{name}”没有满分",
        f"'{name}' has no maximum",
        "给部分写上“满分 N”，或用 最小(…, 上限) 限定",
        "give the part 满分 N, or cap it with 最小(…, LIMIT)",
    )


class Bounder:
    """Bounds numeric expressions of one policy; definitions are bounded once, in dependency order."""

    def __init__(self, policy: CheckedPolicy) -> None:
        self.policy = policy
        self.defines: dict[str, Bound | None] = {}
        #: The list or filter whose entries are in scope, and the per-entry definitions being bounded.
        self.entry: str | None = None
        self._entry_busy: set[tuple[str, str]] = set()
        self._entry_bounds: dict[tuple[str, str], Bound | None] = {}
        self._bound_defines()

    # ---------- definitions, without recursion across them ----------
    def _define_deps(self, d: ast.Define | ast.Result) -> list[str]:
        deps = []
        for r in refs(d.expr):
            if isinstance(r, ast.Ref):
                sym = resolve(self.policy, r.path, None)
                if sym is not None and sym.kind == "define" and sym.name not in deps:
                    deps.append(sym.name)
        return deps

    def _bound_defines(self) -> None:
        decls = {
            d.name: d
            for d in self.policy.module.decls
            if (isinstance(d, ast.Define) and d.entry_of is None) or isinstance(d, ast.Result)
        }
        deps = {name: self._define_deps(d) for name, d in decls.items()}
        state: dict[str, int] = {}  # 1 in progress, 2 done
        for root in decls:
            if root in state:
                continue
            stack: list[tuple[str, int]] = [(root, 0)]
            state[root] = 1
            while stack:
                name, i = stack[-1]
                ds = deps.get(name, [])
                if i < len(ds):
                    stack[-1] = (name, i + 1)
                    nxt = ds[i]
                    if nxt in decls and nxt not in state:
                        state[nxt] = 1
                        stack.append((nxt, 0))
                    elif state.get(nxt) == 1:  # a cycle (E309 elsewhere): its members stay unbounded
                        self.defines[nxt] = None
                    continue
                stack.pop()
                state[name] = 2
                if name not in self.defines:
                    self.defines[name] = self.bound(decls[name].expr)

    # ---------- expressions ----------
    def bound(self, e: ast.Expr, item: ast.Item | None = None) -> Bound | None:
        """The bound of a numeric expression read in ``item``'s scope, or None when it is not numeric."""
        b = self._bound(e, item)
        conv = self.policy.units.conversions.get(id(e))
        if b is None or conv is None:
            return b
        # a conversion into another unit scales both ends by its (positive) factor
        return Bound(
            *(_combine(conv.apply(x.value), f"{x.how} {conv.source}→{conv.target}", _ATOM, [x]) for x in (b.lo, b.hi))
        )

    def _bound(self, e: ast.Expr, item: ast.Item | None) -> Bound | None:
        if isinstance(e, ast.Quantity):  # 36 学时: the number (a conversion is on it)
            return self.bound(e.expr, item)
        if isinstance(e, ast.Number):
            return _exact(e.value, e.text)
        if isinstance(e, ast.Accumulate):
            return self.accumulate(e)
        if isinstance(e, ast.Ref):
            return self.ref(e, item)
        if isinstance(e, ast.Unary):
            if e.op != "neg":
                return None
            b = self.bound(e.operand, item)
            if b is None:
                return None
            return Bound(
                _combine(-b.hi.value, f"-{_wrap(b.hi, _ATOM)}", _PRODUCT, [b.hi]),
                _combine(-b.lo.value, f"-{_wrap(b.lo, _ATOM)}", _PRODUCT, [b.lo]),
            )
        if isinstance(e, ast.Chain):
            return self.chain(e, item)
        if isinstance(e, ast.Call):
            return self.call(e, item)
        if isinstance(e, ast.If):
            a, b = self.bound(e.then, item), self.bound(e.otherwise, item)
            if a is None or b is None:
                return None
            return Bound(_pick([a.lo, b.lo], True), _pick([a.hi, b.hi], False))
        if isinstance(e, ast.Lookup):
            table = self.policy.lookup_tables.get(e.table)
            values = [r.value.value for r in table.rows if isinstance(r.value, ast.Number)] if table else []
            if table is None or not values or len(values) != len(table.rows):
                return None
            lo, hi = min(values), max(values)
            note = (
                f"对照表“{e.table}”的值在 {fmt(lo)} 至 {fmt(hi)} 之间",
                f"table {e.table} holds {fmt(lo)} to {fmt(hi)}",
            )
            return Bound(_num(lo, None, (note,)), _num(hi, None, (note,)))
        return None

    def column(self, source: str, name: str) -> Bound | None:
        """The bound of one entry's field or per-entry definition (``学时`` of ``培训记录``)."""
        sym = self.policy.entry_symbol(source, name)
        if sym is None:
            return None
        if sym.kind == "entry_field":
            assert isinstance(sym.decl, ast.InputField)  # an entry_field symbol
            return self.ref(ast.Ref(path=(name,), span=sym.decl.span), None, sym)
        key = (sym.item, name)
        if key in self._entry_bounds:
            return self._entry_bounds[key]
        if key in self._entry_busy:  # a cycle (E309 elsewhere)
            return None
        self._entry_busy.add(key)
        saved, self.entry = self.entry, sym.item
        try:
            decl = sym.decl
            assert isinstance(decl, ast.Define)  # an entry_define symbol
            b = self.bound(decl.expr)
        finally:
            self.entry = saved
            self._entry_busy.discard(key)
        label = f"{sym.item}.{name}"
        found = None if b is None else Bound(self._named(label, b.lo, "≥"), self._named(label, b.hi, "≤"))
        self._entry_bounds[key] = found
        return found

    def list_call(self, e: ast.Call, source: str) -> Bound | None:
        """Bounds of an aggregate over a list: a count is 0 to MAX_ENTRIES; a sum of values in [lo, hi] is
        min(0, MAX_ENTRIES × lo) to max(0, MAX_ENTRIES × hi); 最大/最小 have the column's bounds."""
        most = Decimal(MAX_ENTRIES)
        note = (f"一个列表至多 {MAX_ENTRIES} 条（limits.MAX_ENTRIES）", f"a list has at most {MAX_ENTRIES} entries")
        if e.func in ("计数", "去重计数"):  # distinct values: at most one per entry
            top = self._top_count(source)
            if top is not None:
                kept = (
                    f"筛选“{source}”至多保留 {fmt(top)} 条（前 {fmt(top)}）",
                    f"the filter {source} keeps at most {fmt(top)}",
                )
                return Bound(_num(_ZERO), _num(top, None, (kept,)))
            return Bound(_num(_ZERO, None, (note,)), _num(most, None, (note,)))
        first = e.args[0]
        if e.func not in ("合计", "最大", "最小") or not isinstance(first, ast.Ref) or len(first.path) != 2:
            return None
        col = self.column(source, first.path[1])
        if col is None or e.func != "合计":
            return col

        def total(end: End, lowest: bool) -> End:
            if not end.known:
                return end
            v = min(_ZERO, most * end.value) if lowest else max(_ZERO, most * end.value)
            how = f"{MAX_ENTRIES} × {_wrap(end, _PRODUCT)}" if v != 0 else "0"
            return _combine(v, how, _PRODUCT, [end, _num(most, None, (note,))])

        return Bound(total(col.lo, True), total(col.hi, False))

    def accumulate(self, e: ast.Accumulate) -> Bound | None:
        """A 累计 lies within the bounds of 合计 of its column (caps ≥ 0 only remove), and with an overall cap
        (每 全体 至多 N) at most N."""
        total = self.list_call(
            ast.Call(func="合计", args=(ast.Ref(path=(e.source, e.column), span=e.span),), span=e.span), e.source
        )
        if total is None:
            return None
        hi = total.hi
        for lv in e.levels:
            cap = self.bound(lv.cap) if not lv.keys and lv.cap is not None else None
            if cap is not None and cap.hi.known and (not hi.known or cap.hi.value < hi.value):
                hi = self._named(f"累计“{e.name}”的总上限", cap.hi, "≤")
        lo = total.lo
        if hi.known and lo.known and lo.value > hi.value:
            lo = hi
        return Bound(lo, hi)

    def _top_count(self, source: str) -> Decimal | None:
        """The fewest entries a ``前 N`` step (with a literal N, not per key) lets a filter, or what it reads, keep."""
        best: Decimal | None = None
        seen: set[str] = set()
        while source in self.policy.filters and source not in seen:
            seen.add(source)
            f = self.policy.filters[source]
            for st in f.steps:
                if st.kind == "top" and not st.keys and isinstance(st.count, ast.Number):
                    best = st.count.value if best is None else min(best, st.count.value)
            source = f.source
        return best

    def ref(self, e: ast.Ref, item: ast.Item | None, entry_sym: Symbol | None = None) -> Bound | None:
        if entry_sym is None and self.entry is not None and len(e.path) == 1:
            found = self.policy.entry_symbol(self.entry, e.path[0])
            if found is not None:
                return self.column(self.entry, e.path[0])
        sym = entry_sym or resolve(self.policy, e.path, item)
        if sym is None:
            return None
        name = e.dotted
        if sym.kind in ("field", "group_field", "entry_field"):
            decl = sym.decl
            if not isinstance(decl, ast.InputField) or decl.type not in ("数", "整数"):
                return None
            if decl.low is None or decl.high is None:
                why = Unknown(
                    f"输入“{name}”没有声明范围",
                    f"the input '{name}' has no declared range",
                    f"给“{decl.name}”声明范围（如 {decl.name}: {decl.type} 0 至 50）",
                    f"declare a range for '{decl.name}' (e.g. {decl.name}: {decl.type} 0 至 50)",
                )
                return Bound(_unknown(-1, why), _unknown(1, why))
            note = (
                f"{name}的范围为 {fmt(decl.low)} 至 {fmt(decl.high)}",
                f"{name} is declared {fmt(decl.low)} to {fmt(decl.high)}",
            )
            return Bound(_num(decl.low, None, (note,)), _num(decl.high, None, (note,)))
        if sym.kind in ("item", "part"):
            top = self._top(sym.kind, sym.name)
            if top is None:
                return Bound(_num(_ZERO), _unknown(1, _no_max(name)))
            note = (f"{name}的满分为 {fmt(top)}", f"{name} has the maximum {fmt(top)}")
            return Bound(_num(_ZERO, None, (note,)), _num(top, None, (note,)))
        if sym.kind == "total":
            top = self.policy.total if self.policy.total is not None else self._parts_total()
            if top is None:
                return Bound(_num(_ZERO), _unknown(1, _no_max("总分")))
            note = (f"总分至多为 {fmt(top)}", f"the total is at most {fmt(top)}")
            return Bound(_num(_ZERO, None, (note,)), _num(top, None, (note,)))
        if sym.kind == "max_points":
            it = self.policy.items.get(sym.item)
            top = it.max_points if it is not None and it.max_points is not None else _ZERO
            return _exact(top, fmt(top))
        if sym.kind == "item_input":
            it = self.policy.items.get(sym.item)
            if sym.name == "分数":
                top = it.max_points if it is not None and it.max_points is not None else _ZERO
                note = (f"{name}至多为满分 {fmt(top)}", f"{name} is at most the maximum {fmt(top)}")
                return Bound(_num(_ZERO, None, (note,)), _num(top, None, (note,)))
            if sym.name == "字数":
                why = Unknown(
                    f"“{name}”没有上限",
                    f"'{name}' has no upper limit",
                    f"用 最小({name}, 上限) 限定它",
                    f"limit it with 最小({name}, LIMIT)",
                )
                return Bound(_num(_ZERO), _unknown(1, why))
            return None
        if sym.kind == "assumption":
            decl = sym.decl
            if isinstance(decl, ast.Assumption) and isinstance(decl.value, ast.Number):
                v = decl.value.value
                return _exact(
                    v, fmt(v), ((f"假设 {name} = {decl.value.text}", f"assumption {name} = {decl.value.text}"),)
                )
            return None
        if sym.kind == "define":
            b = self.defines.get(sym.name)
            if b is None:
                return None
            return Bound(self._named(name, b.lo, "≥"), self._named(name, b.hi, "≤"))
        return None

    @staticmethod
    def _named(name: str, end: End, rel: str) -> End:
        if not end.known:
            return end
        shown = fmt(end.value)
        how = f"{end.how} = {shown}" if end.how != shown else shown
        note = (f"{name} {rel} {how}", f"{name} {rel} {how}")
        return End(end.value, shown, _ATOM if end.value >= 0 else _LOOSE, None, _merge((note,), end.notes))

    def _top(self, kind: str, name: str) -> Decimal | None:
        """An item's or part's maximum; None for a part declared without one (it accumulates)."""
        if kind == "item":
            it = self.policy.items.get(name)
            return it.max_points if it is not None and it.max_points is not None else _ZERO
        part = next((p for p in self.policy.parts if p.name == name), None)
        return part.max_points if part is not None else _ZERO

    def _parts_total(self) -> Decimal | None:
        tops = [p.max_points for p in self.policy.parts]
        return None if None in tops else sum((t for t in tops if t is not None), _ZERO)

    def chain(self, e: ast.Chain, item: ast.Item | None) -> Bound | None:
        acc = self.bound(e.first, item)
        prec = _SUM if e.kind == "sum" else _PRODUCT
        sym = {"+": "+", "-": "-", "*": "×", "/": "/"}
        for op, x in e.rest:
            b = self.bound(x, item)
            if acc is None or b is None:
                return None
            right_prec = prec + 1 if op in ("-", "/") else prec

            def join(a: End, c: End, value: Decimal, op: str = op, right_prec: int = right_prec) -> End:
                return _combine(value, f"{_wrap(a, prec)} {sym[op]} {_wrap(c, right_prec)}", prec, [a, c])

            if op == "+":
                acc = Bound(
                    join(acc.lo, b.lo, acc.lo.value + b.lo.value), join(acc.hi, b.hi, acc.hi.value + b.hi.value)
                )
            elif op == "-":
                acc = Bound(
                    join(acc.lo, b.hi, acc.lo.value - b.hi.value), join(acc.hi, b.lo, acc.hi.value - b.lo.value)
                )
            else:
                if op == "/" and b.lo.value <= 0 <= b.hi.value:
                    text = x.span.text if x.span else "除数"
                    why = Unknown(
                        f"除数 {text} 可能为 0",
                        f"the divisor {text} may be 0",
                        f"让除数不可能为 0（如声明范围 1 至 …，或写 最大({text}, 1)）",
                        f"make the divisor nonzero (declare a range from 1, or write 最大({text}, 1))",
                    )
                    acc = Bound(_unknown(-1, why), _unknown(1, why))
                    continue
                f: Callable[[Decimal, Decimal], Decimal] = _mul if op == "*" else _div
                corners = [join(a, c, f(a.value, c.value)) for a in (acc.lo, acc.hi) for c in (b.lo, b.hi)]
                acc = Bound(_pick(corners, True), _pick(corners, False))
        return acc

    def call(self, e: ast.Call, item: ast.Item | None) -> Bound | None:
        source = list_source(self.policy, e.args[0]) if e.func in LIST_AGGREGATES and e.args else None
        if source is not None:
            return self.list_call(e, source)
        if e.func in ("最小", "最大", "取值"):
            bs = [self.bound(a, item) for a in e.args]
            if not bs or any(b is None for b in bs):
                return None
            known = [b for b in bs if b is not None]
            if e.func == "取值":
                return Bound(_pick([b.lo for b in known], True), _pick([b.hi for b in known], False))
            lowest = e.func == "最小"

            def pick(ends: list[End]) -> End:
                best = _pick(ends, lowest)
                how = f"{e.func}({', '.join(x.how for x in ends)})"
                return _combine(best.value, how, _ATOM, [best] if best.known else ends)

            return Bound(pick([b.lo for b in known]), pick([b.hi for b in known]))
        if e.func in _ROUNDING and e.args:
            x = self.bound(e.args[0], item)
            if x is None:
                return None
            step_expr = e.args[1] if len(e.args) > 1 else None
            mode = _ROUNDING[e.func]
            if step_expr is None or (isinstance(step_expr, ast.Number) and step_expr.value > 0):
                step = step_expr.value if isinstance(step_expr, ast.Number) else Decimal(1)
                tail = f", {step_expr.text}" if isinstance(step_expr, ast.Number) else ""

                def rnd(end: End) -> End:
                    v = _rounded(end.value, step, mode) if end.known else end.value
                    return _combine(v, f"{e.func}({end.how}{tail})", _ATOM, [end])

                return Bound(rnd(x.lo), rnd(x.hi))
            s = self.bound(step_expr, item)
            if s is None:
                return None
            top = max(s.hi.value, _ZERO)
            down = top if mode == ROUND_FLOOR else top / 2 if mode == ROUND_HALF_UP else _ZERO
            up = top if mode == ROUND_CEILING else top / 2 if mode == ROUND_HALF_UP else _ZERO
            lo_v = x.lo.value - down
            hi_v = x.hi.value + up
            return Bound(_combine(lo_v, fmt(lo_v), _ATOM, [x.lo, s.hi]), _combine(hi_v, fmt(hi_v), _ATOM, [x.hi, s.hi]))
        if e.func in TIME_BOUNDS:  # a calendar number: a year, a month, a weekday, a day count
            lo, hi = (Decimal(x) for x in TIME_BOUNDS[e.func])
            note = (f"{e.func}(…) 在 {fmt(lo)} 至 {fmt(hi)} 之间", f"{e.func}(…) is between {fmt(lo)} and {fmt(hi)}")
            return Bound(_num(lo, None, (note,)), _num(hi, None, (note,)))
        if e.func == "绝对值" and len(e.args) == 1:
            x = self.bound(e.args[0], item)
            if x is None:
                return None
            if x.lo.value >= 0:
                return x
            if x.hi.value <= 0:
                return Bound(
                    _combine(-x.hi.value, f"绝对值({x.hi.how})", _ATOM, [x.hi]),
                    _combine(-x.lo.value, f"绝对值({x.lo.how})", _ATOM, [x.lo]),
                )
            far = x.hi if x.hi.value >= -x.lo.value else x.lo
            return Bound(_num(_ZERO), _combine(abs(far.value), f"绝对值({far.how})", _ATOM, [far]))
        return None


def derivation(text: str, end: End, rel: str) -> str:
    """How an end arose: ``2 × 篇数 ≤ 2 × 50 = 100`` (``rel`` is ≤ for an upper end, ≥ for a lower one)."""
    shown = fmt(end.value)
    out = text
    if end.how not in (text, shown):
        out += f" {rel} {end.how}"
        return out + (f" = {shown}" if shown != text else "")
    return out if shown == text else f"{out} {rel} {shown}"
