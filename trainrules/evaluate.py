"""Plan x record to Decision: validate each record against the declared inputs, then score it, optionally traced."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any, Protocol

import attrs
import pendulum

from trainrules.check.labels import shown
from trainrules.check.names import did_you_mean
from trainrules.compile import (
    Citing,
    Compiled,
    EachPlan,
    FieldSpec,
    Grading,
    ItemPlan,
    LinePlan,
    PartPlan,
    Plan,
    RequirementPlan,
    ResultPlan,
    RulePlan,
    Value,
)
from trainrules.entries import (
    Accumulation,
    Entry,
    EntryCtx,
    FilterResult,
    accumulation_text,
    filter_text,
    read_list,
    run_accumulation,
    run_filter,
)
from trainrules.errors import BilingualError, ComputeError
from trainrules.functions import WHOLE_RUN
from trainrules.limits import MAX_EACH_VALUES, MAX_EACH_WORK, MAX_GROUP_MEMBERS_SHOWN
from trainrules.logic import Missing, kleene
from trainrules.records import RawRecord, ReadProblem, RecordsFileError, UncomputedFormula
from trainrules.results import (
    TIMELINESS_WORDS,
    CheckResult,
    Decision,
    GroupFinding,
    ItemResult,
    LineResult,
    NotCounted,
    PartResult,
    Problem,
    RequirementResult,
    ResultValue,
    Step,
    Timeliness,
    each_text,
    fmt_instant,
)
from trainrules.values import (
    ValueProblem,
    decimal_text,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_instant,
    parse_int,
    parse_labels,
    parse_text,
)

__all__ = ["Evaluator", "NullTracer", "Recorder", "Tracer", "fmt_value"]

_ZERO = Decimal(0)
_BUILTIN_TEXT = ("id", "name", "school", "subject", "stage")
_ITEM_KEYS = {"submitted_at", "score", "grade", "length"}


class Tracer(Protocol):
    """Receives each step of a derivation; the default records nothing."""

    def step(self, step: Step) -> None: ...


class NullTracer:
    """A tracer that does nothing."""

    def step(self, step: Step) -> None:
        """Ignore the step."""


@attrs.define
class Recorder:
    """A tracer that keeps every step."""

    steps: list[Step] = attrs.field(factory=list)

    def step(self, step: Step) -> None:
        """Keep the step."""
        self.steps.append(step)


class EvalError(Exception):
    """A record that validated but cannot be scored (e.g. a score outside every band)."""

    def __init__(self, field: str, zh: str, en: str) -> None:
        super().__init__(zh)
        self.problem = Problem(field, zh, en)


def fmt_value(v: object) -> str:
    """A value as an auditor reads it (instants in local wall time, missing as 缺失)."""
    if v is None:
        return "缺失"
    if isinstance(v, pendulum.DateTime):
        return fmt_instant(v)
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, Decimal):
        return decimal_text(v)
    if isinstance(v, tuple):
        return "、".join(fmt_value(x) for x in v) if v else "（空）"
    return str(v)


# ---------- validation ----------


def _parse(spec_type: str, raw: object, tz: str) -> object:
    if spec_type == "数":
        return parse_decimal(raw)
    if spec_type == "整数":
        return Decimal(parse_int(raw))
    if spec_type in ("文本", "标签"):
        return parse_text(raw)
    if spec_type == "时刻":
        return parse_instant(raw, tz)
    if spec_type == "日期":
        return parse_date(raw, tz)
    if spec_type == "是否":
        return parse_bool(raw)
    return parse_labels(raw)


def _refusal(exc: ValueProblem, raw: object) -> tuple[str, str]:
    """Why a value was refused; for an Excel formula without its value, what to do about it."""
    if isinstance(raw, UncomputedFormula):
        return (
            f"单元格 {raw.cell} 的公式没有计算结果：请在 Excel 中打开并保存该文件",
            f"the formula in cell {raw.cell} has no computed value: open and save the file in Excel",
        )
    return exc.message_zh, exc.message_en


def _field(spec: FieldSpec, raw: object, tz: str, problems: list[Problem]) -> object:
    if raw is None or raw == "":
        if spec.type == "标签集":
            return ()  # an empty label set: a blank CSV/xlsx cell cannot be told apart from "no labels"
        if not spec.optional:
            problems.append(
                Problem(spec.key, f"缺少必填字段“{spec.label}”", f"the required field '{spec.label}' is missing")
            )
        return None
    try:
        value = _parse(spec.type, raw, tz)
    except ValueProblem as exc:
        zh, en = _refusal(exc, raw)
        problems.append(Problem(spec.key, f"“{spec.label}”：{zh}", f"'{spec.label}': {en}"))
        return None
    if spec.vocab:
        for word in value if isinstance(value, tuple) else (value,):
            if word not in spec.vocab:
                problems.append(_outside_vocab(spec.key, spec.label, str(word), spec.vocab))
                return None
    if isinstance(value, Decimal) and (
        (spec.low is not None and value < spec.low) or (spec.high is not None and value > spec.high)
    ):
        problems.append(
            Problem(
                spec.key,
                f"“{spec.label}”为 {value}，超出范围 {spec.low} 至 {spec.high}",
                f"'{spec.label}' is {value}, outside {spec.low} to {spec.high}",
            )
        )
        return None
    return value


def _outside_vocab(key: str, label: str, word: str, vocab: tuple[str, ...]) -> Problem:
    """A label outside its vocabulary, with a did-you-mean and the words it may be."""
    zh, en = did_you_mean(word, vocab, containing=True)
    return Problem(
        key,
        f"“{label}”为“{word}”，不在词表中（{shown(vocab)}）" + (f"：{zh}" if zh else ""),
        f"'{label}' is '{word}', not in its vocabulary ({shown(vocab)})" + (f": {en}" if en else ""),
    )


_ITEM_LABELS = {"submitted_at": "提交时间", "score": "分数", "grade": "等级", "length": "字数"}


def _item_value(item: ItemPlan, part: str, raw: object, tz: str, problems: list[Problem]) -> object:
    try:
        if part == "submitted_at":
            return parse_instant(raw, tz)
        if part == "grade":
            grade = parse_text(raw)
            if item.grades and grade not in item.grades:
                problems.append(_outside_vocab(f"items.{item.name}.grade", f"{item.name}.等级", grade, item.grades))
                return None
            return grade
        if part == "length":
            return Decimal(parse_int(raw, non_negative=True))
        value = parse_decimal(raw)
    except ValueProblem as exc:
        label = f"{item.name}.{_ITEM_LABELS[part]}"
        zh, en = _refusal(exc, raw)
        problems.append(Problem(f"items.{item.name}.{part}", f"“{label}”：{zh}", f"'{label}': {en}"))
        return None
    top = item.max_points
    if value < 0 or (top is not None and value > top):
        label = f"{item.name}.{_ITEM_LABELS[part]}"
        problems.append(
            Problem(
                f"items.{item.name}.{part}",
                f"“{label}”为 {value}，超出 0 至 {top}",
                f"'{label}' is {value}, outside 0 to {top}",
            )
        )
        return None
    return value


def _given(raw: Mapping[str, object], key: str, problems: list[Problem]) -> object:
    """A declared teacher field's raw value: under ``facts`` (``facts.县``) or at the top level (``县``), as
    a list may be; given in both places the record is in error (which one was meant is not known)."""
    bare = key[6:] if key.startswith("facts.") else ""
    if not bare or bare not in raw:
        return raw.get(key)
    if key in raw:
        problems.append(
            Problem(
                key,
                f"“{bare}”写了两处：facts 里的“{bare}”和顶层的“{bare}”，只能写一处",
                f"'{bare}' is given twice: under facts and at the top level; give it once",
            )
        )
        return None
    return raw[bare]


def _shape_problem(key: str, want_zh: str, want_en: str, value: object) -> Problem:
    shown = type(value).__name__ if isinstance(value, list | dict) else repr(value)[:40]
    return Problem(key, f"“{key}”应为{want_zh}，这里是 {shown}", f"'{key}' must be {want_en}, not {shown}")


@attrs.define
class _Validator:
    plan: Plan
    seen_ids: set[str] = attrs.field(factory=set)
    ignored: set[str] = attrs.field(factory=set)
    #: Every record key seen so far: its item and item field, or None when it is not an item key.
    keys: dict[str, tuple[ItemPlan | None, str] | None] = attrs.field(factory=dict)
    known: frozenset[str] = attrs.field(init=False)
    #: A declared teacher field by its bare name: a record may give it at the top level as under ``facts``.
    bare: dict[str, str] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.bare = {s.key[6:]: s.key for s in self.plan.teacher_fields if s.key.startswith("facts.")}
        self.known = (
            frozenset(s.key for s in self.plan.teacher_fields)
            | frozenset(_BUILTIN_TEXT)
            | frozenset(k for spec in self.plan.lists if spec.owner == "教师" for k in (spec.key, spec.name))
            | frozenset(self.bare)
        )

    def _key(self, key: str) -> tuple[ItemPlan | None, str] | None:
        if key in self.keys:
            return self.keys[key]
        found: tuple[ItemPlan | None, str] | None = None
        if key.startswith("items."):
            name, _, part = key[6:].rpartition(".")
            found = (self.plan.items.get(name) if part in _ITEM_KEYS else None, part)
        if len(self.keys) < 10_000:  # bounded: the keys come from the input
            self.keys[key] = found
        return found

    def teacher(self, raw: Mapping[str, object], track_ids: bool = True) -> tuple[dict[str, object], list[Problem]]:
        problems: list[Problem] = []
        rec: dict[str, object] = {}
        tz = self.plan.tz
        for key in _BUILTIN_TEXT:
            v = raw.get(key)
            if v is None or v == "":
                rec[key] = None
                continue
            try:
                rec[key] = parse_text(v)
            except ValueProblem as exc:
                problems.append(Problem(key, f"“{key}”：{exc.message_zh}", f"'{key}': {exc.message_en}"))
                rec[key] = None
        tid = rec["id"]
        if tid is None:
            problems.append(Problem("id", "缺少编号", "the id is missing"))
        elif track_ids and tid in self.seen_ids:
            problems.append(Problem("id", f"编号“{tid}”重复", f"the id '{tid}' appears more than once"))
        elif track_ids:
            self.seen_ids.add(str(tid))
        for spec in self.plan.teacher_fields:
            rec[spec.key] = _field(spec, _given(raw, spec.key, problems), tz, problems)
        for lspec in self.plan.lists:  # under lists.<名称> (nested "lists" object), or the list's own name
            if lspec.owner == "教师":
                rec[lspec.key] = read_list(lspec, raw.get(lspec.key, raw.get(lspec.name)), tz, problems, _field)
        known = self.known
        for key, value in raw.items():
            if value is None or value == "" or key in known:
                continue
            if key.startswith("lists.") and self.plan.lists:  # not the plan's: a misspelt list reads as empty
                name = key[6:]
                problems.append(Problem(key, f"本方案没有列表“{name}”", f"this plan has no list '{name}'"))
                continue
            found = self._key(key)
            if found is None:
                if key in ("items", "facts") or (key == "lists" and self.plan.lists):  # not an object: unreadable
                    problems.append(_shape_problem(key, "对象（名称: 值）", "an object (name: value)", value))
                elif near := self._near_miss(key):
                    problems.append(near)
                else:
                    self.ignored.add(key)
                continue
            item, part = found
            if item is None and "." not in key[6:]:  # "items": {"队伍建设": 18}: the item is not an object
                problems.append(
                    _shape_problem(key, "对象（提交时间、分数等）", "an object (submitted_at, score…)", value)
                )
            elif item is None:
                name = key[6:].rpartition(".")[0]
                problems.append(
                    Problem(
                        key,
                        f"本方案没有项目“{name or key}”（或字段“{part}”）",
                        f"this plan has no item '{name or key}' (or field '{part}')",
                    )
                )
            else:
                rec[key] = _item_value(item, part, value, tz, problems)
        return rec, problems

    def unused_columns(self, columns: Iterable[str], where: str) -> tuple[str, ...]:
        """The columns of a .csv/.xlsx header (canonical keys) this plan does not read, by header name.

        Raises:
            RecordsFileError: a column is a near miss of a declared teacher field (``入职时间`` for
                ``入职日期``): every row's value would be lost without a word.
        """
        unused = []
        for key in columns:
            if key in self.known or key.startswith(("items.", "lists.")) or self._key(key) is not None:
                continue  # an item's column is checked per record (an unknown item is a record error)
            near = self._near_miss(key)
            name = key[6:] if key.startswith("facts.") else key
            if near is not None:
                zh, en = did_you_mean(name, self.bare)
                raise RecordsFileError(
                    f"{where}：列“{name}”不是本方案的字段：{zh}（请改正表头，否则这一列的值都不会被读取）",
                    f"{where}: the column '{name}' is not a field of this plan: {en}"
                    " (correct the header, or none of its values is read)",
                )
            unused.append(name)
        return tuple(unused)

    def _near_miss(self, key: str) -> Problem | None:
        """An unknown key that is a near miss of a declared teacher field (``入职时间`` for ``入职日期``, at the
        top level or under ``facts``): a value the clerk meant for that field would be lost without a word."""
        name = key[6:] if key.startswith("facts.") else key
        if "." in name or not self.bare:
            return None
        zh, en = did_you_mean(name, self.bare)
        if not zh:
            return None
        return Problem(
            key,
            f"本方案没有字段“{name}”：{zh}（方案没有的字段不会被读取）",
            f"this plan has no field '{name}': {en} (a field the plan does not declare is not read)",
        )

    def group(self, raw: Mapping[str, object]) -> tuple[str, str | None, dict[str, object], list[Problem]]:
        """A group record: its kind (学校 for a school record), its key (the school's or county's name), its
        facts and lists validated like a teacher's, and what is wrong with them."""
        problems: list[Problem] = []
        kind = _record_kind(raw)
        name = raw.get("school", raw.get("key")) if kind == "学校" else raw.get("key")
        values = {
            spec.key: _field(spec, raw.get(spec.key), self.plan.tz, problems)
            for spec in self.plan.group_fields.get(kind, ())
        }
        for lspec in self.plan.lists:  # a group's lists, validated like a teacher's (read in group checks)
            if lspec.owner == kind:
                value = raw.get(lspec.key, raw.get(lspec.name))
                values[lspec.key] = read_list(lspec, value, self.plan.tz, problems, _field)
                if raw.get("facts." + lspec.name) not in (None, ""):  # a table column: not entries, never dropped
                    problems.append(
                        Problem(
                            "facts." + lspec.name,
                            f'“{lspec.name}”是{kind}的列表，不能写成一列；请用 JSON {kind}记录的 "lists"',
                            f"'{lspec.name}' is a {_kind_en(kind)} list, not a column;"
                            f' give it under "lists" in JSON {_kind_en(kind)} records',
                        )
                    )
        return kind, (str(name).strip() if name not in (None, "") else None), values, problems


