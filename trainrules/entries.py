"""Lists per teacher at run time: reading and validating entries, the entry scope, and running filters.

A record holds a list as an array of objects under ``lists.<名称>`` (nested JSON: ``"lists": {"培训记录":
[…]}``, or the list's name at the top level). Each entry is validated like a record field; a bad entry
is a problem naming the list, the entry and the field. Filters are computed once per teacher, only
when something reads them; only a traced evaluation builds the explanation of what they dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from trainrules.compile import (
    AccumulatePlan,
    Citing,
    Compiled,
    Context,
    FieldSpec,
    FilterPlan,
    FilterStep,
    ListSpec,
    Value,
)
from trainrules.errors import ComputeError
from trainrules.limits import MAX_ENTRIES, MAX_ENTRIES_SHOWN
from trainrules.logic import Missing, kleene
from trainrules.results import Problem

__all__ = [
    "Accumulation",
    "Entry",
    "EntryCtx",
    "FilterResult",
    "GroupCap",
    "accumulation_text",
    "filter_text",
    "read_list",
    "run_accumulation",
    "run_filter",
]

FieldReader = Callable[[FieldSpec, object, str, list[Problem]], object]


class Entry:
    """One validated entry of a list: its values by field name, how it is named, and its per-entry memo."""

    __slots__ = ("label", "list", "memo", "number", "values")

    def __init__(self, list_name: str, number: int, label: str, values: dict[str, object]) -> None:
        self.list = list_name
        self.number = number  # 1-based position in the teacher's list (input order)
        self.label = label  # 第 3 条, or 第 3 条（记录号 E1）
        self.values = values
        self.memo: dict[str, Value] = {}


def read_list(
    spec: ListSpec, raw: object, tz: str, problems: list[Problem], read_field: FieldReader
) -> tuple[Entry, ...]:
    """Validate a record's list: an array of objects, each field parsed by its declared type, range and vocabulary."""
    if raw is None or raw == "":
        return ()  # no list is no entries, as for a label set
    if not isinstance(raw, list | tuple):
        problems.append(
            Problem(
                spec.key,
                f"“{spec.name}”应为条目数组（[{{…}}, …]），这里是 {type(raw).__name__}",
                f"'{spec.name}' must be an array of entries ([{{…}}, …]), not {type(raw).__name__}",
            )
        )
        return ()
    if len(raw) > MAX_ENTRIES:
        problems.append(
            Problem(
                spec.key,
                f"“{spec.name}”有 {len(raw)} 条，超过上限 {MAX_ENTRIES} 条",
                f"'{spec.name}' has {len(raw)} entries, more than the limit of {MAX_ENTRIES}",
            )
        )
        return ()
    entries = []
    for n, obj in enumerate(raw, 1):
        label = f"第 {n} 条"
        if not isinstance(obj, Mapping):
            problems.append(
                Problem(
                    f"{spec.key}[{n}]",
                    f"“{spec.name}”{label}应为对象（字段: 值）",
                    f"entry {n} of '{spec.name}' must be an object (field: value)",
                )
            )
            continue
        named = []
        if spec.naming is not None and isinstance(obj.get(spec.naming), str) and obj[spec.naming].strip():
            named.append(f"{spec.naming} {obj[spec.naming].strip()}")
        location = getattr(obj, "location", None)  # read from a long-format file (records.LocatedEntry)
        if location:
            named.append(str(location))
        if named:
            label = f"第 {n} 条（{'，'.join(named)}）"
        values: dict[str, object] = {}
        for fs in spec.fields:
            found: list[Problem] = []
            values[fs.key] = read_field(fs, obj.get(fs.key), tz, found)
            if found:  # again, with the entry named in the message and the field
                where = attrs.evolve(fs, key=f"{spec.key}[{n}].{fs.key}", label=f"{spec.name}{label}的{fs.label}")
                read_field(where, obj.get(fs.key), tz, problems)
        entries.append(Entry(spec.name, n, label, values))
    return tuple(entries)


