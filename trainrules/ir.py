"""The checked policy: the AST plus what the checker derived (zone, period, symbols), and name resolution."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

import attrs
import pendulum

from trainrules.syntax import ast

__all__ = [
    "BUILTIN_FIELDS",
    "ITEM_INPUTS",
    "REQUIREMENT_AMOUNTS",
    "CheckedPolicy",
    "Conversion",
    "Symbol",
    "Type",
    "Units",
    "field_type",
    "resolve",
]

#: Value types of the language.
Type = Literal["数", "文本", "是否", "时刻", "日期", "钟点", "文本列表", "数列表", "时段", "列表", "未知"]

#: Teacher fields every record has, by name -> (record key, type).
BUILTIN_FIELDS: dict[str, tuple[str, Type]] = {
    "编号": ("id", "文本"),
    "姓名": ("name", "文本"),
    "学校": ("school", "文本"),
    "学科": ("subject", "文本"),
    "学段": ("stage", "文本"),
}
#: Standard teacher fields a policy may declare, with their record keys.
STANDARD_FIELDS: dict[str, str] = {"入班时间": "enrolled_at", "标记": "flags"}
#: What a record says about each item, by name -> (record key suffix, type).
ITEM_INPUTS: dict[str, tuple[str, Type]] = {
    "分数": ("score", "数"),
    "提交时间": ("submitted_at", "时刻"),
    "字数": ("length", "数"),
    "等级": ("grade", "文本"),
}

_FIELD_TYPES: dict[str, Type] = {
    "数": "数",
    "整数": "数",
    "文本": "文本",
    "标签": "文本",
    "时刻": "时刻",
    "日期": "日期",
    "是否": "是否",
    "标签集": "文本列表",
}


def field_type(declared: str) -> Type:
    """The value type of a declared input type (整数 is a 数, 标签集 a list of texts)."""
    return _FIELD_TYPES[declared]


SymbolKind = Literal[
    "field",
    "group_field",
    "item",
    "item_input",
    "part",
    "total",
    "assumption",
    "define",
    "max_points",
    "on_time",
    "period",
    "list",
    "filter",
    "entry_field",
    "entry_define",
    "requirement",
    "requirement_amount",
    "loop",  # the variable of a 逐 (its key is the renamed name, see ast.ForEach)
]
#: What ``要求名.X`` reads: the main line's amounts (已计 credited, 需 needed, 欠 owed).
REQUIREMENT_AMOUNTS = ("已计", "需", "欠")


@attrs.frozen
class Symbol:
    """What a name stands for, its type, and where it reads from."""

    kind: SymbolKind
    name: str
    type: Type
    decl: object = attrs.field(default=None, eq=False)
    key: str = ""  # record key for inputs (``enrolled_at``, ``facts.X``, ``items.X.score``)
    item: str = ""  # the item an item input belongs to
    group: str = ""  # a group fact's kind: 学校, or the teacher field that keys the group (县)


@attrs.frozen
class Conversion:
    """A value in ``source`` made a value in ``target``: times ``multiply``, divided by ``divide`` (both exact).

    ``divide`` is 1 unless the quotient may not come out even (then W502 said so at check time).
    ``rules`` are the 单位 declarations it goes through, for the explanation.
    """

    source: str
    target: str
    multiply: Decimal
    divide: Decimal
    rules: tuple[ast.UnitDecl, ...] = attrs.field(eq=False)

    def apply(self, v: Decimal) -> Decimal:
        """The value in the target unit."""
        out = v * self.multiply
        return out if self.divide == 1 else out / self.divide

    def why(self) -> str:
        """单位 天 = 6 学时，依据 R003-02 (each declaration gone through, with its rule ids)."""
        parts = []
        for d in self.rules:
            cited = f"，依据 {'、'.join(d.cite.rule_ids)}" if d.cite.rule_ids else ""
            parts.append(f"单位 {d.name} = {d.factor} {d.base}{cited}")
        return "；".join(parts)


@attrs.frozen
class Units:
    """What the unit check derived: each unit's base and factor, where a value is converted, every number's unit.

    Filled by ``check.units``; ``conversions`` and ``of`` are keyed by ``id`` of the expression node (the AST
    lives as long as the checked policy). ``of`` gives the unit of the value a node computes, after its
    conversion; a node without an entry has no unit.
    """

    #: unit -> (its base unit, how many of the base one of it is, the declarations from it to the base)
    table: dict[str, tuple[str, Decimal, tuple[ast.UnitDecl, ...]]] = attrs.field(factory=dict)
    conversions: dict[int, Conversion] = attrs.field(factory=dict)
    of: dict[int, str] = attrs.field(factory=dict)

    def unit(self, e: ast.Expr | None) -> str | None:
        """The unit of the value ``e`` computes (after its conversion), or None."""
        return None if e is None else self.of.get(id(e))


@attrs.frozen(eq=False)
class CheckedPolicy:
    """A policy that passed ``check``: the AST, its facts, and its symbol table."""

    module: ast.Module
    plan: ast.Plan
    tz: str
    period: tuple[pendulum.Date, pendulum.Date] | None
    total: Decimal | None
    symbols: dict[str, Symbol]
    #: Group facts by kind (学校, or any teacher field: 县) and name: ``输入 县 { 字段… }``, read as ``县.字段``.
    group_fields: dict[str, dict[str, Symbol]]
    items: dict[str, ast.Item]
    parts: tuple[ast.Part, ...]
    assumptions: dict[str, ast.Assumption]
    band_tables: dict[str, ast.BandTable]
    lookup_tables: dict[str, ast.LookupTable]
    inputs: tuple[ast.InputField, ...]
    #: Lists per teacher (``培训记录: 列表 {…}``), filters over them, and per-entry definitions by list.
    lists: dict[str, ast.ListDecl] = attrs.field(factory=dict)
    filters: dict[str, ast.FilterDecl] = attrs.field(factory=dict)
    entry_defines: dict[str, dict[str, ast.Define]] = attrs.field(factory=dict)

    @property
    def school_fields(self) -> dict[str, Symbol]:
        """The school's facts (``学校.字段``): the group facts of kind 学校."""
        return self.group_fields.get("学校", {})

    @property
    def group_kinds(self) -> tuple[str, ...]:
        """The kinds of group with facts or lists, in declaration order (学校, 县, …)."""
        kinds = dict.fromkeys(self.group_fields)
        kinds.update(dict.fromkeys(lst.owner for lst in self.lists.values() if lst.owner != "教师"))
        return tuple(kinds)

    def root_list(self, name: str) -> ast.ListDecl | None:
        """The list whose entries a list or filter holds (a filter's source, followed to its list)."""
        seen: set[str] = set()
        while name in self.filters and name not in seen:
            seen.add(name)
            name = self.filters[name].source
        return self.lists.get(name)

    def entry_symbol(self, source: str, name: str) -> Symbol | None:
        """A field or per-entry definition of the entries of ``source`` (a list or filter), if it has one."""
        lst = self.root_list(source)
        if lst is None:
            return None
        for f in lst.fields:
            if f.name == name:
                return Symbol("entry_field", name, field_type(f.type), f, name, lst.name)
        d = self.entry_defines.get(lst.name, {}).get(name)
        if d is not None:
            return Symbol("entry_define", name, "未知", d, name, lst.name)
        return None

    #: 结果 by name (each is also a "define" symbol when its name is a plain name), 要求 by name,
    #: 例外 in source order, and the clauses declared 不编码.
    results: dict[str, ast.Result] = attrs.field(factory=dict)
    requirements: dict[str, ast.Requirement] = attrs.field(factory=dict)
    exceptions: tuple[ast.RuleException, ...] = ()
    unencoded: tuple[ast.Unencoded, ...] = ()
    #: Units and conversions (filled by the unit check).
    units: Units = attrs.field(factory=Units)