def _record_kind(raw: Mapping[str, object]) -> str:
    """The kind of a group record: 学校 for a school record (no ``kind``, or ``school``), else its ``kind``."""
    kind = raw.get("kind")
    return "学校" if kind in (None, "", "school", "学校") else str(kind).strip()


def _kind_en(kind: str) -> str:
    """A group kind in English messages: school for 学校 (as before groups had kinds), the kind itself else."""
    return "school" if kind == "学校" else kind


# ---------- evaluation ----------


_NOTHING: set[str] = set()  # never added to: the untraced evaluation's stand-in for _Ctx.defined


class _Ctx:
    """One record's evaluation: its values and the results computed so far (lazily, memoized)."""

    __slots__ = (
        "aggregates",
        "busy",
        "calendar_done",
        "defined",
        "ev",
        "groups",
        "item_results",
        "loops",
        "memo",
        "overrides",
        "part_results",
        "rec",
        "tracer",
    )

    def __init__(
        self,
        ev: Evaluator,
        rec: dict[str, object],
        groups: dict[str, dict[str, object]],
        tracer: Tracer | None,
        overrides: Mapping[str, Decimal] | None,
    ) -> None:
        self.ev = ev
        self.rec = rec
        self.groups = groups  # the facts and lists of the record's group of each kind (学校, 县): by kind
        self.tracer = tracer
        self.overrides = overrides
        self.memo: dict[str, Any] = {}
        self.item_results: dict[str, ItemResult] = {}
        self.part_results: dict[str, PartResult] = {}
        self.aggregates: list[Value] = []
        self.busy: set[str] = set()
        # Definitions whose explanation step is already out; only a traced evaluation needs the set.
        self.defined: set[str] = set() if tracer is not None else _NOTHING
        self.calendar_done: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
        self.loops: dict[str, Value] = {}  # the 逐 variables bound now, by key (ast.ForEach.key)

    def _guard(self, key: str) -> None:
        if key in self.busy:
            raise EvalError(key, f"“{key}”的计算依赖它自己", f"'{key}' depends on itself")
        self.busy.add(key)

    def item_points(self, name: str) -> Decimal:
        return self.item_result(name).points

    def item_result(self, name: str) -> ItemResult:
        result = self.item_results.get(name)
        if result is None:
            self._guard(name)
            result = self.item_results[name] = self.ev.item(self, self.ev.plan.items[name])
        return result

    def part_points(self, name: str) -> Decimal:
        return self.part_result(name).points

    def cancelled(self, part: PartPlan) -> bool:
        """Whether the part's cancelling condition holds (computed once per record)."""
        key = "取消:" + part.name
        if key not in self.memo:
            self._guard(key)
            self.memo[key] = part.cancel is not None and bool(part.cancel.fn(self))
        value: bool = self.memo[key]
        return value

    def part_result(self, name: str) -> PartResult:
        result = self.part_results.get(name)
        if result is None:
            self._guard("部分:" + name)
            result = self.part_results[name] = self.ev.part(self, self.ev.parts[name])
        return result

    def total(self) -> Decimal:
        if "总分" not in self.memo:
            self._guard("总分")
            self.memo["总分"] = sum((self.part_points(p.name) for p in self.ev.plan.parts), _ZERO)
        value: Decimal = self.memo["总分"]
        return value

    def define(self, name: str) -> Value:
        key = "定义:" + name
        if key not in self.memo:
            self._guard(key)
            ev = self.ev
            if name not in ev.special_defines:
                self.memo[key] = ev.plan.defines[name].fn(self)
            elif (scope := ev.results[name].applies if name in ev.results else None) and not scope.fn(self):
                self.memo[key] = None  # a 结果 that does not apply is missing (read it with 取值)
            elif name in ev.plan.exceptions:
                self.memo[key] = ev.overridden(self, name)
            else:
                self.memo[key] = ev.plan.defines[name].fn(self)
        return self.memo[key]

    def requirement(self, name: str) -> RequirementResult:
        key = "要求:" + name
        if key not in self.memo:
            self._guard(key)
            self.memo[key] = self.ev.requirement(self, self.ev.plan.requirements[name])
        value: RequirementResult = self.memo[key]
        return value

    def aggregate(self, index: int) -> Value:
        return self.aggregates[index]

    def loop(self, key: str) -> Value:
        return self.loops[key]  # bound by each_values' caller: the checker lets the name be read only there

    def calendar_step(
        self,
        func: str,
        inputs: Callable[[], tuple[tuple[str, str], ...]],
        result: Value,
        say: Callable[[], tuple[str, str]],
        citing: Citing,
        assumptions: tuple[tuple[str, str], ...],
    ) -> None:
        """When tracing, one step per distinct calendar computation: its inputs, its result, in words, and the
        rule it was computed for (with that rule's assumptions and its own)."""
        if self.tracer is None:
            return  # computed only when tracing: the inputs and the words are built lazily
        shown = inputs()
        if (func, shown) in self.calendar_done:
            return
        self.calendar_done.add((func, shown))
        zh, en = say()
        relied = citing.assumptions + tuple(a for a in assumptions if a not in citing.assumptions)
        _step(self, "日历", func, Citing(citing.rule_ids, citing.section, relied), shown, fmt_value(result), zh, en)

    # ----- lists (entries.py) -----
    def entries(self, source: str) -> tuple[Any, ...]:
        """The entries of a list (validated with the record) or the entries a filter kept."""
        if source in self.ev.plan.filters:
            return self.filter(source).kept
        owner = self.ev.list_owners.get(source, "教师")
        held = self.rec if owner == "教师" else self.groups.get(owner, {})
        found: tuple[Entry, ...] = held.get("lists." + source, ())  # type: ignore[assignment]  # read_list put it there
        return found

    def at(self, entry: Any) -> EntryCtx:
        return EntryCtx(self, entry, self.ev.plan.entry_defines.get(entry.list, {}))

    def entry_value(self, name: str) -> Value:
        raise AssertionError(f"'{name}' read outside an entry")  # the checker allows entry names only in entry scope

    def entry_define(self, name: str) -> Value:
        raise AssertionError(f"'{name}' read outside an entry")  # as for entry_value

    def filter(self, name: str) -> FilterResult:
        """A filter's result, computed once per teacher; traced, its explanation step comes out then."""
        key = "筛选:" + name
        if key not in self.memo:
            self._guard(key)
            fp = self.ev.plan.filters[name]
            result = run_filter(self, fp, self.tracer is not None, fmt_value)
            self.memo[key] = result
            if self.tracer is not None:
                zh, en = filter_text(fp, result)
                ins = (("来源", fp.source), ("条目", str(result.source_count)), ("计入", str(len(result.kept))))
                _step(self, "筛选", name, fp.citing, ins, str(len(result.kept)), zh, en)
        found: FilterResult = self.memo[key]
        return found

    def accumulation(self, name: str) -> Accumulation:
        """A 累计's result, computed once per teacher; traced, its explanation step comes out then."""
        key = "累计:" + name
        if key not in self.memo:
            self._guard(key)
            ap = self.ev.plan.accumulations[name]
            result = run_accumulation(self, ap, fmt_value)
            self.memo[key] = result
            if self.tracer is not None:
                zh, en = accumulation_text(ap, result, fmt_value)
                ins = (("来源", ap.source), ("原计", fmt_value(result.raw)), ("封顶去掉", fmt_value(result.removed)))
                _step(self, "累计", name, ap.citing, ins, fmt_value(result.total), zh, en)
        found: Accumulation = self.memo[key]
        return found


#: A value that tracing could not compute (it was not needed for the decision, or fails): shown, never used.
_UNREAD = object()


def _quietly(ctx: _Ctx, read: Any) -> Any:
    """Compute a value for an explanation only; a failure leaves the record's evaluation as it was."""
    busy = set(ctx.busy)
    try:
        return read()
    except (EvalError, ComputeError, ArithmeticError, TypeError, ValueError, KeyError):
        ctx.busy = busy
        return _UNREAD


def _read(ctx: _Ctx, label: str, key: str) -> Any:
    if key:
        kind, dot, _ = label.partition(".")
        if dot and key.startswith("facts.") and kind in ctx.ev.plan.group_fields:  # a group's fact: 县.名额
            return ctx.groups.get(kind, {}).get(key)
        return ctx.rec.get(key)
    if label == "总分":
        return ctx.total()
    if label.endswith(".按时"):
        return ctx.item_result(label[:-3]).timeliness == "on_time"
    if label in ctx.ev.plan.defines:
        return _explained_define(ctx, label)
    if label in ctx.ev.plan.requirements:
        return ctx.requirement(label).met
    head, _, tail = label.partition(".")
    if head in ctx.ev.plan.requirements:
        return ctx.requirement(head).amount(tail)
    if label in ctx.ev.plan.items:
        return ctx.item_points(label)
    return ctx.part_points(label)


