"""Label vocabularies: literals compared with a label must be in its vocabulary (E320), and a lookup table read
by a label must have exactly its vocabulary's keys (E321 unknown, E322 missing).

A 标签/标签集 input declares its vocabulary (``级别: 标签 {校级 < 县级 < 市级}``); an item's ``等级`` has the
labels of the band table it uses. Ordered vocabularies allow ``<`` ``>=`` … between labels, by rank.
"""

from __future__ import annotations

import attrs

from trainrules.check.names import did_you_mean
from trainrules.check.walk import children, entry_sites, sites
from trainrules.diagnostics import Collector
from trainrules.functions import LIST_AGGREGATES, list_source
from trainrules.ir import CheckedPolicy, resolve
from trainrules.syntax import ast

__all__ = ["Vocab", "check_labels", "ordered_vocab", "ranked_together", "shown", "vocab_of"]

_SHOWN = 12
_ORDER_OPS = frozenset({"<", "<=", ">", ">="})


@attrs.frozen
class Vocab:
    """The words a label may take, lowest first when ordered, and whose vocabulary it is."""

    name: str
    words: tuple[str, ...]
    ordered: bool


def shown(words: tuple[str, ...]) -> str:
    """A vocabulary as listed in a message (the first dozen words)."""
    head = "、".join(words[:_SHOWN])
    return head + ("、…" if len(words) > _SHOWN else "")


def item_grades(policy: CheckedPolicy, item: ast.Item) -> tuple[str, ...]:
    """The labels an item's 等级 may take: those of the band table it uses (none without one)."""
    table = policy.band_tables.get(item.bands or "")
    if table is None:
        return ()
    labels = [b.label for b in table.bands] + [g.label for g in table.gaps if g.label is not None]
    return tuple(dict.fromkeys(labels))


def vocab_of(policy: CheckedPolicy, e: ast.Expr, item: ast.Item | None, entry: str | None = None) -> Vocab | None:
    """The vocabulary of a label-valued name (an input with one, a list entry's field, or an item's 等级), else None.

    ``entry`` is the list or filter whose entries are in scope: a bare name is first one of their fields.
    """
    if not isinstance(e, ast.Ref):
        return None
    sym = policy.entry_symbol(entry, e.path[0]) if entry is not None and len(e.path) == 1 else None
    if sym is not None and sym.kind == "entry_field":
        decl = sym.decl
        return Vocab(e.dotted, decl.vocab, decl.ordered) if isinstance(decl, ast.InputField) and decl.vocab else None
    sym = resolve(policy, e.path, item)
    if sym is None:
        return None
    if sym.kind in ("field", "group_field"):
        decl = sym.decl
        if isinstance(decl, ast.InputField) and decl.vocab:
            return Vocab(e.dotted, decl.vocab, decl.ordered)
    if sym.kind == "item_input" and sym.name == "等级":
        target = policy.items.get(sym.item)
        words = item_grades(policy, target) if target is not None else ()
        if words:
            return Vocab(e.dotted, words, False)
    return None


def ordered_vocab(
    policy: CheckedPolicy, e: ast.Compare, item: ast.Item | None, entry: str | None = None
) -> Vocab | None:
    """The ordered vocabulary an order comparison (``学历 不低于 "本科"``) ranks by, else None."""
    if e.op not in _ORDER_OPS:
        return None
    left, right = vocab_of(policy, e.left, item, entry), vocab_of(policy, e.right, item, entry)
    v = left or right
    if v is None or not v.ordered:
        return None
    if left is not None and right is not None:
        return ranked_together(left, right)
    other = e.right if left is not None else e.left
    return v if isinstance(other, ast.Text) else None


def ranked_together(a: Vocab, b: Vocab) -> Vocab | None:
    """The vocabulary two ordered labels compare by: the longer one when the shorter's words are in it in the same
    order (``{县级 < 市级}`` and ``{校级 < 县级 < 市级}`` rank alike), else None (their orders may disagree)."""
    if not (a.ordered and b.ordered):
        return None
    short, long = sorted((a, b), key=lambda v: len(v.words))
    rest = iter(long.words)
    return long if all(w in rest for w in short.words) else None


