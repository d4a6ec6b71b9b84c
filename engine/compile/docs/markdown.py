"""Markdown helpers: the view model's text made safe, table cells, code fences, and tidy blank
lines (templates leave runs of them; a fenced block, a paste-ready text, is kept exactly as
rendered)."""

from __future__ import annotations

import re
from typing import Any

from ...markdown_text import inline, visible

# View-model keys whose text is printed whole in a code fence (paste-ready messages): only its
# control characters go; its lines and characters stay as the team wrote them.
PASTE_KEYS = frozenset({"text"})

_FENCE = re.compile(r"^(`{3,})")


def escaped(context: dict[str, Any]) -> dict[str, Any]:
    """The view model with every text from the playbook `inline` (a name cannot start a heading,
    link or HTML, nor hold a control character), for the Markdown templates, the team's own
    included. The handbook's words (`t`) are qunce's own and stay as they are."""
    return {key: value if key == "t" else _escape(value, key) for key, value in context.items()}


def _escape(value: Any, key: str) -> Any:
    if isinstance(value, str):
        return visible(value, lines=True) if key in PASTE_KEYS else inline(value)
    if isinstance(value, dict):
        return {k: _escape(v, k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_escape(v, key) for v in value)
    return value


def controls_shown(value: Any) -> Any:
    """The view model without control characters (shown as ␛ …; line breaks kept), for the
    HTML handbook: autoescaping makes names safe there, not an ESC byte in the file."""
    if isinstance(value, str):
        return visible(value, lines=True)
    if isinstance(value, dict):
        return {k: controls_shown(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(controls_shown(v) for v in value)
    return value


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
