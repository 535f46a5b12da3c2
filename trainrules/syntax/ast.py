"""The policy AST: frozen attrs nodes, each with a span kept out of equality."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal, TypeAlias

import attrs
import pendulum

from trainrules.source import Span

__all__ = [
    "Accumulate",
    "Assumption",
    "AtTime",
    "Band",
    "BandTable",
    "BoolChain",
    "Call",
    "CapLevel",
    "Certificate",
    "Chain",
    "CheckRule",
    "Citation",
    "Compare",
    "DateLit",
    "Deadline",
    "Decl",
    "Define",
    "EntryRule",
    "Expr",
    "FilterDecl",
    "FilterStep",
    "ForEach",
    "Gap",
    "If",
    "InputField",
    "InstantLit",
    "Item",
    "ListDecl",
    "ListExpr",
    "Lookup",
    "LookupRow",
    "LookupTable",
    "Module",
    "Need",
    "Number",
    "Outcome",
    "Part",
    "Plan",
    "PlanFact",
    "Quantity",
    "Ref",
    "Requirement",
    "Result",
    "RuleException",
    "ScopeRule",
    "Text",
    "TimeLit",
    "Unary",
    "Unencoded",
    "UnitDecl",
    "Value",
    "Window",
]


# ---------- expressions ----------


@attrs.frozen(kw_only=True)
class Number:
    """A decimal literal; ``percent`` means it was written ``5%`` and ``value`` is already 0.05."""

    value: Decimal
    text: str
    percent: bool = False
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class Text:
    """A quoted text literal (quotes removed)."""

    value: str
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class DateLit:
    """A calendar date literal."""

    value: pendulum.Date
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class TimeLit:
    """A time-of-day literal, ``24:00`` allowed (hour 24)."""

    hour: int
    minute: int
    second: int
    span: Span = attrs.field(eq=False, repr=False)

    def text(self) -> str:
        """Canonical ``HH:MM`` or ``HH:MM:SS`` form."""
        base = f"{self.hour:02d}:{self.minute:02d}"
        return base + (f":{self.second:02d}" if self.second else "")


@attrs.frozen(kw_only=True)
class InstantLit:
    """A date with a time of day, made an instant in the policy's time zone (``24:00`` = next day 00:00)."""

    date: pendulum.Date
    time: TimeLit
    value: pendulum.DateTime
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class Ref:
    """A name, possibly dotted (``作业一.分数``, ``学校.计划报送时间``)."""

    path: tuple[str, ...]
    span: Span = attrs.field(eq=False, repr=False)

    @property
    def dotted(self) -> str:
        """The name as written."""
        return ".".join(self.path)


@attrs.frozen(kw_only=True)
class Call:
    """A function call ``名称(参数, …)``."""

    func: str
    args: tuple[Expr, ...]
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class ListExpr:
    """A list literal ``[a, b]``."""

    items: tuple[Expr, ...]
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class Lookup:
    """A lookup ``表名[键]`` in a declared 对照表."""

    table: str
    key: Expr
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class Unary:
    """``-x`` (op ``neg``) or ``非 x`` (op ``not``)."""

    op: Literal["neg", "not"]
    operand: Expr
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class Chain:
    """A flat arithmetic chain: ``first (op operand)*`` with ops ``+ - * /``, evaluated left to right."""

    kind: Literal["sum", "product"]
    first: Expr
    rest: tuple[tuple[str, Expr], ...]
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class BoolChain:
    """``a 且 b 且 c`` (op ``and``) or ``a 或 b`` (op ``or``)."""

    op: Literal["and", "or"]
    operands: tuple[Expr, ...]
    span: Span = attrs.field(eq=False, repr=False)


CompareOp = Literal["<", "<=", ">", ">=", "==", "!=", "contains", "contains_any", "in"]


