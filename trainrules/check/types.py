"""Names and types of every expression: undefined names (E301), type mismatches (E303), calls (E304).

Definitions are typed once each, in dependency order (cycles are refused before, by check.definitions),
so typing never recurses from one definition into another.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from trainrules.check.definitions import typing_order
from trainrules.check.labels import ordered_vocab, vocab_of
from trainrules.check.names import did_you_mean
from trainrules.check.walk import EntrySite, Site, entry_sites, sites
from trainrules.diagnostics import Collector
from trainrules.functions import AGGREGATES, FUNCTIONS, LIST_AGGREGATES, ROUNDING, WHOLE_RUN, list_source
from trainrules.ir import ITEM_INPUTS, CheckedPolicy, Symbol, Type, resolve
from trainrules.syntax import ast
from trainrules.syntax.slips import glued_hint

__all__ = ["check_types"]

_ORDERED = {"数", "时刻", "日期", "钟点"}
_KEYS = {"数", "文本", "时刻", "日期", "钟点", "是否"}
_WORDS_EN = {
    "数": "a number",
    "文本": "a text",
    "是否": "a yes/no",
    "时刻": "an instant",
    "日期": "a date",
    "钟点": "a time of day",
    "文本列表": "a list of texts",
    "数列表": "a list of numbers",
    "时段": "a window of dates",
    "列表": "a list of entries",
    "未知": "unknown",
}


#: What each type looks like when written, for hints.
_WRITTEN = {
    "数": ("数，如 17.9", "a number such as 17.9"),
    "文本": ('文本，如 "优秀"', 'a text such as "优秀"'),
    "是否": ("条件，如 总分 不少于 60", "a condition such as 总分 不少于 60"),
    "时刻": ("时刻，如 2019-12-08 24:00", "an instant such as 2019-12-08 24:00"),
    "日期": ("日期，如 2019-12-08", "a date such as 2019-12-08"),
    "时段": ("时段，如 [2017-01-01 至 2020-12-31]", "a window such as [2017-01-01 至 2020-12-31]"),
}


def _mismatch(
    out: Collector, e: ast.Expr, what: str, what_en: str, hint: str = "", hint_en: str = "", want: str = ""
) -> None:
    """Report E303; without a hint of its own, say how the wanted type is written, else where types are listed."""
    if not hint:
        if want in _WRITTEN:
            hint, hint_en = (f"这里需要{_WRITTEN[want][0]}。", f"This place needs {_WRITTEN[want][1]}.")
        else:
            hint, hint_en = "各类型的写法见 docs/language.md 的“Types”一节。", "See docs/language.md, 'Types'."
    out.add("E303", e.span, what=what, what_en=what_en, hint=hint, hint_en=hint_en)


#: The types 去重计数 counts the distinct values of (a 标签集 is a list: not one value).
_DISTINCT = ("文本", "数", "日期", "时刻", "是否")

_SIDES_ALIKE = frozenset({"<", "<=", ">", ">=", "==", "!="})


class _Typer:
    def __init__(self, policy: CheckedPolicy, out: Collector) -> None:
        self.policy = policy
        self.out = out
        self.define_types: dict[str, str] = {}
        self._scope_names: list[str] | None = None
        #: The list or filter whose entries are in scope (a bare name is first one of their fields), or None.
        self.entry: str | None = None
        #: Per-entry definitions' types, by (list, name); "typing" while being inferred (a cycle).
        self.entry_types: dict[tuple[str, str], str] = {}

    def names_in_scope(self, item: ast.Item | None) -> list[str]:
        if self._scope_names is None:
            names = list(self.policy.symbols)
            names += [f"{kind}.{n}" for kind, facts in self.policy.group_fields.items() for n in facts]
            names += [f"{i}.{k}" for i in self.policy.items for k in (*ITEM_INPUTS, "满分", "按时")]
            self._scope_names = names
        return self._scope_names + list(ITEM_INPUTS) if item is not None else self._scope_names

    def hint(self, name: str, candidates: Iterable[str]) -> tuple[str, str]:
        """A "did you mean" hint, computed only while diagnostics are still being shown."""
        return did_you_mean(name, candidates, shown=len(self.out.items))

    def define_type(self, sym: Symbol) -> str:
        """The type of a definition: inferred once, in dependency order, before any rule is typed."""
        return self.define_types.get(sym.name, "未知")

    def entry_ref(self, e: ast.Ref) -> str | None:
        """The type of a bare name that is a field or per-entry definition of the entries in scope."""
        if self.entry is None or len(e.path) != 1:
            return None
        sym = self.policy.entry_symbol(self.entry, e.path[0])
        if sym is None:
            return None
        if sym.kind == "entry_define":
            return self.entry_define_type(sym.item, sym.name, e)
        return sym.type

    def entry_define_type(self, list_name: str, name: str, at: ast.Expr) -> str:
        """The type of ``定义 列表.名称 = …``, inferred once in its list's entry scope."""
        key = (list_name, name)
        known = self.entry_types.get(key)
        if known == "typing":
            d = self.policy.entry_defines[list_name][name]
            self.out.add("E309", d.span, name=f"{list_name}.{name}", cycle=name, cycle_en=name)
            self.entry_types[key] = "未知"
            return "未知"
        if known is not None:
            return known
        self.entry_types[key] = "typing"
        saved, self.entry = self.entry, list_name
        t = self.infer(self.policy.entry_defines[list_name][name].expr, None, None, aggregate=False)
        self.entry = saved
        self.entry_types[key] = t
        return t

    def ref(self, e: ast.Ref, item: ast.Item | None, group: tuple[str, ...] | None, aggregate: bool) -> str:
        entry_type = self.entry_ref(e)
        if entry_type is not None:
            return entry_type
        if e.path[0] in self.policy.lists or e.path[0] in self.policy.filters:
            self.out.add("E311", e.span, name=e.dotted)
            return "未知"
        if group is not None and not aggregate:
            if len(e.path) == 1 and e.path[0] in group:
                sym = resolve(self.policy, e.path, None)
                return sym.type if sym else "文本"
            if len(e.path) == 2 and e.path[0] in group and e.path[0] in self.policy.group_fields:
                sym = resolve(self.policy, e.path, None)
                if sym is not None:
                    return sym.type
            sym = resolve(self.policy, e.path, None)
            if sym is not None and sym.kind in ("assumption", "period", "loop"):  # the same for every teacher
                return sym.type
            if sym is not None:
                self.out.add("E310", e.span, name=e.dotted)
                return sym.type
        sym = resolve(self.policy, e.path, item)
        if sym is None:
            in_scope = self.names_in_scope(item)
            # 总分不少于60 is one name to the lexer: say where the space goes before guessing by spelling
            zh, en = glued_hint(e.dotted, set(in_scope)) or self.hint(e.dotted, in_scope)
            if len(e.path) == 1 and e.path[0] in ITEM_INPUTS and item is None:
                zh = f"“{e.path[0]}”只在项目内可直接使用；在别处写“项目名.{e.path[0]}”。"
                en = f"'{e.path[0]}' alone works inside an item; elsewhere write 'ITEM.{e.path[0]}'."
            elif len(e.path) == 1 and e.path[0] in FUNCTIONS:  # 人数 for 人数(): a call needs its parentheses
                f = FUNCTIONS[e.path[0]]
                zh = f"是不是 {f.name}()？函数要写括号（{f.doc}）。"
                en = f"Did you mean {f.name}()? A function is called with parentheses."
            self.out.add("E301", e.span, name=e.dotted, suggestion=zh, suggestion_en=en)
            return "未知"
        if sym.kind == "define":
            return self.define_type(sym)
        return sym.type

    def call(self, e: ast.Call, item: ast.Item | None, group: tuple[str, ...] | None, aggregate: bool) -> str:
        source = list_source(self.policy, e.args[0]) if e.func in LIST_AGGREGATES and e.args else None
        if source is not None:
            root = self.policy.root_list(source)
            of_group = root is not None and root.owner != "教师"  # a group's list: E328 unless grouped by its kind
            if group is not None and not aggregate and not of_group:
                self.out.add("E310", e.span, name=e.span.text if e.span else e.func)
            return self.list_aggregate(e)
        if e.func in ("任一", "全部"):
            self.out.add(
                "E304",
                e.span,
                what=f"“{e.func}”的第一个参数须是列表或筛选",
                what_en=f"the first argument of '{e.func}' must be a list or a filter",
            )
            return "是否"
        fn = FUNCTIONS.get(e.func)
        if fn is None:
            zh, en = self.hint(e.func, FUNCTIONS)
            self.out.add(
                "E304",
                e.span,
                what=f"没有名为“{e.func}”的函数。{zh}",
                what_en=f"there is no function '{e.func}'. {en}".strip(),
            )
            for a in e.args:
                self.infer(a, item, group, aggregate)
            return "未知"
        n = len(e.args)
        if n < fn.min_args or (fn.max_args is not None and n > fn.max_args):
            if fn.min_args == fn.max_args:
                want, want_en = f"{fn.min_args} 个", str(fn.min_args)
            elif fn.max_args is None:
                want, want_en = f"至少 {fn.min_args} 个", f"at least {fn.min_args}"
            else:
                want, want_en = f"{fn.min_args}–{fn.max_args} 个", f"{fn.min_args}-{fn.max_args}"
            self.out.add(
                "E304",
                e.span,
                what=f"“{e.func}”需要 {want}参数，这里给了 {n} 个",
                what_en=f"'{e.func}' takes {want_en} argument(s), {n} given",
            )
        step = e.args[1] if e.func in ROUNDING and len(e.args) == 2 else None
        if isinstance(step, ast.Number) and step.value == 0:
            self.out.add(
                "E304",
                step.span,
                what=f"“{e.func}”的步长不能为 0",
                what_en=f"the step of '{e.func}' cannot be 0",
            )
        if e.func in AGGREGATES:
            if group is None:
                self.out.add(
                    "E304",
                    e.span,
                    what=f"“{e.func}”只能用在“核查 … 按 …”的分组核查中",
                    what_en=f"'{e.func}' is only for group checks (核查 … 按 …)",
                )
            arg_types = [self.infer(a, item, group, aggregate=True) for a in e.args]
        else:
            arg_types = [self.infer(a, item, group, aggregate) for a in e.args]
        for i, (a, t) in enumerate(zip(e.args, arg_types, strict=True)):
            if fn.args and i < len(fn.args):
                allowed = fn.args[i].split("|")
                if t not in (*allowed, "未知"):
                    want = " 或 ".join(allowed)
                    _mismatch(
                        self.out,
                        a,
                        f"“{e.func}”的第 {i + 1} 个参数应为{want}，这里是{t}",
                        f"argument {i + 1} of '{e.func}' must be "
                        f"{' or '.join(_WORDS_EN[x] for x in allowed)}, not {_WORDS_EN.get(t, t)}",
                        want=allowed[0],
                    )
                continue
            if fn.arg_type not in ("任意", t) and t != "未知":
                _mismatch(
                    self.out,
                    a,
                    f"“{e.func}”的参数应为{fn.arg_type}，这里是{t}",
                    f"'{e.func}' takes {_WORDS_EN[fn.arg_type]}, not {_WORDS_EN.get(t, t)}",
                    want=fn.arg_type,
                )
        if fn.result == "同参数":
            if len(arg_types) == 2 and "未知" not in arg_types and arg_types[0] != arg_types[1]:
                _mismatch(
                    self.out,
                    e.args[1],
                    f"默认值应与“{e.func}”的第一个参数同类型（{arg_types[0]}）",
                    f"the default must have the first argument's type ({_WORDS_EN[arg_types[0]]})",
                    want=arg_types[0],
                )
            return arg_types[0] if arg_types else "未知"
        return fn.result

    def list_aggregate(self, e: ast.Call) -> str:
        """``合计/最大/最小(列表.列[, 条件])``, ``计数(列表[, 条件])``, ``任一/全部(列表, 条件)``: over entries."""
        first = e.args[0]
        assert isinstance(first, ast.Ref)  # list_source said so
        source = first.path[0]
        column = first.path[1] if len(first.path) == 2 else None
        wants_column = e.func in ("合计", "最大", "最小", "去重计数")
        n = len(e.args)
        if (
            len(first.path) > 2
            or wants_column != (column is not None)
            or n > 2
            or (n < 2 and e.func in ("任一", "全部"))
        ):
            use = (
                f"{e.func}({source}.字段[, 条件])"
                if wants_column
                else f"{e.func}({source}, 条件)"
                if e.func in ("任一", "全部")
                else f"{e.func}({source}[, 条件])"
            )
            self.out.add("E304", e.span, what=f"写成 {use}", what_en=f"write {use}")
            return "未知"
        saved, self.entry = self.entry, source
        try:
            col_type = "未知"
            if column is not None and self.policy.root_list(source) is not None:  # else E312 says why
                sym = self.policy.entry_symbol(source, column)
                if sym is None:
                    lst = self.policy.root_list(source)
                    names = [f.name for f in lst.fields] if lst else []
                    names += list(self.policy.entry_defines.get(lst.name, {})) if lst else []
                    zh, en = self.hint(column, names)
                    self.out.add("E301", first.span, name=first.dotted, suggestion=zh, suggestion_en=en)
                else:
                    col_type = (
                        self.entry_define_type(sym.item, sym.name, first) if sym.kind == "entry_define" else sym.type
                    )
            if n == 2:
                t = self.infer(e.args[1], None, None, aggregate=False)
                if t not in ("是否", "未知"):
                    _mismatch(
                        self.out,
                        e.args[1],
                        f"“{e.func}”的第二个参数是筛选条件，应为是否，这里是{t}",
                        f"the second argument of '{e.func}' is a condition, not {_WORDS_EN.get(t, t)}",
                        want="是否",
                    )
        finally:
            self.entry = saved
        if e.func == "合计" and col_type not in ("数", "未知"):
            _mismatch(
                self.out,
                first,
                f"“合计”只能加总数，“{first.dotted}”是{col_type}",
                f"'合计' adds numbers; '{first.dotted}' is {_WORDS_EN.get(col_type, col_type)}",
                want="数",
            )
        if e.func in ("最大", "最小") and col_type not in _ORDERED | {"未知"}:
            _mismatch(
                self.out,
                first,
                f"“{e.func}”需要可比较大小的值，“{first.dotted}”是{col_type}",
                f"'{e.func}' needs ordered values; '{first.dotted}' is {_WORDS_EN.get(col_type, col_type)}",
            )
        if e.func == "去重计数" and col_type not in (*_DISTINCT, "未知"):
            _mismatch(
                self.out,
                first,
                f"“去重计数”数的是单个值，“{first.dotted}”是{col_type}",
                f"'去重计数' counts single values; '{first.dotted}' is {_WORDS_EN.get(col_type, col_type)}",
            )
        if e.func in ("合计", "计数", "去重计数"):
            return "数"
        if e.func in ("任一", "全部"):
            return "是否"
        return col_type

    def accumulate(self, e: ast.Accumulate) -> str:
        """A 累计 is a number: its column must be a number field or per-entry definition of its source."""
        if self.policy.root_list(e.source) is None:
            zh, en = did_you_mean(e.source, [*self.policy.lists, *self.policy.filters], shown=len(self.out.items))
            self.out.add(
                "E312",
                e.source_span or e.span,
                name=e.source,
                suggestion=zh or "“=”后写 列表.列 或 筛选.列，如 观看记录.积分。",
                suggestion_en=en or "After = write LIST.COLUMN or FILTER.COLUMN, as in 观看记录.积分.",
            )
            return "数"
        sym = self.policy.entry_symbol(e.source, e.column)
        if sym is None:
            root = self.policy.root_list(e.source)
            names = [f.name for f in root.fields] if root else []
            names += list(self.policy.entry_defines.get(root.name if root else "", {}))
            zh, en = self.hint(e.column, names)
            self.out.add(
                "E324",
                e.source_span or e.span,
                name=e.name,
                column=e.column,
                source=e.source,
                suggestion=zh,
                suggestion_en=en,
            )
            return "数"
        saved, self.entry = self.entry, e.source
        try:
            t = self.entry_ref(ast.Ref(path=(e.column,), span=e.span))
        finally:
            self.entry = saved
        if t not in ("数", "未知", None):
            _mismatch(
                self.out,
                e,
                f"累计“{e.name}”只能加总数，“{e.source}.{e.column}”是{t}",
                f"累计 '{e.name}' adds numbers; '{e.source}.{e.column}' is {_WORDS_EN.get(t or '', t)}",
                want="数",
            )
        return "数"

    def infer(self, e: ast.Expr, item: ast.Item | None, group: tuple[str, ...] | None, aggregate: bool) -> str:
        if isinstance(e, ast.Accumulate):
            return self.accumulate(e)
        if isinstance(e, ast.Number):
            return "数"
        if isinstance(e, ast.Quantity):  # 240 学时, (式) 学分: its units are check.units' concern
            t = self.infer(e.expr, item, group, aggregate)
            if t not in ("数", "未知"):
                self.out.add(
                    "E344",
                    e.span,
                    what=f"单位“{e.unit}”前应为数，这里是{t}",
                    what_en=f"the unit '{e.unit}' must follow a number, not {_WORDS_EN.get(t, t)}",
                )
                return "未知"
            return "数"
        if isinstance(e, ast.Text):
            return "文本"
        if isinstance(e, ast.DateLit):
            return "日期"
        if isinstance(e, ast.TimeLit):
            return "钟点"
        if isinstance(e, ast.InstantLit):
            return "时刻"
        if isinstance(e, ast.Ref):
            return self.ref(e, item, group, aggregate)
        if isinstance(e, ast.Call):
            return self.call(e, item, group, aggregate)
        if isinstance(e, ast.ListExpr):
            ts = {self.infer(x, item, group, aggregate) for x in e.items} - {"未知"}
            if len(ts) > 1:
                _mismatch(self.out, e, "列表中的各项类型不一致", "the list mixes types")
                return "未知"
            return "数列表" if ts == {"数"} else "文本列表"
        if isinstance(e, ast.Lookup):
            table = self.policy.lookup_tables.get(e.table)
            self.infer(e.key, item, group, aggregate)
            if table is None:
                zh, en = self.hint(e.table, self.policy.lookup_tables)
                self.out.add(
                    "E301",
                    e.span,
                    name=e.table,
                    suggestion=zh or "用“对照表 名称 { 键: 值 }”声明对照表。",
                    suggestion_en=en or "Declare it with 对照表 NAME { key: value }.",
                )
                return "未知"
            kinds = {type(r.value) for r in table.rows}
            return "数" if kinds == {ast.Number} else "文本" if kinds == {ast.Text} else "未知"
        if isinstance(e, ast.Unary):
            t = self.infer(e.operand, item, group, aggregate)
            want = "数" if e.op == "neg" else "是否"
            if t not in (want, "未知"):
                _mismatch(
                    self.out,
                    e.operand,
                    f"“{'-' if e.op == 'neg' else '非'}”后应为{want}，这里是{t}",
                    f"expected {_WORDS_EN[want]} here, found {_WORDS_EN.get(t, t)}",
                    want=want,
                )
            return want
        if isinstance(e, ast.Chain):
            for x in (e.first, *(y for _, y in e.rest)):
                t = self.infer(x, item, group, aggregate)
                if t not in ("数", "未知"):
                    _mismatch(
                        self.out,
                        x,
                        f"算术运算只能用于数，这里是{t}",
                        f"arithmetic needs numbers, found {_WORDS_EN.get(t, t)}",
                        "日期和时刻请用比较（早于、晚于）。",
                        "Compare dates and instants with 早于/晚于 instead.",
                    )
            return "数"
        if isinstance(e, ast.BoolChain):
            for x in e.operands:
                t = self.infer(x, item, group, aggregate)
                if t not in ("是否", "未知"):
                    _mismatch(
                        self.out,
                        x,
                        f"“{'且' if e.op == 'and' else '或'}”两边应为条件（是否），这里是{t}",
                        f"'{'且' if e.op == 'and' else '或'}' joins conditions, found {_WORDS_EN.get(t, t)}",
                        want="是否",
                    )
            return "是否"
        if isinstance(e, ast.Compare):
            self.compare(e, item, group, aggregate)
            return "是否"
        if isinstance(e, ast.AtTime | ast.Window):
            return self.time_form(e, item, group, aggregate)
        if isinstance(e, ast.If):
            c = self.infer(e.cond, item, group, aggregate)
            if c not in ("是否", "未知"):
                _mismatch(
                    self.out,
                    e.cond,
                    f"“若”后应为条件，这里是{c}",
                    f"'若' needs a condition, found {_WORDS_EN.get(c, c)}",
                    want="是否",
                )
            a = self.infer(e.then, item, group, aggregate)
            b = self.infer(e.otherwise, item, group, aggregate)
            if "未知" not in (a, b) and a != b:
                _mismatch(
                    self.out,
                    e.otherwise,
                    f"“则”与“否则”两个分支类型不同（{a}、{b}）",
                    f"the two branches differ ({_WORDS_EN[a]}, {_WORDS_EN[b]})",
                    want=a,
                )
            return a if a != "未知" else b
        return "未知"

    def time_form(
        self, e: ast.AtTime | ast.Window, item: ast.Item | None, group: tuple[str, ...] | None, aggregate: bool
    ) -> str:
        """``日期 时刻`` is an instant; ``[甲 至 乙]`` a window of dates. Both need dates."""
        ends = (e.date,) if isinstance(e, ast.AtTime) else (e.start, e.end)
        for x in ends:
            t = self.infer(x, item, group, aggregate)
            if t not in ("日期", "未知"):
                if isinstance(e, ast.AtTime):
                    what, what_en = (
                        f"时刻“{e.time.text()}”前应为日期，这里是{t}",
                        f"the time must follow a date, not {t}",
                    )
                else:
                    what, what_en = (
                        f"时段“[甲 至 乙]”的两端应为日期，这里是{t}",
                        f"a window's ends must be dates, not {t}",
                    )
                hint, hint_en = "", ""
                if t == "时刻":
                    hint = "时刻已有钟点：用 当日(时刻) 取它的日期。"
                    hint_en = "An instant already has a time of day: 当日(instant) gives its date."
                _mismatch(self.out, x, what, what_en, hint, hint_en, want="日期")
        return "时刻" if isinstance(e, ast.AtTime) else "时段"

    def compare(self, e: ast.Compare, item: ast.Item | None, group: tuple[str, ...] | None, aggregate: bool) -> None:
        lt = self.infer(e.left, item, group, aggregate)
        rt = self.infer(e.right, item, group, aggregate)
        if (
            "未知" in (lt, rt) or ordered_vocab(self.policy, e, item, self.entry) is not None
        ):  # labels ranked by their vocabulary
            return
        ok = {
            "contains": lt.endswith("列表") and rt == lt[:-2],
            "contains_any": lt.endswith("列表") and rt == lt,
            "in": (rt.endswith("列表") and lt == rt[:-2]) or (rt == "时段" and lt in ("日期", "时刻")),
            "==": lt == rt,
            "!=": lt == rt,
        }.get(e.op, lt == rt and lt in _ORDERED)
        if ok:
            return
        hint = hint_en = ""
        lv, rv = vocab_of(self.policy, e.left, item, self.entry), vocab_of(self.policy, e.right, item, self.entry)
        unordered = lv or rv
        if lv is not None and rv is not None and lv.ordered and rv.ordered and e.op in ("<", "<=", ">", ">="):
            _mismatch(
                self.out,
                e,
                f"“{e.written}”不能比较两个词表不同的标签：“{lv.name}”{{{' < '.join(lv.words)}}}，"
                f"“{rv.name}”{{{' < '.join(rv.words)}}}",
                f"'{e.written}' cannot compare labels whose vocabularies differ: '{lv.name}' "
                f"{{{' < '.join(lv.words)}}}, '{rv.name}' {{{' < '.join(rv.words)}}}",
                "两个词表须是同样的词、同样的次序（或一个是另一个按原次序去掉几个词）：把两处写成同一个词表。",
                "Both vocabularies must have the same words in the same order (or one is the other with words left"
                " out, in order): write the same vocabulary in both places.",
            )
            return
        if unordered is not None and e.op in ("<", "<=", ">", ">="):
            hint = f"“{unordered.name}”的词表没有次序：写成 {{甲 < 乙 < 丙}}（由低到高）才能比较高低。"
            hint_en = f"The vocabulary of '{unordered.name}' has no order: write it {{A < B < C}} (lowest first)."
        elif {lt, rt} == {"时刻", "日期"}:
            hint = "日期没有时刻：写成“2019-12-08 24:00”这样的时刻再比较。"
            hint_en = "A date has no time of day: compare with an instant such as 2019-12-08 24:00."
        elif e.op in _SIDES_ALIKE:
            zh, en = _WRITTEN.get(lt, (lt, _WORDS_EN.get(lt, lt)))
            hint = f"两边须同类型，比较{lt}时另一边也写成{zh}。"
            hint_en = f"Both sides must have one type: compare {_WORDS_EN.get(lt, lt)} with {en}."
        _mismatch(
            self.out,
            e,
            f"“{e.written}”不能比较{lt}与{rt}",
            f"'{e.written}' cannot compare {_WORDS_EN.get(lt, lt)} with {_WORDS_EN.get(rt, rt)}",
            hint,
            hint_en,
        )

    def entry_site(self, s: EntrySite) -> None:
        saved, self.entry = self.entry, s.source
        try:
            t = self.infer(s.expr, None, None, aggregate=False)
            ranked = (v := vocab_of(self.policy, s.expr, None, s.source)) is not None and v.ordered
        finally:
            self.entry = saved
        if s.want == "有序":  # a sort value: numbers, dates, instants, or a label with an ordered vocabulary
            if t not in _ORDERED | {"未知"} and not ranked:
                _mismatch(
                    self.out,
                    s.expr,
                    f"{s.what}须可比较大小（数、日期、时刻或有序标签），这里是{t}",
                    f"{s.what} must be ordered (a number, date, instant or ordered label), found {_WORDS_EN.get(t, t)}",
                    "按 后写数值、日期，或声明为有序标签的字段（{甲 < 乙 < 丙}）。",
                    "Sort by a number or a date, or by a label declared in order ({A < B < C}).",
                )
            return
        if s.want == "分组键":  # a group key of a 累计: a value groups compare and sort by
            if t not in _KEYS | {"未知"}:
                _mismatch(
                    self.out,
                    s.expr,
                    f"{s.what}须是数、文本、标签、日期、时刻或是否，这里是{t}",
                    f"{s.what} must be a number, text, label, date, instant or yes/no, found {_WORDS_EN.get(t, t)}",
                    "按日写 每 日期，按年写 每 年份(日期)，按类写 每 类别。",
                    "Group per day with 每 日期, per year with 每 年份(日期), per category with 每 类别.",
                )
            return
        self.want(s, t)

    def site(self, s: Site) -> None:
        self.want(s, self.infer(s.expr, s.item, s.group, aggregate=False))

    def want(self, s: Site | EntrySite, t: str) -> None:
        """E303 when a rule's expression has another type than the rule wants."""
        if s.want != "未知" and t not in (s.want, "未知"):
            _mismatch(
                self.out,
                s.expr,
                f"{s.what}应为{s.want}，这里是{t}",
                f"{s.what} must be {_WORDS_EN[s.want]}, found {_WORDS_EN.get(t, t)}",
                want=s.want,
            )


