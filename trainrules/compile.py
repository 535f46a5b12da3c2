"""Checked policy to Plan: every expression becomes a closure over an evaluation context (no eval/exec, no spans)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Protocol

import attrs
import pendulum

from trainrules.check.bands import precision
from trainrules.check.foreach import list_aggregates
from trainrules.check.labels import item_grades, ordered_vocab
from trainrules.check.points import max_total
from trainrules.check.walk import children, item_citations, refs, sites
from trainrules.errors import ComputeError
from trainrules.functions import (
    AGGREGATES,
    CLAMP_ASSUMPTION,
    FUNCTIONS,
    LIST_AGGREGATES,
    Function,
    clamp_applies,
    list_source,
    shown,
)
from trainrules.ir import CheckedPolicy, Conversion, Symbol, resolve
from trainrules.logic import Missing, kleene
from trainrules.syntax import ast
from trainrules.values import DateWindow, ValueProblem, wall_instant

__all__ = [
    "AccumulatePlan",
    "CapPlan",
    "Citing",
    "Compiled",
    "Context",
    "EachPlan",
    "ExceptionPlan",
    "FilterPlan",
    "FilterStep",
    "Fn",
    "Grading",
    "ItemPlan",
    "LinePlan",
    "ListSpec",
    "PartPlan",
    "Plan",
    "RequirementPlan",
    "ResultPlan",
    "compile_policy",
]

Value = Any  # Decimal | str | bool | pendulum.DateTime | pendulum.Date | tuple | None (missing)


class Context(Protocol):
    """What a compiled expression reads: the record's values and the lazily computed results."""

    rec: dict[str, object]
    groups: dict[str, dict[str, object]]  # the facts and lists of the teacher's group of each kind (学校, 县)

    def item_points(self, name: str) -> Decimal: ...
    def item_result(self, name: str) -> Any: ...
    def part_points(self, name: str) -> Decimal: ...
    def total(self) -> Decimal: ...
    def define(self, name: str) -> Value: ...
    def requirement(self, name: str) -> Any: ...
    def aggregate(self, index: int) -> Value: ...
    def calendar_step(
        self,
        func: str,
        inputs: Callable[[], tuple[tuple[str, str], ...]],
        result: Value,
        say: Callable[[], tuple[str, str]],
        citing: Citing,
        assumptions: tuple[tuple[str, str], ...],
    ) -> None: ...
    def entries(self, source: str) -> tuple[Any, ...]: ...
    def at(self, entry: Any) -> Context: ...
    def entry_value(self, name: str) -> Value: ...
    def entry_define(self, name: str) -> Value: ...
    def accumulation(self, name: str) -> Any: ...
    def loop(self, key: str) -> Value: ...


Fn = Callable[[Context], Value]


@attrs.frozen
class Compiled:
    """A compiled expression with the inputs it reads (for explanations) and its source text."""

    fn: Fn
    reads: tuple[tuple[str, str], ...]  # (label, record key or "") in source order
    text: str
    #: For explanations: a condition's pieces. "and"/"or" with the operands, "not" with the operand,
    #: or a comparison operator with its two sides; empty for anything else.
    op: str = ""
    parts: tuple[Compiled, ...] = ()
    #: For explanations: the lookups it makes outside any aggregate, as (source text, how to compute it),
    #: so a step shows ``获奖分[获奖] = 20`` beside the key it read.
    lookups: tuple[tuple[str, Fn], ...] = ()
    #: The record fields it reads outside 有值/缺失/取值, as (label, record key): where one is missing,
    #: a condition that came out false was not decided, only defaulted (a comparison with nothing is false).
    strict: tuple[tuple[str, str], ...] = ()
    #: For explanations: the conversions it makes outside any aggregate, as (the value before, the conversion),
    #: so a step shows ``5 天 = 30 学时（单位 天 = 6 学时，依据 R003-02）``.
    conversions: tuple[tuple[Fn, Conversion], ...] = ()
    #: The unit of its value, if it has one.
    unit: str | None = None
    #: Compiled over entries: the entry fields it reads outside 有值/缺失/取值 (a missing one leaves it undecided).
    entry_strict: tuple[str, ...] = ()


@attrs.frozen
class Citing:
    """Provenance of a rule: rule ids, section and the assumptions (name, text) it relies on."""

    rule_ids: tuple[str, ...]
    section: str | None
    assumptions: tuple[tuple[str, str], ...]


@attrs.frozen
class Band:
    """A compiled band or declared gap."""

    label: str | None
    low: Decimal
    high: Decimal
    gap: bool
    high_open: bool = False  # the high bound is excluded (``12 至 低于 18``)


@attrs.frozen
class ItemPlan:
    """Everything the evaluator needs about one item."""

    name: str
    part: str
    max_points: Decimal | None
    deadline: pendulum.DateTime | None
    inclusive: bool
    deadline_text: str
    opens: pendulum.DateTime | None
    submitted_from: Compiled | None
    valid: Compiled | None
    score: Compiled | None
    late: Compiled | None
    missing: Compiled | None
    bands: tuple[Band, ...]
    band_step: Decimal | None
    citing: Citing
    band_table: str = ""  # the name of the band table the item uses
    grades: tuple[str, ...] = ()  # the labels a recorded 等级 may take (the band table's), when known
    time_key: str = ""  # the record keys of this item's submission time and score
    score_key: str = ""
    #: The item's own inputs its 有效 condition reads outside 有值/缺失/取值, as (record key, label):
    #: on time with one of them missing, validity cannot be decided and the record is an error.
    valid_needs: tuple[tuple[str, str], ...] = ()
    #: ``适用 当 条件``: for a teacher it does not hold for, the item earns nothing and has no maximum.
    applies: Compiled | None = None


@attrs.frozen
class PartPlan:
    """Everything the evaluator needs about one part."""

    name: str
    max_points: Decimal | None  # None: the part has no maximum (it accumulates)
    scaled: bool
    items: tuple[ItemPlan, ...]
    cancel: Compiled | None
    score: Compiled | None
    citing: Citing
    cancel_citing: Citing
    scored: tuple[ItemPlan, ...] = ()  # items with points, and those without (不计分)
    unscored: tuple[ItemPlan, ...] = ()
    scale_from: Decimal = Decimal(0)  # the scored items' maxima added up
    grading: Grading | None = None  # 档次 on the part
    applies: Compiled | None = None  # 适用 当: a part that does not apply earns nothing and has no maximum
    applies_citing: Citing = Citing((), None, ())


@attrs.frozen
class Grading:
    """A band table as used by a part or a result: its bands (highest first), precision and name."""

    bands: tuple[Band, ...]
    step: Decimal | None
    table: str


@attrs.frozen
class ResultPlan:
    """A named outcome (结果): its expression is ``Plan.defines[name]``; here what is reported besides."""

    name: str
    expr: Compiled
    applies: Compiled | None
    grading: Grading | None
    citing: Citing
    unit: str | None = None


