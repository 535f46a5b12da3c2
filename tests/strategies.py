"""All hypothesis strategies of the test suite: text soup, and policy text drawn from the grammar itself."""

from __future__ import annotations

from functools import cache

from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark
from lark.lexer import PatternStr

from trainrules.syntax.grammar import build_parser, parser

__all__ = ["KEYWORDS", "arbitrary_text", "grammar_text", "policy_soup"]


@cache
def _keyword_list() -> tuple[str, ...]:
    return tuple(sorted(t.pattern.value for t in parser().terminals if isinstance(t.pattern, PatternStr)))


#: Every literal word and sign of the grammar (方案, 截止, 前, {, …), to mix into random text.
KEYWORDS = _keyword_list()

_PUNCT = ("：", "，", "（", "）", "％", "“", "”", '"', "#", "\n", "\t", "\u3000", "[", "]", "{", "}", "(", ")")
_CONTROL = ("\x00", "\x01", "\x0b", "\x1b", "\x7f", "\x85", "\ufeff", "\u2028", "\ud7ff", "\U0001f600")
_LITERALS = ("2019-12-15", "24:00", "12：00", "2023-02-29", "25:00", "17.9", "R004-04", "5%", "1" * 20)


def arbitrary_text() -> st.SearchStrategy[str]:
    """Any text at all (every code point hypothesis draws, surrogates excluded by str encoding rules)."""
    return st.text(max_size=300)


def policy_soup() -> st.SearchStrategy[str]:
    """Text made of the grammar's keywords, literals, Chinese, brackets and control characters, in any order."""
    chinese = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF), min_size=1, max_size=4)
    piece = st.one_of(
        st.sampled_from(KEYWORDS),
        st.sampled_from(_PUNCT),
        st.sampled_from(_CONTROL),
        st.sampled_from(_LITERALS),
        chinese,
        st.text(max_size=3),
    )
    sep = st.sampled_from(["", " ", "\n", "  "])
    return st.lists(st.tuples(piece, sep), max_size=60).map(lambda xs: "".join(p + s for p, s in xs))


# ---------- text drawn from the grammar ----------

#: Names that are not keywords: a name spelled exactly like a keyword the lexer accepts in that state (提交时间,
#: 得分 after a citation) is read as the keyword, a known limitation reported separately.
_NAMES = ("甲", "乙", "作业一", "队伍建设", "网络研修", "分数", "字数", "入班时间", "学科", "标记", "x", "折算分")
_DATES = ("2019-12-05", "2019-12-15", "2019-12-31", "2021年9月30日", "2024-02-29", "2023-02-29", "2023-04-31")
_TIMES = ("00:00", "12:00", "24:00", "17:30", "12：00", "08:05:30", "25:00", "24:30")


def _pad(s: str) -> str:
    return f" {s} "


@cache
def _explicit() -> dict[str, st.SearchStrategy[str]]:
    """A strategy for every terminal, each token padded with spaces so adjacent tokens never run together."""
    numbers = st.one_of(
        st.sampled_from(["0", "6", "17.9", "20", "60", "100", "0.05"]),
        st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False).map(str),
    )
    explicit: dict[str, st.SearchStrategy[str]] = {
        "NAME": st.sampled_from(_NAMES),
        "NUMBER": numbers,
        "DATE": st.sampled_from(_DATES),
        "TIME": st.sampled_from(_TIMES),
        "STRING": st.sampled_from(['"兰西县"', "“五（一）网络研修”", '"Asia/Shanghai"', '""', '"优秀"']),
        "RULE_ID": st.sampled_from(["R004-04", "R000-11", "G2", "G7"]),
        "WS": st.sampled_from([" ", "\n", "\t", "\u3000", "\r\n"]),
        "COMMENT": st.just("# 注释\n"),
    }
    out: dict[str, st.SearchStrategy[str]] = {}
    for t in parser().terminals:
        if t.name in explicit:
            strategy = explicit[t.name]
        elif isinstance(t.pattern, PatternStr):
            strategy = st.just(t.pattern.value)
        else:
            strategy = st.from_regex(t.pattern.to_regexp(), fullmatch=True)
        out[t.name] = strategy.map(_pad)
    return out


def grammar_text() -> st.SearchStrategy[str]:
    """Policy text generated from grammars/policy.lark (hazards.md: explicit, whitespace-separated tokens)."""
    return from_lark(build_parser(cache=False), explicit=_explicit())  # from_lark reads .grammar