class EntryCtx:
    """The entry scope: an entry's fields and per-entry definitions first, then the teacher's (``base``)."""

    __slots__ = ("base", "defines", "entry", "groups", "rec")

    def __init__(self, base: Context, entry: Entry, defines: Mapping[str, Any]) -> None:
        self.base = base
        self.entry = entry
        self.rec = base.rec
        self.groups = base.groups
        self.defines = defines  # the list's per-entry definitions (compiled)

    def item_points(self, name: str) -> Decimal:
        return self.base.item_points(name)

    def item_result(self, name: str) -> Any:
        return self.base.item_result(name)

    def part_points(self, name: str) -> Decimal:
        return self.base.part_points(name)

    def total(self) -> Decimal:
        return self.base.total()

    def define(self, name: str) -> Value:
        return self.base.define(name)

    def requirement(self, name: str) -> Any:
        return self.base.requirement(name)

    def aggregate(self, index: int) -> Value:
        return self.base.aggregate(index)

    def calendar_step(
        self,
        func: str,
        inputs: Callable[[], tuple[tuple[str, str], ...]],
        result: Value,
        say: Callable[[], tuple[str, str]],
        citing: Citing,
        assumptions: tuple[tuple[str, str], ...],
    ) -> None:
        self.base.calendar_step(func, inputs, result, say, citing, assumptions)

    def entries(self, source: str) -> tuple[Any, ...]:
        return self.base.entries(source)

    def at(self, entry: Any) -> Context:
        return self.base.at(entry)

    def entry_value(self, name: str) -> Value:
        if name == "@label":  # how the entry is named in messages (no field name starts with @)
            return self.entry.label
        return self.entry.values.get(name)

    def loop(self, key: str) -> Value:
        return self.base.loop(key)

    def accumulation(self, name: str) -> Any:
        return self.base.accumulation(name)

    def entry_define(self, name: str) -> Value:
        memo = self.entry.memo
        if name not in memo:
            memo[name] = self.defines[name].fn(self)
        return memo[name]


@attrs.frozen
class Dropped:
    """An entry a filter step did not keep: the step, the reason, and the values that decided it."""

    entry: Entry
    step: int
    reason: str
    reason_en: str
    inputs: tuple[tuple[str, str], ...]


@attrs.frozen
class FilterResult:
    """What a filter kept (in input order), what its 须 and 前 N steps dropped, and how many 凡 set aside."""

    source_count: int
    kept: tuple[Entry, ...]
    dropped: tuple[Dropped, ...]
    not_of_kind: int
    ties: tuple[int, ...] = ()  # steps whose last kept entry tied with the first dropped one


def run_filter(ctx: Context, fp: FilterPlan, explain: bool, show: Callable[[Value], str]) -> FilterResult:
    """Run a filter's steps in order, each on the previous step's survivors.

    ``explain`` records each dropped entry's deciding values (only a traced evaluation asks).
    """
    current = list(ctx.entries(fp.source))
    source_count = len(current)
    dropped: list[Dropped] = []
    not_of_kind = 0
    ties: list[int] = []
    for i, st in enumerate(fp.steps):
        if st.kind == "top":
            current, lost, tie = _top(ctx, st, current)
            if tie:
                ties.append(i)
            for x in lost:
                zh, en = _top_reason(ctx, st)
                dropped.append(Dropped(x, i, zh, en, _values(ctx, st, x, show) if explain else ()))
            continue
        assert st.cond is not None  # 凡 and 须 have a condition
        kept = []
        for x in current:
            if st.cond.fn(ctx.at(x)):
                kept.append(x)
            elif st.kind == "keep":
                not_of_kind += 1
            else:
                _undecided(ctx, st, x)
                dropped.append(Dropped(x, i, st.reason, st.reason, _values(ctx, st, x, show) if explain else ()))
        current = kept
    return FilterResult(source_count, tuple(current), tuple(dropped), not_of_kind, tuple(ties))


def _undecided(ctx: Context, st: FilterStep, x: Entry) -> None:
    """A 须 that failed where a missing entry field decides it (three-valued logic, trainrules.logic) drops
    nothing silently: the record is an error naming the list, the entry and the field."""
    assert st.cond is not None  # a 须 has its condition
    if all(x.values.get(name) is not None for name in st.cond.entry_strict):
        return  # nothing it reads is missing: the drop was decided (the common case, kept cheap)
    scoped = ctx.at(x)

    def leaf(piece: Compiled) -> tuple[bool | None, Missing]:
        for name in piece.entry_strict:
            if x.values.get(name) is None:
                return None, (name, name)
        return bool(piece.fn(scoped)), ("", "")

    value, (name, _) = kleene(st.cond, leaf)
    if value is None:
        raise ComputeError(
            f"“{x.list}”{x.label}的“{name}”缺失，无法判定 须 {st.cond.text}（否则“{st.reason}”）：请补上该值，"
            f"或在策略中用 有值({name}) 或 取值({name}, …) 写明缺失时怎样算",
            f"'{name}' of {x.list} entry {x.number} is missing, so '须 {st.cond.text}' (else '{st.reason}')"
            f" cannot be decided: give the value, or say what a missing value means"
            f" with 有值({name}) or 取值({name}, …)",
            field=f"lists.{x.list}[{x.number}].{name}",
        )


