"""Positions inside a scalar: point at the character of a condition or the line of a template.

The value of a YAML scalar is not its text as written: quotes, escapes,
folding and block indentation sit between them. We walk the text as written
and note, for each character of the value, the line and column it came from.
"""

from __future__ import annotations

from ..diagnostics import Span
from .nodes import Scalar

_ESCAPE_WIDTH = {"x": 2, "u": 4, "U": 8}


def point_at(scalar: Scalar, offset: int, length: int = 1) -> Span:
    """The span of `length` characters starting `offset` characters into the scalar's value."""
    places = _places(scalar)
    start = scalar.span
    if not places:
        return start
    line, col = places[min(max(offset, 0), len(places) - 1)]
    last_line, last_col = places[min(max(offset + max(length, 1) - 1, 0), len(places) - 1)]
    end_col = last_col + 1 if last_line == line else col + 1
    return Span(start.file, start.line + line, col, start.line + line, end_col)


def line_of(scalar: Scalar, lineno: int) -> Span:
    """The span of line `lineno` (1-based) of the scalar's value, as well as it can be found."""
    value = str(scalar.value)
    lines = value.split("\n")
    if not 0 < lineno <= len(lines):
        return scalar.span
    offset = sum(len(line) + 1 for line in lines[: max(lineno - 1, 0)])
    first = lines[lineno - 1] if 0 < lineno <= len(lines) else ""
    indent = len(first) - len(first.lstrip())
    return point_at(scalar, offset + indent, max(len(first.strip()), 1))


def _places(scalar: Scalar) -> list[tuple[int, int]]:
    # (line offset from the scalar's first line, 1-based column) for each value character
    raw_lines = scalar.raw.split("\n")
    first_col = scalar.span.col
    if scalar.style in ("|", ">"):
        return _block(raw_lines[1:], scalar.style)
    if scalar.style in ("'", '"'):
        return _quoted(raw_lines, first_col, scalar.style)
    return _plain(raw_lines, first_col, str(scalar.value))


def _plain(raw_lines: list[str], first_col: int, value: str) -> list[tuple[int, int]]:
    places: list[tuple[int, int]] = []
    for index, line in enumerate(raw_lines):
        text = line.strip()
        if not text:
            continue
        at = line.find(text)
        if index == 0 and not value.startswith(text):
            at = line.find(value.split("\n")[0].split(" ")[0]) if value else at  # skip an &anchor or !tag
            text = line[at:].strip() if at >= 0 else text
        base = (first_col if index == 0 else 1) + max(at, 0)
        if places:
            places.append(places[-1])  # the space that joins folded lines
        places.extend((index, base + i) for i in range(len(text)))
    return places


def _block(lines: list[str], style: str) -> list[tuple[int, int]]:
    content = [line for line in lines if line.strip()]
    indent = min((len(line) - len(line.lstrip()) for line in content), default=0)
    places: list[tuple[int, int]] = []
    for index, line in enumerate(lines, start=1):
        body = line[indent:].rstrip("\n")
        if places:
            places.append(places[-1])  # the newline (|) or the folding space (>)
        places.extend((index, indent + 1 + i) for i in range(len(body)))
    return places


def _quoted(raw_lines: list[str], first_col: int, quote: str) -> list[tuple[int, int]]:
    places: list[tuple[int, int]] = []
    for index, line in enumerate(raw_lines):
        col0 = first_col if index == 0 else 1
        i = 1 if index == 0 else len(line) - len(line.lstrip())
        if places:
            places.append(places[-1])
        while i < len(line):
            char = line[i]
            if char == quote and quote == "'" and line[i + 1 : i + 2] == "'":
                places.append((index, col0 + i))
                i += 2
            elif char == quote:
                break
            elif char == "\\" and quote == '"' and i + 1 < len(line):
                places.append((index, col0 + i))
                i += 2 + _ESCAPE_WIDTH.get(line[i + 1], 0)
            else:
                places.append((index, col0 + i))
                i += 1
    return places
