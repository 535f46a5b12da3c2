"""Policy text to a Lark tree: read and bound the input, parse, and turn syntax errors into E1xx diagnostics.

A syntax error names the clerk's slip where one is recognised (:mod:`trainrules.syntax.slips`),
then reading resumes at the next declaration, so each broken declaration is reported once.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import os
import re
import stat
import unicodedata
from pathlib import Path

import attrs
from lark import Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.parsers.lalr_interactive_parser import InteractiveParser

from trainrules.diagnostics import Collector
from trainrules.limits import MAX_DIAGNOSTICS_SHOWN, MAX_NESTING, MAX_NODES, MAX_POLICY_BYTES
from trainrules.source import Source
from trainrules.syntax.grammar import WORD, describe_terminal, parser
from trainrules.syntax.prescan import prescan
from trainrules.syntax.slips import (
    LOOKALIKES,
    Glued,
    Lookalike,
    QuoteSlip,
    find_glued,
    find_keyword_name,
    find_lookalike,
    find_quote_slip,
    find_trailing_stop,
    find_wordy,
)

__all__ = ["parse", "read_policy", "source_from_text"]

_ALLOWED_CONTROLS = {"\n", "\r", "\t", "\f"}
_MAX_EXPECTED_SHOWN = 10


def source_from_text(text: str, name: str, out: Collector) -> Source | None:
    """Make a Source from text, refusing oversized text and control characters."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:  # Windows (CRLF) and old Mac (CR) line ends: one newline, so lines and comments end there
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_POLICY_BYTES:
        out.add("E102", None, path=name, size=len(text.encode("utf-8", "replace")), limit=MAX_POLICY_BYTES)
        return None
    source = Source(name=name, text=text)
    for i, ch in enumerate(text):
        if (ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0) and ch not in _ALLOWED_CONTROLS:
            out.add("E103", source.span(i, i + 1), codepoint=ord(ch))
            return None
    return source


def read_policy(path: str | os.PathLike[str], out: Collector) -> Source | None:
    """Read a policy file as UTF-8 (a BOM is dropped); any failure is a diagnostic, never an exception."""
    name = os.fspath(path)
    p = Path(name)
    try:
        if p.is_dir():
            out.add(
                "E101",
                None,
                path=name,
                file=name,
                reason="这是一个目录，不是文件（check 可以检查目录中的 .policy 文件，其他命令需要一个策略文件）",
                reason_en="it is a directory, not a file (check takes a directory of .policy files; "
                "the other commands need one policy file)",
            )
            return None
        mode = p.stat().st_mode
        if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):  # opening one would wait for a writer
            out.add("E101", None, path=name, file=name, reason="这不是普通文件", reason_en="it is not a regular file")
            return None
        size = p.stat().st_size
        if size > MAX_POLICY_BYTES:
            out.add("E102", None, path=name, size=size, limit=MAX_POLICY_BYTES)
            return None
        with p.open("rb") as f:  # st_size is 0 for devices and pipes: never read past the limit
            data = f.read(MAX_POLICY_BYTES + 1)
        if len(data) > MAX_POLICY_BYTES:
            out.add("E102", None, path=name, size=f"{MAX_POLICY_BYTES + 1}+", limit=MAX_POLICY_BYTES)
            return None
    except FileNotFoundError:
        out.add("E101", None, path=name, file=name, reason="文件不存在", reason_en="no such file")
        return None
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        out.add("E101", None, path=name, file=name, reason=why, reason_en=why)
        return None
    except ValueError:  # os.stat refuses a path with a NUL character
        out.add(
            "E101", None, path=name, file=name, reason="路径含有空字符（NUL）", reason_en="the path has a NUL character"
        )
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        out.add(
            "E101",
            None,
            path=name,
            file=name,
            reason=f"第 {exc.start + 1} 字节起不是 UTF-8 编码（请另存为 UTF-8）",
            reason_en=f"not UTF-8 from byte {exc.start + 1} on (save it as UTF-8)",
        )
        return None
    source = source_from_text(text, name, out)
    return None if source is None else attrs.evolve(source, sha256=hashlib.sha256(data).hexdigest())


#: Keywords that start a declaration; when all may come next they are named together.
_DECL_KEYWORDS = (
    "方案",
    "假设",
    "输入",
    "对象",
    "档次表",
    "对照表",
    "部分",
    "定义",
    "合格",
    "证书",
    "核查",
    "结果",
    "要求",
    "例外",
    "不编码",
    "单位",
)
#: A line that starts a declaration: a declaration keyword in the first column, then a space, a brace or a quote.
#: Recovery after a syntax error starts again at the next such line.
_DECL_LINE = re.compile(
    r"^(?:" + "|".join(sorted(_DECL_KEYWORDS, key=len, reverse=True)) + r")(?=[ \t\u3000{\"“]|$)", re.MULTILINE
)
_NOT_NEWLINE = re.compile(r"[^\n]")