def _values(ctx: Context, st: FilterStep, x: Entry, show: Callable[[Value], str]) -> tuple[tuple[str, str], ...]:
    scoped = ctx.at(x)
    out = []
    for name in st.reads:
        if f"（{name} " in x.label:
            continue  # the naming field is in the entry's label already
        try:
            v = scoped.entry_value(name) if name in x.values else scoped.entry_define(name)
        except (ComputeError, ArithmeticError, TypeError, ValueError):
            out.append((name, "无法计算"))
            continue
        out.append((name, show(v)))
    return tuple(out)


def _count(ctx: Context, st: FilterStep) -> int:
    assert st.count is not None  # a 前 N step has its N
    n = st.count.fn(ctx)
    if not isinstance(n, Decimal) or n < 0 or n != n.to_integral_value():
        raise ComputeError(
            f"“{st.text}”的条数 {n} 不是不小于 0 的整数", f"the count of '{st.text}' is {n}, not a whole number ≥ 0"
        )
    return int(n)


def _top(ctx: Context, st: FilterStep, current: list[Entry]) -> tuple[list[Entry], list[Entry], bool]:
    """Keep, per key group (or overall), the N entries with the highest (降序) or lowest (升序) sort value.

    Ties keep the earlier entry in input order (the sort is stable, also when reversed).
    """
    n = _count(ctx, st)
    assert st.by is not None  # a 前 N step has its 按
    groups: dict[tuple[object, ...], list[tuple[object, Entry]]] = {}
    for x in current:
        scoped = ctx.at(x)
        value = st.by.fn(scoped)
        if value is None:
            raise ComputeError(
                f"“{x.list}”{x.label}的排序值（{st.by.text}）缺失，无法取前 {n} 条",
                f"the sort value ({st.by.text}) of {x.list} entry {x.number} is missing",
            )
        key = tuple(k.fn(scoped) for k in st.keys)
        if None in key:  # entries without a key are not one record: grouping them would drop some silently
            raise ComputeError(
                f"“{x.list}”{x.label}的分组键（{'、'.join(k.text for k in st.keys)}）缺失，无法按它取前 {n} 条",
                f"the group key ({', '.join(k.text for k in st.keys)}) of {x.list} entry {x.number} is missing",
            )
        groups.setdefault(key, []).append((value, x))
    chosen: set[int] = set()
    tie = False
    for members in groups.values():
        ranked = sorted(members, key=lambda p: p[0], reverse=st.descending)  # type: ignore[arg-type,return-value]  # values of one column share a comparable type (checked)
        chosen.update(id(x) for _, x in ranked[:n])
        if 0 < n < len(ranked) and ranked[n - 1][0] == ranked[n][0]:
            tie = True
    kept = [x for x in current if id(x) in chosen]
    lost = [x for x in current if id(x) not in chosen]
    return kept, lost, tie


def _top_reason(ctx: Context, st: FilterStep) -> tuple[str, str]:
    n = _count(ctx, st)
    assert st.by is not None  # a 前 N step has its 按
    order = "" if st.descending else "，升序"
    if st.keys:
        keys = "、".join(k.text for k in st.keys)
        return (
            f"同一 {keys} 只计 前 {n} 条（按 {st.by.text}{order}）",
            f"only the first {n} per {keys} count (by {st.by.text}{', ascending' if order else ''})",
        )
    return (
        f"只计 前 {n} 条（按 {st.by.text}{order}）",
        f"only the first {n} count (by {st.by.text}{', ascending' if order else ''})",
    )


def _listed(entries: list[str], en: bool = False, sep: str = "") -> str:
    head = (sep or (", " if en else "、")).join(entries[:MAX_ENTRIES_SHOWN])
    more = len(entries) - MAX_ENTRIES_SHOWN
    if more <= 0:
        return head
    return head + (f" … and {more} more" if en else f"… 另 {more} 条")