def _entry_define_exprs(policy: CheckedPolicy) -> set[int]:
    return {id(d.expr) for ds in policy.entry_defines.values() for d in ds.values()}


def _exception_type(typer: _Typer, d: ast.RuleException) -> None:
    """An exception's value has its target's type (the target's kind is checked in check.outcomes)."""
    if d.entry_of is not None:  # 例外 列表.名称: both read in the list's entry scope
        if d.target not in typer.policy.entry_defines.get(d.entry_of, {}) or d.entry_of not in typer.policy.lists:
            return
        want = typer.entry_define_type(d.entry_of, d.target, d.expr)
        saved, typer.entry = typer.entry, d.entry_of
        try:
            got = typer.infer(d.expr, None, None, aggregate=False)
        finally:
            typer.entry = saved
        if "未知" not in (want, got) and want != got:
            _mismatch(
                typer.out,
                d.expr,
                f"例外的值应与“{d.entry_of}.{d.target}”同类型（{want}），这里是{got}",
                f"the exception's value must have the type of '{d.entry_of}.{d.target}' ({_WORDS_EN.get(want, want)}),"
                f" found {_WORDS_EN.get(got, got)}",
                want=want,
            )
        return
    sym = typer.policy.symbols.get(d.target)
    if sym is None or sym.kind != "define":
        return
    want = typer.define_types.get(d.target, "未知")
    got = typer.infer(d.expr, None, None, aggregate=False)
    if "未知" not in (want, got) and want != got:
        _mismatch(
            typer.out,
            d.expr,
            f"例外的值应与“{d.target}”同类型（{want}），这里是{got}",
            f"the exception's value must have the type of '{d.target}' ({_WORDS_EN.get(want, want)}),"
            f" found {_WORDS_EN.get(got, got)}",
            want=want,
        )


