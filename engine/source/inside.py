"""Positions inside a scalar: point at the character of a condition or the line of a template."""

from __future__ import annotations

from engine.diagnostics import Span
from engine.source.nodes import Scalar


def point_at(scalar: Scalar, offset: int, length: int = 1) -> Span:
    """The span of `length` characters starting `offset` characters into the scalar's value."""
    value = str(scalar.value)
    start = scalar.span
    raw_lines = scalar.raw.split("\n")
    if len(raw_lines) == 1:
        found = scalar.raw.find(value) if value else -1
        base = found if found >= 0 else (1 if scalar.style in ("'", '"') else 0)
        col = start.col + base + offset
        return Span(start.file, start.line, col, start.line, col + max(length, 1))
    before = value[:offset]
    line_index = before.count("\n")
    col_in_line = offset - (before.rfind("\n") + 1)
    wanted = value.split("\n")[line_index] if line_index < value.count("\n") + 1 else ""
    for index, raw in enumerate(raw_lines):
        if index < line_index or not wanted.strip():
            continue
        found = raw.find(wanted)
        if found >= 0:
            col = (start.col if index == 0 else 1) + found + col_in_line
            return Span(start.file, start.line + index, col, start.line + index, col + max(length, 1))
    return start


def line_of(scalar: Scalar, lineno: int) -> Span:
    """The span of line `lineno` (1-based) of the scalar's value, as well as it can be found."""
    value = str(scalar.value)
    lines = value.split("\n")
    offset = sum(len(line) + 1 for line in lines[: max(lineno - 1, 0)])
    first = lines[lineno - 1] if 0 < lineno <= len(lines) else ""
    indent = len(first) - len(first.lstrip())
    return point_at(scalar, offset + indent, max(len(first.strip()), 1))
