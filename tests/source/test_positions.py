"""Positions: where each value was written (PositionIndex) and where inside a scalar a
problem is (point_at for conditions, line_of for templates)."""

from __future__ import annotations

import pytest

from qunce.diagnostics import Span
from qunce.source import reader
from qunce.source.inside import line_of, point_at
from qunce.source.nodes import Map, Scalar
from qunce.source.positions import PositionIndex
from qunce.source.reader import parse_text


def index_of(text: str) -> PositionIndex:
    parsed = parse_text(text, "t.yaml")
    assert parsed.diagnostics == []
    assert isinstance(parsed.root, Map)
    return PositionIndex(parsed.root)


def scalar(index: PositionIndex, *path: object) -> Scalar:
    found = index.scalar(tuple(path))
    assert found is not None
    return found


def covered(text: str, span: Span) -> str:
    """The text a one-line span covers."""
    assert span.line == span.end_line
    return text.split("\n")[span.line - 1][span.col - 1 : span.end_col - 1]


# --- point_at ------------------------------------------------------------------------


INLINE = """\
plain: points_90d >= 300 and foo > 1
single: 'points_90d >= 300 and foo > 1'
double: "points_90d >= 300 and foo > 1"
flow: {when: points_90d >= 300 and foo > 1}
flow_quoted: {id: a, when: "points_90d >= 300 and foo > 1"}
chinese: "近90天积分 ≥ 300 and foo > 1"
"""


@pytest.mark.parametrize(("path", "line", "col"), [
    (("plain",), 1, 30),
    (("single",), 2, 32),
    (("double",), 3, 32),
    (("flow", "when"), 4, 36),
    (("flow_quoted", "when"), 5, 51),
    (("chinese",), 6, 28),
])
def test_point_at_on_one_line(path: tuple[str, ...], line: int, col: int) -> None:
    index = index_of(INLINE)
    found = scalar(index, *path)
    span = point_at(found, str(found.value).index("foo"), 3)
    assert span == Span("t.yaml", line, col, line, col + 3)
    assert covered(INLINE, span) == "foo"


def test_point_at_offset_zero_and_minimum_length() -> None:
    index = index_of(INLINE)
    span = point_at(scalar(index, "double"), 0, 0)
    assert span == Span("t.yaml", 3, 10, 3, 11)
    assert covered(INLINE, span) == "p"


BLOCKS = """\
literal: |
  points_90d >= 300
  and foo > 1
nested:
  - id: g
    when: |-
      orders_30d >= 1
        or 近90天积分 ≥ 300 and bar > 2
template: |
  欢迎 {{ member.nickname }}
  第二行
    {{ oops }}
"""


def test_point_at_second_line_of_a_literal_block() -> None:
    index = index_of(BLOCKS)
    found = scalar(index, "literal")
    assert found.style == "|"
    span = point_at(found, str(found.value).index("foo"), 3)
    assert span == Span("t.yaml", 3, 7, 3, 10)
    assert covered(BLOCKS, span) == "foo"


def test_point_at_indented_line_of_a_nested_literal_block() -> None:
    index = index_of(BLOCKS)
    found = scalar(index, "nested", 0, "when")
    value = str(found.value)
    assert value == "orders_30d >= 1\n  or 近90天积分 ≥ 300 and bar > 2"
    span = point_at(found, value.index("bar"), 3)
    assert (span.line, span.col) == (8, 29)
    assert covered(BLOCKS, span) == "bar"
    span = point_at(found, value.index("近90天积分"), 6)
    assert covered(BLOCKS, span) == "近90天积分"