@attrs.frozen
class LinePlan:
    """One line of a requirement: credited (left) against needed (right), a minimum (>=) or a maximum (<=)."""

    label: str | None
    credited: Compiled
    needed: Compiled
    op: str
    text: str
    citing: Citing
    #: The filters whose entries the credited side counts (directly, through definitions, and the filters
    #: those are taken from): what they dropped is what "did not count" toward this line.
    filters: tuple[str, ...] = ()
    #: When the credited side reads its filters through exactly one aggregate with an inline condition
    #: (``合计(周期记录.学时, 年份(日期) == 2019)``) and through no definition: that condition in the entry
    #: scope. A dropped entry counts as "not counted" toward this line only where it holds (or cannot be
    #: evaluated: then it counts, under its filter's reason). None: every dropped entry counts (also when the
    #: filters are read through definitions or several aggregates, where the line's own choice is not known).
    counts_if: Fn | None = None
    #: True when the credited side reads one aggregate and no definition, so ``filters`` is one chain (the
    #: filter read first, then its sources): an entry one filter dropped counts only if it is of the kind
    #: (凡) of every later step of that chain too — the line would not have counted it otherwise.
    one_chain: bool = False
    #: The unit of both sides (after conversion), if they have one.
    unit: str | None = None


def filters_read(policy: CheckedPolicy, e: ast.Expr) -> tuple[str, ...]:
    """The filters ``e`` reads, directly or through definitions, each followed to the filters it is taken from."""
    found: list[str] = []
    seen_defines: set[str] = set()
    stack = [e]
    while stack:
        for r in refs(stack.pop()):
            if not isinstance(r, ast.Ref) or not r.path:
                continue
            head = r.path[0]
            sym = policy.symbols.get(head)
            if sym is not None and sym.kind == "define" and head not in seen_defines:
                seen_defines.add(head)
                if isinstance(sym.decl, ast.Define | ast.Result):
                    stack.append(sym.decl.expr)
            while head in policy.filters and head not in found:
                found.append(head)
                head = policy.filters[head].source
    return tuple(found)


@attrs.frozen
class EachPlan:
    """``逐 名 取自 式``: the variable (as written, and the key compiled reads use) and its source."""

    name: str
    key: str
    source: Compiled
    #: Whether the rule aggregates over a list for each value (then values × entries is bounded: MAX_EACH_WORK).
    over_entries: bool = False


@attrs.frozen
class RequirementPlan:
    """A requirement (要求): its scope and lines; met when every line is (for every value of ``each``)."""

    name: str
    applies: Compiled | None
    lines: tuple[LinePlan, ...]
    citing: Citing
    each: EachPlan | None = None


@attrs.frozen
class ExceptionPlan:
    """An exception (例外) to a 定义 or 结果: its value when its condition holds."""

    target: str
    value: Compiled
    cond: Compiled
    citing: Citing


@attrs.frozen
class RulePlan:
    """A condition-bearing rule (参训, 免修, 合格, 证书, 核查)."""

    name: str
    cond: Compiled
    citing: Citing
    group_by: tuple[str, ...] = ()
    #: (function, argument, condition) per aggregate slot; the condition only for 去重计数(式, 条件).
    aggregates: tuple[tuple[str, Compiled | None, Compiled | None], ...] = ()
    applies: Compiled | None = None  # 适用 当 of a 核查: the teachers it is about
    each: EachPlan | None = None  # 逐 of a 核查: the condition once per value


@attrs.frozen
class FieldSpec:
    """A record field the policy reads, for validation."""

    key: str
    label: str
    type: str
    low: Decimal | None
    high: Decimal | None
    optional: bool
    vocab: tuple[str, ...] = ()  # a label's vocabulary: a value outside it is a record error


@attrs.frozen
class ListSpec:
    """A list per teacher: where a record holds it, its entries' fields, and the rules every entry must meet."""

    name: str
    key: str  # the record key (``lists.培训记录``)
    naming: str | None  # the field that names an entry (``按 记录号``), else entries are 第 n 条
    fields: tuple[FieldSpec, ...]
    rules: tuple[tuple[Compiled, str, Citing], ...]  # (condition, reason, provenance)
    owner: str = "教师"  # a group kind (学校, 县): the group's list, read from its record, in group checks 按 that kind


@attrs.frozen
class FilterStep:
    """One compiled step of a 筛选 (see ``ast.FilterStep``)."""

    kind: str
    cond: Compiled | None
    reason: str
    keys: tuple[Compiled, ...]
    count: Compiled | None
    by: Compiled | None
    descending: bool
    #: The entry fields (and per-entry definitions) the step reads, shown for the entries it drops.
    reads: tuple[str, ...]
    text: str


@attrs.frozen
class FilterPlan:
    """A compiled 筛选: its source (a list or another filter) and its steps in written order."""

    name: str
    source: str
    steps: tuple[FilterStep, ...]
    citing: Citing


@attrs.frozen
class CapPlan:
    """One compiled level of a 累计: its group keys and cap, read in the source's entry scope."""

    keys: tuple[Compiled, ...]
    cap: Compiled | None
    #: The level as written without its citation (每 类别、年份(日期) 至多 10), for explanations.
    text: str
    citing: Citing


@attrs.frozen
class AccumulatePlan:
    """A compiled 累计: the column of its source's entries, summed and capped level by level (written order)."""

    name: str
    source: str
    column: Compiled
    column_name: str
    levels: tuple[CapPlan, ...]
    citing: Citing


@attrs.frozen(eq=False)
class Plan:
    """The executable form of a checked policy."""

    name: str
    title: str
    tz: str
    teacher_fields: tuple[FieldSpec, ...]
    #: The facts of each kind of group (学校, 县, …) with facts or lists, in declaration order.
    group_fields: dict[str, tuple[FieldSpec, ...]]
    items: dict[str, ItemPlan]
    parts: tuple[PartPlan, ...]
    defines: dict[str, Compiled]
    enrolled: RulePlan | None
    exempt: RulePlan | None
    outcome: RulePlan | None
    grant: Compiled | None
    unit: str | None
    certificates: tuple[RulePlan, ...]
    checks: tuple[RulePlan, ...]
    group_checks: tuple[RulePlan, ...]
    max_total: Decimal | None  # None when a part has no maximum
    #: The provenance of the total (the plan's 总分 fact), for the step that adds the parts up.
    total_citing: Citing = Citing((), None, ())
    #: When the pass rule is a single comparison (总分 >= 60): its two sides and operator, for shortfalls.
    pass_sides: tuple[Compiled, str, Compiled] | None = None
    #: Each definition's provenance, for the explanation step that shows its value.
    define_citing: dict[str, Citing] = attrs.field(factory=dict)
    #: Every instant the policy names (literals, deadlines, openings): where an instant input can change outcome.
    instants: tuple[pendulum.DateTime, ...] = ()
    #: Lists per teacher, filters over them, and per-entry definitions by list and name.
    lists: tuple[ListSpec, ...] = ()
    filters: dict[str, FilterPlan] = attrs.field(factory=dict)
    accumulations: dict[str, AccumulatePlan] = attrs.field(factory=dict)
    entry_defines: dict[str, dict[str, Compiled]] = attrs.field(factory=dict)
    #: 结果 in source order, 要求 by name, 例外 by their target, and 合格's own 适用 当.
    results: tuple[ResultPlan, ...] = ()
    requirements: dict[str, RequirementPlan] = attrs.field(factory=dict)
    exceptions: dict[str, tuple[ExceptionPlan, ...]] = attrs.field(factory=dict)
    outcome_applies: Compiled | None = None
    #: The clauses declared 不编码: (text, citation).
    unencoded: tuple[tuple[str, Citing], ...] = ()

    @property
    def school_fields(self) -> tuple[FieldSpec, ...]:
        """The school's facts: the group facts of kind 学校."""
        return self.group_fields.get("学校", ())


