"""Templates of text and `{{ name.attr }}` lookups only are rendered without compiling them
(`sandbox._Direct`): the same text, the same problem with the same line, as the compiled
template; everything else is compiled, once per process."""

from __future__ import annotations

import contextlib
import random
import re
from collections.abc import Iterator
from typing import Any

import pytest
from jinja2 import TemplateSyntaxError

from qunce import sandbox
from qunce.sandbox import TemplateProblem, try_render


class Guarded:
    __slots__ = ("a",)

    def __init__(self) -> None:
        self.a = "x"

    @property
    def boom(self) -> str:
        raise ValueError("boom")


class Huge:
    def __str__(self) -> str:
        return "y" * 20_000


def context() -> dict[str, Any]:
    return {"member": {"nickname": "小美", "points": 120}, "group": {"name": "福利1群"}, "brand": "花漾",
            "obj": Guarded(), "huge": Huge(), "nothing": None, "numbers": [1, 2, 3], "long": "x" * 9_990, "empty": ""}


@pytest.fixture(autouse=True)
def fresh() -> Iterator[None]:
    sandbox._TEMPLATES.clear()
    yield
    sandbox._TEMPLATES.clear()


def compiled(source: str) -> tuple[str | None, TemplateProblem | None]:
    """What the compiled template gives (the way every template rendered before _Direct)."""
    with contextlib.suppress(TemplateSyntaxError):  # it raises again when rendered, as it always did
        sandbox._TEMPLATES[source] = sandbox._env().from_string(source)
    try:
        return try_render(source, context())
    finally:
        sandbox._TEMPLATES.clear()


def shown(result: tuple[str | None, TemplateProblem | None]) -> str:
    return re.sub(r"0[xX][0-9a-fA-F]+", "0x…", repr(result))  # objects' addresses differ between runs


@pytest.mark.parametrize(("source", "expected"), [
    ("欢迎 {{ member.nickname }} 加入{{ group.name }}!", ("欢迎 小美 加入福利1群!", None)),
    ("plain text\r\nsecond line\n", ("plain text\nsecond line", None)),
    ("", ("", None)),
    ("{{ brand }}{# note #}福利群", ("花漾福利群", None)),
    ("{{ nothing }}|{{- empty -}}|", ("None||", None)),
])
def test_direct_templates_render_as_compiled_ones(source: str, expected: tuple[str, None]) -> None:
    assert isinstance(sandbox.compiled(source), sandbox._Direct)
    sandbox._TEMPLATES.clear()
    assert try_render(source, context()) == expected
    assert compiled(source) == expected


@pytest.mark.parametrize(("source", "code", "line"), [
    ("第一行\n{{ member.nick }}", "Q302", 2),
    ("a\nb\n{{ nope }}", "Q302", 3),
    ("{{ obj.__class__ }}", "Q303", 1),
    ("x\n{{ obj.boom }}", "Q305", 2),
    ("{{ huge }}", "Q304", 1),
    ("{{ long }}{{ long }}", "Q304", 1),
    ("{{ member\n.nick }}", "Q302", 2),
])
def test_direct_templates_fail_as_compiled_ones(source: str, code: str, line: int) -> None:
    assert isinstance(sandbox.compiled(source), sandbox._Direct)
    sandbox._TEMPLATES.clear()
    direct = try_render(source, context())
    assert direct[1] is not None
    assert (direct[1].code, direct[1].lineno) == (code, line)
    assert direct == compiled(source)


@pytest.mark.parametrize("source", [
    "{% for n in numbers %}{{ n }}{% endfor %}",
    "{{ numbers | join(',') }}",
    "{{ member['nickname'] }}",
    "{{ self }}",
    "{{ 'x' ~ brand }}",
])
def test_everything_else_is_compiled(source: str) -> None:
    assert not isinstance(sandbox.compiled(source), sandbox._Direct)
    sandbox._TEMPLATES.clear()
    assert shown(try_render(source, context())) == shown(compiled(source))


def test_a_template_that_does_not_parse_is_reported_as_before() -> None:
    found = try_render("a\n{{ member.nickname", context())
    assert found[1] is not None
    assert (found[1].code, found[1].lineno) == ("Q301", 2)
    assert found == compiled("a\n{{ member.nickname")


def test_a_template_is_compiled_once() -> None:
    first = sandbox.compiled("{% for n in numbers %}{{ n }}{% endfor %}")
    assert sandbox.compiled("{% for n in numbers %}{{ n }}{% endfor %}") is first
    assert try_render("{% for n in numbers %}{{ n }}{% endfor %}", context()) == ("123", None)


def test_random_templates_render_as_compiled_ones() -> None:
    rng = random.Random(3)
    names = ["member", "group", "brand", "obj", "huge", "nothing", "numbers", "long", "empty", "nope", "self",
             "range", "member.nickname", "member.nick", "obj.__class__", "obj.a", "obj.boom", "long.upper",
             "group.name.x", "numbers.append", "empty.format"]
    pieces = ["text", "中文", "\n", "\r\n", "{", "}", " ", "{{ %s }}", "{{%s}}", "{{- %s -}}", "{{ %s\n}}", "{{\n%s }}",
              "{# c #}", "{% raw %}{{x}}{% endraw %}", "{{ %s | upper }}", "%", "{% if nothing %}y{% endif %}"]
    direct = 0
    for _ in range(1500):
        source = "".join(p % rng.choice(names) if "%s" in p else p for p in rng.choices(pieces, k=rng.randint(0, 7)))
        sandbox._TEMPLATES.clear()
        direct += isinstance(sandbox.compiled(source), sandbox._Direct) if _parses(source) else 0
        sandbox._TEMPLATES.clear()
        assert shown(try_render(source, context())) == shown(compiled(source)), source
    assert direct > 300


def _parses(source: str) -> bool:
    try:
        sandbox._env().parse(source)
    except Exception:
        return False
    return True
