"""Text from the playbook, the roster and the events, made safe to print in Markdown.

Names and free text reach the handbook, the statements and tasks.md as they were typed: a name
`# x` would start a heading, `[a](javascript:…)` a link, `<script>` HTML, a line break a new
block, and an ESC byte would colour a terminal that shows the file. `inline` makes a text one
line that starts none of these; ordinary names come back unchanged, byte for byte (escaping
only what would otherwise be read as Markdown), so outputs stay as they were.

Decisions: line breaks (and tabs) in a one-line text become a space, as Markdown would join
them anyway; any other control character is shown by its Unicode picture (ESC as ␛, NUL as ␀,
DEL as ␡; C1 controls as �), never written as the byte. Escapes are CommonMark backslashes,
which every renderer hides; HTML entities are not needed (an entity never becomes a tag).
"""

from __future__ import annotations

import re

# Every line break str.splitlines knows, and the tab: in a one-line text each is a space.
_SPACES = "\t\n\v\f\r\x1c\x1d\x1e\x85\u2028\u2029"
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# (Tab and line feed are never left to it: they are spaces or kept, as asked.)
_SHOWN = str.maketrans({**{chr(c): chr(0x2400 + c) for c in range(0x20) if c not in (9, 10)}, "\x7f": "\u2421",
                        **{chr(c): "\ufffd" for c in range(0x80, 0xA0)}})
_AS_SPACE = str.maketrans({c: " " for c in _SPACES})
_IN_LINES = str.maketrans({c: "\n" for c in _SPACES if c != "\t"})

# Inline: code spans, link and image brackets, an HTML tag, comment or declaration (`<` before a
# letter, /, ! or ?: `a < 5` stays), and a backslash that would escape what follows it.
_PUNCTUATION = r"!-/:-@\[-`{-~"
_INLINE = re.compile(rf"[`\[\]]|<(?=[A-Za-z/!?])|\\(?=[{_PUNCTUATION}]|$)")
_INLINE_CELL = re.compile(rf"[`\[\]|]|<(?=[A-Za-z/!?])|\\(?=[{_PUNCTUATION}]|$)")
# What starts a block at the start of a line (after up to three spaces): a heading, a quote, a
# list item, a thematic break or setext underline, a fence; an ordered item (`1. `) separately.
_BLOCK = re.compile(r"[ \t]*(?:#{1,6}(?:[ \t]|$)|>|[-+*](?:[ \t]|$)|[-=_*][-=_* \t]*$|~~~)")
_ORDERED = re.compile(r"[ \t]*\d{1,9}(?=[.)](?:[ \t]|$))")


def visible(text: str, lines: bool = False) -> str:
    """`text` without control characters: line breaks and tabs as spaces (`lines`: line breaks
    as "\\n", tabs kept), every other one as its picture (␛, ␀ …)."""
    if not _CONTROL.search(text):
        return text
    if lines:
        text = text.replace("\r\n", "\n")
        return text.translate(_IN_LINES).translate(_SHOWN)
    return text.replace("\r\n", " ").translate(_AS_SPACE).translate(_SHOWN)


def inline(text: object, cell: bool = False) -> str:
    """`text` (str() of it) as one line of Markdown text that starts no heading, list, quote,
    link, image, code span or HTML wherever it is printed; `cell`: `|` escaped too, for a
    table cell."""
    line = visible(str(text))
    pattern = _INLINE_CELL if cell else _INLINE
    if pattern.search(line):
        line = pattern.sub(r"\\\g<0>", line)
    # The backslash goes before the marker (`\# x`), or between an ordered item's number and
    # its dot (`1\. x`).
    if _BLOCK.match(line):
        at = len(line) - len(line.lstrip(" \t"))
    elif ordered := _ORDERED.match(line):
        at = ordered.end()
    else:
        return line
    return f"{line[:at]}\\{line[at:]}"


def cell(text: object) -> str:
    """`inline` for a table cell: `|` escaped too."""
    return inline(text, cell=True)


def text_lines(text: str) -> list[str]:
    """A text of several lines (instructions, a message) split as str.splitlines does, each line
    `inline`: its line breaks stay, but no line starts a block."""
    return [inline(line) for line in visible(text, lines=True).splitlines()]