#: A teacher outside every group of a kind (no key, or no record): its facts are all missing.
_NO_GROUP: dict[str, object] = {}

#: The functions that handle a missing value themselves: a field read inside them is read deliberately.
_MISSING_AWARE = frozenset({"有值", "缺失", "取值"})


class _Compiler:
    def __init__(self, policy: CheckedPolicy) -> None:
        self.policy = policy
        self.aggregates: list[tuple[str, Compiled | None, Compiled | None]] = []
        #: The provenance of the rule being compiled: a calendar step cites the rule it is computed for.
        self.cite_now = Citing((), None, ())
        #: The list or filter whose entries are in scope while compiling an entry-scope expression.
        self.entry: str | None = None
        #: Every 累计, compiled where its definition is.
        self.accumulations: dict[str, AccumulatePlan] = {}
        #: Inside 有值/缺失/取值 (or for display): a lookup without a row is a missing value, not an error.
        self.lenient = False

    def in_entries(self, source: str | None, e: ast.Expr) -> Compiled:
        """Compile ``e`` read over the entries of ``source`` (a bare name is first an entry's field)."""
        saved, self.entry = self.entry, source
        try:
            return self.compiled(e)
        finally:
            self.entry = saved

    def entry_reads(self, e: ast.Expr, source: str) -> tuple[str, ...]:
        """The entry fields and per-entry definitions ``e`` reads directly, in source order."""
        names: list[str] = []
        for r in refs(e):
            if not isinstance(r, ast.Ref) or len(r.path) != 1:
                continue
            name = r.path[0]
            if name not in names and self.policy.entry_symbol(source, name) is not None:
                names.append(name)
        names.reverse()
        return tuple(names)

    def citing(self, *cites: ast.Citation) -> Citing:
        ids: list[str] = []
        section = None
        names: list[str] = []
        for c in cites:
            ids += [i for i in c.rule_ids if i not in ids]
            section = section or c.section
            names += [n for n in c.relies if n not in names]
        texts = tuple((n, self.policy.assumptions[n].text) for n in names if n in self.policy.assumptions)
        return Citing(rule_ids=tuple(ids), section=section, assumptions=texts)

    def compiled(self, e: ast.Expr, item: ast.Item | None = None, group: bool = False) -> Compiled:
        reads: list[tuple[str, str]] = []
        for r in refs(e):
            if isinstance(r, ast.Ref):
                sym = resolve(self.policy, r.path, item)
                kinds = (
                    "field",
                    "group_field",
                    "item_input",
                    "item",
                    "part",
                    "total",
                    "on_time",
                    "define",
                    "requirement",
                    "requirement_amount",
                )
                if sym is not None and sym.kind in kinds:
                    entry = (r.dotted, sym.key if sym.kind in ("field", "group_field", "item_input") else "")
                    if entry not in reads:
                        reads.append(entry)
        reads.reverse()
        guarded = {
            r.dotted
            for r in refs(e, skip_calls=_MISSING_AWARE)
            if isinstance(r, ast.Ref)  # in entry scope a bare name is first the entry's own field
            and not (self.entry is not None and len(r.path) == 1 and self.policy.entry_symbol(self.entry, r.path[0]))
        }
        strict = tuple((label, key) for label, key in reads if key and label in guarded)
        entry_strict: list[str] = []
        if self.entry is not None:
            for r in refs(e, skip_calls=_MISSING_AWARE):
                if isinstance(r, ast.Ref) and len(r.path) == 1:
                    esym = self.policy.entry_symbol(self.entry, r.path[0])
                    if esym is not None and esym.kind == "entry_field" and esym.name not in entry_strict:
                        entry_strict.append(esym.name)
            entry_strict.reverse()
        op, parts = "", tuple[Compiled, ...]()
        base = len(self.aggregates)
        if isinstance(e, ast.BoolChain):
            op, parts = e.op, tuple(self.compiled(x, item, group) for x in e.operands)
        elif isinstance(e, ast.Unary) and e.op != "neg":
            op, parts = "not", (self.compiled(e.operand, item, group),)
        elif isinstance(e, ast.Compare):
            op, parts = e.op, (self.compiled(e.left, item, group), self.compiled(e.right, item, group))
        lookups: list[tuple[str, Fn]] = []
        if not group and self.entry is None:  # a teacher-scope lookup, computed again only when explaining
            for r in refs(e, skip_calls=AGGREGATES | LIST_AGGREGATES):
                shown = r.span.text if isinstance(r, ast.Lookup) and r.span else ""
                if shown and shown not in dict(lookups):
                    lookups.append((shown, self.leniently(r, item, group)))
            lookups.reverse()
        conversions: list[tuple[Fn, Conversion]] = []
        if not group and self.entry is None:  # the conversions it makes, shown once in its step
            stack = [e]
            while stack:
                x = stack.pop()
                conv = self.policy.units.conversions.get(id(x))
                if conv is not None:
                    conversions.append((self.plain(x, item, group), conv))
                if not (isinstance(x, ast.Call) and x.func in AGGREGATES | LIST_AGGREGATES):
                    stack.extend(reversed(children(x)))
        # The pieces took aggregate slots in the order the whole takes them again below: one set of slots.
        del self.aggregates[base:]
        text = e.span.text if e.span else ""
        return Compiled(
            fn=self.expr(e, item, group),
            reads=tuple(reads),
            text=text,
            op=op,
            parts=parts,
            lookups=tuple(lookups),
            strict=strict,
            conversions=tuple(conversions),
            unit=self.policy.units.unit(e),
            entry_strict=tuple(entry_strict),
        )

    def ref(self, sym: Symbol) -> Fn:
        key = sym.key
        if sym.kind == "field" or sym.kind == "item_input":
            return lambda c: c.rec.get(key)
        if sym.kind == "group_field":
            kind = sym.group
            return lambda c: c.groups.get(kind, _NO_GROUP).get(key)
        name = sym.name
        if sym.kind == "item":
            return lambda c: c.item_points(name)
        if sym.kind == "part":
            return lambda c: c.part_points(name)
        if sym.kind == "total":
            return lambda c: c.total()
        if sym.kind == "on_time":
            item_name = sym.item
            return lambda c: c.item_result(item_name).timeliness == "on_time"
        if sym.kind == "define":
            return lambda c: c.define(name)
        if sym.kind == "period":
            assert self.policy.period is not None  # the symbol exists only with a period
            window = DateWindow(*self.policy.period)
            return lambda c: window
        if sym.kind == "loop":
            return lambda c: c.loop(key)
        if sym.kind == "requirement":
            return lambda c: c.requirement(name).met
        if sym.kind == "requirement_amount":
            req = sym.item
            return lambda c: c.requirement(req).amount(name)
        if sym.kind == "max_points":
            item = self.policy.items[sym.item]
            value = item.max_points if item.max_points is not None else Decimal(0)
            return lambda c: value
        decl = sym.decl
        assert isinstance(decl, ast.Assumption)  # the remaining kind
        assert decl.value is not None  # assumption symbols are made only for assumptions with a value
        const = _literal(decl.value)
        return lambda c: const

    def accumulate(self, e: ast.Accumulate) -> Fn:
        """A 累计 reads its (memoised) accumulation: compiled once, the keys and caps in its source's entry scope."""
        name = e.name
        if name not in self.accumulations:
            decl = self.policy.symbols[name].decl
            assert isinstance(decl, ast.Define)  # a 累计 is lowered into a definition
            levels = []
            for lv in e.levels:
                keys = "、".join(k.span.text if k.span else "" for k in lv.keys) or "全体"
                cap = f" 至多 {lv.cap.span.text}" if lv.cap is not None and lv.cap.span else ""
                levels.append(
                    CapPlan(
                        keys=tuple(self.in_entries(e.source, k) for k in lv.keys),
                        cap=self.in_entries(e.source, lv.cap) if lv.cap is not None else None,
                        text=f"每 {keys}{cap}",
                        citing=self.citing(lv.cite),
                    )
                )
            column = self.in_entries(e.source, ast.Ref(path=(e.column,), span=e.span))
            self.accumulations[name] = AccumulatePlan(
                name, e.source, column, e.column, tuple(levels), self.citing(decl.cite, *(lv.cite for lv in e.levels))
            )
        return lambda c: c.accumulation(name).total

    def expr(self, e: ast.Expr, item: ast.Item | None, group: bool) -> Fn:
        """``e`` compiled, made the unit the checker chose for it where it is converted."""
        fn = self.plain(e, item, group)
        conv = self.policy.units.conversions.get(id(e))
        return fn if conv is None else _converted(fn, conv)

    def plain(self, e: ast.Expr, item: ast.Item | None, group: bool) -> Fn:
        """``e`` compiled, in its own unit."""
        if isinstance(e, ast.Quantity):  # 240 学时: the unit is the checker's; a conversion sits on the inner value
            return self.expr(e.expr, item, group)
        if isinstance(e, ast.Accumulate):
            return self.accumulate(e)
        if isinstance(e, ast.Number | ast.Text | ast.DateLit | ast.TimeLit):
            const = _literal(e)
            return lambda c: const
        if isinstance(e, ast.InstantLit):
            instant = e.value
            return lambda c: instant
        if isinstance(e, ast.Ref):
            if self.entry is not None and len(e.path) == 1:
                esym = self.policy.entry_symbol(self.entry, e.path[0])
                if esym is not None:
                    name = esym.name
                    if esym.kind == "entry_define":
                        return lambda c: c.entry_define(name)
                    return lambda c: c.entry_value(name)
            sym = resolve(self.policy, e.path, item)
            if group and len(e.path) == 1 and sym is not None and sym.kind == "field":
                key = sym.key
                return lambda c: c.rec.get(key)
            assert sym is not None  # the checker resolved every name
            return self.ref(sym)
        if isinstance(e, ast.ListExpr):
            fns = [self.expr(x, item, group) for x in e.items]
            return lambda c: tuple(f(c) for f in fns)
        if isinstance(e, ast.Lookup):
            return self.lookup(e, item, group)
        if isinstance(e, ast.Call):
            return self.call(e, item, group)
        if isinstance(e, ast.Unary):
            inner = self.expr(e.operand, item, group)
            if e.op == "neg":
                return lambda c: None if (v := inner(c)) is None else -v
            return lambda c: not inner(c)
        if isinstance(e, ast.Chain):
            return _chain(self.expr(e.first, item, group), [(op, self.expr(x, item, group)) for op, x in e.rest])
        if isinstance(e, ast.BoolChain):
            fns = [self.expr(x, item, group) for x in e.operands]
            if e.op == "and":
                return lambda c: all(f(c) for f in fns)
            return lambda c: any(f(c) for f in fns)
        if isinstance(e, ast.Compare):
            left, right = self.expr(e.left, item, group), self.expr(e.right, item, group)
            vocab = ordered_vocab(self.policy, e, item, self.entry)
            if vocab is not None:  # ordered labels compare by rank, never as texts
                left, right = _ranked(left, vocab.words), _ranked(right, vocab.words)
            if e.op == "in":
                return _member(left, right, self.policy.tz)
            return _compare(e.op, left, right)
        if isinstance(e, ast.AtTime | ast.Window):
            return self.time_form(e, item, group)
        assert isinstance(e, ast.If)  # the last expression form
        cond, then, other = (self.expr(x, item, group) for x in (e.cond, e.then, e.otherwise))
        return lambda c: then(c) if cond(c) else other(c)

    def time_form(self, e: ast.AtTime | ast.Window, item: ast.Item | None, group: bool) -> Fn:
        """An instant on a computed date, or a window of dates (its start after its end is a record error)."""
        if isinstance(e, ast.Window):
            start, end = self.expr(e.start, item, group), self.expr(e.end, item, group)
            text = e.span.text if e.span else ""

            def window(c: Context) -> Value:
                a, b = start(c), end(c)
                if a is None or b is None:
                    return None
                if a > b:
                    raise ComputeError(
                        f"时段 {text} 的起点 {a.isoformat()} 晚于终点 {b.isoformat()}",
                        f"the window {text} starts on {a.isoformat()}, after its end {b.isoformat()}",
                    )
                return DateWindow(a, b)

            return window
        date = self.expr(e.date, item, group)
        tz, t = self.policy.tz, e.time
        shown_time = "下班前" if e.close_of_business else t.text()
        relied = (
            (("下班时间", self.policy.assumptions["下班时间"].text),)
            if e.close_of_business and "下班时间" in self.policy.assumptions
            else ()
        )
        arg_text = e.date.span.text if e.date.span else ""
        cite = self.cite_now

        def at(c: Context) -> Value:
            d = date(c)
            if d is None:
                return None
            day, hour = (d.add(days=1), 0) if t.hour == 24 else (d, t.hour)
            try:
                instant = wall_instant(tz, day, hour, t.minute, t.second)
            except ValueProblem as exc:  # a wall time in a DST gap or fold of the plan's zone
                raise ComputeError(
                    f"{d} {shown_time}：{exc.message_zh}", f"{d} {shown_time}: {exc.message_en}"
                ) from None
            end_of_day = ("（当日结束）", " (the end of the day)") if t.hour == 24 else ("", "")
            c.calendar_step(
                "时刻",
                lambda: ((arg_text, d.isoformat()),),
                instant,
                lambda: (
                    f"{d.isoformat()} {shown_time} = {instant.format('YYYY-MM-DD HH:mm')}{end_of_day[0]}",
                    f"{d.isoformat()} {shown_time} = {instant.format('YYYY-MM-DD HH:mm')}{end_of_day[1]}",
                ),
                cite,
                relied,
            )
            return instant

        return at

    def calendar(self, e: ast.Call, fn: Function, args: list[Fn]) -> Fn:
        """A calendar function: computed in the plan's zone; when tracing, a step shows its inputs and result."""
        say = fn.say
        assert say is not None  # every calendar function explains itself
        tz = self.policy.tz
        texts = tuple(a.span.text if a.span else "" for a in e.args)
        clamp = self.policy.assumptions.get(CLAMP_ASSUMPTION)
        relied = ((CLAMP_ASSUMPTION, clamp.text),) if fn.clamps and clamp is not None else ()
        name = e.func
        cite = self.cite_now

        def call(c: Context) -> Value:
            values = [a(c) for a in args]
            if any(v is None for v in values):
                return None
            result = _calendar(name, tz, tuple(values))
            c.calendar_step(
                name,
                lambda: tuple(zip(texts, (shown(v) for v in values), strict=True)),
                result,
                lambda: say(tz, values, result),
                cite,
                relied if relied and clamp_applies(name, values, result) else (),
            )
            return result

        return call

    def call(self, e: ast.Call, item: ast.Item | None, group: bool) -> Fn:
        source = list_source(self.policy, e.args[0]) if e.func in LIST_AGGREGATES and e.args else None
        if source is not None:
            return self.list_aggregate(e, source)
        if e.func in AGGREGATES:
            slot = len(self.aggregates)
            arg = self.compiled(e.args[0], None, group=False) if e.args else None
            cond = self.compiled(e.args[1], None, group=False) if len(e.args) == 2 else None
            self.aggregates.append((e.func, arg, cond))
            return lambda c: c.aggregate(slot)
        args = [
            self.leniently(a, item, group) if i == 0 and e.func in _MISSING_AWARE else self.expr(a, item, group)
            for i, a in enumerate(e.args)
        ]
        if e.func == "有值":
            return lambda c: args[0](c) is not None
        if e.func == "缺失":
            return lambda c: args[0](c) is None
        if e.func == "取值":
            return lambda c: d if (d := args[0](c)) is not None else args[1](c)
        if FUNCTIONS[e.func].zoned:
            return self.calendar(e, FUNCTIONS[e.func], args)
        impl = FUNCTIONS[e.func].impl
        assert impl is not None  # every non-special function has an implementation

        def call(c: Context) -> Value:
            values = [a(c) for a in args]
            return None if any(v is None for v in values) else impl(*values)

        return call

    def leniently(self, e: ast.Expr, item: ast.Item | None, group: bool) -> Fn:
        """``e`` compiled where a missing value is handled (inside 有值/缺失/取值): a key without a row is missing."""
        saved, self.lenient = self.lenient, True
        try:
            return self.expr(e, item, group)
        finally:
            self.lenient = saved

    def lookup(self, e: ast.Lookup, item: ast.Item | None, group: bool) -> Fn:
        """``表[键]``: the row's value. A missing key or a key without a row is a record error naming the table
        and the key (never a missing value a comparison quietly makes false), except inside 有值/缺失/取值."""
        rows = self.policy.lookup_tables[e.table].rows
        table = {r.key: _literal(r.value) for r in rows}
        key_fn = self.expr(e.key, item, group)
        if self.lenient:
            return lambda c: table.get(key_fn(c))
        name, what = e.table, e.key.span.text if e.key.span else "键"
        written = e.span.text if e.span else f"{name}[{what}]"
        keys = "、".join(shown(r.key) for r in rows)
        keys_en = ", ".join(shown(r.key) for r in rows)
        read = (
            resolve(self.policy, e.key.path, item)
            if isinstance(e.key, ast.Ref)
            and not (self.entry is not None and self.policy.entry_symbol(self.entry, e.key.path[0]))
            else None
        )
        field = read.key if read is not None and read.kind == "field" else ""

        def look(c: Context) -> Value:
            key = key_fn(c)
            value = table.get(key)
            if value is not None:
                return value
            if key is None:
                raise ComputeError(
                    f"{what}缺失，无法查对照表“{name}”：请补上该值，或写 取值({written}, 默认) 说明查不到时怎样算",
                    f"{what} is missing, so the lookup table '{name}' cannot be read: give the value,"
                    f" or write 取值({written}, default) to say what a missing row means",
                    field=field,
                )
            raise ComputeError(
                f"{what}“{shown(key)}”不在对照表“{name}”中（有：{keys}）：请改正该值，"
                f"或写 取值({written}, 默认) 说明查不到时怎样算",
                f"{what} '{shown(key)}' is not in the lookup table '{name}' (it has: {keys_en}): correct the value,"
                f" or write 取值({written}, default) to say what a missing row means",
                field=field,
            )

        return look

    def inline_condition(self, e: ast.Expr) -> tuple[Fn | None, bool]:
        """The inline condition of the one list aggregate ``e`` reads its entries through, in entry scope.

        With it, whether ``e`` reads exactly one list aggregate and no definition. (None, False) when ``e``
        reads a definition or no or several list aggregates; (None, True) for one without a condition.
        """
        calls: list[tuple[ast.Call, str]] = []
        stack = [e]
        while stack:
            x = stack.pop()
            if isinstance(x, ast.Ref) and x.path:
                sym = self.policy.symbols.get(x.path[0])
                if sym is not None and sym.kind == "define":
                    return None, False
            if isinstance(x, ast.Call) and x.func in LIST_AGGREGATES and x.args:
                source = list_source(self.policy, x.args[0])
                if source is not None:
                    calls.append((x, source))
                    continue
            stack.extend(children(x))
        if len(calls) != 1:
            return None, False
        call, source = calls[0]
        if len(call.args) != 2:
            return None, True
        saved, self.entry = self.entry, source
        try:
            return self.expr(call.args[1], None, False), True
        finally:
            self.entry = saved

    def list_aggregate(self, e: ast.Call, source: str) -> Fn:
        first = e.args[0]
        assert isinstance(first, ast.Ref)  # list_source said so
        saved, self.entry = self.entry, source
        try:
            column = (
                self.expr(ast.Ref(path=first.path[1:], span=first.span), None, False) if len(first.path) == 2 else None
            )
            cond = (
                self.entry_condition(self.compiled(e.args[1]), e.span.text if e.span else e.func)
                if len(e.args) == 2
                else None
            )
        finally:
            self.entry = saved
        return list_aggregate(e.func, source, first.path[-1], column, cond)

    def entry_condition(self, cond: Compiled, where: str) -> Fn:
        """A condition evaluated per entry, made an error where a missing teacher-scope value decides it.

        A teacher, school or group value it reads outside 有值/缺失/取值 that is missing leaves a piece unknown
        (three-valued logic, trainrules.logic); when that decides the condition for an entry, the record is an
        error naming the value and ``where`` (the aggregate or filter step), never a quiet false.
        """
        if not cond.strict:
            return cond.fn
        readers = {(label, key): self.value_reader(label, key) for label, key in cond.strict}

        def decided(c: Context) -> Value:
            value = cond.fn(c)
            if all(read(c) is not None for read in readers.values()):
                return value  # nothing it reads is missing (the common case, kept cheap)

            def leaf(piece: Compiled) -> tuple[bool | None, Missing]:
                for label, key in piece.strict:
                    if readers.get((label, key), self.value_reader(label, key))(c) is None:
                        return None, (label, key)
                return bool(piece.fn(c)), ("", "")

            known, (label, key) = kleene(cond, leaf)
            if known is None:
                entry = c.entry_value("@label")
                raise ComputeError(
                    f"“{label}”缺失，无法判定 {where} 的条件“{cond.text}”（{entry}）：请补上该值，"
                    f"或在策略中用 有值({label}) 或 取值({label}, …) 写明缺失时怎样算",
                    f"'{label}' is missing, so the condition '{cond.text}' of {where} cannot be decided"
                    f" ({entry}): give the value, or say what a missing value means"
                    f" with 有值({label}) or 取值({label}, …)",
                    field=key,
                )
            return known

        return decided

    def value_reader(self, label: str, key: str) -> Fn:
        """How to read a teacher-scope value a condition reads strictly: a group's fact, or the record's field."""
        kind, dot, _ = label.partition(".")
        if dot and key.startswith("facts.") and kind in self.policy.group_fields:  # a group's fact: 县.名额
            return lambda c: c.groups.get(kind, _NO_GROUP).get(key)
        return lambda c: c.rec.get(key)


