"""Build the Lark LALR parser once from the shipped grammar; describe terminals in plain words."""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

from lark import Lark
from lark.lexer import PatternStr

__all__ = ["describe_terminal", "grammar_text", "parser"]

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
    "INPUT_OWNER": ("“教师”或“学校”", "'教师' or '学校'"),
    "OPTIONAL": ("“可缺”", "'可缺'"),
    "SCALED": ("“按比例折算”", "'按比例折算'"),
    "UNIT": ("“学时”或“学分”", "'学时' or '学分'"),
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


@functools.cache
def parser() -> Lark:
    """The one LALR parser (built on first use; strict, so grammar conflicts fail loudly)."""
    return Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=False,
        strict=True,
    )


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