def each_values(ctx: _Ctx, each: EachPlan, what_zh: str, what_en: str) -> tuple[Value, ...]:
    """The values a ``逐`` runs over for this record; a missing source or value is an error naming it, never none."""
    values = each.source.fn(ctx)
    head, head_en = f"{what_zh}的“逐 {each.name} 取自 {each.source.text}”", f"'逐 {each.name}' of {what_en}"
    if values is None or not isinstance(values, tuple):
        missing = [label for label, shown in _inputs(each.source, ctx) if shown == "缺失"]
        field = next((key for label, key in each.source.reads if key and label in missing), "")
        because = f"（{'、'.join(missing)} 缺失）" if missing else ""
        because_en = f" ({', '.join(missing)} missing)" if missing else ""
        raise EvalError(
            field,
            f"{head}得不出要逐一核对的值{because}",
            f"{head_en} ({each.source.text}) yields no values to check{because_en}",
        )
    if len(values) > MAX_EACH_VALUES:
        raise EvalError(
            "",
            f"{head}有 {len(values)} 个值，多于上限 {MAX_EACH_VALUES}",
            f"{head_en} has {len(values)} values, more than the limit {MAX_EACH_VALUES}",
        )
    if any(v is None for v in values):
        raise EvalError("", f"{head}中有缺失的值", f"{head_en} has a missing value")
    if each.over_entries and values:  # every value reads every entry: bound the product, never a long run
        entries = sum(len(ctx.entries(spec.name)) for spec in ctx.ev.plan.lists)
        if len(values) * entries > MAX_EACH_WORK:
            raise EvalError(
                "",
                f"{head}有 {len(values)} 个值，每个值都读取本记录的 {entries} 条记录：共 {len(values) * entries:,} 次，"
                f"多于上限 {MAX_EACH_WORK:,}（缩小范围或拆分记录）",
                f"{head_en} has {len(values)} values, each reading the record's {entries} entries:"
                f" {len(values) * entries:,} reads, more than the limit {MAX_EACH_WORK:,} (narrow the range or split"
                " the record)",
            )
    return values


def _shown(value: Any) -> str:
    return "无法计算" if value is _UNREAD else fmt_value(value)


def _kleene(ctx: _Ctx, c: Compiled, watched: Callable[[str], bool]) -> tuple[bool | None, Missing]:
    """``c`` in three-valued logic (trainrules.logic): a piece is unknown where a watched record field it reads
    (outside 有值/缺失/取值) is missing. With every watched field present the value is exactly ``c.fn(ctx)``."""

    def leaf(piece: Compiled) -> tuple[bool | None, Missing]:
        for label, key in piece.strict:
            if watched(key) and _read(ctx, label, key) is None:
                return None, (label, key)
        return bool(piece.fn(ctx)), ("", "")

    return kleene(c, leaf)


def _decided(ctx: _Ctx, cond: Compiled, what_zh: str, what_en: str) -> bool:
    """A condition that decides whether a rule counts. A field it reads (outside 有值/缺失/取值) that is
    missing makes it undecided where that field decides it (three-valued logic: ``甲 或 乙`` with 甲 true
    holds whatever 乙 is; a comparison with nothing is not false here, and 非 does not turn it into true):
    then a record error naming the field, never a default verdict."""
    if all(_read(ctx, label, key) is not None for label, key in cond.strict):
        return bool(cond.fn(ctx))  # nothing it reads is missing (the common case, kept cheap)
    value, (label, key) = _kleene(ctx, cond, lambda _key: True)
    if value is None:
        raise EvalError(
            key,
            f"{what_zh}“{cond.text}”读到的“{label}”缺失，无法判定：请补上该值，"
            f"或在策略中用 有值({label}) 或 取值({label}, …) 写明缺失时怎样算",
            f"{what_en} '{cond.text}' reads '{label}', which is missing, so it cannot be decided: give the value,"
            f" or say in the policy what a missing value means with 有值({label}) or 取值({label}, …)",
        )
    return value


def _inputs(c: Compiled, ctx: _Ctx) -> tuple[tuple[str, str], ...]:
    """What ``c`` reads, as displayed values; a definition it reads gets its own step first (tracing only)."""
    out = []
    for label, key in c.reads:
        out.append((label, _shown(_quietly(ctx, functools.partial(_read, ctx, label, key)))))
    for text, fn in c.lookups:  # the value a lookup found, beside the key it read: 获奖分[获奖] = 20
        out.append((text, _shown(_quietly(ctx, functools.partial(fn, ctx)))))
    for fn, conv in c.conversions:  # once per step: 5 天 = 30 学时（单位 天 = 6 学时，依据 R003-02）
        before = _quietly(ctx, functools.partial(fn, ctx))
        if isinstance(before, Decimal):
            after = decimal_text(conv.apply(before))
            out.append((f"{decimal_text(before)} {conv.source}", f"{after} {conv.target}（{conv.why()}）"))
    return tuple(out)


def _explained_define(ctx: _Ctx, name: str) -> Any:
    """A definition's value; when tracing, its step (with its own inputs, down to record fields) comes out once."""
    if ctx.tracer is None or name in ctx.defined:
        return ctx.define(name)
    ctx.defined.add(name)
    if name in ctx.ev.plan.accumulations and name not in ctx.ev.plan.exceptions:
        return ctx.define(name)  # its own 累计 step says everything (traced in ctx.accumulation)
    c = ctx.ev.plan.defines[name]
    ins = _inputs(c, ctx)
    value = _quietly(ctx, functools.partial(ctx.define, name))
    shown = _shown(value)
    why = _why(c, ctx, value) if isinstance(value, bool) and c.op else ()
    unit = f" {c.unit}" if c.unit and isinstance(value, Decimal) else ""  # 需总量 = 600 学时
    zh = f"{c.text} = {shown}{unit}" + (f"（{'；'.join(w[0] for w in why)}）" if why else "")
    en = f"{c.text} = {_EN_WORDS.get(shown, shown)}{unit}" + (f" ({'; '.join(w[1] for w in why)})" if why else "")
    kind = "结果" if name in ctx.ev.results else "定义"
    if name in ctx.ev.plan.exceptions:
        zh, en = _exception_note(ctx, name, zh, en)
    _step(ctx, kind, name, ctx.ev.plan.define_citing.get(name, _NO_CITING), ins, shown, zh, en)
    if value is _UNREAD:
        return ctx.define(name)  # raise as the evaluation itself would
    return value


def _exception_note(ctx: _Ctx, name: str, zh: str, en: str) -> tuple[str, str]:
    """A definition with exceptions: which exception applied (the general rule stays visible), or that none did."""
    plan = ctx.ev.plan
    general = _shown(_quietly(ctx, functools.partial(plan.defines[name].fn, ctx)))
    held = [x for x in plan.exceptions[name] if _quietly(ctx, functools.partial(x.cond.fn, ctx)) is True]
    if len(held) == 1:
        x = held[0]
        cited = "、".join(x.citing.rule_ids)
        return (
            f"一般规则 {plan.defines[name].text} = {general}，被例外取代（依据 {cited}，{x.cond.text} 成立）"
            f"→ {x.value.text} = {_shown(_quietly(ctx, functools.partial(x.value.fn, ctx)))}",
            f"general rule {plan.defines[name].text} = {general}, overridden by the exception ({cited};"
            f" {x.cond.text} holds) → {x.value.text}",
        )
    conds = "；".join(x.cond.text for x in plan.exceptions[name])
    return f"{zh}（一般规则适用；例外（{conds}）不成立）", f"{en} (the general rule applies; no exception holds)"


_NO_CITING = Citing((), None, ())
_EN_WORDS = {"是": "yes", "否": "no", "缺失": "missing", "（空）": "(empty)", "无法计算": "cannot be computed"}
#: A comparison that holds, and one that does not, in words (zh, en).
_HOLDS = {
    "<": "<",
    "<=": "≤",
    ">": ">",
    ">=": "≥",
    "==": "=",
    "!=": "≠",
    "contains": "含",
    "contains_any": "含任一",
    "in": "属于",
}
_FAILS = {
    "<": "≥",
    "<=": ">",
    ">": "≤",
    ">=": "<",
    "==": "≠",
    "!=": "=",
    "contains": "不含",
    "contains_any": "不含任一",
    "in": "不属于",
}
_OP_EN = {
    "含": "contains",
    "含任一": "contains any of",
    "属于": "is in",
    "不含": "does not contain",
    "不含任一": "contains none of",
    "不属于": "is not in",
}


def _side(c: Compiled, ctx: _Ctx) -> tuple[str, str]:
    """One side of a comparison as ``text value`` (just the value when the text is the value, as for a literal)."""
    if not c.reads and (c.text[:1] in '"“[' or not any(ch.isalpha() for ch in c.text)):
        return c.text, c.text  # a literal, as written (2019-12-13 24:00, "优秀", 10)
    shown = _shown(_quietly(ctx, functools.partial(c.fn, ctx)))
    return f"{c.text} {shown}", f"{c.text} {_EN_WORDS.get(shown, shown)}"


def _why(c: Compiled, ctx: _Ctx, value: bool) -> list[tuple[str, str]]:
    """The pieces of a condition that made it ``value``, with their values: ("视频总时长 9.5 < 10", …)."""
    if c.op in ("and", "or"):
        deciding = (c.op == "and") != value  # a false 且 is decided by its false parts, a true 或 by its true ones
        out: list[tuple[str, str]] = []
        for part in c.parts:
            v = bool(_quietly(ctx, functools.partial(part.fn, ctx)))
            if v == value or not deciding:
                out += _why(part, ctx, v)
        return out
    if c.op == "not":
        return _why(c.parts[0], ctx, not value)
    if c.op in _HOLDS:
        (lz, le), (rz, re) = (_side(x, ctx) for x in c.parts)
        op = (_HOLDS if value else _FAILS)[c.op]
        missing = [x.text for x in c.parts if _quietly(ctx, functools.partial(x.fn, ctx)) is None]
        if missing:  # a comparison with a missing value is false (docs/language.md)
            return [(f"{'、'.join(missing)} 缺失", f"{', '.join(missing)} missing")]
        return [(f"{lz} {op} {rz}", f"{le} {_OP_EN.get(op, op)} {re}")]
    word = ("成立", "holds") if value else ("不成立", "does not hold")
    return [(f"{c.text} {word[0]}", f"{c.text} {word[1]}")]


def _applies_step(ctx: _Ctx, kind: str, subject: str, citing: Citing, cond: Compiled | None) -> None:
    """When tracing, that a rule's 适用 当 holds, with the condition and its deciding values (适用：在编 = 是)."""
    if ctx.tracer is None or cond is None:
        return
    why = _why(cond, ctx, True) if cond.op else []
    zh = f"适用：{cond.text} = 是" + (f"（{'；'.join(w[0] for w in why)}）" if why else "")
    en = f"applies: {cond.text} = yes" + (f" ({'; '.join(w[1] for w in why)})" if why else "")
    _step(ctx, kind, subject, citing, _inputs(cond, ctx), "适用", zh, en)


