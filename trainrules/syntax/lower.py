"""Lark tree to AST: literals become Decimal, dates and instants once, here; bad literals are E2xx diagnostics."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, cast

import attrs
import pendulum
from lark import Token, Tree

from trainrules.diagnostics import Collector
from trainrules.limits import MAX_POLICY_FRACTION_DIGITS, MAX_POLICY_INTEGER_DIGITS
from trainrules.source import Source, Span
from trainrules.syntax import ast
from trainrules.values import MAX_YEAR, MIN_YEAR, ValueProblem, day_problem, wall_instant

__all__ = ["DEFAULT_TZ", "lower"]

#: Ruling G1: the time zone when a policy does not name one.
DEFAULT_TZ = "Asia/Shanghai"
#: Ruling G4: the assumption that 下班前 reads its time from.
CLOSE_OF_BUSINESS = "下班时间"

_CMP = {
    ">=": ">=",
    "≥": ">=",
    "不少于": ">=",
    "不低于": ">=",
    "<=": "<=",
    "≤": "<=",
    "不超过": "<=",
    "不高于": "<=",
    ">": ">",
    "大于": ">",
    "高于": ">",
    "晚于": ">",
    "<": "<",
    "小于": "<",
    "低于": "<",
    "早于": "<",
    "==": "==",
    "等于": "==",
    "!=": "!=",
    "≠": "!=",
    "不等于": "!=",
    "含": "contains",
    "含任一": "contains_any",
    "属于": "in",
}
#: Zone names that are not a place: their rules depend on how the machine is set up.
_MACHINE_ZONES = frozenset({"localtime", "posixrules", "Factory"})
_ARITH = {"+": "+", "-": "-", "*": "*", "×": "*", "/": "/", "÷": "/"}
_DATE_RE = re.compile(r"(\d{4})(?:-|年)(\d{1,2})(?:-|月)(\d{1,2})日?")
_TIME_RE = re.compile(r"(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?")
_MAX_INT_DIGITS = MAX_POLICY_INTEGER_DIGITS
#: The keyword each item statement starts with (the tree keeps no anonymous tokens).
_ITEM_KEYWORDS = {
    "due": "截止",
    "opens": "开放",
    "late_points": "逾期",
    "missing_points": "缺交",
    "valid_when": "有效",
    "item_score": "得分",
    "uses_bands": "档次",
    "submitted_from": "提交时间",
    "item_applies": "适用",
}
_MAX_FRAC_DIGITS = MAX_POLICY_FRACTION_DIGITS

Node = Tree[Token] | Token


class _Lowerer:
    def __init__(self, source: Source, out: Collector) -> None:
        self.source = source
        self.out = out
        self.tz = DEFAULT_TZ
        self.close_of_business: ast.TimeLit | None = None
        self.ok = True
        self.loops = 0  # 逐 statements so far: each gets its own variable key

    # ---------- spans and literals ----------
    def span(self, node: Node) -> Span:
        if isinstance(node, Token):
            start = node.start_pos or 0
            end = node.end_pos if node.end_pos is not None else start + len(node)
            return self.source.span(start, end)
        if node.meta.empty:
            return self.source.span(0, 0)
        return self.source.span(node.meta.start_pos, node.meta.end_pos)

    def error(self, code: str, node: Node, **args: object) -> None:
        self.ok = False
        self.out.add(code, self.span(node), **args)

    def decimal(self, tok: Token) -> Decimal:
        text = str(tok)
        whole, _, frac = text.partition(".")
        if len(whole.lstrip("0")) > _MAX_INT_DIGITS or len(frac) > _MAX_FRAC_DIGITS:
            self.error("E203", tok, text=text)
            return Decimal(0)
        try:
            return Decimal(text)
        except InvalidOperation:  # the grammar only lets digits through; kept as a guard
            self.error("E203", tok, text=text)
            return Decimal(0)

    def date(self, tok: Token) -> pendulum.Date:
        text = str(tok)
        m = _DATE_RE.fullmatch(text)
        reason = _date_problem(m)
        if reason is None:
            return pendulum.Date(*(int(g) for g in m.groups())) if m else pendulum.Date(2000, 1, 1)
        self.error("E201", tok, text=text, reason=reason[0], reason_en=reason[1])
        return pendulum.Date(2000, 1, 1)

    def time(self, tok: Token) -> ast.TimeLit:
        text = str(tok)
        m = _TIME_RE.fullmatch(text)
        hour, minute, second = (int(g) if g else 0 for g in m.groups()) if m else (99, 0, 0)
        bad: tuple[str, str] | None = None
        if hour == 24 and (minute or second):
            bad = "24 时只能写作 24:00（当日结束）", "hour 24 is only 24:00 (the end of the day)"
        elif hour > 24:
            bad = f"一天没有 {hour} 时", f"a day has no hour {hour}"
        elif minute > 59:
            bad = f"一小时没有 {minute} 分", f"an hour has no minute {minute}"
        elif second > 59:
            bad = f"一分钟没有 {second} 秒", f"a minute has no second {second}"
        if bad is not None:
            self.error("E202", tok, text=text, reason=bad[0], reason_en=bad[1])
            hour, minute, second = 0, 0, 0
        return ast.TimeLit(hour=hour, minute=minute, second=second, span=self.span(tok))

    def instant(self, date: pendulum.Date, t: ast.TimeLit, at: Node) -> pendulum.DateTime:
        day, hour = (date.add(days=1), 0) if t.hour == 24 else (date, t.hour)
        try:
            return wall_instant(self.tz, day, hour, t.minute, t.second)
        except ValueProblem as exc:  # a wall time in a DST gap or fold of the plan's zone
            self.error(
                "E202", at, text=f"{date} {t.hour:02d}:{t.minute:02d}", reason=exc.message_zh, reason_en=exc.message_en
            )
            return pendulum.datetime(day.year, day.month, day.day, tz="UTC")

    @staticmethod
    def string(tok: Token) -> str:
        return str(tok)[1:-1]

    def label(self, node: Node) -> str:
        tok = cast(Token, node)
        return self.string(tok) if tok.type == "STRING" else str(tok)

    # ---------- citations ----------
    def cite(self, node: Node | None) -> ast.Citation:
        if node is None:
            return ast.NO_CITATION
        tree = cast(Tree[Token], node)
        ids: list[str] = []
        section = None
        relies: tuple[str, ...] = ()
        relies_spans: tuple[Span, ...] = ()
        for c in tree.children:
            if isinstance(c, Tree):
                names = [cast(Token, n) for n in c.children]
                relies = tuple(str(n) for n in names)
                relies_spans = tuple(self.span(n) for n in names)
            elif c.type == "RULE_ID":
                ids.append(str(c))
            elif c.type == "STRING":
                section = self.string(c)
        return ast.Citation(
            rule_ids=tuple(ids), section=section, relies=relies, span=self.span(tree), relies_spans=relies_spans
        )

    @staticmethod
    def split_cite(children: list[Node]) -> tuple[list[Node], Node | None]:
        if children and isinstance(children[-1], Tree) and children[-1].data in ("cite",):
            return children[:-1], children[-1]
        return children, None

    # ---------- expressions ----------
    def expr(self, node: Node) -> ast.Expr:
        sp = self.span(node)
        if isinstance(node, Token):
            if node.type == "NUMBER":
                return ast.Number(value=self.decimal(node), text=str(node), span=sp)
            if node.type == "STRING":
                return ast.Text(value=self.string(node), span=sp)
            if node.type == "DATE":
                return ast.DateLit(value=self.date(node), span=sp)
            if node.type == "TIME":
                return self.time(node)
            return ast.Ref(path=(str(node),), span=sp)
        kind = node.data
        ch = node.children
        if kind == "number":
            return self.expr(ch[0])
        if kind == "text":
            return ast.Text(value=self.string(cast(Token, ch[0])), span=sp)
        if kind == "date":
            return ast.DateLit(value=self.date(cast(Token, ch[0])), span=sp)
        if kind == "time_of_day":
            return self.time(cast(Token, ch[0]))
        if kind in ("at_time", "at_close", "window"):
            return self.time_expr(node)
        if kind == "ref":
            return ast.Ref(path=tuple(str(c) for c in ch), span=sp)
        if kind == "call":
            func = str(ch[0])
            args = tuple(self.expr(a) for a in ch[1:] if a is not None)
            return ast.Call(func=func, args=args, span=sp)
        if kind == "list":
            return ast.ListExpr(items=tuple(self.expr(a) for a in ch if a is not None), span=sp)
        if kind == "lookup":
            return ast.Lookup(table=str(ch[0]), key=self.expr(ch[1]), span=sp)
        if kind == "percent":
            inner = self.expr(ch[0])
            if not isinstance(inner, ast.Number):
                self.error(
                    "E303",
                    node,
                    what="“%”只能写在数值后面",
                    what_en="'%' must follow a number",
                    hint="写成 5% 这样的形式。",
                    hint_en="Write it like 5%.",
                )
                return inner
            return ast.Number(value=inner.value / 100, text=inner.text + "%", percent=True, span=sp)
        if kind == "quantity":
            unit_tok = cast(Token, ch[1])
            return ast.Quantity(expr=self.expr(ch[0]), unit=str(unit_tok), unit_span=self.span(unit_tok), span=sp)
        if kind == "negate":
            inner = self.expr(ch[0])
            if isinstance(inner, ast.Number) and not inner.percent:
                return ast.Number(value=-inner.value, text="-" + inner.text, span=sp)
            return ast.Unary(op="neg", operand=inner, span=sp)
        if kind == "not_expr":
            return ast.Unary(op="not", operand=self.expr(ch[1]), span=sp)
        if kind in ("sum_chain", "product_chain"):
            rest = tuple((_ARITH[str(ch[i])], self.expr(ch[i + 1])) for i in range(1, len(ch), 2))
            return ast.Chain(
                kind="sum" if kind == "sum_chain" else "product", first=self.expr(ch[0]), rest=rest, span=sp
            )
        if kind in ("or_chain", "and_chain"):
            operands = tuple(self.expr(c) for c in ch if not (isinstance(c, Token) and c.type in ("OR", "AND")))
            return ast.BoolChain(op="or" if kind == "or_chain" else "and", operands=operands, span=sp)
        if kind == "comparison":
            written = str(ch[1])
            op = cast(ast.CompareOp, _CMP[written])
            return ast.Compare(op=op, left=self.expr(ch[0]), right=self.expr(ch[2]), written=written, span=sp)
        if kind == "if_expr":
            return ast.If(cond=self.expr(ch[0]), then=self.expr(ch[1]), otherwise=self.expr(ch[2]), span=sp)
        raise AssertionError(f"unhandled expression form {kind}")  # the grammar has no other forms

    def time_expr(self, node: Tree[Token]) -> ast.Expr:
        """``日期 时刻``, ``日期 下班前`` (two literals fold into one instant literal) and ``[甲 至 乙]``."""
        sp = self.span(node)
        if node.data == "window":
            return ast.Window(start=self.expr(node.children[0]), end=self.expr(node.children[1]), span=sp)
        date = self.expr(node.children[0])
        if node.data == "at_close":
            if self.close_of_business is None:
                self.error(
                    "E305",
                    node,
                    what="“下班前”需要声明下班时间",
                    what_en="'下班前' needs the close-of-business time",
                    hint=f'声明 假设 {CLOSE_OF_BUSINESS} = 17:00 "下班前指当地 17:00" 依据 G4',
                    hint_en=f'Declare 假设 {CLOSE_OF_BUSINESS} = 17:00 "…" 依据 G4',
                )
                return date
            t = self.close_of_business
        else:
            t = self.time(cast(Token, node.children[1]))
        if isinstance(date, ast.DateLit):
            return ast.InstantLit(date=date.value, time=t, value=self.instant(date.value, t, node), span=sp)
        return ast.AtTime(date=date, time=t, close_of_business=node.data == "at_close", span=sp)

    def instant_lit(self, node: Tree[Token]) -> ast.InstantLit:
        d_tok, t_tok = cast(list[Token], node.children)
        d = self.date(d_tok)
        t = self.time(t_tok)
        return ast.InstantLit(date=d, time=t, value=self.instant(d, t, node), span=self.span(node))

    def literal(self, node: Node) -> ast.Value:
        tree = cast(Tree[Token], node)
        tok = cast(Token, tree.children[0])
        sp = self.span(tok) if tree.data == "lit_quantity" else self.span(tree)  # 90 天: the number alone (--set)
        if tree.data in ("lit_number", "lit_quantity"):  # a quantity's unit is read by d_assumption
            return ast.Number(value=self.decimal(tok), text=str(tok), span=sp)
        if tree.data == "lit_percent":
            return ast.Number(value=self.decimal(tok) / 100, text=f"{tok}%", percent=True, span=sp)
        if tree.data == "lit_time":
            return self.time(tok)
        if tree.data == "lit_date":
            return ast.DateLit(value=self.date(tok), span=sp)
        return ast.Text(value=self.string(tok), span=sp)

    # ---------- declarations ----------
    def module(self, tree: Tree[Token]) -> ast.Module:
        self.prescan(tree)
        decls: list[ast.Decl] = []
        for node in tree.children:
            t = cast(Tree[Token], node)
            handler: Callable[[Tree[Token]], Any] = getattr(self, "d_" + str(t.data))
            result = handler(t)
            if isinstance(result, list):
                decls.extend(result)
            else:
                decls.append(result)
        return ast.Module(decls=tuple(decls), span=self.span(tree))

    def prescan(self, tree: Tree[Token]) -> None:
        """Find the time zone and the close-of-business time before any instant is built."""
        for node in tree.children:
            t = cast(Tree[Token], node)
            if t.data == "plan":
                for stmt in t.children[1:]:
                    if isinstance(stmt, Tree) and stmt.data == "plan_tz":
                        tok = cast(Token, stmt.children[0])
                        name = self.string(tok)
                        try:
                            if name in _MACHINE_ZONES or name.startswith(("posix/", "right/")):
                                raise ValueError(name)  # names whose meaning depends on the machine
                            pendulum.timezone(name)
                        except Exception:
                            self.error("E204", tok, text=name)
                        else:
                            self.tz = name
            elif t.data == "assumption" and str(t.children[0]) == CLOSE_OF_BUSINESS:
                value = t.children[1]
                if isinstance(value, Tree) and value.data == "lit_time":
                    self.close_of_business = self.time(cast(Token, value.children[0]))

    def d_plan(self, t: Tree[Token]) -> ast.Plan:
        facts = []
        for stmt in t.children[1:]:
            s = cast(Tree[Token], stmt)
            body, cite = self.split_cite(s.children)
            key = {
                "plan_title": "标题",
                "plan_issuer": "发布单位",
                "plan_issued": "发布日期",
                "plan_source": "来源",
                "plan_tz": "时区",
                "plan_period": "期间",
                "plan_total": "总分",
            }[str(s.data)]
            values: list[str | Decimal | pendulum.Date] = []
            for tok in cast(list[Token], body):
                if tok.type == "STRING":
                    values.append(self.string(tok))
                elif tok.type == "DATE":
                    values.append(self.date(tok))
                else:
                    values.append(self.decimal(tok))
            if key == "期间" and self.ok and len(values) == 2 and values[0] > values[1]:  # type: ignore[operator]  # both are dates here
                self.error("E206", s, low=values[0], high=values[1])
            facts.append(ast.PlanFact(key=key, values=tuple(values), cite=self.cite(cite), span=self.span(s)))
        return ast.Plan(name=self.label(t.children[0]), facts=tuple(facts), span=self.span(t))

    def d_assumption(self, t: Tree[Token]) -> ast.Assumption:
        body, cite = self.split_cite(t.children)
        name = str(body[0])
        value = self.literal(body[1]) if len(body) == 3 else None
        unit, unit_span = None, None
        if len(body) == 3 and isinstance(body[1], Tree) and body[1].data == "lit_quantity":  # 90 天
            unit_tok = cast(Token, body[1].children[1])
            unit, unit_span = str(unit_tok), self.span(unit_tok)
        text = self.string(cast(Token, body[-1]))
        return ast.Assumption(
            name=name, value=value, text=text, cite=self.cite(cite), unit=unit, unit_span=unit_span, span=self.span(t)
        )

    def d_input_block(self, t: Tree[Token]) -> list[ast.InputField | ast.ListDecl]:
        owner = str(t.children[0])
        at = self.span(t.children[0])
        decls: list[ast.InputField | ast.ListDecl] = []
        for f in t.children[1:]:
            ft = cast(Tree[Token], f)
            decl = self.list_decl(ft, owner) if ft.data == "list_decl" else self.field_decl(ft, owner)
            decls.append(attrs.evolve(decl, owner_span=at))
        return decls

    def field_decl(self, ft: Tree[Token], owner: Any) -> ast.InputField:
        body, cite = self.split_cite(ft.children)
        low = high = None
        optional = ordered = False
        vocab: tuple[str, ...] = ()
        unit, unit_span = self.unit_of(body)
        for extra in body[2:]:
            if isinstance(extra, Tree) and extra.data == "unit_of":
                continue
            if isinstance(extra, Tree) and extra.data in ("vocab_set", "vocab_order"):
                vocab = self.vocab(extra, str(body[0]), str(body[1]))
                ordered = extra.data == "vocab_order"
            elif isinstance(extra, Tree):
                low, high = (self.decimal(cast(Token, x)) for x in extra.children)
                if low > high:
                    self.error("E206", extra, low=low, high=high)
            else:
                optional = True
        return ast.InputField(
            owner=owner,
            name=str(body[0]),
            type=cast(Any, str(body[1])),
            low=low,
            high=high,
            optional=optional,
            cite=self.cite(cite),
            vocab=vocab,
            ordered=ordered,
            unit=unit,
            unit_span=unit_span,
            span=self.span(ft),
        )

    def unit_of(self, children: list[Node]) -> tuple[str | None, Span | None]:
        """The ``（单位）`` among a declaration's children, if written."""
        for c in children:
            if isinstance(c, Tree) and c.data == "unit_of":
                tok = cast(Token, c.children[0])
                return str(tok), self.span(tok)
        return None, None

    def d_unit_decl(self, t: Tree[Token]) -> ast.UnitDecl:
        body, cite = self.split_cite(t.children)
        factor = self.decimal(cast(Token, body[1])) if len(body) == 3 else None
        base_tok = cast(Token, body[2]) if len(body) == 3 else None
        return ast.UnitDecl(
            name=str(body[0]),
            factor=factor,
            base=str(base_tok) if base_tok is not None else None,
            base_span=self.span(base_tok) if base_tok is not None else None,
            cite=self.cite(cite),
            span=self.span(t),
        )

    def list_decl(self, t: Tree[Token], owner: Any) -> ast.ListDecl:
        name = str(t.children[0])
        key: Token | None = None
        cite = None
        fields: list[ast.InputField] = []
        rules: list[ast.EntryRule] = []
        for c in t.children[1:]:
            if isinstance(c, Token):
                key = c
            elif c.data == "cite":
                cite = c
            elif c.data == "field_decl":
                fields.append(self.field_decl(c, owner))
            else:
                body, rcite = self.split_cite(c.children)
                rules.append(
                    ast.EntryRule(
                        cond=self.expr(body[0]),
                        reason=self.string(cast(Token, body[1])),
                        cite=self.cite(rcite),
                        span=self.span(c),
                    )
                )
        return ast.ListDecl(
            owner=owner,
            name=name,
            key=str(key) if key is not None else None,
            fields=tuple(fields),
            rules=tuple(rules),
            cite=self.cite(cite),
            key_span=self.span(key) if key is not None else None,
            span=self.span(t),
        )

    def d_accumulate(self, t: Tree[Token]) -> ast.Define:
        """累计 名 = 来源.列 {…}: a teacher-scope definition whose value is the capped accumulation."""
        name, source, column = (cast(Token, c) for c in t.children[:3])
        cite = None
        levels: list[ast.CapLevel] = []
        for c in t.children[3:]:
            ct = cast(Tree[Token], c)
            if ct.data == "cite":
                cite = ct
                continue
            body, scite = self.split_cite(ct.children)
            cap = None
            if body and isinstance(body[-1], Tree) and body[-1].data == "cap_limit":
                cap = self.expr(body[-1].children[0])
                body = body[:-1]
            keys = tuple(self.expr(k) for k in body)
            if len(keys) == 1 and isinstance(keys[0], ast.Ref) and keys[0].path == ("全体",):
                keys = ()  # 每 全体: one group holding every entry
            levels.append(ast.CapLevel(keys=keys, cap=cap, cite=self.cite(scite), span=self.span(ct)))
        acc = ast.Accumulate(
            name=str(name),
            source=str(source),
            column=str(column),
            levels=tuple(levels),
            source_span=self.span(source),
            span=self.span(t),
        )
        return ast.Define(name=str(name), expr=acc, cite=self.cite(cite), span=self.span(t))

    def d_filter_decl(self, t: Tree[Token]) -> ast.FilterDecl:
        name, source = str(t.children[0]), cast(Token, t.children[1])
        cite = None
        steps: list[ast.FilterStep] = []
        for c in t.children[2:]:
            ct = cast(Tree[Token], c)
            if ct.data == "cite":
                cite = ct
                continue
            body, scite = self.split_cite(ct.children)
            sp = self.span(ct)
            if ct.data == "keep_when":
                steps.append(ast.FilterStep(kind="keep", cond=self.expr(body[0]), cite=self.cite(scite), span=sp))
            elif ct.data == "eligible_when":
                reason = self.string(cast(Token, body[1]))
                steps.append(
                    ast.FilterStep(
                        kind="require", cond=self.expr(body[0]), reason=reason, cite=self.cite(scite), span=sp
                    )
                )
            else:
                descending = True
                if isinstance(body[-1], Token) and body[-1].type == "ORDER":
                    descending = str(body[-1]) == "降序"
                    body = body[:-1]
                steps.append(
                    ast.FilterStep(
                        kind="top",
                        keys=tuple(self.expr(k) for k in body[:-2]),
                        count=self.expr(body[-2]),
                        by=self.expr(body[-1]),
                        descending=descending,
                        cite=self.cite(scite),
                        span=sp,
                    )
                )
        return ast.FilterDecl(
            name=name,
            source=str(source),
            steps=tuple(steps),
            cite=self.cite(cite),
            source_span=self.span(source),
            span=self.span(t),
        )

    def vocab(self, t: Tree[Token], name: str, type_: str) -> tuple[str, ...]:
        """The words of a label vocabulary; only a 标签 or 标签集 has one, and each word appears once."""
        if type_ not in ("标签", "标签集"):
            self.error(
                "E323",
                t,
                what=f"只有标签或标签集可以声明词表，“{name}”是{type_}",
                what_en=f"only a 标签 or 标签集 has a vocabulary; '{name}' is {type_}",
                hint=f"把类型改为 标签（如 {name}: 标签 {{…}}），或去掉词表。",
                hint_en=f"Make it a label ({name}: 标签 {{…}}), or remove the vocabulary.",
            )
        words: list[str] = []
        for w in cast(list[Token], t.children):
            word = self.label(w)
            if word in words:
                self.error(
                    "E323",
                    w,
                    what=f"“{word}”在“{name}”的词表中出现了两次",
                    what_en=f"'{word}' appears twice in the vocabulary of '{name}'",
                    hint="每个词只写一次。",
                    hint_en="Write each word once.",
                )
            words.append(word)
        return tuple(words)

    def d_scope_block(self, t: Tree[Token]) -> list[ast.ScopeRule]:
        rules = []
        for s in t.children:
            st = cast(Tree[Token], s)
            body, cite = self.split_cite(st.children)
            kind = cast(Any, "enrolled" if st.data == "enrolled_when" else "exempt")
            rules.append(ast.ScopeRule(kind=kind, cond=self.expr(body[0]), cite=self.cite(cite), span=self.span(st)))
        return rules

    def d_band_table(self, t: Tree[Token]) -> ast.BandTable:
        name = str(t.children[0])
        rest = t.children[1:]
        cite = None
        if rest and isinstance(rest[0], Tree) and rest[0].data == "cite":
            cite, rest = rest[0], rest[1:]
        bands, gaps = [], []
        precision = None
        for s in rest:
            st = cast(Tree[Token], s)
            body, c = self.split_cite(st.children)
            if st.data == "precision":
                if precision is not None:
                    self.error("E306", st, name="精度")
                precision = self.decimal(cast(Token, body[0]))
                continue
            label_node = body[0] if st.data == "band" else None
            rng = cast(Tree[Token], body[1] if st.data == "band" else body[0])
            low, high, high_open = self.band_range(rng, str(label_node) if label_node is not None else "空档")
            if st.data == "band":
                bands.append(
                    ast.Band(
                        label=str(label_node),
                        low=low,
                        high=high,
                        high_open=high_open,
                        cite=self.cite(c),
                        span=self.span(st),
                    )
                )
            else:
                label = self.label(body[1]) if len(body) > 1 else None
                gaps.append(
                    ast.Gap(low=low, high=high, high_open=high_open, label=label, cite=self.cite(c), span=self.span(st))
                )
        return ast.BandTable(
            name=name,
            bands=tuple(bands),
            gaps=tuple(gaps),
            precision=precision,
            cite=self.cite(cite),
            span=self.span(t),
        )

    def band_range(self, rng: Tree[Token], name: str) -> tuple[Decimal, Decimal, bool]:
        """The bounds of a band or gap: ``12 至 17.9``, ``12 至 低于 18``, or ``低于 6`` (from 0)."""
        nums = [self.decimal(t) for t in cast(list[Token], rng.children) if t.type == "NUMBER"]
        if rng.data == "range_under":
            low, high, high_open = Decimal(0), nums[0], True
        else:
            low, high, high_open = nums[0], nums[1], rng.data == "range_below"
        if high_open and low >= high:
            self.error("E408", rng, band=name, low=low, high=high)
        elif low > high:
            self.error("E206", rng, low=low, high=high)
        return low, high, high_open

    def d_lookup_table(self, t: Tree[Token]) -> ast.LookupTable:
        name = str(t.children[0])
        unit, unit_span = self.unit_of(t.children[1:2])
        rest = t.children[2:] if unit is not None else t.children[1:]
        cite = None
        if rest and isinstance(rest[0], Tree) and rest[0].data == "cite":
            cite, rest = rest[0], rest[1:]
        rows = []
        for r in rest:
            rt = cast(Tree[Token], r)
            key_tree = cast(Tree[Token], rt.children[0])
            tok = cast(Token, key_tree.children[0])
            key: str | Decimal = (
                self.decimal(tok)
                if key_tree.data == "key_number"
                else self.string(tok)
                if key_tree.data == "key_text"
                else str(tok)
            )
            rows.append(ast.LookupRow(key=key, value=self.literal(rt.children[1]), span=self.span(rt)))
        return ast.LookupTable(
            name=name, rows=tuple(rows), cite=self.cite(cite), unit=unit, unit_span=unit_span, span=self.span(t)
        )

    def clause(self, st: Tree[Token], expr_node: Node, cite: Node | None) -> ast.Clause:
        return ast.Clause(expr=self.expr(expr_node), cite=self.cite(cite), span=self.span(st))

    def d_part(self, t: Tree[Token]) -> ast.Part:
        name = str(t.children[0])
        max_points = None
        scaled = False
        cite = None
        items: list[ast.Item] = []
        cancel = score = applies = None
        extra: dict[str, Any] = {}
        for c in t.children[1:]:
            if isinstance(c, Token):
                if c.type == "NUMBER":
                    max_points = self.decimal(c)
                else:
                    scaled = True
                continue
            if c.data == "cite":
                cite = c
            elif c.data == "item":
                items.append(self.item(c))
            elif c.data in ("part_bands", "part_applies"):
                body, ccite = self.split_cite(c.children)
                word = "档次" if c.data == "part_bands" else "适用"
                if word in extra:
                    self.error("E306", c, name=word)
                extra[word] = True
                if c.data == "part_bands":
                    extra.update(bands=str(body[0]), bands_span=self.span(body[0]), bands_cite=self.cite(ccite))
                else:
                    applies = self.clause(c, body[0], ccite)
            else:
                body, ccite = self.split_cite(c.children)
                if (cancel if c.data == "cancel_when" else score) is not None:
                    self.error("E306", c, name="取消" if c.data == "cancel_when" else "得分")
                if c.data == "cancel_when":
                    cancel = self.clause(c, body[0], ccite)
                else:
                    score = self.clause(c, body[0], ccite)
        return ast.Part(
            name=name,
            max_points=max_points,
            scaled=scaled,
            cite=self.cite(cite),
            items=tuple(items),
            cancel=cancel,
            score=score,
            bands=extra.get("bands"),
            bands_span=extra.get("bands_span"),
            bands_cite=extra.get("bands_cite", ast.NO_CITATION),
            applies=applies,
            span=self.span(t),
        )

    def item(self, t: Tree[Token]) -> ast.Item:
        name = str(t.children[0])
        max_tree = cast(Tree[Token], t.children[1])
        max_points = self.decimal(cast(Token, max_tree.children[0])) if max_tree.data == "max_points" else None
        fields: dict[str, Any] = {}
        seen: set[str] = set()
        cite = None
        for c in t.children[2:]:
            ct = cast(Tree[Token], c)
            if ct.data == "cite":
                cite = ct
                continue
            body, ccite = self.split_cite(ct.children)
            kind = str(ct.data)
            if kind in seen:
                self.error("E306", ct, name=_ITEM_KEYWORDS[kind])
            seen.add(kind)
            if kind == "due":
                fields["deadline"] = self.deadline(cast(Tree[Token], body[0]))
                fields["deadline_cite"] = self.cite(ccite)
            elif kind == "opens":
                fields["opens"] = self.instant_lit(cast(Tree[Token], body[0]))
                fields["opens_cite"] = self.cite(ccite)
            elif kind == "uses_bands":
                fields["bands"] = str(body[0])
                fields["bands_span"] = self.span(body[0])
                fields["bands_cite"] = self.cite(ccite)
            else:
                key = {
                    "late_points": "late",
                    "missing_points": "missing",
                    "valid_when": "valid",
                    "item_score": "score",
                    "submitted_from": "submitted_from",
                    "item_applies": "applies",
                }[kind]
                fields[key] = self.clause(ct, body[0], ccite)
        return ast.Item(name=name, max_points=max_points, cite=self.cite(cite), span=self.span(t), **fields)

    def deadline(self, t: Tree[Token]) -> ast.Deadline | None:
        toks = cast(list[Token], t.children)
        d = self.date(toks[0])
        written = " ".join(str(x) for x in toks)
        if t.data == "date_only":
            self.error("E205", t, text=str(toks[0]))
            return None
        if t.data == "before_close":
            if self.close_of_business is None:
                self.error(
                    "E305",
                    t,
                    what="“下班前”需要声明下班时间",
                    what_en="'下班前' needs the close-of-business time",
                    hint=f'声明 假设 {CLOSE_OF_BUSINESS} = 17:00 "下班前指当地 17:00" 依据 G4',
                    hint_en=f'Declare 假设 {CLOSE_OF_BUSINESS} = 17:00 "…" 依据 G4',
                )
                return None
            tl = self.close_of_business
            return ast.Deadline(
                kind="before",
                instant=self.instant(d, tl, t),
                written=f"{toks[0]} 下班前",
                close_of_business=True,
                span=self.span(t),
            )
        tl = self.time(toks[1])
        kind = cast(Any, "before" if t.data == "before" else "by")
        return ast.Deadline(kind=kind, instant=self.instant(d, tl, t), written=written, span=self.span(t))

    def d_define(self, t: Tree[Token]) -> ast.Define:
        body, cite = self.split_cite(t.children)
        entry_of = str(body[0]) if len(body) == 3 else None
        return ast.Define(
            name=str(body[-2]), expr=self.expr(body[-1]), cite=self.cite(cite), entry_of=entry_of, span=self.span(t)
        )

    def d_outcome(self, t: Tree[Token]) -> ast.Outcome:
        body, cite = self.split_cite(t.children)
        body, applies = self.split_applies(body)
        grant = self.whole_amount(self.expr(body[1])) if len(body) > 1 else None
        return ast.Outcome(
            cond=self.expr(body[0]), grant=grant, cite=self.cite(cite), applies=applies, span=self.span(t)
        )

    def whole_amount(self, e: ast.Expr) -> ast.Expr:
        """``授予 36 - 篇数 学时``: the unit written last is the whole amount's, as it always was (not 篇数's)."""
        if isinstance(e, ast.Chain) and e.rest:
            op, last = e.rest[-1]
            q = self.whole_amount(last)
            if isinstance(q, ast.Quantity):
                inner = attrs.evolve(
                    e, rest=(*e.rest[:-1], (op, q.expr)), span=self.source.span(e.span.start, q.expr.span.end)
                )
                return attrs.evolve(q, expr=inner, span=e.span)
        if isinstance(e, ast.If):
            q = self.whole_amount(e.otherwise)
            if isinstance(q, ast.Quantity):
                branch = attrs.evolve(e, otherwise=q.expr, span=self.source.span(e.span.start, q.expr.span.end))
                return attrs.evolve(q, expr=branch, span=e.span)
        return e

    def split_applies(self, body: list[Node]) -> tuple[list[Node], ast.Expr | None]:
        """A trailing ``适用 当 条件`` off a statement's children."""
        if body and isinstance(body[-1], Tree) and body[-1].data == "applies":
            return body[:-1], self.expr(body[-1].children[0])
        return body, None

    # ---------- outcomes ----------
    def d_result(self, t: Tree[Token]) -> ast.Result:
        body, cite = self.split_cite(t.children)
        body, applies = self.split_applies(body)
        bands = str(body[2]) if len(body) > 2 else None
        return ast.Result(
            name=self.label(body[0]),
            expr=self.expr(body[1]),
            bands=bands,
            bands_span=self.span(body[2]) if len(body) > 2 else None,
            applies=applies,
            cite=self.cite(cite),
            span=self.span(t),
        )

    def d_requirement(self, t: Tree[Token]) -> ast.Requirement:
        name = self.label(t.children[0])
        applies = None
        cite = None
        each: ast.ForEach | None = None
        lines: list[ast.Need] = []
        for c in t.children[1:]:
            ct = cast(Tree[Token], c)
            if ct.data == "applies":
                applies = self.expr(ct.children[0])
            elif ct.data == "cite":
                cite = ct
            elif ct.data == "for_each_line":
                if each is not None or lines:  # one 逐, before every line: it binds the name for all of them
                    self.error("E353", ct, name=name)
                else:
                    body, ccite = self.split_cite(ct.children)
                    each = self.for_each(body, ccite, ct)
            else:
                body, ccite = self.split_cite(ct.children)
                label = self.label(body[0]) if ct.data == "need_part" else None
                lines.append(ast.Need(label=label, expr=self.expr(body[-1]), cite=self.cite(ccite), span=self.span(ct)))
        if each is not None:
            lines = [attrs.evolve(n, expr=_bind(n.expr, each.name, each.key)) for n in lines]
        return ast.Requirement(
            name=name, applies=applies, lines=tuple(lines), cite=self.cite(cite), span=self.span(t), each=each
        )

    def for_each(self, body: list[Node], cite: Node | None, t: Tree[Token]) -> ast.ForEach:
        """``逐 名 取自 式``: the name's uses in its rule are renamed to a key no policy can write."""
        self.loops += 1
        name = str(body[0])
        return ast.ForEach(
            name=name,
            key=f"{name}@逐{self.loops}",
            source=self.expr(body[1]),
            cite=self.cite(cite),
            span=self.span(t),
        )

    def d_exception(self, t: Tree[Token]) -> ast.RuleException:
        body, cite = self.split_cite(t.children)
        entry_of = str(body[0]) if len(body) == 4 else None  # 例外 列表.名称: an exception to a per-entry definition
        return ast.RuleException(
            target=str(body[-3]),
            expr=self.expr(body[-2]),
            cond=self.expr(body[-1]),
            entry_of=entry_of,
            cite=self.cite(cite),
            span=self.span(t),
        )

    def d_unencoded(self, t: Tree[Token]) -> ast.Unencoded:
        body, cite = self.split_cite(t.children)
        return ast.Unencoded(text=self.string(cast(Token, body[0])), cite=self.cite(cite), span=self.span(t))

    def d_certificate(self, t: Tree[Token]) -> ast.Certificate:
        body, cite = self.split_cite(t.children)
        return ast.Certificate(
            label=self.label(body[0]), cond=self.expr(body[1]), cite=self.cite(cite), span=self.span(t)
        )

    def d_check_rule(self, t: Tree[Token]) -> ast.CheckRule:
        body, cite = self.split_cite(t.children)
        body, applies = self.split_applies(body)
        each = None
        if isinstance(body[-2], Tree) and body[-2].data == "for_each":
            each = self.for_each(list(body[-2].children), None, body[-2])
            body = body[:-2] + body[-1:]
        cond = self.expr(body[-1])
        return ast.CheckRule(
            applies=applies,
            label=self.label(body[0]),
            group_by=tuple(str(b) for b in body[1:-1]),
            cond=_bind(cond, each.name, each.key) if each is not None else cond,
            cite=self.cite(cite),
            span=self.span(t),
            each=each,
        )


