"""Build the Lark LALR parser once from the shipped grammar; describe terminals in plain words."""

from __future__ import annotations

import functools
import hashlib
import os
import re
import sys
from importlib import resources
from pathlib import Path

import lark
from lark import Lark
from lark.lexer import PatternStr

__all__ = ["WORD", "build_parser", "describe_terminal", "grammar_text", "keywords", "parser"]

# Terminal name -> (Chinese words, English words). Keyword terminals are described by their text.
_WORDS: dict[str, tuple[str, str]] = {
    "NAME": ("名称", "a name"),
    "NUMBER": ("数值", "a number"),
    "STRING": ("带引号的文字", "quoted text"),
    "DATE": ("日期（如 2019-12-15）", "a date (e.g. 2019-12-15)"),
    "TIME": ("时刻（如 12:00）", "a time of day (e.g. 12:00)"),
    "RULE_ID": ("规则编号（如 R004-04）", "a rule id (e.g. R004-04)"),
    "CMP_OP": ("比较符（如 >=、不少于、早于）", "a comparison (e.g. >=, 不少于, 早于)"),
    "ADD_OP": ("“+”或“-”", "'+' or '-'"),
    "MUL_OP": ("“×”或“/”", "'×' or '/'"),
    "PERCENT": ("“%”", "'%'"),
    "_COLON": ("“:”", "':'"),
    "_COMMA": ("“,”", "','"),
    "_LPAR": ("“(”", "'('"),
    "_RPAR": ("“)”", "')'"),
    "LBRACE": ("“{”", "'{'"),
    "RBRACE": ("“}”", "'}'"),
    "LSQB": ("“[”", "'['"),
    "RSQB": ("“]”", "']'"),
    "DOT": ("“.”", "'.'"),
    "EQUAL": ("“=”", "'='"),
    "MINUS": ("“-”", "'-'"),
    "TYPE": (
        "类型（数、整数、文本、时刻、日期、是否、标签、标签集）",
        "a type (数, 整数, 文本, 时刻, 日期, 是否, 标签, 标签集)",
    ),
    "OPTIONAL": ("“可缺”", "'可缺'"),
    "SCALED": ("“按比例折算”", "'按比例折算'"),
    "ORDER": ("“升序”或“降序”", "'升序' or '降序'"),
    "OR": ("“或”", "'或'"),
    "AND": ("“且”", "'且'"),
    "NOT": ("“非”", "'非'"),
    "$END": ("文件结尾", "the end of the file"),
}


def grammar_text() -> str:
    """The grammar source: from the installed package, or from the repository's ``grammars/``."""
    shipped = resources.files("trainrules").joinpath("grammars/policy.lark")
    if shipped.is_file():
        return shipped.read_text(encoding="utf-8")
    repo = Path(__file__).resolve().parents[2] / "grammars" / "policy.lark"
    return repo.read_text(encoding="utf-8")


def _cache_file(grammar: str) -> str | bool:
    """Where the built parse tables are kept between runs, or False for no cache.

    Building the LALR tables takes about a second, loading them a few milliseconds. Lark
    pickles them, so they live only in the user's own cache directory (created private),
    never in a shared temporary one: ``$TRAINRULES_CACHE_DIR``, else ``$XDG_CACHE_HOME/trainrules``,
    else ``~/.cache/trainrules``. ``TRAINRULES_CACHE_DIR=off`` turns the cache off (empty means unset). Lark checks
    a hash of the grammar, its own version and Python's inside the file, rebuilds on any
    mismatch or unreadable file, and carries on without a cache when it cannot write one.
    """
    configured = os.environ.get("TRAINRULES_CACHE_DIR", "").strip()
    if configured.lower() in ("off", "0", "no", "none"):
        return False
    try:
        if configured:
            folder = Path(configured)
        else:
            base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
            folder = Path(base) / "trainrules"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except (OSError, RuntimeError):  # no home directory, a read-only file system, ...
        return False
    key = hashlib.sha256(f"{grammar}|{lark.__version__}|{sys.version_info[:2]}".encode()).hexdigest()[:16]
    return str(folder / f"policy-grammar-{key}.lark")


def build_parser(*, cache: bool = True) -> Lark:
    """Build the LALR parser (strict, so grammar conflicts fail loudly), loading its tables from the cache if asked.

    A parser loaded from the cache lacks ``.grammar`` (what ``hypothesis.extra.lark`` reads):
    the tests that generate text from the grammar build theirs with ``cache=False``.
    """
    grammar = grammar_text()
    return Lark(
        grammar,
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=False,
        strict=True,
        cache=_cache_file(grammar) if cache else False,
    )


@functools.cache
def parser() -> Lark:
    """The one parser of the process (built or loaded on first use)."""
    return build_parser()


@functools.cache
def _patterns() -> dict[str, str]:
    return {t.name: t.pattern.value for t in parser().terminals if isinstance(t.pattern, PatternStr)}


def describe_terminal(name: str, lang: str = "zh") -> str:
    """Plain words for a terminal name; never the grammar's internal name."""
    if name in _WORDS:
        zh, en = _WORDS[name]
        return zh if lang == "zh" else en
    text = _patterns().get(name)
    if text is not None:
        return f"“{text}”" if lang == "zh" else f"'{text}'"
    return "其他内容" if lang == "zh" else "something else"


#: What the lexer reads as a name (NAME in the grammar): a letter, then letters and digits.
WORD = re.compile(r"[^\W\d]\w*")


@functools.cache
def keywords() -> frozenset[str]:
    """Every keyword of the grammar that is spelt like a name (方案, 不少于, 档次, 且, …).

    These are the words the lexer reads as one name when they touch a name (``总分不少于``),
    so they are the words a glued-keyword hint looks for.
    """
    literals = re.findall(r'"([^"\\]+)"', grammar_text())
    return frozenset(w for w in literals if WORD.fullmatch(w))
