"""The terminal summary's tables split by columns to the console's width (fitted): each number
column measured once, the sum held to Rich's own measurement of the whole table."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from qunce.terminal.simulate_summary import _columns, _natural_width, fitted

TEXT = st.text(alphabet="ab xyz0123456789,.%-中文银卡", max_size=14)


@st.composite
def tables(draw: Any) -> tuple[str, list[str], list[list[str]], int, int]:
    labels = draw(st.integers(1, 2))
    width = draw(st.integers(1, 8)) + labels
    head = [f"{text}#{n}" for n, text in enumerate(draw(st.lists(TEXT, min_size=width, max_size=width)))]  # each its own
    rows = draw(st.lists(st.lists(TEXT, min_size=width, max_size=width), max_size=4))
    return draw(st.text(max_size=60)), head, rows, labels, draw(st.integers(20, 140))


def _reference(console: Console, title: str, head: list[str], rows: list[list[str]], labels: int) -> list[list[int]]:
    """The split measured the long way: every growing table by Rich."""
    chunks: list[list[int]] = []
    current: list[int] = []
    for column in range(labels, len(head)):
        trial = [*current, column]
        if current and _natural_width(console, _columns(title, head, rows, labels, trial)) > console.width:
            chunks.append(current)
            trial = [column]
        current = trial
    chunks.append(current)
    return chunks


def _chosen(table: Any, head: list[str], labels: int) -> list[int]:
    return [head.index(column.header) for column in table.columns][labels:]


@settings(max_examples=150, deadline=None)
@given(tables())
def test_the_split_is_the_one_rich_measures(case: tuple[str, list[str], list[list[str]], int, int]) -> None:
    title, head, rows, labels, width = case
    console = Console(width=width, file=None, color_system=None)
    split = fitted(console, title, head, rows, "en", labels=labels)
    assert [_chosen(table, head, labels) for table in split] == _reference(console, title, head, rows, labels)


def test_a_wide_table_is_split_and_each_part_fits() -> None:
    head = ["组别", *[f"指标{n}" for n in range(12)]]
    rows = [["银卡会员", *[f"{n * 1234.5:,.2f}" for n in range(12)]], ["普通会员", *["0"] * 12]]
    console = Console(width=80, color_system=None)
    split = fitted(console, "会员", head, rows, "zh")
    assert len(split) > 1
    assert split[0].columns[0].header == "组别"
    assert all(_natural_width(console, table) <= 80 for table in split)
    assert sum(len(table.columns) - 1 for table in split) == 12