@pytest.mark.parametrize("fast", [True, False], ids=["libyaml", "pure"])
def test_folded_block_value_has_no_fold_markers(fast: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    # ruamel's round-trip (pure) parser marks fold points of '>' blocks with BEL ('\a'); the reader drops them.
    monkeypatch.setattr(reader, "_fast_parser_available", lambda: fast, raising=False)
    index = index_of("when: >\n  points_90d >= 300\n  and foo > 1\n")
    assert scalar(index, "when").value == "points_90d >= 300 and foo > 1\n"


@pytest.mark.parametrize("text", [
    "when: >\n  points_90d >= 300\n  and foo > 1\n",
    "when: points_90d >= 300\n  and foo > 1\n",
])
def test_point_at_second_line_of_a_folded_scalar(text: str) -> None:
    found = scalar(index_of(text), "when")
    span = point_at(found, str(found.value).index("foo"), 3)
    assert (span.line, span.col) == (3 if text.startswith("when: >") else 2, 7)


@pytest.mark.parametrize("text", [
    "when: 'level == ''x'' and foo > 1'\n",
    'when: "level == \\"x\\" and foo > 1"\n',
])
def test_point_at_after_escapes_in_quoted_scalars(text: str) -> None:
    found = scalar(index_of(text), "when")
    span = point_at(found, str(found.value).index("foo"), 3)
    assert covered(text, span) == "foo"


# --- line_of -------------------------------------------------------------------------------


def test_line_of_template_lines() -> None:
    index = index_of(BLOCKS)
    found = scalar(index, "template")
    first = line_of(found, 1)
    assert first == Span("t.yaml", 10, 3, 10, 27)
    assert covered(BLOCKS, first) == "欢迎 {{ member.nickname }}"
    assert covered(BLOCKS, line_of(found, 2)) == "第二行"
    third = line_of(found, 3)
    assert (third.line, third.col) == (12, 5)
    assert covered(BLOCKS, third) == "{{ oops }}"


def test_line_of_a_one_line_template() -> None:
    text = 'welcome: "欢迎 {{ member.nick }}"\n'
    found = scalar(index_of(text), "welcome")
    span = line_of(found, 1)
    assert covered(text, span) == "欢迎 {{ member.nick }}"


def test_line_of_past_the_end_falls_back_to_the_scalar() -> None:
    index = index_of(BLOCKS)
    found = scalar(index, "template")
    assert line_of(found, 9) == found.span


# --- PositionIndex ---------------------------------------------------------------------------


TREE = """\
playbook: 测试
roles:
  owner: {name: 群主, max_groups: 8}
segments:
  - id: loyal
    name: 忠实型
  - {id: other, name: 其他}
"""


def test_key_span_and_value_span() -> None:
    index = index_of(TREE)
    assert index.key_span(("roles", "owner")) == Span("t.yaml", 3, 3, 3, 8)
    assert index.value_span(("roles", "owner")) == Span("t.yaml", 3, 10, 3, 35)
    assert index.key_span(("roles", "owner", "max_groups")) == Span("t.yaml", 3, 21, 3, 31)
    assert index.value_span(("roles", "owner", "max_groups")) == Span("t.yaml", 3, 33, 3, 34)
    assert index.value_span(("segments", 0, "name")) == Span("t.yaml", 6, 11, 6, 14)


def test_list_items_have_no_key_so_key_span_is_the_value() -> None:
    index = index_of(TREE)
    item = index.value_span(("segments", 1))
    assert (item.line, item.col) == (7, 5)
    assert index.key_span(("segments", 1)) == item


def test_place_falls_back_to_the_nearest_written_ancestor() -> None:
    index = index_of(TREE)
    owner = index.place(("roles", "owner"))
    assert index.place(("roles", "owner", "minutes_per_day")) == owner
    assert index.place(("roles", "owner", "a", "b", 3)) == owner
    assert index.value_span(("segments", 5, "id")) == index.value_span(("segments",))
    assert index.key_span(("segments", 5, "id")) == Span("t.yaml", 4, 1, 4, 9)
    assert index.place(("nothing",)).value == index.place(()).value
    assert index.exact(("roles", "owner", "minutes_per_day")) is None
    assert index.exact(("roles", "owner")) == owner


def test_scalar_only_for_exact_scalar_paths() -> None:
    index = index_of(TREE)
    assert scalar(index, "roles", "owner", "name").value == "群主"
    assert index.scalar(("roles", "owner")) is None  # a mapping
    assert index.scalar(("roles", "owner", "minutes_per_day")) is None  # not written