def _loop_type(typer: _Typer, each: ast.ForEach, group: tuple[str, ...] | None) -> None:
    """``逐 名 取自 式``: 式 is a list of numbers or texts (E303 otherwise); 名 gets the type of its elements."""
    t = typer.infer(each.source, None, group, aggregate=False)
    if t not in ("数列表", "文本列表", "未知"):
        _mismatch(
            typer.out,
            each.source,
            f"“逐 {each.name} 取自”后应为列表（如 序列(3, 7) 或 [甲, 乙]），这里是{t}",
            f"'逐 {each.name} 取自' takes a list (e.g. 序列(3, 7) or [A, B]), found {_WORDS_EN.get(t, t)}",
            want="数列表",
        )
    element: Type = "数" if t == "数列表" else "文本" if t == "文本列表" else "未知"
    typer.policy.symbols[each.key] = attrs.evolve(typer.policy.symbols[each.key], type=element)


def check_types(policy: CheckedPolicy, out: Collector) -> None:
    """Resolve every name and infer every expression's type against what its place requires."""
    typer = _Typer(policy, out)
    done: set[int] = set()  # the definitions' expressions, typed first
    for kind, name in typing_order(policy):  # per-entry definitions interleaved, so that typing never recurses
        if kind == "逐条":
            list_name, _, entry_name = name.partition(".")
            if list_name in policy.lists:
                typer.entry_define_type(list_name, entry_name, policy.entry_defines[list_name][entry_name].expr)
            continue
        sym = policy.symbols.get(name)
        if sym is not None and isinstance(sym.decl, ast.Define | ast.Result):
            typer.define_types[name] = typer.infer(sym.decl.expr, None, None, aggregate=False)
            if isinstance(sym.decl, ast.Result) and sym.decl.bands:  # a banded result is a number
                typer.site(Site(sym.decl.expr, None, None, "数", f"结果“{name}”"))
            done.add(id(sym.decl.expr))
    for d in policy.module.decls:  # a 逐's variable has the type of its source's elements, known before its rule
        each = d.each if isinstance(d, ast.Requirement | ast.CheckRule) else None
        if each is not None:
            group = (d.group_by or None) if isinstance(d, ast.CheckRule) else None
            _loop_type(typer, each, group)
            done.add(id(each.source))
    for s in sites(policy):
        if id(s.expr) not in done:
            typer.site(s)
    for list_name, defs in policy.entry_defines.items():
        if list_name in policy.lists:  # a 定义 on something else than a list: check.lists reports it
            for name, entry_def in defs.items():
                typer.entry_define_type(list_name, name, entry_def.expr)
    own = _entry_define_exprs(policy)
    for es in entry_sites(policy):
        if id(es.expr) in own or (es.source is not None and policy.root_list(es.source) is None):
            continue  # typed above; or an unknown list or filter, which check.lists reports
        typer.entry_site(es)
    for d in policy.module.decls:
        if isinstance(d, ast.CheckRule):
            if WHOLE_RUN in d.group_by and len(d.group_by) > 1:
                out.add("E329", d.span, name=d.label, keys="、".join(d.group_by))
            for key in d.group_by:
                if key == WHOLE_RUN:
                    continue  # one group of every assessed teacher of the run
                if key not in policy.symbols or policy.symbols[key].kind != "field":
                    zh, en = typer.hint(key, [k for k, v in policy.symbols.items() if v.kind == "field"])
                    out.add(
                        "E301",
                        d.span,
                        name=key,
                        suggestion=zh or "分组只能按教师字段（如 学校、学科）。",
                        suggestion_en=en or "Group by a teacher field such as 学校 or 学科.",
                    )
        if isinstance(d, ast.RuleException):
            _exception_type(typer, d)
        if isinstance(d, ast.Requirement):
            for line in d.lines:
                if isinstance(line.expr, ast.Compare) and line.expr.op in (">=", "<="):
                    for side in (line.expr.left, line.expr.right):
                        t = typer.infer(side, None, None, aggregate=False)
                        if t not in ("数", "未知"):
                            _mismatch(
                                out,
                                side,
                                f"要求的每一行比较两个数，这里是{t}",
                                f"a requirement line compares two numbers, found {_WORDS_EN.get(t, t)}",
                                want="数",
                            )
        if isinstance(d, ast.Part):
            for it in d.items:
                if it.bands is not None and it.bands not in policy.band_tables:
                    zh, en = typer.hint(it.bands, policy.band_tables)
                    out.add("E301", it.bands_span, name=it.bands, suggestion=zh, suggestion_en=en)