def _step(
    ctx: _Ctx,
    kind: str,
    subject: str,
    citing: Citing,
    inputs: tuple[tuple[str, str], ...],
    result: str,
    zh: str,
    en: str,
) -> None:
    if ctx.tracer is not None:
        ctx.tracer.step(
            Step(
                kind=kind,
                subject=subject,
                rule_ids=citing.rule_ids,
                section=citing.section,
                inputs=inputs,
                result=result,
                detail_zh=zh,
                detail_en=en,
                assumptions=citing.assumptions,
            )
        )


class Evaluator:
    """Evaluates records against a compiled plan. One instance per run: it remembers ids to find duplicates."""

    def __init__(self, plan: Plan, schools: Iterable[RawRecord | ReadProblem] = ()) -> None:
        self.plan = plan
        self.parts = {p.name: p for p in plan.parts}
        self.cancellable = {p.name for p in plan.parts if p.cancel is not None}
        self.results = {r.name: r for r in plan.results}
        #: Definitions and results that need more than their expression: a scope (适用 当) or exceptions (例外).
        self.special_defines = frozenset(plan.exceptions) | {r.name for r in plan.results if r.applies is not None}
        self.scoped_parts = frozenset(p.name for p in plan.parts if p.applies is not None)
        #: Whether some part or item has 适用 当 (then a teacher's maximum may be lower than the plan's).
        self.scoped = bool(self.scoped_parts) or any(it.applies is not None for it in plan.items.values())
        #: Sources of "entries not counted" for a requirement line: each is given the context and a name the
        #: line's credited side reads (a filter, when lists exist) and returns what that name left out, by reason.
        self.not_counted_sources: list[Callable[[Any, str], tuple[NotCounted, ...]]] = []
        self.validator = _Validator(plan)
        #: Group records by kind (学校, 县, …) and key, and the keys whose records cannot be used, with why.
        self.group_records: dict[str, dict[str, dict[str, object]]] = {kind: {} for kind in plan.group_fields}
        self.group_problems: dict[str, dict[str, list[Problem]]] = {kind: {} for kind in plan.group_fields}
        #: Group (and school) records that could not be used at all: unreadable, without a key, of no kind declared.
        self.school_read_problems: list[ReadProblem] = []
        #: Each kind of group with facts or lists, and the teacher record key that names a teacher's group.
        self.group_keys = tuple((kind, _group_key(plan, kind)) for kind in plan.group_fields)
        #: Which record holds each list: 教师, or the kind of group whose record holds it.
        self.list_owners = {spec.name: spec.owner for spec in plan.lists}
        for s in schools:
            if isinstance(s, ReadProblem):
                self.school_read_problems.append(s)
                continue
            kind, name, values, problems = self.validator.group(s.fields)
            if kind != "学校" and kind not in plan.group_fields:
                self.school_read_problems.append(
                    ReadProblem(
                        s.index,
                        s.location,
                        f"组记录的类别“{kind}”不是本方案声明的组（没有“输入 {kind}”），未使用",
                        f"the group record's kind '{kind}' is not a group this plan declares (no 输入 {kind});"
                        " not used",
                    )
                )
                continue
            if name is None:
                self.school_read_problems.append(
                    ReadProblem(
                        s.index,
                        s.location,
                        f"{kind}记录缺少{kind}名称，未使用",
                        f"the {_kind_en(kind)} record has no {_kind_en(kind)} name",
                    )
                )
                continue
            records = self.group_records.setdefault(kind, {})
            bad = self.group_problems.setdefault(kind, {})
            if name in records or name in bad:
                problems = [
                    Problem(
                        "school" if kind == "学校" else "key",
                        f"{kind}“{name}”有多条{kind}记录",
                        f"the {_kind_en(kind)} '{name}' has several records",
                    )
                ]
            if problems:
                bad[name] = problems
                records.pop(name, None)
            else:
                records[name] = values
        self.groups: dict[tuple[int, tuple[object, ...]], list[Any]] = {}
        #: Items whose submission time is the school's (提交时间 取自 学校.…): the expression, for the reasons.
        self.school_sources = {
            it.name: it.submitted_from.text
            for it in plan.items.values()
            if it.submitted_from is not None and any(label.startswith("学校.") for label, _ in it.submitted_from.reads)
        }
        #: Evaluation of a plan without a pass rule gives no verdict (``passed`` is None).
        self.no_verdict: bool | None = None if plan.outcome is None else False
        #: The group records a group of a check reads (学校.X, 县.X), by check and group key.
        self.group_facts: dict[tuple[int, tuple[object, ...]], dict[str, dict[str, object]]] = {}
        #: Per group check: how many teachers it is about have no value for a key, so belong to no group.
        self.left_out: dict[int, int] = {}
        #: The first aggregate of each group that could not be computed: (Chinese, English) message.
        self.group_errors: dict[tuple[int, tuple[object, ...]], tuple[str, str]] = {}
        #: Who each 计数 of a group counted (group, aggregate slot) -> ids, at most MAX_GROUP_MEMBERS_SHOWN.
        self.group_members: dict[tuple[int, tuple[object, ...], int], list[str]] = {}

    @property
    def schools(self) -> dict[str, dict[str, object]]:
        """The school records by school name: the group records of kind 学校."""
        return self.group_records.get("学校", {})

    @property
    def school_problems(self) -> dict[str, list[Problem]]:
        """Why each school's record cannot be used, by school name."""
        return self.group_problems.get("学校", {})

    def _groups_of(self, rec: Mapping[str, object], problems: list[Problem]) -> dict[str, dict[str, object]]:
        """The record of the teacher's group of each kind the plan has facts or lists for, by kind.

        A teacher whose group has a broken record, or none, is an error naming the group (``problems``). A
        teacher without a value for the key belongs to no group of that kind (its facts read as missing), except
        for 学校: every teacher has a school, so a missing one is an error.
        """
        found: dict[str, dict[str, object]] = {}
        for kind, record_key in self.group_keys:
            value = rec.get(record_key)
            name = str(value) if value is not None else ""
            records, bad = self.group_records.get(kind, {}), self.group_problems.get(kind, {})
            if name in bad:
                problems.extend(bad[name])
            elif name in records:
                found[kind] = records[name]
            elif kind == "学校" and not name:
                problems.append(
                    Problem("school", "缺少学校，找不到学校记录", "the school is missing: no school record")
                )
            elif kind == "学校":
                none_read = not records and not bad
                problems.append(
                    Problem(
                        "school",
                        f"学校“{name}”没有学校记录（计划报送时间等）"
                        + ("；本次没有读到任何学校记录（CSV 请用 --schools 给出学校记录文件）" if none_read else ""),
                        f"the school '{name}' has no school record"
                        + (
                            "; no school records were read at all (for CSV, give them with --schools)"
                            if none_read
                            else ""
                        ),
                    )
                )
            elif name:
                none_read = not records and not bad
                problems.append(
                    Problem(
                        record_key,
                        f"{kind}“{name}”没有{kind}记录"
                        + (f"；本次没有读到任何{kind}记录（请用 --groups 给出组记录文件）" if none_read else ""),
                        f"the {kind} '{name}' has no {kind} record"
                        + (f"; no {kind} records were read at all (give them with --groups)" if none_read else ""),
                    )
                )
        return found

    # ----- items and parts -----
    @staticmethod
    def _has_work(rec: dict[str, object], it: ItemPlan) -> bool:
        """Whether the record holds a result for the item (a score, a length; without a deadline also a grade)."""
        base = it.time_key[: -len("submitted_at")]
        keys = ("score", "length") if it.deadline is not None else ("score", "length", "grade")
        return any(rec.get(base + k) is not None for k in keys)

    def item(self, ctx: _Ctx, it: ItemPlan) -> ItemResult:
        if (it.applies is not None or it.part in self.scoped_parts) and (
            not self.applies(ctx, self.parts[it.part].applies) or not self.applies(ctx, it.applies)
        ):
            return self.not_applicable_item(ctx, it)
        if it.part in self.cancellable and ctx.cancelled(self.parts[it.part]):
            return _unscored_item(it, "cancelled")
        rec = ctx.rec
        override = ctx.overrides.get(it.name) if ctx.overrides else None
        submitted: Any = it.submitted_from.fn(ctx) if it.submitted_from is not None else rec.get(it.time_key)
        timeliness: Timeliness
        note = ""
        dl = it.deadline
        if override is not None:
            timeliness, note = "on_time", "supposed"
        elif submitted is None and it.submitted_from is None and self._has_work(rec, it):
            if dl is not None:  # work with a deadline and no time: whether it was on time cannot be known
                raise EvalError(
                    it.time_key,
                    f"“{it.name}”有分数或字数，但缺少提交时间（{it.name}.提交时间），无法判断是否在截止"
                    f"（{it.deadline_text}）前提交",
                    f"'{it.name}' has a score or length but no submission time ({it.name}.submitted_at):"
                    f" whether it was in by the deadline ({it.deadline_text}) cannot be known",
                )
            timeliness, note = "on_time", "untimed"  # no deadline (an assessor's or a school's record)
        elif submitted is None:
            timeliness = "missing"
        elif dl is not None and not (submitted <= dl if it.inclusive else submitted < dl):
            timeliness = "late"
        else:
            timeliness = "on_time"
            if it.opens is not None and submitted < it.opens:
                note = "early"
        if timeliness == "on_time" and it.valid is not None and override is None and not it.valid.fn(ctx):
            needs = {k: v for k, v in it.valid_needs if rec.get(k) is None}  # missing own inputs: may undecide
            decided, (_, key) = _kleene(ctx, it.valid, needs.__contains__) if needs else (False, ("", ""))
            if decided is None:
                label = needs[key]
                raise EvalError(
                    key,
                    f"“{it.name}”按时提交，但判定是否有效所需的“{label}”缺失（{it.valid.text}）",
                    f"'{it.name}' is on time but '{label}', needed to decide if it is valid, is missing"
                    f" ({it.valid.text})",
                )
            timeliness = "invalid"
        band = None
        points: Any
        if it.max_points is None:
            points = _ZERO
        elif timeliness == "on_time":
            if override is not None:
                points = override
            elif it.score is not None:
                points = it.score.fn(ctx)
            else:
                points = rec.get(it.score_key)
            if points is None:
                raise EvalError(
                    it.score_key,
                    f"“{it.name}”按时提交，但没有分数（分数缺失，或得分公式得不出值）",
                    f"'{it.name}' is on time but has no score (missing, or its formula yields none)",
                )
        elif timeliness == "late":
            points = it.late.fn(ctx) if it.late is not None else rec.get(it.score_key)
            if points is None:  # the plan says nothing about late work: it scores as recorded, and nothing is recorded
                raise EvalError(
                    it.score_key,
                    f"“{it.name}”逾期提交，方案未写逾期得分，而分数缺失：请补上分数，或在策略中写明“逾期 得 …”",
                    f"'{it.name}' is late, the plan gives no late points, and its score is missing: give the score,"
                    " or say in the policy what late work earns (逾期 得 …)",
                )
        else:
            points = it.missing.fn(ctx) if it.missing is not None else _ZERO
        if it.max_points is not None:
            if not isinstance(points, Decimal):
                raise EvalError(
                    it.score_key,
                    f"“{it.name}”的{TIMELINESS_WORDS[timeliness][0]}得分公式得不出数值",
                    f"the {TIMELINESS_WORDS[timeliness][1]} points formula of '{it.name}' yields no number",
                )
            if not _ZERO <= points <= it.max_points:
                formula = {"on_time": it.score, "late": it.late}.get(timeliness, it.missing)
                shown = formula.text if formula is not None and override is None else ""
                how, how_en = (f"（{shown}）", f" ({shown})") if shown else ("", "")
                raise EvalError(
                    it.score_key,
                    f"“{it.name}”的得分{how}为 {decimal_text(points)}，"
                    f"超出 0 至 {decimal_text(it.max_points)}：不予截断",
                    f"the points{how_en} {decimal_text(points)} of '{it.name}' are outside 0 to"
                    f" {decimal_text(it.max_points)}: not clamped",
                )
            if band is None and timeliness == "on_time" and it.bands:
                band = self.band(it, points)
        result = ItemResult(
            name=it.name,
            part=it.part,
            points=points,
            max_points=it.max_points,
            timeliness=timeliness,
            band=band,
            submitted_at=submitted,
            deadline_text=it.deadline_text,
            note=note,
            rule_text=it.valid.text if it.valid is not None else "",
            source=self.school_sources.get(it.name, ""),
        )
        if ctx.tracer is not None:
            time_label = it.submitted_from.text if it.submitted_from is not None else "提交时间"
            ins = [(time_label, fmt_value(submitted)), ("截止", it.deadline_text or "（无截止）")]
            if it.score_key in rec:
                ins.append(("分数", fmt_value(rec.get(it.score_key))))
            formula = {"on_time": it.score, "late": it.late}.get(timeliness, it.missing)
            for c in (it.valid, formula):
                if c is not None and override is None:
                    ins.extend(_inputs(c, ctx))
            _step(
                ctx,
                "项目",
                it.name,
                it.citing,
                tuple(dict.fromkeys(ins)),
                decimal_text(points),
                result.reason_zh,
                result.reason_en,
            )
        return result

    @staticmethod
    def applies(ctx: _Ctx, cond: Compiled | None) -> bool:
        """Whether a rule's 适用 当 holds for this teacher (a rule without one applies to everyone)."""
        return cond is None or _decided(ctx, cond, "适用条件", "the scope condition")

    def not_applicable_item(self, ctx: _Ctx, it: ItemPlan) -> ItemResult:
        part = self.parts[it.part]
        cond = part.applies if not self.applies(ctx, part.applies) else it.applies
        assert cond is not None  # only called when one of the two does not hold
        result = _unscored_item(it, "not_applicable", cond.text)
        if ctx.tracer is not None:
            _step(ctx, "项目", it.name, it.citing, _inputs(cond, ctx), "不适用", result.reason_zh, result.reason_en)
        return result

    def graded(self, grading: Grading, value: Decimal, subject: str, key: str) -> str | None:
        """The band of a part's points or a result's value; outside every band and declared gap is a record error."""
        for b in grading.bands:
            if b.low <= value and (value < b.high if b.high_open else value <= b.high):
                return b.label
        raise EvalError(
            key,
            f"“{subject}”的值 {decimal_text(value)} 不在档次表“{grading.table}”的任何档次或声明的空档中",
            f"the value {decimal_text(value)} of '{subject}' falls in no band or declared gap of '{grading.table}'",
        )

    def overridden(self, ctx: _Ctx, name: str) -> Value:
        """A 定义 or 结果 with exceptions: the one exception that holds, else the general rule; two is an error."""
        held = [x for x in self.plan.exceptions[name] if _decided(ctx, x.cond, "例外条件", "the exception's condition")]
        if len(held) > 1:
            a, b = held[0], held[1]
            raise EvalError(
                "",
                f"“{name}”的两条例外同时成立（{a.cond.text}；{b.cond.text}），不知取哪一条",
                f"two exceptions to '{name}' hold at once ({a.cond.text}; {b.cond.text}): which one applies is unknown",
            )
        return held[0].value.fn(ctx) if held else self.plan.defines[name].fn(ctx)

    def check(self, ctx: _Ctx, c: RulePlan) -> tuple[CheckResult, ...]:
        """A per-teacher 核查 (with 逐, one result per value); outside its 适用 当 not applicable, with the step
        saying why."""
        if self.applies(ctx, c.applies):
            if c.each is None:
                return (CheckResult(c.name, self._rule(ctx, c, "核查")),)
            out = []
            for value in each_values(ctx, c.each, f"核查“{c.name}”", f"the check '{c.name}'"):
                shown = ((c.each.name, fmt_value(value)),)
                ctx.loops[c.each.key] = value
                try:
                    named = attrs.evolve(c, name=f"{c.name} {each_text(c.each.name, shown[0][1])}")
                    out.append(CheckResult(c.name, self._rule(ctx, named, "核查"), each=shown))
                finally:
                    del ctx.loops[c.each.key]
            return tuple(out)
        if ctx.tracer is not None and c.applies is not None:
            why = _why(c.applies, ctx, False)
            _step(
                ctx,
                "核查",
                c.name,
                c.citing,
                _inputs(c.applies, ctx),
                "不适用",
                f"不适用（{'；'.join(w[0] for w in why)}）",
                f"does not apply ({'; '.join(w[1] for w in why)})",
            )
        return (CheckResult(c.name, None, applicable=False),)

    def result(self, ctx: _Ctx, r: ResultPlan) -> ResultValue:
        if not self.applies(ctx, r.applies):
            if ctx.tracer is not None and r.applies is not None:
                why = _why(r.applies, ctx, False)
                _step(
                    ctx,
                    "结果",
                    r.name,
                    r.citing,
                    _inputs(r.applies, ctx),
                    "不适用",
                    f"不适用（{'；'.join(w[0] for w in why)}）",
                    f"does not apply ({'; '.join(w[1] for w in why)})",
                )
            return ResultValue(r.name, None, None, False, r.unit)
        _applies_step(ctx, "结果", r.name, r.citing, r.applies)
        value = _explained_define(ctx, r.name)
        band = None
        if r.grading is not None:
            if not isinstance(value, Decimal):
                raise EvalError(
                    "",
                    f"结果“{r.name}”（{r.expr.text}）得不出数值，无法定档：{fmt_value(value)}",
                    f"the result '{r.name}' ({r.expr.text}) yields no number to grade: {fmt_value(value)}",
                )
            band = self.graded(r.grading, value, r.name, "")
            if ctx.tracer is not None:
                _step(
                    ctx,
                    "档次",
                    r.name,
                    r.citing,
                    ((r.name, fmt_value(value)),),
                    band or "",
                    f"{r.name} {fmt_value(value)} 属于档次表“{r.grading.table}”的“{band}”",
                    f"{r.name} {fmt_value(value)} falls in '{band}' of the band table '{r.grading.table}'",
                )
        return ResultValue(r.name, value, band, True, r.unit)

    def requirement(self, ctx: _Ctx, req: RequirementPlan) -> RequirementResult:
        if not self.applies(ctx, req.applies):
            result = RequirementResult(req.name, met=True, applicable=False, rule_ids=req.citing.rule_ids)
            if ctx.tracer is not None and req.applies is not None:
                why = _why(req.applies, ctx, False)
                _step(
                    ctx,
                    "要求",
                    req.name,
                    req.citing,
                    _inputs(req.applies, ctx),
                    "不适用",
                    f"不适用（{'；'.join(w[0] for w in why)}）：不要求，视为达到",
                    f"does not apply ({'; '.join(w[1] for w in why)}): not required, counted as met",
                )
            return result
        _applies_step(ctx, "要求", req.name, req.citing, req.applies)
        if req.each is not None:
            return self.requirement_each(ctx, req, req.each)
        per_line = [self.not_counted(ctx, line) for line in req.lines]
        lines = tuple(self.line(ctx, req, line, nc) for line, nc in zip(req.lines, per_line, strict=True))
        not_counted = tuple(n for nc in per_line for n in nc)
        return RequirementResult(
            req.name,
            met=all(x.met for x in lines),
            applicable=True,
            lines=lines,
            rule_ids=req.citing.rule_ids,
            not_counted=not_counted,
        )

    def requirement_each(self, ctx: _Ctx, req: RequirementPlan, each: EachPlan) -> RequirementResult:
        """``逐``: every line once per value, met iff met for every value; over no values met, and said so."""
        values = each_values(ctx, each, f"要求“{req.name}”", f"the requirement '{req.name}'")
        if not values and ctx.tracer is not None:
            _step(
                ctx,
                "要求",
                req.name,
                req.citing,
                ((each.source.text, "（无）"),),
                "达到",
                f"逐 {each.name} 取自 {each.source.text}：没有要核对的值，视为达到",
                f"逐 {each.name} 取自 {each.source.text}: no values to check, counted as met",
            )
        lines: list[LineResult] = []
        not_counted: list[NotCounted] = []
        for value in values:
            ctx.loops[each.key] = value
            try:
                shown = ((each.name, fmt_value(value)),)
                for line in req.lines:
                    nc = tuple(attrs.evolve(n, each=shown) for n in self.not_counted(ctx, line))
                    lines.append(self.line(ctx, req, line, nc, shown))
                    not_counted += nc
            finally:
                del ctx.loops[each.key]
        return RequirementResult(
            req.name,
            met=all(x.met for x in lines),
            applicable=True,
            lines=tuple(lines),
            rule_ids=req.citing.rule_ids,
            not_counted=tuple(not_counted),
            each=(each.name, len(values)),
        )

    def not_counted(self, ctx: _Ctx, line: LinePlan) -> tuple[NotCounted, ...]:
        """What the filters of one requirement line dropped that the line would otherwise have counted."""
        return tuple(n for name in line.filters for n in _dropped_by_reason(ctx, line, name, ctx.filter(name))) + tuple(
            attrs.evolve(n, line=line.label)
            for label, _ in line.credited.reads
            for source in self.not_counted_sources
            for n in source(ctx, label)
        )

    def line(
        self,
        ctx: _Ctx,
        req: RequirementPlan,
        line: LinePlan,
        not_counted: tuple[NotCounted, ...] = (),
        each: tuple[tuple[str, str], ...] = (),
    ) -> LineResult:
        credited, needed = line.credited.fn(ctx), line.needed.fn(ctx)
        for side, value in ((line.credited, credited), (line.needed, needed)):
            if not isinstance(value, Decimal):
                what = f"要求“{req.name}”" + "".join(f"（{each_text(k, v)}）" for k, v in each)
                what += f"其中“{line.label}”" if line.label else ""
                raise EvalError(
                    "",
                    f"{what}的“{side.text}”得不出数值：{fmt_value(value)}",
                    f"'{side.text}' in the requirement '{req.name}' yields no number: {fmt_value(value)}",
                )
        met = credited >= needed if line.op == ">=" else credited <= needed
        result = LineResult(line.label, credited, needed, line.op, met, each, line.unit)
        if ctx.tracer is not None:
            at = "".join(f" {each_text(k, v)}" for k, v in each)
            at_en = "".join(f" ({k} = {v})" for k, v in each)
            head = f"其中 {line.label}{at}：" if line.label else f"{req.name}{at}："
            head_en = f"of which {line.label}{at_en}: " if line.label else f"{req.name}{at_en}: "
            c, n = decimal_text(credited), decimal_text(needed)
            if result.owed is not None:
                gap, gap_en = f"欠 {decimal_text(result.owed)}", f"{decimal_text(result.owed)} owed"
            else:
                gap, gap_en = f"超出 {decimal_text(result.over or _ZERO)}", f"{decimal_text(result.over or _ZERO)} over"
            capped, capped_en = _caps_removed(ctx, line.credited)
            # which entries did not count toward this line, by reason (the filter's step lists each with its values)
            capped += "".join(f"；未计入 {n.count} 条：{n.reason}（见筛选 {n.source}）" for n in not_counted)
            capped_en += "".join(
                f"; {n.count} entries not counted: {n.reason} (see filter {n.source})" for n in not_counted
            )
            _step(
                ctx,
                "要求",
                (req.name if line.label is None else f"{req.name}·{line.label}") + at,
                line.citing,
                each + _inputs(line.credited, ctx) + _inputs(line.needed, ctx),
                "达到" if met else "未达到",
                f"{head}已计 {c}，{'需' if line.op == '>=' else '上限'} {n}，{gap}（{'达到' if met else '未达到'}）"
                + capped,
                f"{head_en}credited {c}, {'needed' if line.op == '>=' else 'limit'} {n}, {gap_en}"
                f" ({'met' if met else 'not met'})" + capped_en,
            )
        return result

    def band(self, it: ItemPlan, points: Decimal) -> str | None:
        for b in it.bands:
            if b.low <= points and (points < b.high if b.high_open else points <= b.high):
                return b.label
        step = it.band_step
        if step is not None and step > 0 and points % step != 0:
            raise EvalError(
                f"items.{it.name}.score",
                f"“{it.name}”的分数 {decimal_text(points)} 比档次表“{it.band_table}”的精度 {decimal_text(step)} 更细，"
                f"落在两档之间，无法定档",
                f"the score {decimal_text(points)} of '{it.name}' is finer than the precision {decimal_text(step)}"
                f" of the band table '{it.band_table}' and falls between two bands",
            )
        raise EvalError(
            f"items.{it.name}.score",
            f"“{it.name}”的分数 {points} 不在任何档次或声明的空档中",
            f"the score {points} of '{it.name}' falls in no band or declared gap",
        )

    @staticmethod
    def _part_not_counted(ctx: _Ctx, part: PartPlan, why: Compiled, citing: Citing, how: str, shown: str) -> PartResult:
        """A part that scores 0 because it does not apply to the teacher or is cancelled (its items still explained)."""
        for it in part.items:
            ctx.item_result(it.name)
        result = PartResult(
            name=part.name,
            points=_ZERO,
            max_points=part.max_points,
            cancelled=how == "cancelled",
            how=how,
            text=why.text,
            applicable=how != "not_applicable",
        )
        if ctx.tracer is not None:
            _step(ctx, "部分", part.name, citing, _inputs(why, ctx), shown, result.reason_zh, result.reason_en)
        return result

    def part(self, ctx: _Ctx, part: PartPlan) -> PartResult:
        if part.applies is not None and not part.applies.fn(ctx):
            return self._part_not_counted(ctx, part, part.applies, part.applies_citing, "not_applicable", "不适用")
        if part.cancel is not None and ctx.cancelled(part):
            return self._part_not_counted(ctx, part, part.cancel, part.cancel_citing, "cancelled", "0")
        if part.cancel is not None and ctx.tracer is not None:
            ins = _inputs(part.cancel, ctx)
            why = _why(part.cancel, ctx, False)
            _step(
                ctx,
                "取消",
                part.name,
                part.cancel_citing,
                ins,
                "否",
                f"取消条件（{part.cancel.text}）不成立（{'；'.join(w[0] for w in why)}），“{part.name}”照常计分",
                f"the cancelling condition ({part.cancel.text}) does not hold ({'; '.join(w[1] for w in why)}):"
                f" '{part.name}' is scored",
            )
        item_points = ctx.item_points
        terms = tuple(item_points(it.name) for it in part.scored)
        for it in part.unscored:
            item_points(it.name)
        if part.score is not None:
            result = PartResult(
                name=part.name,
                points=part.score.fn(ctx),
                max_points=part.max_points,
                cancelled=False,
                how="formula",
                terms=terms,
                text=part.score.text,
            )
        elif part.scaled and part.max_points is not None:  # the grammar allows 按比例折算 only after 满分
            result = PartResult(
                name=part.name,
                points=sum(terms, _ZERO) * part.max_points / part.scale_from,
                max_points=part.max_points,
                cancelled=False,
                how="scaled",
                terms=terms,
                scale_from=part.scale_from,
            )
        else:
            result = PartResult(
                name=part.name, points=sum(terms, _ZERO), max_points=part.max_points, cancelled=False, terms=terms
            )
        points = result.points
        top = part.max_points
        if not isinstance(points, Decimal) or points < _ZERO or (top is not None and points > top):
            shown = "缺失" if points is None else fmt_value(points)
            how = f"（{part.score.text}）" if part.score is not None else ""
            how_en = f" ({part.score.text})" if part.score is not None else ""
            limit = decimal_text(top) if top is not None else "∞"
            raise EvalError(
                f"parts.{part.name}.points",
                f"“{part.name}”的得分{how}为 {shown}，超出 0 至 {limit}：不予截断",
                f"the points{how_en} of '{part.name}' are {shown}, outside 0 to {limit}: not clamped",
            )
        if part.grading is not None:
            result = attrs.evolve(
                result, band=self.graded(part.grading, points, part.name, f"parts.{part.name}.points")
            )
        if ctx.tracer is not None:
            if part.score is not None:
                ins = _inputs(part.score, ctx)
            else:
                ins = tuple((it.name, decimal_text(ctx.item_points(it.name))) for it in part.scored)
            band_zh = f"，档次“{result.band}”" if result.band else ""
            band_en = f", band '{result.band}'" if result.band else ""
            _step(
                ctx,
                "部分",
                part.name,
                part.citing,
                ins,
                decimal_text(result.points),
                result.reason_zh + band_zh,
                result.reason_en + band_en,
            )
        return result

    # ----- a whole record -----
    def _rule(self, ctx: _Ctx, rule: RulePlan, kind: str) -> bool:
        value = bool(rule.cond.fn(ctx))
        if ctx.tracer is not None:
            ins = _inputs(rule.cond, ctx)
            why = _why(rule.cond, ctx, value) if not value else []
            _step(
                ctx,
                kind,
                rule.name,
                rule.citing,
                ins,
                "是" if value else "否",
                f"{rule.cond.text}：{'成立' if value else '不成立'}"
                + (f"（{'；'.join(w[0] for w in why)}）" if why else ""),
                f"{rule.cond.text}: {'holds' if value else 'does not hold'}"
                + (f" ({'; '.join(w[1] for w in why)})" if why else ""),
            )
        return value

    def decide(
        self,
        raw: RawRecord | ReadProblem,
        tracer: Tracer | None = None,
        overrides: Mapping[str, Decimal] | None = None,
        values: Mapping[str, object] | None = None,
        school_values: Mapping[str, object] | None = None,
    ) -> Decision:
        """Validate and evaluate one record; any problem becomes an error decision, never an exception.

        ``overrides`` supposes items submitted on time (and valid) with the given scores, ``values``
        teacher fields (by record key) and ``school_values`` school facts with the given (parsed)
        values: the counterfactuals of an explanation. Such a what-if run does not count the record's id.
        """
        what_if = overrides if overrides is not None or not (values or school_values) else {}
        return self._decide(raw, tracer, what_if, values, school_values)[0]

    def _decide(
        self,
        raw: RawRecord | ReadProblem,
        tracer: Tracer | None,
        overrides: Mapping[str, Decimal] | None,
        values: Mapping[str, object] | None = None,
        school_values: Mapping[str, object] | None = None,
    ) -> tuple[Decision, _Ctx | None]:
        if isinstance(raw, ReadProblem):
            p = Problem("", raw.message_zh, raw.message_en)
            return Decision(
                index=raw.index,
                id=None,
                name=None,
                school=None,
                subject=None,
                status="error",
                problems=(p,),
                reason_zh=raw.message_zh,
                reason_en=raw.message_en,
                location=raw.location,
                max_total=self.plan.max_total,
                passed=self.no_verdict,
            ), None
        rec, problems = self.validator.teacher(raw.fields, track_ids=overrides is None)
        school = rec.get("school")
        groups: dict[str, dict[str, object]] = {}
        if not problems:
            groups = self._groups_of(rec, problems)
        base = {
            "index": raw.index,
            "id": rec.get("id"),
            "name": rec.get("name"),
            "school": school,
            "subject": rec.get("subject"),
            "location": raw.location,
        }
        if problems:
            return self._error(base, problems, tracer), None
        if values:
            rec.update(values)
        if school_values:
            groups["学校"] = {**groups.get("学校", {}), **school_values}
        ctx = _Ctx(self, rec, groups, tracer, overrides)
        try:
            entry_problems = self._entry_rules(ctx)
            if entry_problems:
                return self._error(base, entry_problems, tracer), None
            return self._assess(ctx, base), ctx
        except EvalError as exc:
            return self._error(base, [exc.problem], tracer), None
        except ComputeError as exc:
            p = Problem(exc.field, f"无法计算：{exc.message_zh}", f"cannot compute: {exc.message_en}")
            return self._error(base, [p], tracer), None
        except (ArithmeticError, TypeError, ValueError) as exc:
            p = Problem("", f"无法计算：{exc}", f"cannot compute: {exc}")
            return self._error(base, [p], tracer), None

    def _entry_rules(self, ctx: _Ctx) -> list[Problem]:
        """Every entry against its list's 须 rules: each failure is a problem naming the entry and the reason."""
        problems: list[Problem] = []
        for spec in self.plan.lists:
            if not spec.rules:
                continue
            for entry in ctx.entries(spec.name):
                scoped = ctx.at(entry)
                for cond, reason, _ in spec.rules:
                    if not cond.fn(scoped):
                        problems.append(
                            Problem(
                                f"{spec.key}[{entry.number}]",
                                f"“{spec.name}”{entry.label}：{reason}（{cond.text}）",
                                f"entry {entry.number} of '{spec.name}': {reason} ({cond.text})",
                            )
                        )
        return problems

    def _error(self, base: dict[str, Any], problems: list[Problem], tracer: Tracer | None) -> Decision:
        zh = "；".join(p.message_zh for p in problems)
        en = "; ".join(p.message_en for p in problems)
        steps = tuple(tracer.steps) if isinstance(tracer, Recorder) else None
        return Decision(
            status="error",
            problems=tuple(problems),
            reason_zh=zh,
            reason_en=en,
            steps=steps,
            max_total=self.plan.max_total,
            passed=self.no_verdict,
            **base,
        )

    def _assess(self, ctx: _Ctx, base: dict[str, Any]) -> Decision:
        plan = self.plan

        def steps() -> tuple[Step, ...] | None:
            return tuple(ctx.tracer.steps) if isinstance(ctx.tracer, Recorder) else None

        if plan.enrolled is not None and not self._rule(ctx, plan.enrolled, "参训"):
            if plan.exempt is not None and self._rule(ctx, plan.exempt, "免修"):
                return Decision(
                    status="exempt",
                    reason_zh=f"未参训，符合免修条件（{plan.exempt.cond.text}）",
                    reason_en=f"not enrolled and exempt ({plan.exempt.cond.text})",
                    max_total=plan.max_total,
                    passed=self.no_verdict,
                    steps=steps(),
                    **base,
                )
            return Decision(
                status="not_enrolled",
                reason_zh=f"不满足参训条件（{plan.enrolled.cond.text}），不予考核",
                reason_en=f"not enrolled ({plan.enrolled.cond.text}): not assessed",
                max_total=plan.max_total,
                passed=self.no_verdict,
                steps=steps(),
                **base,
            )
        parts = [ctx.part_result(p.name) for p in plan.parts]
        total = ctx.total()
        # a plan none of whose parts scores (no parts, or only 不计分 items) has no total: its results are the outcome
        scoring = any(p.scored or p.score is not None for p in plan.parts)
        if ctx.tracer is not None and scoring:
            sum_text = " + ".join(decimal_text(p.points) for p in parts) + f" = {decimal_text(total)}"
            ins = tuple((p.name, decimal_text(p.points)) for p in parts)
            _step(ctx, "总分", "总分", plan.total_citing, ins, decimal_text(total), sum_text, sum_text)
        passed = self._rule(ctx, plan.outcome, "合格") if plan.outcome is not None else None
        not_applying = ""
        if passed and plan.outcome is not None and not self.applies(ctx, plan.outcome_applies):
            assert plan.outcome_applies is not None  # applies() holds for a rule without a scope
            not_applying = plan.outcome_applies.text
            passed = False
            if ctx.tracer is not None:
                why = _why(plan.outcome_applies, ctx, False)
                _step(
                    ctx,
                    "合格",
                    "适用",
                    plan.outcome.citing,
                    _inputs(plan.outcome_applies, ctx),
                    "否",
                    f"合格规则不适用（{'；'.join(w[0] for w in why)}）：不合格",
                    f"the pass rule does not apply ({'; '.join(w[1] for w in why)}): not passed",
                )
        hours = _ZERO
        if passed and plan.grant is not None and plan.outcome is not None:
            hours = plan.grant.fn(ctx)
            if not isinstance(hours, Decimal) or hours < 0:
                shown = "缺失" if hours is None else fmt_value(hours)
                raise EvalError(
                    "",
                    f"合格，但授予的学时（{plan.grant.text}）得不出不小于 0 的数：{shown}",
                    f"passed, but the hours granted ({plan.grant.text}) are not a number of at least 0: {shown}",
                )
            if ctx.tracer is not None:
                unit = plan.unit or ""
                amount = decimal_text(hours)
                formula = "" if plan.grant.text == amount else f"{plan.grant.text} = "
                _step(
                    ctx,
                    "授予",
                    unit or "授予",
                    plan.outcome.citing,
                    _inputs(plan.grant, ctx),
                    amount,
                    f"合格，授予 {formula}{amount} {unit}".rstrip(),
                    f"passed: {formula}{amount} {unit} granted".rstrip(),
                )
        certificates = tuple(c.name for c in plan.certificates if self._rule(ctx, c, "证书"))
        checks = tuple(r for c in plan.checks for r in self.check(ctx, c))
        requirements = tuple(ctx.requirement(name) for name in plan.requirements) if plan.requirements else ()
        results = tuple(self.result(ctx, r) for r in plan.results) if plan.results else ()
        items = tuple(ctx.item_results[name] for name in plan.items if name in ctx.item_results)
        if scoring:
            total_or_none: Decimal | None = total
            shown, shown_en = f"总分 {decimal_text(total)}", f"total {decimal_text(total)}"
        else:  # no scored parts: the named results (and, without a pass rule, the requirements) are the outcome
            total_or_none = None
            listed = [(_result_text(r),) * 2 for r in results]
            if passed is None:
                listed += [_requirement_text(r) for r in requirements]
            shown = "；".join(zh for zh, _ in listed) or "（无计分部分）"
            shown_en = "; ".join(en for _, en in listed) or "(no scored parts)"
        if passed and plan.unit:
            zh, en = (
                f"合格：{shown}，认定 {decimal_text(hours)} {plan.unit}",
                f"passed: {shown_en}, {decimal_text(hours)} {plan.unit} granted",
            )
        elif passed:
            zh, en = f"合格：{shown}", f"passed: {shown_en}"
        elif passed is None:  # no pass rule: the points (or the named results) are the outcome
            word, word_en = ("已评分", "scored") if scoring else ("已评估", "assessed")
            zh, en = f"{word}：{shown}（本方案没有合格规则）", f"{word_en}: {shown_en} (the plan has no pass rule)"
        elif not_applying:
            zh, en = (
                f"不合格：合格规则不适用（{not_applying} 不成立）",
                f"not passed: the pass rule does not apply ({not_applying} does not hold)",
            )
        else:
            zh, en = f"不合格：{shown}", f"not passed: {shown_en}"
        return Decision(
            status="assessed",
            items=items,
            parts=tuple(parts),
            total=total_or_none,
            max_total=(_teacher_max(plan, parts, items) if self.scoped else plan.max_total) if scoring else None,
            passed=passed,
            pass_applicable=not not_applying,
            hours=hours,
            unit=plan.unit,
            certificates=certificates,
            checks=checks,
            results=results,
            requirements=requirements,
            reason_zh=zh,
            reason_en=en.strip(),
            steps=steps(),
            **base,
        )

    def unused_columns(self, columns: Iterable[str], where: str) -> tuple[str, ...]:
        """The columns of a .csv/.xlsx header (``RecordStream.columns``) the plan does not read, by name.

        Raises:
            RecordsFileError: a column is a near miss of a declared teacher field.
        """
        return self.validator.unused_columns(columns, where)

    def pass_sides(self, raw: RawRecord) -> tuple[Decimal, Decimal] | None:
        """The two sides of a comparison pass rule for this record (e.g. its total and 60), if numeric."""
        sides = self.plan.pass_sides
        if sides is None:
            return None
        rec, problems = self.validator.teacher(raw.fields, track_ids=False)
        if problems:
            return None
        ctx = _Ctx(self, rec, self._groups_of(rec, []), None, None)
        try:
            a, b = sides[0].fn(ctx), sides[2].fn(ctx)
        except (EvalError, ArithmeticError, TypeError):
            return None
        return (a, b) if isinstance(a, Decimal) and isinstance(b, Decimal) else None

    # ----- streams and groups -----
    def run(self, records: Iterable[RawRecord | ReadProblem], tracer_factory: Any = None) -> Iterator[Decision]:
        """Evaluate records one by one (streaming), feeding group checks as it goes."""
        group_checks = self.plan.group_checks
        for raw in records:
            tracer = tracer_factory() if tracer_factory is not None else None
            decision, ctx = self._decide(raw, tracer, None)
            if group_checks and ctx is not None and decision.status == "assessed":
                self._feed(ctx)
            yield decision

    def _feed(self, ctx: _Ctx) -> None:
        for i, check in enumerate(self.plan.group_checks):
            key = tuple(WHOLE_RUN if g == WHOLE_RUN else ctx.rec.get(_group_key(self.plan, g)) for g in check.group_by)
            unknown = (i, (*key, None)) if check.each is not None else (i, key)  # where an error is filed
            try:
                if not self.applies(ctx, check.applies):
                    continue  # 适用 当: this teacher is not one the check is about
            except (ArithmeticError, TypeError, ValueError, EvalError) as exc:  # unknown whether to count the teacher
                assert check.applies is not None  # applies() cannot fail without a condition
                self.groups.setdefault(unknown, [None] * len(check.aggregates))
                self.group_errors.setdefault(unknown, _aggregate_error(ctx, "适用 当", check.applies, exc))
                continue
            if any(k is None or k == "" for k in key):  # no 县 (or school…): in no group of the check, but counted
                self.left_out[i] = self.left_out.get(i, 0) + 1
                continue
            if check.each is None:
                self._accumulate(ctx, i, check, key, key)
                continue
            try:  # 逐: one group per value (the source reads only what the group shares, check.types says)
                values = each_values(ctx, check.each, f"核查“{check.name}”", f"the check '{check.name}'")
            except (ArithmeticError, TypeError, ValueError, EvalError) as exc:
                self.groups.setdefault(unknown, [None] * len(check.aggregates))
                self.group_errors.setdefault(unknown, _aggregate_error(ctx, "逐", check.each.source, exc))
                continue
            for value in values:
                ctx.loops[check.each.key] = value
                try:
                    self._accumulate(ctx, i, check, (*key, value), key)
                finally:
                    del ctx.loops[check.each.key]

    def _accumulate(self, ctx: _Ctx, i: int, check: RulePlan, full: tuple[Any, ...], key: tuple[Any, ...]) -> None:
        """Add one teacher to the aggregates of group ``full`` (the group ``key`` and a 逐 value) of check ``i``."""
        acc = self.groups.get((i, full))
        if acc is None:
            acc = [set() if func == "去重计数" else _ZERO for func, _, _ in check.aggregates]
            self.groups[(i, full)] = acc
            self.group_facts[(i, full)] = {g: ctx.groups[g] for g in check.group_by if g in ctx.groups}
        for j, (func, arg, cond) in enumerate(check.aggregates):
            if acc[j] is None:
                continue  # this aggregate already cannot be computed for this group
            try:
                if func == "人数":
                    acc[j] += 1
                elif func == "计数":  # a condition a missing value decides counts no teacher in or out (Kleene)
                    if arg is not None and _decided(ctx, arg, "计数的条件", "the condition of 计数"):
                        acc[j] += 1
                        named = self.group_members.setdefault((i, full, j), [])
                        if len(named) < MAX_GROUP_MEMBERS_SHOWN:
                            named.append(str(ctx.rec.get("id") or ctx.rec.get("name") or "?"))
                elif func == "去重计数":
                    if cond is not None and not _decided(ctx, cond, "去重计数的条件", "the condition of 去重计数"):
                        continue
                    assert arg is not None  # the checker requires the expression
                    value = arg.fn(ctx)
                    if value is None:  # a missing value is not one more distinct value, nor none
                        raise EvalError(
                            "",
                            f"“{arg.text}”缺失，不能计入去重计数"
                            f"（只数有值的：写 去重计数({arg.text}, 有值({arg.text}))）",
                            f"'{arg.text}' is missing and is not counted as a value"
                            f" (to count only given values: 去重计数({arg.text}, 有值({arg.text})))",
                        )
                    acc[j].add(value)
                elif arg is not None:
                    value = arg.fn(ctx)
                    if value is None:  # a quiet 0 would understate the sum: the group cannot be decided
                        raise EvalError(
                            "",
                            f"“{arg.text}”缺失，不能按 0 计入合计",
                            f"'{arg.text}' is missing and is not summed as 0",
                        )
                    acc[j] += value
            except (ArithmeticError, TypeError, ValueError, EvalError) as exc:  # ComputeError is arithmetic
                acc[j] = None
                self.group_errors.setdefault((i, full), _aggregate_error(ctx, func, arg, exc))

    def _finding_order(self, k: tuple[int, tuple[Any, ...]]) -> tuple[Any, ...]:
        """Findings by check, then group (as text), then a 逐 value (numbers by size; one that failed first)."""
        i, key = k
        if self.plan.group_checks[i].each is None:
            return (i, [str(g) for g in key], ())
        v = key[-1]
        return (
            i,
            [str(g) for g in key[:-1]],
            (0, v) if isinstance(v, Decimal) else (-1, "") if v is None else (1, str(v)),
        )

    def group_findings(self) -> list[GroupFinding]:
        """Evaluate every group check over the groups seen so far; a check that left teachers out says so."""
        out = []
        for (i, full), acc in sorted(self.groups.items(), key=lambda kv: self._finding_order(kv[0])):
            check = self.plan.group_checks[i]
            key, each = (full[:-1], full[-1:]) if check.each is not None else (full, ())
            rec = {_group_key(self.plan, g): v for g, v in zip(check.group_by, key, strict=True)}
            ctx = _Ctx(self, rec, self.group_facts.get((i, full), {}), None, None)
            ctx.aggregates = [Decimal(len(v)) if isinstance(v, set) else v for v in acc]
            shown_each: tuple[tuple[str, str], ...] = ()
            if check.each is not None:
                shown_each = ((check.each.name, "无法计算" if each[0] is None else fmt_value(each[0])),)
                ctx.loops[check.each.key] = each[0]
            error = self.group_errors.get((i, full))
            passed: bool | None = None
            if error is None:
                try:
                    passed = bool(check.cond.fn(ctx))
                except (ArithmeticError, TypeError, ValueError, EvalError) as exc:
                    error = _error_text(exc, check.cond.text)
            shown = {  # one line per aggregate as written (去重计数(学校) read twice is shown once)
                aggregate_text(func, arg, cond): "无法计算" if v is None else fmt_value(v)
                for (func, arg, cond), v in zip(check.aggregates, ctx.aggregates, strict=True)
            }
            values = shown_each + tuple(shown.items()) + _group_inputs(check, ctx)
            described = _described(check, values)
            named: dict[str, tuple[str, str, tuple[str, ...]]] = {}
            for j, (func, arg, cond) in enumerate(check.aggregates):
                if func == "计数":
                    zh, en = _aggregate_words(func, arg, cond)
                    named.setdefault(zh, (zh, en, tuple(self.group_members.get((i, full, j), ()))))
            members = tuple(named.values())
            out.append(
                GroupFinding(
                    check=check.name,
                    group=tuple((g, fmt_value(v)) for g, v in zip(check.group_by, key, strict=True)),
                    passed=passed,
                    values=values,
                    rule_ids=check.citing.rule_ids,
                    section=check.citing.section,
                    error_zh=error[0] if error else "",
                    error_en=error[1] if error else "",
                    each=shown_each,
                    described=described,
                    members=members,
                )
            )
        for i, n in sorted(self.left_out.items()):
            check = self.plan.group_checks[i]
            keys = "、".join(g for g in check.group_by if g != WHOLE_RUN)
            out.append(
                GroupFinding(
                    check=check.name,
                    group=tuple((g, "（缺失）") for g in check.group_by),
                    passed=None,
                    values=(("未分组人数", str(n)),),
                    rule_ids=check.citing.rule_ids,
                    section=check.citing.section,
                    error_zh=f"{n} 名教师缺少“{keys}”，不属于任何组，未计入本核查",
                    error_en=f"{n} teacher(s) without '{keys}' belong to no group and were left out of this check",
                )
            )
        return out


