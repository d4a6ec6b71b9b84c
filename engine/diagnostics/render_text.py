"""Compiler-style text output: a header, the source line, a caret underline and the hint."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from itertools import accumulate

from .diagnostic import Diagnostic, Severity

MAX_WIDTH = 160  # display columns of a source line before it is cut to a window
LEFT_CONTEXT = 40  # display columns kept left of the caret when a line is cut
ELLIPSIS = "…"

# The line breaks ruamel.yaml counts, so frame line numbers match span lines.
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")

# Characters that could move the cursor or reorder text on a terminal (a hostile
# playbook must not be able to restyle or hide parts of the report).
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

_WORDS = {
    "en": {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info", "hint": "hint"},
    "zh": {Severity.ERROR: "错误", Severity.WARNING: "警告", Severity.INFO: "提示", "hint": "提示"},
}

_RESET = "\x1b[0m"
_DIM = "\x1b[2m"
_STYLE = {Severity.ERROR: "\x1b[1;31m", Severity.WARNING: "\x1b[33m", Severity.INFO: "\x1b[36m"}


def render_text(
    diagnostics: Sequence[Diagnostic],
    texts: Mapping[str, str],
    lang: str = "en",
    color: bool = False,
    *,
    files_checked: int | None = None,
) -> str:
    """Render diagnostics for a terminal, each with its source frame, then a summary line."""
    lang = "zh" if lang == "zh" else "en"
    lines_of: dict[str, list[str]] = {}
    blocks: list[str] = []
    for diagnostic in diagnostics:
        file = diagnostic.span.file
        if file not in lines_of:
            text = texts.get(file) or ""
            lines_of[file] = _LINE_BREAK.split(text) if text else []
        blocks.append(_block(diagnostic, lines_of[file], lang, color))
    if files_checked is None:
        files_checked = len({d.span.file for d in diagnostics})
    blocks.append(summary(diagnostics, files_checked, lang))
    return "\n\n".join(blocks) + "\n"


def summary(diagnostics: Sequence[Diagnostic], files_checked: int, lang: str = "en") -> str:
    """The closing line: how many errors and warnings (and notes, if any) in how many files."""
    counts = {level: sum(1 for d in diagnostics if d.level is level) for level in Severity}
    errors, warnings, notes = counts[Severity.ERROR], counts[Severity.WARNING], counts[Severity.INFO]
    if lang == "zh":
        if not diagnostics:
            return f"检查了 {files_checked} 个文件，没有发现问题。"
        line = f"检查了 {files_checked} 个文件：{errors} 个错误、{warnings} 个警告"
        return line + (f"、{notes} 条提示" if notes else "")
    if not diagnostics:
        return f"No problems found in {_count(files_checked, 'file')}."
    parts = [_count(errors, "error"), _count(warnings, "warning")]
    if notes:
        parts.append(_count(notes, "note"))
    return f"{', '.join(parts)} in {_count(files_checked, 'file')} checked"


def display_width(text: str) -> int:
    """Terminal columns `text` takes: East Asian wide and fullwidth characters take two."""
    return sum(_char_width(ch) for ch in text)


def _block(diagnostic: Diagnostic, lines: list[str], lang: str, color: bool) -> str:
    span, level = diagnostic.span, diagnostic.level
    words = _WORDS[lang]
    label = f"{words[level]} {diagnostic.code} {diagnostic.name}"
    if color:
        label = f"{_STYLE[level]}{label}{_RESET}"
    out = [f"{span.file}:{span.line}:{span.col}: {label}: {_clean_words(diagnostic.message(lang))}"]

    number = str(span.line)
    gutter = " " * (max(4, len(number)) + 1)
    bar = f"{gutter} |"
    if color:
        bar = f"{_DIM}{bar}{_RESET}"
    if 1 <= span.line <= len(lines):
        shown, indent, length = _frame(lines[span.line - 1], span.col, _underline_end(diagnostic))
        head = f"{number.rjust(len(gutter))} |"
        if color:
            head = f"{_DIM}{head}{_RESET}"
        carets = "^" * length
        if color:
            carets = f"{_STYLE[level]}{carets}{_RESET}"
        out.append(f"{head} {shown}" if shown else head)
        out.append(f"{bar} {' ' * indent}{carets}")
    hint = diagnostic.hint(lang)
    if hint:
        out.append(f"{gutter} = {words['hint']}: {_clean_words(hint)}")
    return "\n".join(out)


def _underline_end(diagnostic: Diagnostic) -> int:
    # One caret unless the span ends later on the same line; end_line 0 means "same line".
    span = diagnostic.span
    if span.end_line in (0, span.line) and span.end_col > span.col:
        return span.end_col
    return span.col + 1


def _frame(line: str, col: int, end_col: int) -> tuple[str, int, int]:
    """The line as shown, the caret's indent and the underline's length, in display columns."""
    chars = [_clean_char(ch) for ch in line]
    widths = [_char_width(ch) for ch in chars]
    at = list(accumulate(widths, initial=0))  # at[i]: display column where chars[i] starts
    n = len(chars)
    start = min(max(col - 1, 0), n)
    end = min(max(end_col - 1, start + 1), n)

    first, last = 0, n
    if at[n] > MAX_WIDTH:
        # Keep some context left of the caret, but no more blank room right of the line's end than needed.
        first = min(_index_at(at, at[start] - LEFT_CONTEXT), _index_at(at, at[n] - (MAX_WIDTH - 1)))
        budget = MAX_WIDTH - (1 if first else 0)
        last = _last_fitting(at, first, budget)
        if last < n:
            last = _last_fitting(at, first, budget - 1)
    shown = "".join(chars[first:last])
    indent = at[start] - at[first]
    if first:
        shown, indent = ELLIPSIS + shown, indent + 1
    if last < n:
        shown += ELLIPSIS
    length = max(1, at[min(end, last)] - at[start])
    return shown, indent, length


def _index_at(at: list[int], column: int) -> int:
    """The first character index whose start column is at least `column`."""
    for index, start in enumerate(at):
        if start >= column:
            return index
    return len(at) - 1


def _last_fitting(at: list[int], first: int, budget: int) -> int:
    """The largest end index such that chars[first:end] fit in `budget` columns."""
    last = first
    while last + 1 < len(at) and at[last + 1] - at[first] <= budget:
        last += 1
    return last


def _char_width(ch: str) -> int:
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 2
    if unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 1


def _clean_char(ch: str) -> str:
    if ch == "\t":
        return " "
    if ch in _BIDI or unicodedata.category(ch) == "Cc":
        return "\ufffd"
    return ch


def _clean_words(text: str) -> str:
    # Messages quote user text (keys, names); show control characters escaped.
    return "".join(
        ch.encode("unicode_escape").decode("ascii") if ch in _BIDI or unicodedata.category(ch) == "Cc" else ch
        for ch in text
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
