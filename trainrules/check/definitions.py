"""What depends on what: cycles (E309) and nesting across definitions (E104), without recursion.

A definition, an item, a part's cancel condition, a part and the total are each computed
from expressions that may refer to the others. Evaluation follows those references on
the Python stack, so their chains must be acyclic and bounded: this pass finds every cycle
and measures every expression's depth *including* what it refers to, iteratively (the same
answer on every machine), and runs before any pass that recurses.
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from trainrules.check.walk import children, sites
from trainrules.diagnostics import Collector
from trainrules.functions import LIST_AGGREGATES, list_source
from trainrules.ir import CheckedPolicy, resolve
from trainrules.limits import MAX_DEFINITION_DEPTH
from trainrules.source import Span
from trainrules.syntax import ast

__all__ = ["check_definitions", "define_order", "typing_order"]

#: A computed value: ("定义", name), ("项目", name), ("取消", part), ("适用", part), ("部分", name),
#: ("要求", name), ("总分", ""), a per-entry definition ("逐条", "列表.名称") or a filter ("筛选", name).
Node = tuple[str, str]
_TOTAL: Node = ("总分", "")


@attrs.frozen
class _Edge:
    """One reference: to what, where it is written, and how many expression levels sit above it (1 at the top)."""

    target: Node
    span: Span
    level: int


@attrs.frozen
class _Expr:
    """An expression reduced to what this pass needs: its own nesting and its references in source order."""

    own: int
    edges: tuple[_Edge, ...]
    span: Span


def _scan(policy: CheckedPolicy, e: ast.Expr, item: ast.Item | None, entry: str | None = None) -> _Expr:
    """Own nesting depth and the references of ``e``, in source order (iterative).

    ``entry`` is the list or filter whose entries are in scope; an aggregate over a list reads its
    source (a filter) and its column (a per-entry definition), and its condition in that list's scope.
    """
    own = 0
    edges: list[_Edge] = []
    stack: list[tuple[ast.Expr, int, str | None]] = [(e, 1, entry)]
    while stack:
        x, level, scope = stack.pop()
        own = max(own, level)
        if isinstance(x, ast.Ref):
            target = _entry_target(policy, scope, x.path[0]) if scope is not None and len(x.path) == 1 else None
            target = target or _target(policy, x, item)
            if target is not None:
                edges.append(_Edge(target, x.span, level))
        if isinstance(x, ast.Accumulate):  # reads its source and column, and its keys and caps per entry
            read = [_source_target(policy, x.source), _entry_target(policy, x.source, x.column)]
            edges.extend(_Edge(t, x.source_span or x.span, level + 1) for t in read if t is not None)
            for lv in reversed(x.levels):
                stack.extend(
                    (c, level + 1, x.source) for c in reversed((*lv.keys, *(() if lv.cap is None else (lv.cap,))))
                )
            continue
        source = list_source(policy, x.args[0]) if isinstance(x, ast.Call) and x.args else None
        if isinstance(x, ast.Call) and x.func in LIST_AGGREGATES and source is not None:
            first = x.args[0]
            assert isinstance(first, ast.Ref)  # list_source said so
            read = [_source_target(policy, source)]
            if len(first.path) == 2:
                read.append(_entry_target(policy, source, first.path[1]))
            edges.extend(_Edge(t, first.span, level + 1) for t in read if t is not None)
            stack.extend((c, level + 1, source) for c in reversed(x.args[1:]))
            continue
        stack.extend((c, level + 1, scope) for c in reversed(children(x)))
    return _Expr(own, tuple(edges), e.span)


def _entry_target(policy: CheckedPolicy, source: str, name: str) -> Node | None:
    sym = policy.entry_symbol(source, name)
    return ("逐条", f"{sym.item}.{name}") if sym is not None and sym.kind == "entry_define" else None


def _source_target(policy: CheckedPolicy, source: str) -> Node | None:
    return ("筛选", source) if source in policy.filters else None


def _target(policy: CheckedPolicy, r: ast.Ref, item: ast.Item | None) -> Node | None:
    sym = resolve(policy, r.path, item)
    if sym is None:
        return None
    if sym.kind == "define":
        return ("定义", sym.name)
    if sym.kind == "item":
        return ("项目", sym.name)
    if sym.kind == "on_time":
        return ("项目", sym.item)
    if sym.kind == "part":
        return ("部分", sym.name)
    if sym.kind == "total":
        return _TOTAL
    if sym.kind in ("requirement", "requirement_amount"):
        return ("要求", sym.item or sym.name)
    return None


@attrs.frozen
class _Graph:
    """Every node's expressions and its implicit references (an item reads its part's cancel condition, …)."""

    exprs: dict[Node, tuple[_Expr, ...]]
    implicit: dict[Node, tuple[_Edge, ...]]
    order: tuple[_Expr, ...]  # every expression in source order (a node's, or a rule's such as 合格)


def _graph(policy: CheckedPolicy) -> _Graph:
    exprs: dict[Node, list[_Expr]] = {}
    implicit: dict[Node, list[_Edge]] = {_TOTAL: []}
    order: list[_Expr] = []
    for part in policy.parts:
        implicit[_TOTAL].append(_Edge(("部分", part.name), part.span, 1))
        implicit.setdefault(("部分", part.name), [])
        if part.cancel is not None:
            exprs[("取消", part.name)] = []
            implicit[("部分", part.name)].append(_Edge(("取消", part.name), part.cancel.span, 1))
        if part.applies is not None:  # a part's scope is read by the part and by each of its items
            exprs[("适用", part.name)] = []
            implicit[("部分", part.name)].append(_Edge(("适用", part.name), part.applies.span, 1))
        for it in part.items:
            implicit[("部分", part.name)].append(_Edge(("项目", it.name), it.span, 1))
            implicit[("项目", it.name)] = (
                [_Edge(("取消", part.name), part.cancel.span, 1)] if part.cancel is not None else []
            )
            if part.applies is not None:
                implicit[("项目", it.name)].append(_Edge(("适用", part.name), part.applies.span, 1))
    owner: dict[int, Node] = {}  # the expressions that compute a node, by identity
    for d in policy.module.decls:
        if isinstance(d, ast.Define) and d.entry_of is None:
            owner[id(d.expr)] = ("定义", d.name)
        elif isinstance(d, ast.Result):
            owner[id(d.expr)] = ("定义", d.name)
            if d.applies is not None:
                owner[id(d.applies)] = ("定义", d.name)
        elif isinstance(d, ast.Requirement):
            for e in (d.applies, d.each.source if d.each else None, *(line.expr for line in d.lines)):
                if e is not None:
                    owner[id(e)] = ("要求", d.name)
        elif isinstance(d, ast.RuleException) and d.entry_of is None and d.target in policy.symbols:
            owner[id(d.expr)] = owner[id(d.cond)] = ("定义", d.target)
    for part in policy.parts:
        if part.cancel is not None:
            owner[id(part.cancel.expr)] = ("取消", part.name)
        if part.score is not None:
            owner[id(part.score.expr)] = ("部分", part.name)
        if part.applies is not None:
            owner[id(part.applies.expr)] = ("适用", part.name)
    for s in sites(policy):
        node = ("项目", s.item.name) if s.item is not None else owner.get(id(s.expr))
        scanned = _scan(policy, s.expr, s.item)
        order.append(scanned)
        if node is not None:
            exprs.setdefault(node, []).append(scanned)
    _entry_graph(policy, exprs, implicit, order)
    return _Graph(
        exprs={k: tuple(v) for k, v in exprs.items()},
        implicit={k: tuple(v) for k, v in implicit.items()},
        order=tuple(order),
    )


def _entry_graph(
    policy: CheckedPolicy, exprs: dict[Node, list[_Expr]], implicit: dict[Node, list[_Edge]], order: list[_Expr]
) -> None:
    """Per-entry definitions and filters as nodes: what they read, and a filter's source filter."""
    for list_name, defs in policy.entry_defines.items():
        if list_name in policy.lists:
            for d in defs.values():
                scanned = _scan(policy, d.expr, None, list_name)
                exprs.setdefault(("逐条", f"{list_name}.{d.name}"), []).append(scanned)
                order.append(scanned)
    for f in policy.filters.values():
        node: Node = ("筛选", f.name)
        implicit[node] = [_Edge(("筛选", f.source), f.source_span or f.span, 1)] if f.source in policy.filters else []
        if policy.root_list(f.source) is None:
            continue  # an unknown source (E312), or filters reading each other in a cycle (E309, below)
        for st in f.steps:
            for x in (st.cond, *st.keys, st.by):
                if x is not None:
                    exprs.setdefault(node, []).append(_scan(policy, x, None, f.source))
            if st.count is not None:
                exprs.setdefault(node, []).append(_scan(policy, st.count, None))
    for lst in policy.lists.values():
        order.extend(_scan(policy, r.cond, None, lst.name) for r in lst.rules)