def _unscored_item(it: ItemPlan, timeliness: Timeliness, rule_text: str = "") -> ItemResult:
    """An item that scores 0 without being looked at: its part is cancelled, or it does not apply (适用 当)."""
    return ItemResult(
        name=it.name,
        part=it.part,
        points=_ZERO,
        max_points=it.max_points,
        timeliness=timeliness,
        band=None,
        submitted_at=None,
        deadline_text=it.deadline_text,
        rule_text=rule_text,
    )


def aggregate_text(func: str, arg: Compiled | None, cond: Compiled | None) -> str:
    """An aggregate as written: 计数(已调换), 人数(), 去重计数(学校, 有值(学校))."""
    inside = ", ".join(c.text for c in (arg, cond) if c is not None)
    return f"{func}({inside})"


def _aggregate_words(func: str, arg: Compiled | None, cond: Compiled | None = None) -> tuple[str, str]:
    """A group aggregate in words: 人数 → 人数; 计数(有值(X.提交时间)) → 提交了“X”的人数; 合计(x) → x 的合计;
    去重计数(学校) → 不同“学校”的个数."""
    text = arg.text if arg is not None else ""
    if func == "去重计数":
        where = f"（{cond.text}）" if cond is not None else ""
        return f"不同“{text}”的个数{where}", f"distinct values of '{text}'" + (f" where {cond.text}" if cond else "")
    if func == "人数":
        return "已考核人数", "teachers assessed"
    if func == "计数":
        inner = text.removeprefix("有值(").removesuffix(".提交时间)")
        if text.startswith("有值(") and text.endswith(".提交时间)") and "(" not in inner:
            return f"提交了“{inner}”的人数", f"teachers who submitted '{inner}'"
        return f"符合“{text}”的人数", f"teachers for whom '{text}' holds"
    return f"“{text}”的{func}", f"{func} of '{text}'"


