"""The Markdown handbook prints names from the playbook escaped: a name cannot start a heading,
link, list, quote or HTML, and no control character reaches the file (the HTML handbook is
autoescaped; it too is kept free of control characters)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from qunce.compile.docs.handbook import render_all
from qunce.model import Playbook
from tests.core.markdown_checks import CONTROL, assert_safe, names

COMPLETE = Path(__file__).resolve().parents[2] / "playbooks" / "brand-complete.yaml"


def named(hostile: bool) -> Playbook:
    """The complete example with its names, descriptions and vars replaced, in the same order,
    by hostile names or by plain ones."""
    data = YAML(typ="safe").load(COMPLETE.read_text(encoding="utf-8"))
    given: Iterator[str] = iter(names(hostile, 500))
    data["playbook"], data["description"] = next(given), next(given)
    for key in ("brand", "brand_full", "campaign"):
        data["vars"][key] = next(given)
    for role in data["roles"].values():
        role["name"], role["description"] = next(given), next(given)
        role["duties"] = [next(given), next(given)]
    for group_type in data["group_types"].values():
        for key in ("name", "purpose", "goal"):
            if key in group_type:
                group_type[key] = next(given)
    rows: list[dict[str, Any]] = [*data["rules"]["banned"], *data["membership"]["levels"], *data["segments"],
                                  *data["lifecycle"], *data["churn"], *data["commission"]["kpis"],
                                  *data["commission"]["bonuses"], *data["sop"]]
    for row in rows:
        if "name" in row:
            row["name"] = next(given)
    for row in data["segments"]:
        row["strategy"] = next(given)
    return Playbook.model_validate(data)


def test_hostile_names_change_nothing_in_the_markdown_but_their_own_text() -> None:
    hostile, plain = named(True), named(False)
    for lang in ("zh", "en"):
        book = render_all(hostile, ("md", "html"), lang)
        assert_safe(book["md"], render_all(plain, ("md",), lang)["md"])
        assert not CONTROL.search(book["html"])
    text = render_all(hostile, ("md",), "en")["md"]
    assert text.startswith("# \\# x · Operations handbook\n")  # the playbook's name `# x`, in the title, as text
    assert "a b" in text and "\u241b\\[31m" in text  # a line break as a space, ESC shown as ␛
    assert "\\[a\\](javascript:alert(1))" in text and "\\<script>alert(1)\\</script>" in text


def test_a_paste_ready_text_keeps_its_lines_and_shows_its_control_characters() -> None:
    book = render_all(named(True), ("md",), "zh")["md"]
    # flash_open's second line uses {{ campaign }}, here ESC [31m: shown as ␛, not escaped (a fence
    # prints its text as it is), and the text keeps its two lines.
    start = book.index("```text\n", book.index('<a id="tpl-flash_open">'))
    lines = book[start:].split("\n")
    assert lines[1].startswith("\u241b[31m") and lines[1].endswith("开营啦！今晚 19:30 护肤顾问直播体验课，")
    assert lines[2:4] == ["课后\u241b[31m预售价只在本群开放 3 天，记得设置提醒⏰", "```"]
    assert "\x1b" not in book