@attrs.frozen(kw_only=True)
class Compare:
    """A comparison; word operators (不少于, 早于, 含, …) are normalized to ``op``."""

    op: CompareOp
    left: Expr
    right: Expr
    written: str
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class If:
    """``若 cond 则 then 否则 otherwise``."""

    cond: Expr
    then: Expr
    otherwise: Expr
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class AtTime:
    """``日期 时刻`` or ``日期 下班前`` on a computed date: an instant in the plan's zone (``24:00`` = next day 00:00).

    Two literals (``2023-02-24 17:00``) are folded into an InstantLit when lowering; this node is for
    a date that is computed (``月内星期(2023, 3, 5, -1) 24:00``). ``close_of_business`` says the time
    came from the assumption 下班时间 (ruling G4).
    """

    date: Expr
    time: TimeLit
    close_of_business: bool = False
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class Window:
    """``[甲 至 乙]``: a window of whole days, both ends included."""

    start: Expr
    end: Expr
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class CapLevel:
    """``每 键, … [至多 上限]`` in a 累计: group by the keys (none: ``每 全体``, one group), cap each group's sum."""

    keys: tuple[Expr, ...]
    cap: Expr | None
    cite: Citation
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class Accumulate:
    """The value of ``累计 名 = 来源.列 { 每 … }``: the column summed over the source's entries, capped per group,
    level by level in the written order (innermost first). Keys and caps are read in the source's entry scope."""

    name: str
    source: str
    column: str
    levels: tuple[CapLevel, ...]
    source_span: Span | None = attrs.field(default=None, eq=False, repr=False)
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class Quantity:
    """``式 单位`` (``240 学时``, ``(学时 ÷ 8) 学分``): attaches a unit to a unitless number, or converts into it."""

    expr: Expr
    unit: str
    unit_span: Span | None = attrs.field(default=None, eq=False, repr=False)
    span: Span = attrs.field(eq=False, repr=False)


Expr: TypeAlias = (
    Accumulate
    | Quantity
    | Number
    | Text
    | DateLit
    | TimeLit
    | InstantLit
    | Ref
    | Call
    | ListExpr
    | Lookup
    | Unary
    | Chain
    | BoolChain
    | Compare
    | If
    | AtTime
    | Window
)
Value: TypeAlias = Number | Text | DateLit | TimeLit


# ---------- declarations ----------


@attrs.frozen(kw_only=True)
class Citation:
    """Where a rule comes from: rule ids, the document's own section, and the assumptions it relies on."""

    rule_ids: tuple[str, ...] = ()
    section: str | None = None
    relies: tuple[str, ...] = ()
    span: Span | None = attrs.field(default=None, eq=False, repr=False)
    relies_spans: tuple[Span, ...] = attrs.field(default=(), eq=False, repr=False)


NO_CITATION = Citation()


@attrs.frozen(kw_only=True)
class PlanFact:
    """One line of the 方案 block (key is the keyword: 标题, 时区, 期间, …)."""

    key: str
    values: tuple[str | Decimal | pendulum.Date, ...]
    cite: Citation
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class Plan:
    """The 方案 block: the plan's facts."""

    name: str
    facts: tuple[PlanFact, ...]
    span: Span = attrs.field(eq=False, repr=False)

    def fact(self, key: str) -> PlanFact | None:
        """The fact with keyword ``key``, if given."""
        return next((f for f in self.facts if f.key == key), None)


@attrs.frozen(kw_only=True)
class Assumption:
    """A ruling the source does not state, with its text and optionally an overridable value."""

    name: str
    value: Value | None
    text: str
    cite: Citation
    #: The unit of a numeric value (``假设 一学期 = 90 天 "…"``), else None.
    unit: str | None = None
    unit_span: Span | None = attrs.field(default=None, eq=False, repr=False)
    span: Span = attrs.field(eq=False, repr=False)


FieldType = Literal["数", "整数", "文本", "时刻", "日期", "是否", "标签", "标签集"]


@attrs.frozen(kw_only=True)
class InputField:
    """A record field the policy reads (owner 教师, or a group kind: 学校 or another teacher field such as 县)."""

    owner: str
    name: str
    type: FieldType
    low: Decimal | None
    high: Decimal | None
    optional: bool
    cite: Citation
    #: A 标签/标签集 field's vocabulary (``{"校级", "县级"}``), lowest first when ``ordered`` (``{校级 < 县级}``).
    vocab: tuple[str, ...] = ()
    ordered: bool = False
    #: A number's unit (``学时: 数（学时）``), else None.
    unit: str | None = None
    unit_span: Span | None = attrs.field(default=None, eq=False, repr=False)
    span: Span = attrs.field(eq=False, repr=False)
    owner_span: Span | None = attrs.field(default=None, eq=False, repr=False)  # the owner after 输入


