"""Markdown helpers: table cells, code fences, and tidy blank lines (templates leave runs of
them; a fenced block, a paste-ready text, is kept exactly as rendered)."""

from __future__ import annotations

import re
from typing import Any

_FENCE = re.compile(r"^(`{3,})")


def cell(value: Any) -> str:
    """A Markdown table cell: | escaped, line breaks as <br>."""
    return str(value).replace("|", "\\|").replace("\r\n", "\n").replace("\n", "<br>")


def fence(text: Any) -> str:
    """A code fence longer than any run of backticks inside `text`."""
    longest = max((len(run) for run in re.findall(r"`+", str(text))), default=0)
    return "`" * max(3, longest + 1)


def tidy(text: str) -> str:
    """At most one blank line in a row and no trailing spaces, outside fenced blocks; one final newline."""
    out: list[str] = []
    fence_open: str | None = None
    for line in text.split("\n"):
        match = _FENCE.match(line)
        if fence_open is not None:
            out.append(line)
            if match and line.strip() == fence_open:
                fence_open = None
            continue
        if match:
            fence_open = match.group(1)
        line = line.rstrip()
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n"