def filter_text(fp: FilterPlan, r: FilterResult) -> tuple[str, str]:
    """The explanation of a filter: counts, the dropped entries by reason with their deciding values, the kept."""
    zh = f"{fp.name}：{fp.source} {r.source_count} 条，计入 {len(r.kept)} 条"
    en = f"{fp.name}: {r.source_count} entries of {fp.source}, {len(r.kept)} counted"
    if r.not_of_kind:
        zh += f"；不属此类 {r.not_of_kind} 条"
        en += f"; {r.not_of_kind} not of the kind"
    by_reason: dict[tuple[str, str], list[Dropped]] = {}
    for d in r.dropped:
        by_reason.setdefault((d.reason, d.reason_en), []).append(d)
    if by_reason:
        zh += f"；未计入 {len(r.dropped)} 条："
        en += f"; {len(r.dropped)} not counted: "
        parts_zh, parts_en = [], []
        for (reason, reason_en), ds in by_reason.items():
            shown = [
                d.entry.label + ("：" + "，".join(f"{k} {v}" for k, v in d.inputs) if d.inputs else "") for d in ds
            ]
            shown_en = [
                f"entry {d.entry.number}" + (": " + ", ".join(f"{k} {v}" for k, v in d.inputs) if d.inputs else "")
                for d in ds
            ]
            parts_zh.append(f"{reason} {len(ds)} 条（{_listed(shown)}）")
            parts_en.append(f"{reason_en}: {len(ds)} ({_listed(shown_en, en=True)})")
        zh += "；".join(parts_zh)
        en += "; ".join(parts_en)
    if r.kept:
        zh += f"。计入：{_listed([x.label for x in r.kept])}"
        en += f". Counted: {_listed([f'entry {x.number}' for x in r.kept], en=True)}"
    if r.ties:
        zh += "。有并列时按输入顺序取在前的条目"
        en += ". Ties keep the earlier entry in input order"
    return zh, en


# ---------- accumulation (累计) ----------


@attrs.frozen
class GroupCap:
    """One group of one level of a 累计: its key values, the sum it received, its cap, and what it keeps."""

    key: tuple[Value, ...]
    raw: Decimal
    cap: Decimal | None
    kept: Decimal

    @property
    def removed(self) -> Decimal:
        return self.raw - self.kept


@attrs.frozen
class Accumulation:
    """A 累计's result: the raw sum of its entries, each level's groups (sorted by key), and the final total."""

    raw: Decimal
    total: Decimal
    entries: int
    levels: tuple[tuple[GroupCap, ...], ...]

    @property
    def removed(self) -> Decimal:
        return self.raw - self.total


def _sorted_keys(keys: list[tuple[Value, ...]]) -> list[tuple[Value, ...]]:
    try:
        return sorted(keys)  # one key position holds one type (checked); else input order, below
    except TypeError:
        return keys


def run_accumulation(ctx: Context, ap: AccumulatePlan, show: Callable[[Value], str]) -> Accumulation:
    """Sum the column of the source's entries, then cap level by level in the written order.

    Level 1 groups the entries by its keys and keeps min(cap, Σ) per group (no cap: Σ). Each later level
    groups the previous level's groups by its keys (which must be the same for every entry of a group, or
    the record is in error) and caps the sum of what they kept. Every amount is a Decimal; nothing is
    rounded. A missing value, key or cap, or a cap below 0, is an error naming what is missing.
    """
    scoped: list[Context] = []
    amounts: list[Decimal] = []
    for x in ctx.entries(ap.source):
        s = ctx.at(x)
        v = ap.column.fn(s)
        if v is None:
            raise ComputeError(
                f"“{ap.source}”{x.label}的“{ap.column_name}”缺失，累计“{ap.name}”无法计算（需要时写 取值(…)）",
                f"'{ap.column_name}' of {ap.source} entry {x.number} is missing: 累计 '{ap.name}' cannot be computed",
            )
        scoped.append(s)
        amounts.append(v)
    raw = sum(amounts, Decimal(0))
    # the units of the current level: (the scoped entries they hold, the amount they carry)
    units: list[tuple[list[Context], Decimal]] = [([s], a) for s, a in zip(scoped, amounts, strict=True)]
    levels: list[tuple[GroupCap, ...]] = []
    for n, lv in enumerate(ap.levels, 1):
        groups: dict[tuple[Value, ...], tuple[list[Context], Decimal]] = {}
        for members, amount in units:
            key = _unit_key(ap, n, lv.keys, members, show)
            held, total = groups.get(key, ([], Decimal(0)))
            groups[key] = (held + members, total + amount)
        caps: list[GroupCap] = []
        units = []
        for key in _sorted_keys(list(groups)):
            members, total = groups[key]
            cap = _cap(ap, n, lv.cap, members[0], show, key) if lv.cap is not None else None
            kept = total if cap is None else min(cap, total)
            caps.append(GroupCap(key, total, cap, kept))
            units.append((members, kept))
        levels.append(tuple(caps))
    total = sum((k for _, k in units), Decimal(0))
    return Accumulation(raw, total, len(amounts), tuple(levels))