#: The functions that handle a missing value themselves: a name read inside them may be missing.
_MISSING_AWARE = frozenset({"有值", "缺失", "取值"})


def _own_inputs(policy: CheckedPolicy, item: ast.Item, e: ast.Expr) -> tuple[tuple[str, str], ...]:
    """The item's own inputs that ``e`` reads where a missing value is not handled."""
    out: list[tuple[str, str]] = []
    for r in refs(e, _MISSING_AWARE):
        sym = resolve(policy, r.path, item) if isinstance(r, ast.Ref) else None
        if sym is not None and sym.kind == "item_input" and sym.item == item.name:
            entry = (sym.key, f"{item.name}.{sym.name}")
            if entry not in out:
                out.append(entry)
    return tuple(out)


@functools.lru_cache(maxsize=4096)
def _calendar(name: str, tz: str, values: tuple[Value, ...]) -> Value:
    """A calendar function's value: pure, so the same arguments (common across teachers) are computed once."""
    impl = FUNCTIONS[name].impl
    assert impl is not None  # every calendar function has an implementation
    return impl(tz, *values)


def ordered_labels(sym: Symbol) -> tuple[str, ...] | None:
    """The ordered vocabulary of an entry field, if it has one (its values sort by rank, not as texts)."""
    decl = sym.decl
    return decl.vocab if isinstance(decl, ast.InputField) and decl.ordered else None