def _edges(g: _Graph, node: Node) -> Iterator[_Edge]:
    for x in g.exprs.get(node, ()):
        yield from x.edges
    yield from g.implicit.get(node, ())


def _label(node: Node, lang: str) -> str:
    kind, name = node
    if kind == "取消":
        return f"{name}的取消条件" if lang == "zh" else f"the cancel condition of {name}"
    if kind == "适用":
        return f"{name}的适用条件" if lang == "zh" else f"the scope of {name}"
    return name or kind


class _Walk:
    """One iterative depth-first walk over the graph: cycles as found, then each node's depth."""

    def __init__(self, graph: _Graph, out: Collector) -> None:
        self.g = graph
        self.out = out
        self.state: dict[Node, int] = {}  # 1 on the current path, 2 done
        self.depth: dict[Node, int] = {}
        self.via: dict[Node, Node | None] = {}  # the next node on the deepest path
        self.finished: list[Node] = []  # post-order: what a node needs comes before it
        self.cycles = 0

    def visit(self, start: Node) -> None:
        if start in self.state:
            return
        path = [start]
        stack = [_edges(self.g, start)]
        self.state[start] = 1
        while stack:
            edge = next(stack[-1], None)
            if edge is None:
                stack.pop()
                node = path.pop()
                self.state[node] = 2
                self._finish(node)
                continue
            t = edge.target
            seen = self.state.get(t)
            if seen is None:
                self.state[t] = 1
                path.append(t)
                stack.append(_edges(self.g, t))
            elif seen == 1:
                self.cycles += 1
                ring = [*path[path.index(t) :], t]
                self.out.add(
                    "E309",
                    edge.span,
                    name=_label(t, "zh"),
                    cycle=_shorten([_label(n, "zh") for n in ring]),
                    cycle_en=_shorten([_label(n, "en") for n in ring]),
                )

    def reach(self, x: _Expr) -> tuple[int, _Edge | None]:
        """The depth of an expression with what it refers to, and the reference on its deepest path."""
        best, via = x.own, None
        for edge in x.edges:
            d = edge.level + self.depth.get(edge.target, 0)
            if d > best:
                best, via = d, edge
        return best, via

    def _finish(self, node: Node) -> None:
        best, via = 0, None
        for x in self.g.exprs.get(node, ()):
            d, e = self.reach(x)
            if d > best:
                best, via = d, e
        for edge in self.g.implicit.get(node, ()):
            d = edge.level + self.depth.get(edge.target, 0)
            if d > best:
                best, via = d, edge
        self.depth[node] = best
        self.via[node] = via.target if via is not None else None
        self.finished.append(node)

    def chain(self, start: Node, lang: str) -> str:
        names = [start]
        while (nxt := self.via.get(names[-1])) is not None and len(names) <= MAX_DEFINITION_DEPTH:
            names.append(nxt)
        return _shorten([_label(n, lang) for n in names])