#: The right side of a group check's comparison in words, by the operator: (zh, en).
_BOUNDS = {
    "<": ("上限（不含）", "limit (exclusive)"),
    "<=": ("上限", "limit"),
    ">": ("下限（不含）", "minimum (exclusive)"),
    ">=": ("下限", "minimum"),
    "==": ("应为", "required"),
}


def _described(check: RulePlan, values: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str, str], ...]:
    """A group finding's values in words: each aggregate named for what it counts, each other side of the
    comparison named as the bound it is, with the aggregates' values put in (上限 向下取整(5% × 7) = 0)."""
    words = {aggregate_text(f, a, c): _aggregate_words(f, a, c) for f, a, c in check.aggregates}
    bound = _BOUNDS.get(check.cond.op) if len(check.cond.parts) == 2 else None
    right = check.cond.parts[1].text if bound else None
    out = []
    for label, value in values:
        if label in words:
            zh, en = words[label]
        else:
            shown = label
            for text, v in values:
                if text in words:
                    shown = shown.replace(text, v)
            zh, en = (f"{bound[0]} {shown}", f"{bound[1]} {shown}") if bound and label == right else (shown, shown)
        out.append((zh, en, value))
    return tuple(out)


def _result_text(r: ResultValue) -> str:
    """A result in a headline: 考核总分 91（优秀）, or 不适用."""
    if not r.applicable:
        return f"{r.name} 不适用"
    return f"{r.name} {fmt_value(r.value)}" + (f"（{r.band}）" if r.band else "")