def _expected_words(names: set[str], lang: str) -> str:
    shown = {n for n in names if n not in ("WS", "COMMENT")}
    words = []
    decl = {n for n in shown if describe_terminal(n, "zh").strip("“”") in _DECL_KEYWORDS}
    if len(decl) >= len(_DECL_KEYWORDS) - 1:
        shown -= decl
        words.append(
            "下一条声明（如 部分、合格、核查）"
            if lang == "zh"
            else "the next declaration (方案, 部分, 合格, 证书, 核查, …)"
        )
    words += sorted({describe_terminal(n, lang) for n in shown})
    if len(words) > _MAX_EXPECTED_SHOWN:
        words = [*words[:_MAX_EXPECTED_SHOWN], "……" if lang == "zh" else "…"]
    if not words:
        return ""
    if lang == "zh":
        return "这里需要：" + "、".join(words)
    return "expected here: " + ", ".join(words)


def _open_block(text: str, pos: int) -> tuple[str, int] | None:
    """The header line of the innermost ``{`` still open at ``pos`` and its offset (strings and comments skipped)."""
    stack: list[int] = []
    i = 0
    closers = {'"': '"', "“": "”"}
    while i < pos:
        ch = text[i]
        if ch in closers:
            j = text.find(closers[ch], i + 1)
            nl = text.find("\n", i + 1)
            i = (j if j != -1 and (nl == -1 or j < nl) else (nl if nl != -1 else len(text))) + 1
            continue
        if ch == "#":
            nl = text.find("\n", i)
            i = len(text) if nl == -1 else nl + 1
            continue
        if ch == "{":
            stack.append(i)
        elif ch == "}" and stack:
            stack.pop()
        i += 1
    if not stack:
        return None
    at = stack[-1]
    start = text.rfind("\n", 0, at) + 1
    return text[start:at].strip(), at


@functools.cache
def _terminal_names() -> frozenset[str]:
    return frozenset(t.name for t in parser().terminals) | {"$END"}


def _recognizer(text: str) -> InteractiveParser:
    """An interactive parser over ``text`` that builds no tree (only recognises): for recovery and trials."""
    ip = parser().parse_interactive(text)
    conf = copy.copy(ip.parser_state.parse_conf)
    conf.callbacks = {}
    ip.parser_state.parse_conf = conf
    return ip


def _state_at(text: str, pos: int) -> tuple[InteractiveParser, list[Token]]:
    """The parser in the state before the token at ``pos`` is fed, and the tokens fed before it."""
    ip = _recognizer(text)
    fed: list[Token] = []
    try:
        for tok in ip.iter_parse():
            if (tok.start_pos or 0) >= pos:
                break
            fed.append(tok)
    except UnexpectedInput:
        pass  # the lexer stopped at the bad character: the parser is in the state before it
    return ip, fed


def _acceptable(ip: InteractiveParser) -> set[str]:
    """The terminals the parser could take next, in the state before the bad token is fed.

    Lark's own sets are taken after the default reductions the bad token triggered (so
    ``合格 当 总分 不少于 60 36`` would claim only the end of the file is allowed), and its
    ``accepts`` keeps only upper-case terminal names, dropping every Chinese keyword.
    """
    found = set()
    for name in ip.choices():  # type: ignore[no-untyped-call]  # lark leaves choices() unannotated
        if name not in _terminal_names():
            continue
        trial = ip.copy(deepcopy_values=False)  # type: ignore[no-untyped-call]  # lark leaves copy() unannotated
        try:
            trial.feed_token(Token(name, ""))
        except UnexpectedInput:
            continue
        found.add(name)
    return found


def _parses_up_to(text: str, upto: int) -> bool:
    """Whether ``text`` parses without a syntax error before offset ``upto`` (a repair's trial)."""
    ip = _recognizer(text)
    try:
        for tok in ip.iter_parse():
            if (tok.start_pos or 0) >= upto:
                return True
    except UnexpectedCharacters as exc:
        return (exc.pos_in_stream or 0) >= upto
    except UnexpectedInput:
        return False
    return True