def _entry_define(comp: _Compiler, policy: CheckedPolicy, source: str, d: ast.Define) -> Compiled:
    """A per-entry definition, with its exceptions (``例外 列表.名称 = 式 当 条件``) when it has any.

    As for a 定义: when no exception's condition holds the general rule applies, when one holds its value, and
    when two hold the record is an error; a condition that is not true while an entry field it reads (outside
    有值, 缺失, 取值) is missing makes the record an error naming the field: a missing value never decides it.
    """
    general = comp.in_entries(source, d.expr)
    if general.op:  # a condition (记录.首年内 = 日期 属于 首年(入职日期)): a missing teacher value never decides it
        general = attrs.evolve(general, fn=comp.entry_condition(general, f"“{source}.{d.name}”"))
    own = [
        x
        for x in policy.module.decls
        if isinstance(x, ast.RuleException) and x.entry_of == source and x.target == d.name
    ]
    if not own:
        return general
    cases = [
        (
            comp.in_entries(source, x.cond),
            comp.in_entries(source, x.expr),
            tuple(
                (r.path[0], sym.kind == "entry_field")
                for r in refs(x.cond, _MISSING_AWARE)
                if isinstance(r, ast.Ref)
                and len(r.path) == 1
                and (sym := policy.entry_symbol(source, r.path[0])) is not None
            ),
        )
        for x in own
    ]
    target = f"{source}.{d.name}"

    def value(c: Context) -> Value:
        held = []
        for cond, then, reads in cases:
            if cond.fn(c):
                held.append((cond, then))
                continue
            for name, is_field in reads:
                if (c.entry_value(name) if is_field else c.entry_define(name)) is None:
                    raise ComputeError(
                        f"“{target}”的例外条件（{cond.text}）读到缺失的“{name}”，无法判断是否适用",
                        f"the exception's condition for '{target}' ({cond.text}) reads '{name}', which is missing",
                    )
        if len(held) > 1:
            raise ComputeError(
                f"“{target}”的两条例外同时成立（{held[0][0].text}；{held[1][0].text}），不知取哪一条",
                f"two exceptions to '{target}' hold at once ({held[0][0].text}; {held[1][0].text})",
            )
        return held[0][1].fn(c) if held else general.fn(c)

    return attrs.evolve(general, fn=value)