def _shorten(names: list[str]) -> str:
    """A chain of names for a message: long ones keep their first three and last two."""
    if len(names) > 6:
        names = [*names[:3], "…", *names[-2:]]
    return " → ".join(names)


def _walk(policy: CheckedPolicy, out: Collector) -> _Walk:
    graph = _graph(policy)
    walk = _Walk(graph, out)
    for x in graph.order:  # start from what each rule refers to, in source order (so E309 reads naturally)
        for edge in x.edges:
            walk.visit(edge.target)
    for node in (*graph.exprs, *graph.implicit):
        walk.visit(node)
    return walk


def check_definitions(policy: CheckedPolicy, out: Collector) -> bool:
    """Report cycles (E309) and nesting across definitions beyond the limit (E104); True when there are none.

    Nothing after this pass may run on a policy it refused: the other passes, the compiler
    and the evaluator follow references recursively.
    """
    before = len(out.items)
    walk = _walk(policy, out)
    if walk.cycles:
        return False
    reported: set[tuple[int, int]] = set()
    for x in walk.g.order:
        depth, edge = walk.reach(x)
        if depth <= MAX_DEFINITION_DEPTH:
            continue
        if edge is not None and walk.depth[edge.target] > MAX_DEFINITION_DEPTH:
            continue  # the referenced definition is too deep itself, and is reported where it is written
        span = edge.span if edge is not None else x.span
        if (span.start, span.end) in reported:
            continue
        reported.add((span.start, span.end))
        out.add(
            "E104",
            span,
            name=_label(edge.target, "zh") if edge is not None else span.text,
            depth=depth,
            limit=MAX_DEFINITION_DEPTH,
            chain=walk.chain(edge.target, "zh") if edge is not None else "",
            chain_en=walk.chain(edge.target, "en") if edge is not None else "",
        )
    for node, depth in walk.depth.items():  # a node deep only through implicit references (total → parts → items)
        via = walk.via[node]
        if depth > MAX_DEFINITION_DEPTH and via is not None and walk.depth[via] <= MAX_DEFINITION_DEPTH:
            edge = next((e for e in walk.g.implicit.get(node, ()) if e.target == via), None)
            if edge is not None and (edge.span.start, edge.span.end) not in reported:
                reported.add((edge.span.start, edge.span.end))
                out.add(
                    "E104",
                    edge.span,
                    name=_label(via, "zh"),
                    depth=depth,
                    limit=MAX_DEFINITION_DEPTH,
                    chain=walk.chain(via, "zh"),
                    chain_en=walk.chain(via, "en"),
                )
    return len(out.items) == before


def define_order(policy: CheckedPolicy) -> list[str]:
    """The definitions, each after every definition it refers to (for a policy without cycles)."""
    walk = _walk(policy, Collector())
    return [name for kind, name in walk.finished if kind == "定义"]


def typing_order(policy: CheckedPolicy) -> list[Node]:
    """Definitions ("定义", name) and per-entry definitions ("逐条", "列表.名称"), each after what it reads."""
    walk = _walk(policy, Collector())
    return [node for node in walk.finished if node[0] in ("定义", "逐条")]