def _bind(x: Any, name: str, key: str) -> Any:
    """``x`` with every bare use of the loop variable ``name`` renamed to ``key`` (unchanged nodes kept as they are)."""
    if isinstance(x, ast.Ref):
        return attrs.evolve(x, path=(key,)) if x.path == (name,) else x
    if isinstance(x, tuple):
        new = tuple(_bind(y, name, key) for y in x)
        return x if all(a is b for a, b in zip(new, x, strict=True)) else new
    if not attrs.has(type(x)) or isinstance(x, ast.Citation | Span):
        return x
    changed = {}
    for f in attrs.fields(type(x)):
        if f.name != "span":
            old = getattr(x, f.name)
            new = _bind(old, name, key)
            if new is not old:
                changed[f.name] = new
    return attrs.evolve(x, **changed) if changed else x


def lower(source: Source, tree: Tree[Token], out: Collector) -> ast.Module | None:
    """Lower a parsed tree to the AST; returns None when a literal was invalid (diagnostics say which)."""
    lowerer = _Lowerer(source, out)
    module = lowerer.module(tree)
    return module if lowerer.ok else None


def _date_problem(m: re.Match[str] | None) -> tuple[str, str] | None:
    """Why a written date is not a date (in Chinese and English), or None when it is one."""
    if m is None:
        return "格式应为 年-月-日", "write it as YYYY-MM-DD"
    year, month, day = (int(g) for g in m.groups())
    if not MIN_YEAR <= year <= MAX_YEAR:  # as for records; also keeps 24:00 on the last day in range
        return f"年份应在 {MIN_YEAR} 至 {MAX_YEAR} 之间", f"the year must be between {MIN_YEAR} and {MAX_YEAR}"
    return day_problem(year, month, day)