def list_aggregate(func: str, source: str, column_name: str, column: Fn | None, cond: Fn | None) -> Fn:
    """合计/计数/最大/最小/任一/全部/去重计数 over the entries of ``source`` where ``cond`` holds (all without one).

    合计 of no entries is 0; 最大/最小 of none is missing. A missing value inside 合计, 最大 or 最小 is an
    error naming the entry: a quiet 0 would be a wrong number.
    """

    def chosen(c: Context) -> list[Context]:
        scoped = [c.at(x) for x in c.entries(source)]
        return scoped if cond is None else [x for x in scoped if cond(x)]

    if func == "计数":
        return lambda c: Decimal(len(chosen(c)))
    if func in ("任一", "全部"):
        assert cond is not None  # the checker requires the condition
        pick = any if func == "任一" else all
        return lambda c: pick(cond(c.at(x)) for x in c.entries(source))
    assert column is not None  # the checker requires a column for 合计/最大/最小/去重计数

    def values(c: Context) -> list[Value]:
        out = []
        for x in chosen(c):
            v = column(x)
            if v is None:
                label = x.entry_value("@label")
                raise ComputeError(
                    f"“{source}”{label}的“{column_name}”缺失，{func}无法计算（需要时写 取值(…)）",
                    f"'{column_name}' of {source} {label} is missing, so {func} cannot be computed",
                )
            out.append(v)
        return out

    if func == "合计":
        return lambda c: sum(values(c), Decimal(0))
    if func == "去重计数":  # equal values count once (1 and 1.0 are one number); a missing one is an error above
        return lambda c: Decimal(len(set(values(c))))
    pick_one = max if func == "最大" else min
    return lambda c: pick_one(vs) if (vs := values(c)) else None


def _converted(fn: Fn, conv: Conversion) -> Fn:
    """The value of ``fn`` converted (missing stays missing)."""

    def convert(c: Context) -> Value:
        v = fn(c)
        return None if v is None else conv.apply(v)

    return convert


def _literal(v: ast.Value) -> Value:
    if isinstance(v, ast.TimeLit):
        return (v.hour, v.minute, v.second)
    return v.value


def _chain(first: Fn, rest: list[tuple[str, Fn]]) -> Fn:
    def run(c: Context) -> Value:
        acc = first(c)
        for op, f in rest:
            v = f(c)
            if acc is None or v is None:
                return None
            if op == "+":
                acc = acc + v
            elif op == "-":
                acc = acc - v
            elif op == "*":
                acc = acc * v
            else:
                if v == 0:
                    raise ComputeError("除数为 0", "division by 0")
                acc = acc / v
        return acc

    if len(rest) == 1 and rest[0][0] == "+":  # the common a + b, without the loop
        second = rest[0][1]

        def add(c: Context) -> Value:
            a, b = first(c), second(c)
            return None if a is None or b is None else a + b

        return add
    return run


def _ranked(f: Fn, words: tuple[str, ...]) -> Fn:
    rank = {w: i for i, w in enumerate(words)}
    return lambda c: rank.get(f(c))  # a label value, or None when missing (then the comparison is false)