@attrs.frozen(kw_only=True)
class ScopeRule:
    """``参训 当 …`` (kind ``enrolled``) or ``免修 当 …`` (kind ``exempt``)."""

    kind: Literal["enrolled", "exempt"]
    cond: Expr
    cite: Citation
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class Band:
    """A rubric band: label and decimal bounds, the low one inclusive, the high one inclusive unless ``high_open``."""

    label: str
    low: Decimal
    high: Decimal
    cite: Citation
    high_open: bool = False
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class Gap:
    """A declared gap between bands, with an optional label for scores that fall in it."""

    low: Decimal
    high: Decimal
    label: str | None
    cite: Citation
    high_open: bool = False
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class BandTable:
    """A 档次表: bands, declared gaps, and the score precision the contiguity check uses."""

    name: str
    bands: tuple[Band, ...]
    gaps: tuple[Gap, ...]
    precision: Decimal | None
    cite: Citation
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class LookupRow:
    """One row of a 对照表."""

    key: str | Decimal
    value: Value
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class LookupTable:
    """A 对照表: a label or number mapped to a value."""

    name: str
    rows: tuple[LookupRow, ...]
    cite: Citation
    #: The unit of the table's numbers (``对照表 每学分学时（学时） {…}``), else None.
    unit: str | None = None
    unit_span: Span | None = attrs.field(default=None, eq=False, repr=False)
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class Deadline:
    """When work is due: ``before`` (strictly before the instant) or ``by`` (at or before it)."""

    kind: Literal["before", "by"]
    instant: pendulum.DateTime
    written: str
    close_of_business: bool = False
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class Clause:
    """One rule inside an item or part: what it says and where it comes from."""

    expr: Expr
    cite: Citation
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class Item:
    """A scored item (or one with no points, ``不计分``) and its rules."""

    name: str
    max_points: Decimal | None
    cite: Citation
    deadline: Deadline | None = None
    deadline_cite: Citation = NO_CITATION
    opens: InstantLit | None = None
    opens_cite: Citation = NO_CITATION
    late: Clause | None = None
    missing: Clause | None = None
    valid: Clause | None = None
    score: Clause | None = None
    bands: str | None = None
    bands_span: Span | None = attrs.field(default=None, eq=False, repr=False)
    bands_cite: Citation = NO_CITATION
    submitted_from: Clause | None = None
    #: ``适用 当 条件``: the item applies only to the teachers the condition holds for.
    applies: Clause | None = None
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class Part:
    """A part with its maximum (None: unbounded), items, and optional cancellation and score expression."""

    name: str
    max_points: Decimal | None
    scaled: bool
    cite: Citation
    items: tuple[Item, ...]
    cancel: Clause | None = None
    score: Clause | None = None
    #: ``档次 表``: the band table the part's points are graded by.
    bands: str | None = None
    bands_span: Span | None = attrs.field(default=None, eq=False, repr=False)
    bands_cite: Citation = NO_CITATION
    #: ``适用 当 条件``: the part applies only to the teachers the condition holds for.
    applies: Clause | None = None
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class Define:
    """``定义 名称 = 表达式``: a value per teacher; ``定义 列表.名称 = …``: one per entry of a list (``entry_of``)."""

    name: str
    expr: Expr
    cite: Citation
    entry_of: str | None = None
    span: Span = attrs.field(eq=False, repr=False)


# ---------- lists ----------


@attrs.frozen(kw_only=True)
class EntryRule:
    """``须 条件 否则 "原因"`` inside a list: a rule every entry must satisfy to be valid."""

    cond: Expr
    reason: str
    cite: Citation
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class ListDecl:
    """``名称: 列表 [按 键] { 字段… 须 … 否则 "…" }`` inside an 输入 block: a list of entries per record."""

    owner: str  # 教师, or a group kind (学校, 县, …): whose record holds the list
    name: str
    key: str | None
    fields: tuple[InputField, ...]
    rules: tuple[EntryRule, ...]
    cite: Citation
    key_span: Span | None = attrs.field(default=None, eq=False, repr=False)
    span: Span = attrs.field(eq=False, repr=False)
    owner_span: Span | None = attrs.field(default=None, eq=False, repr=False)  # the owner after 输入