def _first_error(text: str) -> UnexpectedInput | None:
    """Recognise ``text`` to its end; the first syntax error, or None."""
    ip = _recognizer(text)
    last = None
    try:
        for tok in ip.iter_parse():
            last = tok
        ip.feed_eof(last)  # type: ignore[no-untyped-call]  # lark leaves feed_eof() unannotated
    except UnexpectedInput as exc:
        return exc
    return None


def _word_before(text: str, fed: list[Token], pos: int) -> list[tuple[int, str]]:
    """The last token fed before ``pos``, as (offset, text), when it is a word on the same line."""
    if not fed or not WORD.fullmatch(str(fed[-1])):
        return []
    start = fed[-1].start_pos or 0
    return [] if "\n" in text[start:pos] else [(start, str(fed[-1]))]


def _unclosed_before(text: str, start: int, fed: list[Token]) -> tuple[re.Match[str], str, int] | None:
    """A declaration keyword in the first column where the parser failed (on it or the word after it) while a
    ``{`` before it is still open: the keyword, and the open block's header and offset."""
    for at in (start, fed[-1].start_pos if fed else None):
        if at is None or (at and text[at - 1] != "\n"):
            continue
        keyword = _DECL_LINE.match(text, at)
        if keyword is None:
            continue
        block = _open_block(text, at)
        if block is not None:
            return keyword, block[0], block[1]
    return None


def _add_glued(source: Source, glued: Glued, out: Collector) -> None:
    out.add(
        "E120",
        source.span(glued.start, glued.start + len(glued.word)),
        word=glued.word,
        left=glued.left,
        right=glued.right,
        fixed=glued.fixed,
    )


def _add_lookalike(source: Source, slip: Lookalike, out: Collector) -> None:
    out.add(
        "E121",
        source.span(slip.pos, slip.pos + 1),
        char=slip.char,
        name=slip.name,
        ascii=slip.ascii,
        fixed=slip.fixed,
    )


def _add_quote(source: Source, slip: QuoteSlip, out: Collector) -> None:
    line, column = source.line_col(slip.opened)
    if slip.wrong:
        out.add(
            "E123",
            source.span(slip.at, slip.at + 1),
            open=slip.quote,
            close=slip.wrong,
            fix=slip.closer,
            line=line,
            column=column,
        )
    else:
        out.add("E122", source.span(slip.at, slip.at), quote=slip.quote, closer=slip.closer, line=line, column=column)


def _add_word_slip(source: Source, view: str, start: int, out: Collector) -> bool:
    """E126 for a wordy keyword (或者), E125 for a field named after a keyword; whether one was added."""
    wordy = find_wordy(view, start, _parses_up_to)
    if wordy is not None:
        out.add("E126", source.span(wordy.start, wordy.start + len(wordy.word)), word=wordy.word, keyword=wordy.keyword)
        return True
    named = find_keyword_name(view, start, _parses_up_to, source.text)
    if named is not None:
        out.add("E125", source.span(named.start, named.start + len(named.word)), word=named.word, fixed=named.fixed)
        return True
    return False


