"""The slips clerks make when typing a policy, recognised in the text around a syntax error.

Each finder looks at the text only and proposes a repair; the parser keeps a proposal only
when the repaired text parses past the place that failed (``Trial``), so a hint is never a
guess the grammar would refuse. The finders return plain values; the parser turns them into
E120–E123 and E125–E127 diagnostics.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Collection, Iterator

import attrs

from trainrules.syntax.grammar import WORD, grammar_text, keywords
from trainrules.syntax.prescan import TOKEN

__all__ = [
    "LOOKALIKES",
    "STOPS",
    "WORDY",
    "Glued",
    "KeywordName",
    "Lookalike",
    "QuoteSlip",
    "Trial",
    "Wordy",
    "find_glued",
    "find_keyword_name",
    "find_lookalike",
    "find_quote_slip",
    "find_trailing_stop",
    "find_wordy",
    "glued_hint",
    "glued_splits",
    "next_token_end",
]

#: ``trial(repaired_text, offset)``: whether the repaired text parses, without error, up to ``offset``.
Trial = Callable[[str, int], bool]

#: Characters that look like one the language accepts, and that one. Full-width forms of the
#: ASCII signs, dashes and the minus sign, and the Chinese full stop in a number.
LOOKALIKES: dict[str, str] = {
    "．": ".",
    "。": ".",
    "＜": "<",
    "＞": ">",
    "＝": "=",
    "＋": "+",
    "－": "-",
    "—": "-",
    "–": "-",
    "−": "-",
    "‐": "-",
    "﹣": "-",
    "＊": "*",
    "／": "/",
    "！": "!",
    "［": "[",
    "］": "]",
    "｛": "{",
    "｝": "}",
    "、": ",",
    "＂": '"',
    "＃": "#",
}

_MAX_WORD = 200


def next_token_end(text: str, pos: int) -> int:
    """Where the first token at or after ``pos`` ends (comments and spaces skipped); the text's end if none."""
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if m is None:  # pragma: no cover - "." takes any character but a newline, and "skip" takes those
            return len(text)
        if m.lastgroup != "skip":
            return m.end()
        pos = m.end()
    return len(text)


# ---------- a keyword glued to a name ----------


@attrs.frozen
class Glued:
    """``word`` at ``start`` should have been two words: ``left`` and ``right``."""

    start: int
    word: str
    left: str
    right: str

    @property
    def fixed(self) -> str:
        """The two words with the space, and a number after a keyword spaced off too (``逾期 得 0``)."""
        m = re.fullmatch(r"(\D+?)([0-9０-９]+(?:\.[0-9０-９]+)?)", self.right)
        right = f"{m[1]} {m[2]}" if m is not None and m[1] in keywords() else self.right
        return f"{self.left} {right}"


def glued_splits(word: str) -> Iterator[tuple[str, str]]:
    """Ways to read ``word`` as a keyword and a name (or two keywords): the keyword first, then last.

    Longest keyword first. This is also the hint a name check can give for an undefined
    name such as ``总分不少于`` (the lexer reads a keyword touching a name as one name).
    """
    if len(word) > _MAX_WORD or not WORD.fullmatch(word):
        return
    words = sorted(keywords(), key=lambda k: (-len(k), k))
    for k in words:
        rest = word[len(k) :]
        if word.startswith(k) and rest and WORD.fullmatch(rest):
            yield k, rest
    for k in words:
        rest = word[: -len(k)]
        if word.endswith(k) and rest and WORD.fullmatch(rest):
            yield rest, k


def glued_hint(name: str, known: Collection[str]) -> tuple[str, str] | None:
    """For an undefined ``name``: how it splits into a known name and a keyword, as a hint (zh, en), or None.

    The hook a name check can use: ``总分不少于60`` is one name to the lexer (a name may hold
    digits), so the parser accepts it and only the name check sees that it is undefined; split
    at a keyword after a known name it reads ``总分 不少于 60``.
    """
    if len(name) > _MAX_WORD:
        return None
    for k in sorted(keywords(), key=lambda k: (-len(k), k)):
        i = name.find(k, 1)
        while i != -1:
            left, rest = name[:i], name[i + len(k) :]
            if left in known:
                fixed = " ".join(p for p in (left, k, rest) if p)
                return (
                    f"是不是想写“{fixed}”？在“{left}”和“{k}”之间加空格。",
                    f"Did you mean '{fixed}'? Put a space between {left} and {k}.",
                )
            i = name.find(k, i + 1)
        if name.startswith(k) and name[len(k) :] in known:
            fixed = f"{k} {name[len(k) :]}"
            return (
                f"是不是想写“{fixed}”？在“{k}”和“{name[len(k) :]}”之间加空格。",
                f"Did you mean '{fixed}'? Put a space between {k} and {name[len(k) :]}.",
            )
    return None