def _requirement_text(r: RequirementResult) -> tuple[str, str]:
    """A requirement in a headline, in Chinese and English: 要求 名 达到, 要求 名 未达到（欠 6）, 要求 名 不适用."""
    if not r.applicable:
        return f"要求 {r.name} 不适用", f"requirement {r.name} not applicable"
    if r.met:
        return f"要求 {r.name} 达到", f"requirement {r.name} met"
    zh: list[str] = []
    en: list[str] = []
    for line in (x for x in r.lines if not x.met):
        owed = line.owed is not None
        gap = decimal_text(line.owed if line.owed is not None else line.over or _ZERO)
        zh.append(("" if line.label is None else f"其中 {line.label} ") + ("欠 " if owed else "超出 ") + gap)
        en.append(("" if line.label is None else f"{line.label}: ") + gap + (" owed" if owed else " over"))
    return (
        f"要求 {r.name} 未达到" + (f"（{'，'.join(zh)}）" if zh else ""),
        f"requirement {r.name} not met" + (f" ({', '.join(en)})" if en else ""),
    )


def _teacher_max(plan: Plan, parts: list[PartResult], items: tuple[ItemResult, ...]) -> Decimal | None:
    """The most this teacher could score: the plan's maximum less the parts and items that do not apply."""
    top = plan.max_total
    if top is None:
        return None
    out_parts = {p.name for p in parts if not p.applicable}
    less = sum((p.max_points or _ZERO for p in parts if not p.applicable), _ZERO)
    less += sum(
        (i.max_points or _ZERO for i in items if i.timeliness == "not_applicable" and i.part not in out_parts),
        _ZERO,
    )
    return top - less