def _report(source: Source, view: str, exc: UnexpectedInput, out: Collector) -> int | None:
    """Add the diagnostic for one syntax error in ``view`` (the text, earlier declarations blanked).

    Returns where the error is, or None at the end of the file (nothing left to recover).
    """
    if isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream or 0
        quote = find_quote_slip(view, pos, _parses_up_to)
        if quote is not None:
            _add_quote(source, quote, out)
            return pos
        if find_trailing_stop(view, pos, _parses_up_to):
            out.add("E127", source.span(pos, pos + 1), char=view[pos])
            return pos
        lookalike = find_lookalike(view, pos, _parses_up_to) if view[pos : pos + 1] in LOOKALIKES else None
        if lookalike is not None:
            _add_lookalike(source, lookalike, out)
            return pos
        allowed = _acceptable(_state_at(view, pos)[0]) or set(exc.allowed or ())
        char = view[pos] if pos < len(view) else ""
        hint, hint_en = _expected_words(allowed, "zh"), _expected_words(allowed, "en")
        if char and (char.isspace() or not char.isprintable()):  # shows as nothing: name it
            name = f"U+{ord(char):04X} {unicodedata.name(char, '')}".strip()
            hint = f"这是看不见的字符 {name}，多半是从网页或 Word 复制来的：删掉它，或换成普通空格。"
            hint_en = f"This is the invisible character {name}, often pasted from a web page or Word: delete it"
            hint_en += " or use a plain space."
            char = name
        out.add("E110", source.span(pos, pos + 1), char=char, expected=hint, expected_en=hint_en)
        return pos
    if isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
        tok: Token = exc.token
        start = tok.start_pos if tok.start_pos is not None else 0
        end = tok.end_pos if tok.end_pos is not None else start + len(str(tok))
        ip, fed = _state_at(view, start)
        unclosed = _unclosed_before(view, start, fed)
        if unclosed is not None:
            keyword, header, at = unclosed
            out.add("E124", source.span(keyword.start(), keyword.end()), header=header, line=source.line_col(at)[0])
            return keyword.start()
        lookalike = find_lookalike(view, start, _parses_up_to)
        if lookalike is not None:
            _add_lookalike(source, lookalike, out)
            return start
        if _add_word_slip(source, view, start, out):  # before glued: 或者 is a slip for 或, not 或 + 者 (a unit)
            return start
        words = [(start, str(tok))] if WORD.fullmatch(str(tok)) else []
        glued = find_glued(view, words + _word_before(view, fed, start), start, _parses_up_to)
        if glued is not None:
            _add_glued(source, glued, out)
            return start
        expected = _acceptable(ip) or set(exc.accepts or exc.expected or ())
        out.add(
            "E111",
            source.span(start, max(end, start + 1)),
            found=f"“{tok}”",
            found_en=f"'{tok}'",
            expected=_expected_words(expected, "zh"),
            expected_en=_expected_words(expected, "en"),
        )
        return start
    # end of file
    ip, fed = _state_at(view, len(view))
    last = [(fed[-1].start_pos or 0, str(fed[-1]))] if fed and WORD.fullmatch(str(fed[-1])) else []
    glued = find_glued(view, last, len(view), _parses_up_to)
    if glued is not None:
        _add_glued(source, glued, out)
        return None
    expected = _acceptable(ip) or set(getattr(exc, "expected", None) or ())
    block = _open_block(view, len(view))
    if block is not None:
        header, at = block
        line = source.line_col(at)[0]
        context, context_en = (
            f"“{header} {{”（第 {line} 行）尚未闭合",
            f"inside '{header} {{' (line {line}), still open",
        )
    else:
        context, context_en = "一条声明的中途", "in the middle of a declaration"
    end = len(view.rstrip())
    out.add(
        "E112",
        source.span(max(0, end - 1), end) if end else source.span(0, 0),
        context=context,
        context_en=context_en,
        expected=_expected_words(expected, "zh"),
        expected_en=_expected_words(expected, "en"),
    )
    return None


def _resume_at(text: str, chunk_start: int, error_at: int) -> int | None:
    """Where to parse again after an error: the next declaration line, or this one if the error is its keyword."""
    for m in _DECL_LINE.finditer(text, error_at):
        if m.start() > chunk_start:
            return m.start()
    return None


def _recover(source: Source, first: UnexpectedInput, out: Collector) -> None:
    """Report ``first``, then parse again from the next declaration after each error, up to the diagnostics shown.

    One error per declaration: the rest of a declaration that has an error is skipped, so one
    slip never shows as several errors.
    """
    text = source.text
    chunk_start, view, exc = 0, text, first
    for _ in range(MAX_DIAGNOSTICS_SHOWN):
        at = _report(source, view, exc, out)
        resume = None if at is None else _resume_at(text, chunk_start, at)
        if resume is None:
            return
        # Blank the declarations before (newlines kept, so lines and offsets stay those of the source).
        chunk_start, view = resume, _NOT_NEWLINE.sub(" ", text[:resume]) + text[resume:]
        found = _first_error(view)
        if found is None:
            return
        exc = found


def _check_size(source: Source, tree: Tree[Token], out: Collector) -> bool:
    """Count nodes and nesting without recursion; refuse trees beyond the limits."""
    count = 0
    stack: list[tuple[Tree[Token], int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            out.add("E114", source.span(0, 0), limit=MAX_NODES, unit="个语法节点", unit_en="syntax nodes")
            return False
        if depth > MAX_NESTING:
            start = node.meta.start_pos if not node.meta.empty else 0
            out.add("E113", source.span(start, start + 1), limit=MAX_NESTING)
            return False
        stack.extend((c, depth + 1) for c in node.children if isinstance(c, Tree))
    return True


def parse(source: Source, out: Collector) -> Tree[Token] | None:
    """Parse a source; on syntax errors add E1xx diagnostics (each declaration's first) and return None."""
    if not prescan(source, out):
        return None
    try:
        tree = parser().parse(source.text)
    except UnexpectedInput as exc:
        _recover(source, exc, out)
        return None
    except RecursionError:
        out.add("E113", source.span(0, 0), limit=MAX_NESTING)
        return None
    if not _check_size(source, tree, out):
        return None
    return tree