def find_glued(text: str, words: list[tuple[int, str]], upto: int, trial: Trial) -> Glued | None:
    """The first of ``words`` (offset, text) that, split in two, lets the parse go on past ``upto``."""
    for start, word in words:
        end = start + len(word)
        for left, right in glued_splits(word):
            repaired = f"{text[:start]}{left} {right}{text[end:]}"
            if trial(repaired, next_token_end(repaired, max(upto, end) + 1)):
                return Glued(start, word, left, right)
    return None


# ---------- a full-width or look-alike character ----------


@attrs.frozen
class Lookalike:
    """The character at ``pos`` should be ``ascii``; ``fixed`` is its word with every such character replaced."""

    pos: int
    char: str
    ascii: str
    fixed: str

    @property
    def name(self) -> str:
        """The Unicode name of the character (for the English message)."""
        return unicodedata.name(self.char, f"U+{ord(self.char):04X}")


def _plausible(run: str, i: int) -> bool:
    """Whether ``run[i]`` can be meant as its ASCII form: ``。`` only inside a number, and ``＃`` only where a
    comment can start (after a space), because ``#`` would hide the rest of the line and so always parse."""
    if run[i] == "。":
        return 0 < i < len(run) - 1 and run[i - 1].isdigit() and run[i + 1].isdigit()
    if run[i] == "＃":
        return i == 0
    return True


def find_lookalike(text: str, start: int, trial: Trial) -> Lookalike | None:
    """A look-alike character in the run of non-space text around ``start``, whose repair lets the parse go on."""
    limit = start - _MAX_WORD
    while start > 0 and start > limit and not text[start - 1].isspace():
        start -= 1
    end = start
    while end < len(text) and not text[end].isspace() and end - start < _MAX_WORD:
        end += 1
    run = text[start:end]
    found = [(i, ch) for i, ch in enumerate(run) if ch in LOOKALIKES and _plausible(run, i)]
    if not found:
        return None
    # All of them at once (``＞＝``), else one kind at a time (a ``—`` in quoted text is not the slip).
    attempts = [(found[0], "".join(LOOKALIKES.get(ch, ch) for ch in run))]
    first: dict[str, int] = {}
    for i, ch in found:
        first.setdefault(ch, i)
    attempts += [((i, ch), run.replace(ch, LOOKALIKES[ch])) for ch, i in first.items()]
    for (i, ch), fixed in attempts:
        repaired = text[:start] + fixed + text[end:]
        if trial(repaired, next_token_end(repaired, end)):
            return Lookalike(start + i, ch, LOOKALIKES[ch], fixed)
    return None


# ---------- quotes ----------

_CLOSER = {'"': '"', "“": "”"}
_QUOTES = '"“”'


@attrs.frozen
class QuoteSlip:
    """A quote opened at ``opened`` is not closed on its line (``at`` is the line's end), or closed by a wrong one.

    ``wrong`` is the mismatched closing quote (at ``at``) to replace by ``closer``; empty when none was found.
    """

    opened: int
    quote: str
    closer: str
    at: int
    wrong: str = ""


def find_quote_slip(text: str, pos: int, trial: Trial) -> QuoteSlip | None:
    """If the character at ``pos`` opens a quote that its line never closes, say how (unclosed, or mismatched)."""
    quote = text[pos : pos + 1]
    closer = _CLOSER.get(quote)
    if closer is None:
        return None
    line_end = text.find("\n", pos)
    line_end = len(text) if line_end == -1 else line_end
    rest = text[pos + 1 : line_end]
    if closer in rest:
        return None
    for i, ch in enumerate(rest):
        if ch in _QUOTES:
            at = pos + 1 + i
            repaired = text[:at] + closer + text[at + 1 :]
            if trial(repaired, next_token_end(repaired, at + 1)):
                return QuoteSlip(pos, quote, closer, at, ch)
            break
    end = len(text[:line_end].rstrip())
    return QuoteSlip(pos, quote, closer, max(end, pos + 1))


