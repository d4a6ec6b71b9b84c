"""What the Markdown outputs' tests check when names are hostile: the same structure as with
plain names (no heading, list, quote, link, image, code span or HTML more or less), nothing
dangerous once rendered, and no control character in the file."""

from __future__ import annotations

import json
import re

import pytest

# Names that would start a heading, a link, HTML, a list, a quote, a code span, a new line, or
# colour a terminal, if printed as they are.
HOSTILE = ("# x", "[a](javascript:alert(1))", "<script>alert(1)</script>", "a\nb", "\x1b[31m", "- item", "> quote",
           "`code", "1. one", "a|b", "![i](http://example.com/i.png)", "<img src=x onerror=alert(1)>", "x\r\n## y",
           "---", "[r]: javascript:alert(1)", "a\\")
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")  # anything but the line feed


def names(hostile: bool, count: int) -> list[str]:
    """`count` names: the hostile ones in turn, or plain ones (n0, n1 …) in their places."""
    return [HOSTILE[i % len(HOSTILE)] if hostile else f"n{i}" for i in range(count)]


def renamed(yaml_text: str, new: dict[str, str]) -> str:
    """`yaml_text` with each plain value (`key: value`, in a block or a flow mapping) that is a key
    of `new` replaced by its new text, quoted (JSON strings are YAML double-quoted scalars)."""
    return re.sub(r"(: )([^\s,{}\[\]]+)(?=[,}\n])",
                  lambda m: m.group(1) + (json.dumps(new[m.group(2)]) if m.group(2) in new else m.group(2)), yaml_text)


def structure(markdown: str) -> list[str]:
    """The Markdown's blocks and, inside them, every element but plain text, as CommonMark (with
    tables and HTML) parses it. A soft line break is text too: a message (several lines, kept)
    may take one more from a name printed in it, which the next line's escaping keeps harmless."""
    markdown_it = pytest.importorskip("markdown_it")
    parser = markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table")
    out = []
    for token in parser.parse(markdown):
        if token.type == "inline":
            out += [f"  {child.type} {child.attrs}" for child in token.children or []
                    if child.type not in ("text", "text_special", "softbreak")]
        else:
            out.append(f"{token.type} {token.tag}")
    return out


def assert_safe(markdown: str, plain: str) -> None:
    """`markdown` (hostile names) has the structure of `plain` (plain names), renders to nothing
    dangerous, and holds no control character."""
    markdown_it = pytest.importorskip("markdown_it")
    assert not CONTROL.search(markdown), repr(CONTROL.search(markdown))
    assert structure(markdown) == structure(plain)
    html = markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    html = re.sub(r'<img src="pay-curve(\.[a-z]+)?\.svg"[^>]*>', "", html)  # qunce's own chart, beside the file
    for bad in ("<script", "<img", 'href="javascript', "<h1>x", "<h2>y", "<li>item", "<li>one"):
        assert bad not in html, bad