def _unit_key(
    ap: AccumulatePlan, n: int, keys: tuple[Any, ...], members: list[Context], show: Callable[[Value], str]
) -> tuple[Value, ...]:
    """The level's key of a unit: the same for each of its entries (the levels nest), never missing."""
    first: tuple[Value, ...] | None = None
    first_label = ""
    for m in members:
        key = tuple(k.fn(m) for k in keys)
        label = str(m.entry_value("@label"))
        if any(v is None for v in key):
            raise ComputeError(
                f"“{ap.source}”{label}在累计“{ap.name}”第 {n} 层的分组键缺失",
                f"the group key of level {n} of 累计 '{ap.name}' is missing for {ap.source} {label}",
            )
        if first is None:
            first, first_label = key, label
        elif key != first:
            shown_a, shown_b = "、".join(show(v) for v in first), "、".join(show(v) for v in key)
            raise ComputeError(
                f"累计“{ap.name}”第 {n} 层把上一层的一组拆开了：{first_label} 为 {shown_a}，{label} 为 {shown_b}"
                "（各层须由内到外嵌套）",
                f"level {n} of 累计 '{ap.name}' splits a group of level {n - 1}: {shown_a} and {shown_b} "
                "(levels must nest, innermost first)",
            )
    assert first is not None  # a unit holds at least one entry
    return first


def _cap(
    ap: AccumulatePlan, n: int, cap: Any, rep: Context, show: Callable[[Value], str], key: tuple[Value, ...]
) -> Decimal:
    value = cap.fn(rep)  # the cap reads only the level's keys and teacher names (checked): any member will do
    where = "、".join(show(v) for v in key) or "全体"
    if not isinstance(value, Decimal):
        raise ComputeError(
            f"累计“{ap.name}”第 {n} 层（{where}）的上限缺失",
            f"the cap of level {n} of 累计 '{ap.name}' ({where}) is missing",
        )
    if value < 0:
        raise ComputeError(
            f"累计“{ap.name}”第 {n} 层（{where}）的上限 {value} 小于 0",
            f"the cap of level {n} of 累计 '{ap.name}' ({where}) is {value}, below 0",
        )
    return value


def accumulation_text(ap: AccumulatePlan, r: Accumulation, show: Callable[[Value], str]) -> tuple[str, str]:
    """Per level, the groups whose cap removed something (at most MAX_ENTRIES_SHOWN of them), then the total."""
    zh = f"{ap.name}：{ap.source} {r.entries} 条，原计 {show(r.raw)}"
    en = f"{ap.name}: {r.entries} entries of {ap.source}, {show(r.raw)} before caps"
    for lv, groups in zip(ap.levels, r.levels, strict=True):
        bit = [g for g in groups if g.removed > 0]
        if all(g.cap is None for g in groups):
            zh += f"。{lv.text}：{len(groups)} 组，不封顶"
            en += f". {lv.text}: {len(groups)} groups, no cap"
            continue
        if not bit:
            zh += f"。{lv.text}：{len(groups)} 组，均未超过上限"
            en += f". {lv.text}: {len(groups)} groups, no cap reached"
            continue
        removed = sum((g.removed for g in bit), Decimal(0))
        shown_zh = [
            f"{'、'.join(show(v) for v in g.key) or '全体'}：记 {show(g.raw)}，"
            f"上限 {show(g.cap)}，去掉 {show(g.removed)}"
            for g in bit
        ]
        shown_en = [
            f"{', '.join(show(v) for v in g.key) or 'all'}: {show(g.raw)}, cap {show(g.cap)}, removed {show(g.removed)}"
            for g in bit
        ]
        zh += f"。{lv.text}：去掉 {show(removed)}（{_listed(shown_zh, sep='；')}）"
        en += f". {lv.text}: removed {show(removed)} ({_listed(shown_en, en=True, sep='; ')})"
        if len(bit) < len(groups):
            zh += f"，其余 {len(groups) - len(bit)} 组未超过上限"
            en += f", {len(groups) - len(bit)} other groups under their cap"
    zh += f"。合计 {show(r.total)}"
    en += f". Total {show(r.total)}"
    if r.removed > 0:
        zh += f"（各层共去掉 {show(r.removed)}）"
        en += f" ({show(r.removed)} removed by the caps)"
    return zh, en