def _compare(op: str, left: Fn, right: Fn) -> Fn:
    import operator

    ordered: dict[str, Callable[[Any, Any], bool]] = {
        "<": operator.lt,
        "<=": operator.le,
        ">": operator.gt,
        ">=": operator.ge,
        "==": operator.eq,
        "!=": operator.ne,
    }
    if op in ordered:
        f = ordered[op]

        def cmp(c: Context) -> bool:
            a, b = left(c), right(c)
            return False if a is None or b is None else f(a, b)

        return cmp
    if op == "contains":
        return lambda c: (lst := left(c)) is not None and right(c) in lst
    if op == "contains_any":
        return lambda c: (lst := left(c)) is not None and any(x in lst for x in (right(c) or ()))
    return lambda c: (lst := right(c)) is not None and left(c) in lst


def _member(left: Fn, right: Fn, tz: str) -> Fn:
    """``x 属于 y``: membership of a list, or of a window of dates (an instant by its local date in ``tz``)."""

    def member(c: Context) -> bool:
        container = right(c)
        if isinstance(container, DateWindow):
            return container.holds(left(c), tz)
        return container is not None and left(c) in container

    return member


def _grading(policy: CheckedPolicy, name: str | None) -> Grading | None:
    """A band table, its bands highest first (declared gaps included), for a part or a result."""
    table = policy.band_tables.get(name or "")
    if table is None:
        return None
    bands = tuple(Band(b.label, b.low, b.high, False, b.high_open) for b in table.bands) + tuple(
        Band(g.label, g.low, g.high, True, g.high_open) for g in table.gaps
    )
    return Grading(tuple(sorted(bands, key=lambda b: b.low, reverse=True)), precision(table), table.name)


def compile_policy(policy: CheckedPolicy) -> Plan:
    """Compile a checked policy; cannot fail on a policy that passed ``check``."""
    comp = _Compiler(policy)
    parts = []
    items: dict[str, ItemPlan] = {}
    for part in policy.parts:
        part_items = []
        for it in part.items:
            table = policy.band_tables.get(it.bands or "")
            bands: tuple[Band, ...] = ()
            step = None
            if table is not None:
                bands = tuple(Band(b.label, b.low, b.high, False, b.high_open) for b in table.bands) + tuple(
                    Band(g.label, g.low, g.high, True, g.high_open) for g in table.gaps
                )
                bands = tuple(sorted(bands, key=lambda b: b.low, reverse=True))
                step = precision(table)
            dl = it.deadline
            cites = [c for c, _ in item_citations(it)]
            if table is not None:
                cites.append(table.cite)
            comp.cite_now = comp.citing(*cites)
            ip = ItemPlan(
                name=it.name,
                part=part.name,
                max_points=it.max_points,
                deadline=dl.instant if dl else None,
                inclusive=dl is not None and dl.kind == "by",
                deadline_text=dl.span.text if dl else "",
                opens=it.opens.value if it.opens else None,
                submitted_from=comp.compiled(it.submitted_from.expr, it) if it.submitted_from else None,
                valid=comp.compiled(it.valid.expr, it) if it.valid else None,
                score=comp.compiled(it.score.expr, it) if it.score else None,
                late=comp.compiled(it.late.expr, it) if it.late else None,
                missing=comp.compiled(it.missing.expr, it) if it.missing else None,
                bands=bands,
                band_step=step,
                band_table=table.name if table is not None else "",
                grades=item_grades(policy, it),
                citing=comp.citing(*cites),
                time_key=f"items.{it.name}.submitted_at",
                score_key=f"items.{it.name}.score",
                valid_needs=_own_inputs(policy, it, it.valid.expr) if it.valid else (),
                applies=comp.compiled(it.applies.expr, it) if it.applies else None,
            )
            part_items.append(ip)
            items[it.name] = ip
        comp.cite_now = comp.citing(part.cite, *(c.cite for c in (part.cancel, part.score) if c is not None))
        parts.append(
            PartPlan(
                name=part.name,
                max_points=part.max_points,
                scaled=part.scaled,
                items=tuple(part_items),
                cancel=comp.compiled(part.cancel.expr) if part.cancel else None,
                score=comp.compiled(part.score.expr) if part.score else None,
                citing=comp.citing(part.cite, *([part.score.cite] if part.score else [])),
                cancel_citing=comp.citing(part.cancel.cite) if part.cancel else comp.citing(),
                scored=tuple(i for i in part_items if i.max_points is not None),
                unscored=tuple(i for i in part_items if i.max_points is None),
                scale_from=sum((i.max_points for i in part_items if i.max_points is not None), Decimal(0)),
                grading=_grading(policy, part.bands),
                applies=comp.compiled(part.applies.expr) if part.applies else None,
                applies_citing=comp.citing(part.applies.cite) if part.applies else comp.citing(),
            )
        )
    defines: dict[str, Compiled] = {}
    define_citing: dict[str, Citing] = {}
    enrolled = exempt = outcome = None
    grant = None
    unit = None
    pass_sides = None
    certificates, checks, group_checks = [], [], []
    results: list[ResultPlan] = []
    requirements: dict[str, RequirementPlan] = {}
    exceptions: dict[str, list[ExceptionPlan]] = {}
    outcome_applies = None
    for d in policy.module.decls:
        if isinstance(d, ast.Define | ast.ScopeRule | ast.Outcome | ast.Certificate | ast.CheckRule):
            comp.cite_now = comp.citing(d.cite)
        if isinstance(d, ast.Define) and d.entry_of is None:
            defines[d.name] = comp.compiled(d.expr)
            define_citing[d.name] = comp.citing(d.cite)
        elif isinstance(d, ast.Result):
            defines[d.name] = comp.compiled(d.expr)
            define_citing[d.name] = comp.citing(d.cite)
            applies = comp.compiled(d.applies) if d.applies is not None else None
            results.append(
                ResultPlan(
                    d.name,
                    defines[d.name],
                    applies,
                    _grading(policy, d.bands),
                    comp.citing(d.cite),
                    policy.units.unit(d.expr),
                )
            )
        elif isinstance(d, ast.Requirement):
            lines = []
            for line in d.lines:
                assert isinstance(line.expr, ast.Compare)  # E331 refuses any other line
                lines.append(
                    LinePlan(
                        label=line.label,
                        credited=comp.compiled(line.expr.left),
                        needed=comp.compiled(line.expr.right),
                        op=line.expr.op,
                        text=line.expr.span.text if line.expr.span else "",
                        citing=comp.citing(line.cite, d.cite),
                        filters=filters_read(policy, line.expr.left),
                        counts_if=(narrowed := comp.inline_condition(line.expr.left))[0],
                        one_chain=narrowed[1],
                        unit=policy.units.unit(line.expr.left) or policy.units.unit(line.expr.right),
                    )
                )
            requirements[d.name] = RequirementPlan(
                name=d.name,
                applies=comp.compiled(d.applies) if d.applies is not None else None,
                lines=tuple(lines),
                citing=comp.citing(d.cite),
                each=_each(comp, d.each, [line.expr for line in d.lines]),
            )
        elif isinstance(d, ast.RuleException) and d.entry_of is None:  # per-entry ones: with entry_defines
            exceptions.setdefault(d.target, []).append(
                ExceptionPlan(d.target, comp.compiled(d.expr), comp.compiled(d.cond), comp.citing(d.cite))
            )
        elif isinstance(d, ast.ScopeRule):
            rule = RulePlan(
                name="参训" if d.kind == "enrolled" else "免修", cond=comp.compiled(d.cond), citing=comp.citing(d.cite)
            )
            if d.kind == "enrolled":
                enrolled = rule
            else:
                exempt = rule
        elif isinstance(d, ast.Outcome):
            outcome = RulePlan(name="合格", cond=comp.compiled(d.cond), citing=comp.citing(d.cite))
            if isinstance(d.cond, ast.Compare) and d.cond.op in (">=", ">"):
                pass_sides = (comp.compiled(d.cond.left), d.cond.op, comp.compiled(d.cond.right))
            # 授予 (式) 学时: the amount is the inner expression (converted there, if it is), shown without its unit
            amount = d.grant.expr if isinstance(d.grant, ast.Quantity) else d.grant
            grant = comp.compiled(amount) if amount is not None else None
            unit = policy.units.unit(d.grant)
            outcome_applies = comp.compiled(d.applies) if d.applies is not None else None
        elif isinstance(d, ast.Certificate):
            certificates.append(RulePlan(name=d.label, cond=comp.compiled(d.cond), citing=comp.citing(d.cite)))
        elif isinstance(d, ast.CheckRule):
            check_applies = comp.compiled(d.applies) if d.applies is not None else None
            # read per teacher (a grouped check's reads only what the group shares, and aggregates over teachers)
            each = _each(comp, d.each, [] if d.group_by else [d.cond])
            if d.group_by:
                comp.aggregates = []
                cond = comp.compiled(d.cond, None, group=True)
                group_checks.append(
                    RulePlan(
                        name=d.label,
                        cond=cond,
                        citing=comp.citing(d.cite),
                        group_by=d.group_by,
                        aggregates=tuple(comp.aggregates),
                        applies=check_applies,
                        each=each,
                    )
                )
            else:
                checks.append(
                    RulePlan(
                        name=d.label,
                        cond=comp.compiled(d.cond),
                        citing=comp.citing(d.cite),
                        applies=check_applies,
                        each=each,
                    )
                )
    teacher_fields = tuple(
        FieldSpec(policy.symbols[f.name].key, f.name, f.type, f.low, f.high, f.optional, f.vocab)
        for f in policy.inputs
        if f.owner == "教师" and f.name in policy.symbols
    )
    group_fields = {
        kind: tuple(
            FieldSpec(facts[f.name].key, f.name, f.type, f.low, f.high, f.optional, f.vocab)
            for f in policy.inputs
            if f.owner == kind and f.name in facts
        )
        for kind in policy.group_kinds
        for facts in (policy.group_fields.get(kind, {}),)
    }
    lists = tuple(_list_spec(comp, lst) for lst in policy.lists.values())
    entry_defines = {
        name: {d.name: _entry_define(comp, policy, name, d) for d in defs.values()}
        for name, defs in policy.entry_defines.items()
    }
    filters = {f.name: _filter_plan(comp, f) for f in policy.filters.values()}
    title_fact = policy.plan.fact("标题")
    total_fact = policy.plan.fact("总分")
    return Plan(
        name=policy.plan.name,
        title=str(title_fact.values[0]) if title_fact else policy.plan.name,
        tz=policy.tz,
        teacher_fields=teacher_fields,
        group_fields=group_fields,
        items=items,
        parts=tuple(parts),
        defines=defines,
        enrolled=enrolled,
        exempt=exempt,
        outcome=outcome,
        grant=grant,
        unit=unit,
        certificates=tuple(certificates),
        checks=tuple(checks),
        group_checks=tuple(group_checks),
        max_total=policy.total if policy.total is not None else max_total(policy),
        pass_sides=pass_sides,
        total_citing=comp.citing(total_fact.cite) if total_fact else comp.citing(),
        define_citing=define_citing,
        instants=_instants(policy),
        lists=lists,
        filters=filters,
        accumulations=comp.accumulations,
        entry_defines=entry_defines,
        results=tuple(results),
        requirements=requirements,
        exceptions={k: tuple(v) for k, v in exceptions.items()},
        outcome_applies=outcome_applies,
        unencoded=tuple((u.text, comp.citing(u.cite)) for u in policy.unencoded),
    )


