"""Policy text to a Lark tree: read and bound the input, parse, and turn syntax errors into E1xx diagnostics."""

from __future__ import annotations

import copy
import functools
import os
import stat
import unicodedata
from pathlib import Path

from lark import Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from trainrules.diagnostics import Collector
from trainrules.limits import MAX_NESTING, MAX_NODES, MAX_POLICY_BYTES
from trainrules.source import Source
from trainrules.syntax.grammar import describe_terminal, parser

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
    return source_from_text(text, name, out)


#: Keywords that start a declaration; when all may come next they are named together.
_DECL_KEYWORDS = ("方案", "假设", "输入", "对象", "档次表", "对照表", "部分", "定义", "合格", "证书", "核查")


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


def _acceptable(text: str, pos: int) -> set[str]:
    """The terminals the parser could take at ``pos``, in the state before the token there is fed.

    Lark's own sets are taken after the default reductions the bad token triggered (so
    ``合格 当 总分 不少于 60 36`` would claim only the end of the file is allowed), and its
    ``accepts`` keeps only upper-case terminal names, dropping every Chinese keyword.
    """
    ip = parser().parse_interactive(text)
    try:
        for tok in ip.iter_parse():
            if (tok.start_pos or 0) >= pos:
                break
    except UnexpectedInput:
        pass  # the lexer stopped at the bad character: the parser is in the state before it
    conf = copy.copy(ip.parser_state.parse_conf)
    conf.callbacks = {}  # trial feeds build no tree
    found = set()
    for name in ip.choices():  # type: ignore[no-untyped-call]  # lark leaves choices() unannotated
        if name not in _terminal_names():
            continue
        trial = ip.copy(deepcopy_values=False)  # type: ignore[no-untyped-call]  # lark leaves copy() unannotated
        trial.parser_state.parse_conf = conf
        try:
            trial.feed_token(Token(name, ""))
        except UnexpectedInput:
            continue
        found.add(name)
    return found


def _report(source: Source, exc: UnexpectedInput, out: Collector) -> None:
    text = source.text
    if isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream or 0
        allowed = _acceptable(text, pos) or set(exc.allowed or ())
        char = text[pos] if pos < len(text) else ""
        hint, hint_en = _expected_words(allowed, "zh"), _expected_words(allowed, "en")
        if char and (char.isspace() or not char.isprintable()):  # shows as nothing: name it
            name = f"U+{ord(char):04X} {unicodedata.name(char, '')}".strip()
            hint = f"这是看不见的字符 {name}，多半是从网页或 Word 复制来的：删掉它，或换成普通空格。"
            hint_en = f"This is the invisible character {name}, often pasted from a web page or Word: delete it"
            hint_en += " or use a plain space."
            char = name
        out.add("E110", source.span(pos, pos + 1), char=char, expected=hint, expected_en=hint_en)
        return
    if isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
        tok: Token = exc.token
        start = tok.start_pos if tok.start_pos is not None else 0
        end = tok.end_pos if tok.end_pos is not None else start + len(str(tok))
        expected = _acceptable(text, start) or set(exc.accepts or exc.expected or ())
        found = f"“{tok}”"
        out.add(
            "E111",
            source.span(start, max(end, start + 1)),
            found=found,
            found_en=f"'{tok}'",
            expected=_expected_words(expected, "zh"),
            expected_en=_expected_words(expected, "en"),
        )
        return
    # end of file
    expected = _acceptable(text, len(text)) or set(getattr(exc, "expected", None) or ())
    block = _open_block(text, len(text))
    if block is not None:
        header, at = block
        line = source.line_col(at)[0]
        context, context_en = (
            f"“{header} {{”（第 {line} 行）尚未闭合",
            f"inside '{header} {{' (line {line}), still open",
        )
    else:
        context, context_en = "一条声明的中途", "in the middle of a declaration"
    end = len(text.rstrip())
    out.add(
        "E112",
        source.span(max(0, end - 1), end) if end else source.span(0, 0),
        context=context,
        context_en=context_en,
        expected=_expected_words(expected, "zh"),
        expected_en=_expected_words(expected, "en"),
    )


def _check_size(source: Source, tree: Tree[Token], out: Collector) -> bool:
    """Count nodes and nesting without recursion; refuse trees beyond the limits."""
    count = 0
    stack: list[tuple[Tree[Token], int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            out.add("E114", source.span(0, 0), limit=MAX_NODES)
            return False
        if depth > MAX_NESTING:
            start = node.meta.start_pos if not node.meta.empty else 0
            out.add("E113", source.span(start, start + 1), limit=MAX_NESTING)
            return False
        stack.extend((c, depth + 1) for c in node.children if isinstance(c, Tree))
    return True


def parse(source: Source, out: Collector) -> Tree[Token] | None:
    """Parse a source; on a syntax error add one E1xx diagnostic and return None."""
    try:
        tree = parser().parse(source.text)
    except (UnexpectedCharacters, UnexpectedToken, UnexpectedEOF) as exc:
        _report(source, exc, out)
        return None
    except UnexpectedInput as exc:  # any other lark input error: report at its position
        pos = getattr(exc, "pos_in_stream", 0) or 0
        out.add("E110", source.span(pos, pos + 1), char=source.text[pos : pos + 1], expected="")
        return None
    except RecursionError:
        out.add("E113", source.span(0, 0), limit=MAX_NESTING)
        return None
    if not _check_size(source, tree, out):
        return None
    return tree