# ---------- a keyword spelt another way (或者 for 或) ----------

#: Words a clerk writes for a keyword of a condition, and the keyword.
WORDY: dict[str, str] = {"或者": "或", "并且": "且", "而且": "且"}


@attrs.frozen
class Wordy:
    """``word`` at ``start`` should be the keyword ``keyword``."""

    start: int
    word: str
    keyword: str


def find_wordy(text: str, upto: int, trial: Trial) -> Wordy | None:
    """A wordy keyword on the line of ``upto``, up to the token there, whose replacement parses past it.

    Searched in the text, not the tokens: the reader may take ``或者`` as ``或`` and a name ``者``.
    """
    line_start = text.rfind("\n", 0, upto) + 1
    line = text[line_start : next_token_end(text, upto)]
    for word, keyword in WORDY.items():
        for m in re.finditer(re.escape(word), line):
            start = line_start + m.start()
            shift = len(keyword) - len(word)
            repaired = text[:start] + keyword + text[start + len(word) :]
            if trial(repaired, next_token_end(repaired, max(upto + shift, start + len(keyword)))):
                return Wordy(start, word, keyword)
    return None


# ---------- a full stop at the end of a rule line ----------

#: Sentence-ending full stops a clerk types at the end of a rule, as at the end of a sentence.
STOPS = "。．"


def find_trailing_stop(text: str, pos: int, trial: Trial) -> bool:
    """Whether the character at ``pos`` is a full stop ending its line (before spaces or a comment) whose
    removal lets the parse go on to the next line."""
    if text[pos : pos + 1] not in STOPS:
        return False
    line_end = text.find("\n", pos)
    rest = text[pos + 1 : len(text) if line_end == -1 else line_end].strip()
    if rest and not rest.startswith("#"):
        return False
    repaired = text[:pos] + " " + text[pos + 1 :]  # a space keeps every offset
    return trial(repaired, next_token_end(repaired, pos))


# ---------- a field named after a keyword ----------


@functools.cache
def _field_line() -> re.Pattern[str]:
    """A field declaration at the start of a line: its name and its type word (the grammar's TYPE, or 列表)."""
    m = re.search(r"^TYPE:(.*)$", grammar_text(), re.M)
    types = sorted({*re.findall(r'"([^"]+)"', m[1] if m else ""), "列表"}, key=lambda t: (-len(t), t))
    return re.compile(rf"^[ \t]*([^\W\d]\w*)[ \t]*[:：][ \t]*({'|'.join(types)})(?!\w)", re.M)


@attrs.frozen
class KeywordName:
    """A field named ``word``, a keyword, that the reader takes for the keyword at ``start``; ``fixed`` is a name
    to give it instead. ``declared``: the slip is at the declaration itself (``须: 数`` in a list)."""

    start: int
    word: str
    fixed: str
    declared: bool


def _rename(word: str, type_word: str) -> str:
    return word + ("数" if type_word in ("数", "整数") else "值")


def find_keyword_name(text: str, start: int, trial: Trial, whole: str) -> KeywordName | None:
    """A field named after a keyword, where the reader failed at ``start``: at its declaration (the keyword
    before the colon) or where the field is read on this line; only when renaming it lets the parse go on.

    ``whole`` is the whole source, where the fields are declared (``text`` may have earlier declarations
    blanked out, with every offset kept)."""
    kws = keywords()
    line_start = text.rfind("\n", 0, start) + 1
    m = _field_line().match(text, line_start)
    if m is not None and m[1] in kws and m.end(1) <= start < m.end():
        fixed = _rename(m[1], m[2])
        repaired = text[: m.start(1)] + fixed + text[m.end(1) :]
        if trial(repaired, next_token_end(repaired, start + len(fixed) - len(m[1]))):
            return KeywordName(m.start(1), m[1], fixed, True)
    declared = {d[1]: d[2] for d in _field_line().finditer(whole) if d[1] in kws}
    line_end = next_token_end(text, start)
    for word, type_word in declared.items():
        fixed = _rename(word, type_word)
        for use in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", text[line_start:line_end]):
            at = line_start + use.start()
            repaired = text[:at] + fixed + text[at + len(word) :]
            if trial(repaired, next_token_end(repaired, start + len(fixed) - len(word))):
                return KeywordName(at, word, fixed, False)
    return None