def _each(comp: _Compiler, each: ast.ForEach | None, body: list[ast.Expr]) -> EachPlan | None:
    if each is None:
        return None
    over_entries = bool(list_aggregates(comp.policy, body))
    return EachPlan(each.name, each.key, comp.compiled(each.source), over_entries)


def _list_spec(comp: _Compiler, lst: ast.ListDecl) -> ListSpec:
    fields = tuple(FieldSpec(f.name, f.name, f.type, f.low, f.high, f.optional, f.vocab) for f in lst.fields)
    rules = tuple((comp.in_entries(lst.name, r.cond), r.reason, comp.citing(r.cite)) for r in lst.rules)
    return ListSpec(lst.name, f"lists.{lst.name}", lst.key, fields, rules, lst.owner)


def _filter_plan(comp: _Compiler, f: ast.FilterDecl) -> FilterPlan:
    steps = []
    for st in f.steps:
        exprs = [x for x in (st.cond, *st.keys, st.by) if x is not None]
        reads: tuple[str, ...] = ()
        for x in exprs:
            reads += tuple(n for n in comp.entry_reads(x, f.source) if n not in reads)
        steps.append(
            FilterStep(
                kind=st.kind,
                cond=_guarded(comp, f, st) if st.cond is not None else None,
                reason=st.reason,
                keys=tuple(comp.in_entries(f.source, k) for k in st.keys),
                count=comp.in_entries(None, st.count) if st.count is not None else None,
                by=_ranked_by(comp, f.source, st.by) if st.by is not None else None,
                descending=st.descending,
                reads=reads,
                text=st.span.text if st.span else "",
            )
        )
    return FilterPlan(f.name, f.source, tuple(steps), comp.citing(f.cite, *(st.cite for st in f.steps)))


def _guarded(comp: _Compiler, f: ast.FilterDecl, st: ast.FilterStep) -> Compiled:
    """A 凡/须 step's condition, an error where a missing teacher-scope value decides it for an entry."""
    assert st.cond is not None  # 凡 and 须 have a condition
    c = comp.in_entries(f.source, st.cond)
    word = "凡" if st.kind == "keep" else "须"
    return attrs.evolve(c, fn=comp.entry_condition(c, f"筛选“{f.name}”的 {word}"))


def _ranked_by(comp: _Compiler, source: str, by: ast.Expr) -> Compiled:
    """The sort value of a 前 N step; an ordered label sorts by its rank."""
    c = comp.in_entries(source, by)
    sym = comp.policy.entry_symbol(source, by.path[0]) if isinstance(by, ast.Ref) and len(by.path) == 1 else None
    words = ordered_labels(sym) if sym is not None and sym.kind == "entry_field" else None
    if words is None:
        return c
    return attrs.evolve(c, fn=_ranked(c.fn, words))


def _instants(policy: CheckedPolicy) -> tuple[pendulum.DateTime, ...]:
    """Every instant literal, deadline and opening time of the policy, sorted, once each."""
    found: set[pendulum.DateTime] = set()
    for site in sites(policy):
        stack = [site.expr]
        while stack:
            x = stack.pop()
            if isinstance(x, ast.InstantLit):
                found.add(x.value)
            stack.extend(children(x))
    for it in policy.items.values():
        found.update(
            v for v in (it.deadline.instant if it.deadline else None, it.opens.value if it.opens else None) if v
        )
    return tuple(sorted(found))