def resolve(policy: CheckedPolicy, path: tuple[str, ...], item: ast.Item | None) -> Symbol | None:
    """Resolve a (dotted) name in a teacher's scope; inside an item, its inputs are bare names.

    Args:
        policy: the policy's symbol tables.
        path: the name as written, split on dots.
        item: the item whose clause the name appears in, if any.

    Returns:
        The symbol, or None when the name is not defined.
    """
    if len(path) == 1:
        name = path[0]
        if item is not None:
            if name in ITEM_INPUTS:
                key, typ = ITEM_INPUTS[name]
                return Symbol("item_input", name, typ, item, f"items.{item.name}.{key}", item.name)
            if name == "满分":
                return Symbol("max_points", name, "数", item, "", item.name)
        return policy.symbols.get(name)
    if len(path) == 2:
        head, tail = path
        facts = policy.group_fields.get(head)
        if facts is not None and tail in facts:
            return facts[tail]
        req = policy.requirements.get(head)
        if req is not None and tail in REQUIREMENT_AMOUNTS:
            return Symbol("requirement_amount", tail, "数", req, "", head)
        target = policy.items.get(head)
        if target is not None:
            if tail in ITEM_INPUTS:
                key, typ = ITEM_INPUTS[tail]
                return Symbol("item_input", tail, typ, target, f"items.{head}.{key}", head)
            if tail == "满分":
                return Symbol("max_points", tail, "数", target, "", head)
            if tail == "按时":  # the item's own outcome: submitted on time (and valid), not cancelled
                return Symbol("on_time", tail, "是否", target, "", head)
    return None