@attrs.frozen(kw_only=True)
class FilterStep:
    """One step of a 筛选: ``凡`` (kind ``keep``), ``须 … 否则`` (``require``), or ``[每 键] 前 N 按 式`` (``top``)."""

    kind: Literal["keep", "require", "top"]
    cond: Expr | None = None  # keep, require
    reason: str = ""  # require
    keys: tuple[Expr, ...] = ()  # top
    count: Expr | None = None  # top
    by: Expr | None = None  # top
    descending: bool = True  # top: 降序 (the default) keeps the highest
    cite: Citation = NO_CITATION
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class FilterDecl:
    """``筛选 名称 取自 来源 { 步骤… }``: the entries of a list (or filter) that count, and why the others do not."""

    name: str
    source: str
    steps: tuple[FilterStep, ...]
    cite: Citation
    source_span: Span | None = attrs.field(default=None, eq=False, repr=False)
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class Outcome:
    """``合格 当 …  授予 N 学时``: the pass rule and what it grants."""

    cond: Expr
    grant: Expr | None  # its unit is the expression's (授予 36 学时 is a quantity)
    cite: Citation
    applies: Expr | None = None
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class Certificate:
    """``证书 名称 当 …``: an outcome without points."""

    label: str
    cond: Expr
    cite: Citation
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class ForEach:
    """``逐 名 取自 式``: a rule read once for each value of a list, ``名`` bound to the value.

    Lowering renames the uses of ``名`` in the rule to ``key`` (``名@逐N``, which no policy can write),
    so the variable resolves only inside its own rule and two rules may both loop over ``年``.
    """

    name: str
    key: str
    source: Expr
    cite: Citation
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class CheckRule:
    """``核查 名称 [按 分组] 要求 条件``: a check per teacher or per group, with no points."""

    label: str
    group_by: tuple[str, ...]
    cond: Expr
    cite: Citation
    span: Span = attrs.field(eq=False, repr=False)
    #: ``适用 当 条件``: the teachers the check is about (a grouped check counts only them).
    applies: Expr | None = None
    #: ``逐 名 取自 式``: the check once per value (one finding per value per group or teacher).
    each: ForEach | None = None


@attrs.frozen(kw_only=True)
class Result:
    """``结果 名 = 式 [档次 表] [适用 当 条件]``: a named outcome reported in the decision, not scored."""

    name: str
    expr: Expr
    bands: str | None
    applies: Expr | None
    cite: Citation
    bands_span: Span | None = attrs.field(default=None, eq=False, repr=False)
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class Need:
    """One line of a requirement: ``须 已计 不少于 需要`` (label None) or ``其中 类 须 …``."""

    label: str | None
    expr: Expr
    cite: Citation
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class Requirement:
    """``要求 名 [适用 当 条件] { 须 … 其中 类 须 … }``: amounts credited against amounts needed."""

    name: str
    applies: Expr | None
    lines: tuple[Need, ...]
    cite: Citation
    span: Span = attrs.field(eq=False, repr=False)
    #: ``逐 名 取自 式`` (its first statement): every line once per value; met iff met for every value.
    each: ForEach | None = None


@attrs.frozen(kw_only=True)
class RuleException:
    """``例外 名 = 式 当 条件``: the value of a 定义 or 结果 in a stated case (the general rule stays visible)."""

    target: str
    expr: Expr
    cond: Expr
    cite: Citation
    span: Span = attrs.field(eq=False, repr=False)
    #: ``例外 列表.名称 = …``: the list whose per-entry definition ``target`` is (read in its entry scope).
    entry_of: str | None = None


@attrs.frozen(kw_only=True)
class Unencoded:
    """``不编码 "条文" 依据 …``: a clause of the plan deliberately not encoded."""

    text: str
    cite: Citation
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen(kw_only=True)
class UnitDecl:
    """``单位 天 = 6 学时``: one 天 is ``factor`` of ``base``; ``单位 学时`` alone (no base) declares a base unit."""

    name: str
    factor: Decimal | None
    base: str | None
    cite: Citation
    base_span: Span | None = attrs.field(default=None, eq=False, repr=False)
    span: Span = attrs.field(eq=False, repr=False)


Decl: TypeAlias = (
    Plan
    | Assumption
    | InputField
    | ScopeRule
    | BandTable
    | LookupTable
    | Part
    | Define
    | Outcome
    | Certificate
    | CheckRule
    | ListDecl
    | FilterDecl
    | Result
    | Requirement
    | RuleException
    | Unencoded
    | UnitDecl
)


@attrs.frozen(kw_only=True)
class Module:
    """A parsed policy file: its declarations in source order."""

    decls: tuple[Decl, ...]
    span: Span = attrs.field(eq=False, repr=False)
