"""The template sandbox: rendering, and every failure as a TemplateProblem (Q301–Q305),
quickly, with the tracer restored."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from jinja2 import UndefinedError

from qunce.sandbox import MAX_OUTPUT_CHARS, BudgetExceeded, TemplateProblem, render, try_render


class Secretive:
    _private = "hidden"
    visible = "shown"


CONTEXT: dict[str, Any] = {
    "member": {"nickname": "小美", "points": 120},
    "group": {"name": "福利1群", "members": 128},
    "brand": "花漾",
    "obj": Secretive(),
}


@pytest.fixture(autouse=True)
def quick() -> Iterator[None]:
    # Every template here, hostile or not, must come back well within a second.
    start = time.perf_counter()
    yield
    assert time.perf_counter() - start < 1.0


def problem(source: str) -> TemplateProblem:
    out, found = try_render(source, CONTEXT)
    assert out is None
    assert found is not None
    return found


# --- rendering --------------------------------------------------------------------------


def test_renders_chinese_text() -> None:
    assert render("欢迎 {{ member.nickname }} 加入{{ group.name }}!", CONTEXT) == "欢迎 小美 加入福利1群!"
    assert try_render("{{ brand }}福利{{ 1 + 1 }}群", CONTEXT) == ("花漾福利2群", None)


def test_loops_filters_and_ranges_within_limits() -> None:
    assert render("{% for i in range(3) %}{{ i }}{% endfor %}", CONTEXT) == "012"
    assert render("{{ range(1000)|list|length }}", CONTEXT) == "1000"
    assert render("{{ 'ab' * 3 }}|{{ 2 ** 64 }}", CONTEXT) == "ababab|18446744073709551616"
    assert render("{{ obj.visible }}", CONTEXT) == "shown"


def test_building_within_the_budget_is_fine() -> None:
    assert render("{% set l = [] %}{% for i in range(100) %}{% set _ = l.append(i) %}{% endfor %}{{ l|length }}",
                  CONTEXT) == "100"
    assert render("{{ ((2 ** 50) ** 20)|string|length }} {{ (10 ** 60 * 10 ** 60)|string|length }}", CONTEXT) == "302 121"
    assert render("{% set d = {} %}{% set _ = d.update({'a': 1}) %}{{ d.a ~ [1, 2]|join(',') ~ ('x' + 'y') }}",
                  CONTEXT) == "11,2xy"


def test_a_budget_is_per_render() -> None:
    # Each render starts afresh: 30 renders of 9,999 characters each are not 300,000 built.
    for _ in range(30):
        assert len(render("{{ 'x' * 9999 }}", CONTEXT)) == 9999


def test_output_of_exactly_the_limit_is_fine() -> None:
    out = render("{{ 'x' * 10000 }}", CONTEXT)
    assert len(out) == MAX_OUTPUT_CHARS


# --- Q302 undefined ------------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "en", "zh"), [
    ("{{ nick }}", "name 'nick'", "变量 'nick'"),
    ("{{ member.nick }}", "attribute 'nick'", "属性 'nick'"),
    ("{{ member.nickname.foo }}", "attribute 'foo'", "属性 'foo'"),
    ("{% if member.nick %}x{% endif %}", "attribute 'nick'", "属性 'nick'"),
    ("{{ lipsum(1) }}", "name 'lipsum'", "变量 'lipsum'"),  # removed from the globals
    ("{{ lipsum.__globals__ }}", "name 'lipsum'", "变量 'lipsum'"),
])
def test_q302_undefined(source: str, en: str, zh: str) -> None:
    name = ("." if en.startswith("attribute") else "") + en.split("'")[1]
    assert problem(source) == TemplateProblem("Q302", 1, en, zh, name)


def test_q302_line_number() -> None:
    assert problem("第一行\n第二行\n{{ missing }}") == TemplateProblem("Q302", 3, "name 'missing'", "变量 'missing'", "missing")


def test_render_raises_undefined() -> None:
    with pytest.raises(UndefinedError):
        render("{{ nick }}", CONTEXT)


# --- Q301 syntax ------------------------------------------------------------------------------------


def test_q301_unclosed_expression() -> None:
    assert problem("欢迎 {{ member.nickname ") == TemplateProblem(
        "Q301", 1, "unexpected end of template, expected 'end of print statement'.",
        "模板意外结束（有未闭合的 {% %} 语句块）")


def test_q301_line_number_of_a_multi_line_template() -> None:
    found = problem("第一行\n第二行\n{{ x ]] }}")
    assert (found.code, found.lineno, found.en) == ("Q301", 3, "unexpected ']'")
    assert found.zh == "出现了意外的内容：unexpected ']'"
    assert problem("a\nb\n{% if %}").lineno == 3


def test_q301_unclosed_block() -> None:
    found = problem("{% for x in y %}")
    assert found.code == "Q301"
    assert "'endfor'" in found.en


# --- Q303 unsafe -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "attribute", "kind"), [
    ("{{ ''.__class__ }}", "__class__", "str"),
    ("{{ ''.__class__.__mro__ }}", "__class__", "str"),
    ("{{ member.__class__ }}", "__class__", "dict"),
    ("{{ range.__globals__ }}", "__globals__", "function"),
    ("{{ cycler.mro() }}", "mro", "type"),
    ("{{ obj._private }}", "_private", "Secretive"),
    ("{% set ns = namespace(a=1) %}{{ ns._Namespace__attrs }}", "_Namespace__attrs", "Namespace"),
])
def test_q303_unsafe(source: str, attribute: str, kind: str) -> None:
    assert problem(source) == TemplateProblem(
        "Q303", 1, f"access to attribute '{attribute}' of '{kind}' object is unsafe.",
        f"禁止访问 {kind} 对象的属性 '{attribute}'")



def test_q303_line_number() -> None:
    assert problem("x\n\n{{ member.__class__ }}").lineno == 3


# --- Q304 too costly ----------------------------------------------------------------------------------


BITS_EN, BITS_ZH = "computes a number longer than 1024 bits (308 digits)", "计算出的数超过 1024 个二进制位（308 位数字）"
PRINTED_EN, PRINTED_ZH = "prints lists or dicts as more than 100000 characters in all", "把列表或字典打印成文本累计超过 100000 个字符"
BUILT_EN, BUILT_ZH = "builds more than 100000 bytes of text and lists in all", "累计生成的文本和列表超过 100000 字节"


@pytest.mark.parametrize(("source", "en", "zh"), [
    ("{% for i in range(1000) %}{{ 'abcdefghijk' }}{% endfor %}",
     "renders more than 10000 characters", "输出超过 10000 个字符"),
    ("{{ 'x' * 10000 }}!", "renders more than 10000 characters", "输出超过 10000 个字符"),
    ("{% for i in range(1001) %}{% endfor %}", "asks for a range of 1001 numbers (limit 1000)",
     "请求了 1001 个数的 range（上限 1000）"),
    ("{{ range(99999)|list }}", "asks for a range of 99999 numbers (limit 1000)",
     "请求了 99999 个数的 range（上限 1000）"),
    ("{{ 'x' * 10**6 }}", "repeats text or a list to more than 10000 items", "重复文本或列表超过 10000 项"),
    ("{{ 'x' * 10001 }}", "repeats text or a list to more than 10000 items", "重复文本或列表超过 10000 项"),
    ("{{ [1, 2] * 6000 }}", "repeats text or a list to more than 10000 items", "重复文本或列表超过 10000 项"),
    ("{{ 2 ** 100000 }}", "raises to a power above 64", "乘方的指数超过 64"),
    ("{{ 2 ** 65 }}", "raises to a power above 64", "乘方的指数超过 64"),
    ("{{ (10 ** 60) ** 60 }}", BITS_EN, BITS_ZH),
    ("{% set ns = namespace(n=10**64) %}{% for i in range(20) %}{% set ns.n = ns.n * ns.n %}{% endfor %}",
     BITS_EN, BITS_ZH),
    ("{% set ns = namespace(n=2 ** 60) %}{% for i in range(999) %}{% set ns.n = ns.n + ns.n %}{% endfor %}", BITS_EN, BITS_ZH),
    ("{% set l = [1] %}{% for i in range(30) %}{% set _ = l.extend(l) %}{% endfor %}", BUILT_EN, BUILT_ZH),
    ("{% set ns = namespace(l=[1]) %}{% for i in range(30) %}{% set ns.l = ns.l + ns.l %}{% endfor %}",
     BUILT_EN, BUILT_ZH),
    ("{% set ns = namespace(s='x') %}{% for i in range(30) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
     BUILT_EN, BUILT_ZH),
    ("{% set s = 'x' * 9999 %}{% macro m() %}{% for i in range(900) %}{{ s }}{% endfor %}{% endmacro %}{{ m()|length }}",
     BUILT_EN, BUILT_ZH),
    ("{% set ns = namespace(l=[1]) %}{% for i in range(40) %}{% set ns.l = [ns.l, ns.l] %}{% endfor %}{{ ns.l }}",
     PRINTED_EN, PRINTED_ZH),
    ("{% set ns = namespace(l=[1]) %}{% for i in range(40) %}{% set ns.l = [ns.l, ns.l] %}{% endfor %}"
     "{% set outer = namespace(tree=ns.l) %}{{ outer }}", PRINTED_EN, PRINTED_ZH),
    ("{% set l = [] %}{% for i in range(900) %}{% set _ = l.extend(range(200)|map('string')) %}{% endfor %}",
     BUILT_EN, BUILT_ZH),
    ("{{ [1]|batch(10**8, 0)|list|length }}", BUILT_EN, BUILT_ZH),
    ("{{ [1, 2, 3]|slice(10**7)|list|length }}", BUILT_EN, BUILT_ZH),
    ("{% set x = [1] * 9999 %}{{ ([x] * 9999)|sum(start=[])|length }}", BUILT_EN, BUILT_ZH),
    ("{{ {'a': 1}|tojson(indent=10**7)|length }}", BUILT_EN, BUILT_ZH),
    ("{{ (1).to_bytes(10**8, 'big')|length }}", BUILT_EN, BUILT_ZH),
    ("{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}",
     "takes too long to render (too many loop steps)", "渲染耗时过长（循环次数过多）"),
    ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "recurses too deeply", "递归过深"),
])
def test_q304_budget(source: str, en: str, zh: str) -> None:
    assert problem(source) == TemplateProblem("Q304", 1, en, zh)


def test_render_raises_budget_exceeded() -> None:
    with pytest.raises(BudgetExceeded) as caught:
        render("{{ 'x' * 10**6 }}", CONTEXT)
    assert caught.value.zh == "重复文本或列表超过 10000 项"


# --- Q305 runtime errors --------------------------------------------------------------------------------


def test_q305_type_error() -> None:
    assert problem("a\n{{ group.name + 1 }}") == TemplateProblem(
        "Q305", 2, 'fails when rendered: TypeError: can only concatenate str (not "int") to str',
        '渲染时出错：TypeError: can only concatenate str (not "int") to str')


def test_q305_zero_division() -> None:
    found = problem("{{ group.members / 0 }}")
    assert (found.code, found.en) == ("Q305", "fails when rendered: ZeroDivisionError: division by zero")


# --- the tracer ----------------------------------------------------------------------------------------


def _tracer(frame: Any, event: str, arg: Any) -> None:
    return None


@pytest.mark.parametrize("source", [
    "欢迎 {{ member.nickname }}",
    "{{ nick }}",
    "{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}",
    "{{ group.name + 1 }}",
])
def test_gettrace_is_restored(source: str) -> None:
    before = sys.gettrace()
    try_render(source, CONTEXT)
    assert sys.gettrace() is before


def test_gettrace_is_restored_to_a_previous_tracer_after_an_exception() -> None:
    before = sys.gettrace()
    sys.settrace(_tracer)
    try:
        with pytest.raises(BudgetExceeded):
            render("{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}", CONTEXT)
        after_budget = sys.gettrace()
        with pytest.raises(UndefinedError):
            render("{{ nick }}", CONTEXT)
        after_undefined = sys.gettrace()
    finally:
        sys.settrace(before)
    assert after_budget is _tracer
    assert after_undefined is _tracer
