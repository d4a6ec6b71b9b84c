"""engine/markdown_text: a name printed in Markdown starts no heading, list, quote, link, image,
code span or HTML and holds no control character; an ordinary name comes back unchanged."""

from __future__ import annotations

import pytest

from qunce.markdown_text import cell, inline, text_lines, visible
from tests.core.markdown_checks import HOSTILE, structure


@pytest.mark.parametrize(("name", "shown"), [
    ("# x", "\\# x"),
    ("  ## x", "  \\## x"),
    ("#话题", "#话题"),  # no space: not a heading
    ("[a](javascript:alert(1))", "\\[a\\](javascript:alert(1))"),
    ("![i](http://example.com/i.png)", "!\\[i\\](http://example.com/i.png)"),
    ("[r]: javascript:alert(1)", "\\[r\\]: javascript:alert(1)"),
    ("<script>alert(1)</script>", "\\<script>alert(1)\\</script>"),
    ("<!-- x -->", "\\<!-- x -->"),
    ("a < 5 且 b > 3", "a < 5 且 b > 3"),  # not a tag
    ("a\nb", "a b"),
    ("x\r\n## y", "x ## y"),
    ("a\tb\u2028c", "a b c"),
    ("\x1b[31mred", "\u241b\\[31mred"),
    ("nul\x00del\x7fc1\x9b", "nul\u2400del\u2421c1\ufffd"),
    ("- item", "\\- item"),
    ("-5%", "-5%"),
    ("+ item", "\\+ item"),
    ("* item", "\\* item"),
    ("> quote", "\\> quote"),
    ("1. one", "1\\. one"),
    ("2) two", "2\\) two"),
    ("2027.1 版", "2027.1 版"),
    ("---", "\\---"),
    ("=", "\\="),
    ("~~~", "\\~~~"),
    ("`code`", "\\`code\\`"),
    ("a|b", "a|b"),
    ("a\\", "a\\\\"),
    ("a\\[b", "a\\\\\\[b"),
    ("C:\\temp", "C:\\temp"),  # a backslash before a letter is text already
])
def test_inline(name: str, shown: str) -> None:
    assert inline(name) == shown


@pytest.mark.parametrize("name", ["花漾美妆私域 2027Q1", "福利1群", "王小明", "VIP*会员", "a_b", "A & B", "100% 达成",
                                  "「小美」", "（试运营）", "2027-01 · 月度"])
def test_ordinary_names_are_unchanged(name: str) -> None:
    assert inline(name) == name and cell(name) == name


def test_a_cell_escapes_its_pipes_too() -> None:
    assert cell("a|b") == "a\\|b"
    assert cell("a\\|b") == "a\\\\\\|b"  # the backslash is text: the pipe cannot end the cell


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_name_is_one_line_of_text_wherever_it_is_printed(name: str) -> None:
    for place in ("{}\n", "# {}\n", "- {}\n", "> {}\n", "para\n{}\n", "[{}](#anchor)\n"):
        text = place.format(inline(name))
        assert structure(text) == structure(place.format("x")), (place, text)
    table = "| a | b |\n|---|---|\n| {} | y |\n"
    assert structure(table.format(cell(name))) == structure(table.format("x"))


def test_visible_keeps_lines_when_asked() -> None:
    assert visible("a\r\nb\rc\x1b\td", lines=True) == "a\nb\nc\u241b\td"
    assert visible("plain") == "plain"


def test_text_lines_escape_each_line_as_str_splitlines_splits() -> None:
    assert text_lines("first\n# heading\r\n- item\n\n") == ["first", "\\# heading", "\\- item", ""]
    assert text_lines("one line") == ["one line"]