def _error_text(exc: Exception, text: str) -> tuple[str, str]:
    """Why ``text`` could not be computed, in Chinese and English."""
    if isinstance(exc, BilingualError):
        zh, en = exc.message_zh, exc.message_en
    elif isinstance(exc, EvalError):
        zh, en = exc.problem.message_zh, exc.problem.message_en
    else:
        zh = en = str(exc) or type(exc).__name__
    return f"无法计算“{text}”：{zh}", f"cannot compute '{text}': {en}"


def _aggregate_error(ctx: _Ctx, func: str, arg: Compiled | None, exc: Exception) -> tuple[str, str]:
    """An aggregate that one record makes impossible to compute, naming the record and the expression."""
    zh, en = _error_text(exc, f"{func}({arg.text if arg else ''})")
    who = ctx.rec.get("id")
    return f"编号 {who} 的记录：{zh}", f"record {who}: {en}"


def _group_inputs(check: RulePlan, ctx: _Ctx) -> tuple[tuple[str, str], ...]:
    """What a group check reads besides its aggregates and its group keys (学校.培训课程数 = 1)."""
    per_teacher = {label for _, arg, cond in check.aggregates for c in (arg, cond) if c for label, _ in c.reads}
    skip = per_teacher | set(check.group_by)
    out = [(label, value) for label, value in _inputs(check.cond, ctx) if label not in skip]
    aggregates = {aggregate_text(func, arg, cond) for func, arg, cond in check.aggregates}
    if check.cond.op in _HOLDS:  # a comparison: both sides' values (向下取整(5% × 人数()) = 0)
        for side in check.cond.parts:
            if side.text not in aggregates and side.text not in dict(out) and side.text not in skip:
                shown = _shown(_quietly(ctx, functools.partial(side.fn, ctx)))
                if shown != side.text:
                    out.append((side.text, shown))
    return tuple(out)


def _caps_removed(ctx: _Ctx, credited: Compiled) -> tuple[str, str]:
    """What the caps of each 累计 the credited side reads removed, per level (nothing when nothing was removed)."""
    zh, en = [], []
    for name, _ in credited.reads:
        if name not in ctx.ev.plan.accumulations:
            continue
        ap, r = ctx.ev.plan.accumulations[name], ctx.accumulation(name)
        cut = [
            (lv.text, sum((g.removed for g in groups), _ZERO)) for lv, groups in zip(ap.levels, r.levels, strict=True)
        ]
        cut = [(text, amount) for text, amount in cut if amount > 0]
        if cut:
            zh.append(f"累计“{name}”的上限：" + "，".join(f"{t} 去掉 {fmt_value(a)}" for t, a in cut))
            en.append(f"the caps of 累计 '{name}' removed " + ", ".join(f"{fmt_value(a)} ({t})" for t, a in cut))
    return ("；" + "；".join(zh), "; " + "; ".join(en)) if zh else ("", "")


def _dropped_by_reason(ctx: _Ctx, line: LinePlan, name: str, result: FilterResult) -> tuple[NotCounted, ...]:
    """What one filter left out that ``line`` would otherwise have counted, by reason, in first-seen order.

    When the line reads one aggregate and no definition (``line.one_chain``), an entry counts only where the
    凡 steps after the one that dropped it (in its filter and the later filters of the chain) and the
    aggregate's inline condition (``line.counts_if``) all hold for it; one for which a condition cannot be
    evaluated (a missing value, an error) counts, under its filter's reason: it is not known that the line
    would have left it out. Otherwise (filters read through definitions or several aggregates) every
    dropped entry counts, as the line's own choice is not known.
    """
    filters = ctx.ev.plan.filters
    later: list[Callable[[Any], Value]] = []  # the 凡 steps of the filters after this one in the line's chain
    if line.one_chain:
        for after in line.filters[: line.filters.index(name)]:
            later += [st.cond.fn for st in filters[after].steps if st.kind == "keep" and st.cond is not None]
    if line.counts_if is not None:
        later.append(line.counts_if)
    steps = filters[name].steps
    counts: dict[str, int] = {}
    for d in result.dropped:
        kinds = [st.cond.fn for st in steps[d.step + 1 :] if st.kind == "keep" and st.cond is not None]
        if line.one_chain and not all(_would_count(ctx, cond, d.entry) for cond in (*kinds, *later)):
            continue
        counts[d.reason] = counts.get(d.reason, 0) + 1
    return tuple(NotCounted(name, reason, n, line.label) for reason, n in counts.items())


def _would_count(ctx: _Ctx, cond: Callable[[Any], Value], entry: Any) -> bool:
    """Whether a condition of the line holds for a dropped entry (True when it cannot be told).

    Untraced: the entry was not counted, so its computed values are no steps of the derivation.
    """
    tracer, ctx.tracer = ctx.tracer, None
    try:
        held = cond(ctx.at(entry))
    except (BilingualError, EvalError):  # e.g. a division by 0 or a per-entry definition that fails
        return True
    finally:
        ctx.tracer = tracer
    return held is None or bool(held)


def _group_key(plan: Plan, name: str) -> str:
    builtin = {"编号": "id", "姓名": "name", "学校": "school", "学科": "subject", "学段": "stage"}
    if name in builtin:
        return builtin[name]
    return next((f.key for f in plan.teacher_fields if f.label == name), f"facts.{name}")