def _literal(out: Collector, vocab: Vocab, lit: ast.Expr) -> None:
    if isinstance(lit, ast.ListExpr):
        for x in lit.items:
            _literal(out, vocab, x)
        return
    if isinstance(lit, ast.Text) and lit.value not in vocab.words:
        zh, en = did_you_mean(lit.value, vocab.words, containing=True)
        out.add(
            "E320",
            lit.span,
            value=lit.value,
            name=vocab.name,
            vocab=shown(vocab.words),
            suggestion=zh or "改正拼写，或在词表中加上这个词。",
            suggestion_en=en or "Fix the spelling, or add the word to the vocabulary.",
        )


class _Labels:
    def __init__(self, policy: CheckedPolicy, out: Collector) -> None:
        self.policy = policy
        self.out = out
        self.seen_keys: set[tuple[str, str]] = set()

    def compare(self, e: ast.Compare, item: ast.Item | None, entry: str | None) -> None:
        for side, other in ((e.left, e.right), (e.right, e.left)):
            v = vocab_of(self.policy, side, item, entry)
            if v is None:
                continue
            if e.op in ("==", "!=", "contains", "contains_any", "in") or e.op in _ORDER_OPS:
                _literal(self.out, v, other)

    def lookup(self, e: ast.Lookup, item: ast.Item | None, defaulted: bool, entry: str | None) -> None:
        v = vocab_of(self.policy, e.key, item, entry)
        table = self.policy.lookup_tables.get(e.table)
        if v is None or table is None:
            if table is not None and isinstance(e.key, ast.Text):
                self.text_key(table, e.key)
            return
        keys = [str(r.key) for r in table.rows]
        for r in table.rows:
            key = str(r.key)
            if key not in v.words and (table.name, key) not in self.seen_keys:
                self.seen_keys.add((table.name, key))
                zh, en = did_you_mean(key, v.words, containing=True)
                self.out.add(
                    "E321",
                    r.span,
                    table=table.name,
                    key=key,
                    name=v.name,
                    vocab=shown(v.words),
                    suggestion=zh or "删去这一行，或在词表中加上这个词。",
                    suggestion_en=en or "Remove the row, or add the word to the vocabulary.",
                )
        missing = tuple(w for w in v.words if w not in keys)
        if missing and not defaulted:
            self.out.add("E322", e.span, table=table.name, name=v.name, missing=shown(missing))

    def text_key(self, table: ast.LookupTable, key: ast.Text) -> None:
        keys = tuple(str(r.key) for r in table.rows)
        if key.value not in keys:
            zh, en = did_you_mean(key.value, keys, containing=True)
            self.out.add(
                "E320",
                key.span,
                value=key.value,
                name=f"对照表 {table.name}",
                vocab=shown(keys),
                suggestion=zh or "改正拼写，或在对照表中加上这一行。",
                suggestion_en=en or "Fix the spelling, or add the row to the table.",
            )

    def walk(self, root: ast.Expr, item: ast.Item | None, entry: str | None = None) -> None:
        stack: list[tuple[ast.Expr, bool, str | None]] = [(root, False, entry)]
        while stack:
            e, defaulted, scope = stack.pop()
            if isinstance(e, ast.Compare):
                self.compare(e, item, scope)
            elif isinstance(e, ast.Lookup):
                self.lookup(e, item, defaulted, scope)
            source = list_source(self.policy, e.args[0]) if isinstance(e, ast.Call) and e.args else None
            if isinstance(e, ast.Call) and e.func in LIST_AGGREGATES and source is not None:
                stack.extend((a, False, source) for a in e.args[1:])  # the condition reads the entries
            elif isinstance(e, ast.Call) and e.func == "取值" and e.args:
                stack.append((e.args[0], True, scope))
                stack.extend((a, False, scope) for a in e.args[1:])
            else:
                stack.extend((c, False, scope) for c in children(e))


def check_labels(policy: CheckedPolicy, out: Collector) -> None:
    """Check every literal compared with a label, and every lookup keyed by one, against the vocabulary."""
    labels = _Labels(policy, out)
    for s in sites(policy):
        labels.walk(s.expr, s.item)
    for es in entry_sites(policy):
        if es.source is None or policy.root_list(es.source) is not None:
            labels.walk(es.expr, None, es.source)
