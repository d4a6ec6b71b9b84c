"""The pieces of a report page: a chart (an ECharts option with its reading and the tables it
comes from), a table, a section; and the option shapes the sections share.

Options are plain JSON: ECharts draws them; the page's script adds only the value formatters
(¥, %, thousands) named by `fmt`, since functions cannot travel in JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# ECharts' own palette, fixed here so that a series keeps its colour across charts (a group type
# is the same colour in the members and the interaction charts).
PALETTE = ("#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452", "#9a60b4", "#ea7ccc",
           "#2f4554", "#c23531", "#61a0a8", "#d48265", "#749f83", "#ca8622", "#bda29a", "#6e7074", "#546570")


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


@dataclass
class Chart:
    id: str
    title: str
    reading: str  # one line computed from the data: what the chart shows
    sources: list[str]  # the output tables its numbers come from
    option: dict[str, Any]
    fmt: str = "int"  # int | money | percent | number: how the page's script formats values
    height: int = 320
    kind: str = "chart"


@dataclass
class Table:
    id: str
    title: str
    reading: str
    sources: list[str]
    headers: list[str]
    rows: list[list[str]]
    numeric: set[int] = field(default_factory=set)  # column indexes aligned right
    kind: str = "table"


@dataclass
class Section:
    id: str
    title: str
    items: list[Chart | Table]


def axis_option(categories: list[str], series: list[dict[str, Any]], *, y_name: str = "",
                horizontal: bool = False, tooltip: str = "axis") -> dict[str, Any]:
    """A bar or line chart over categories (periods, days, staff): legend on top, labels inside."""
    category = {"type": "category", "data": categories, "axisLabel": {"hideOverlap": True}}
    value: dict[str, Any] = {"type": "value", "name": y_name, "nameTextStyle": {"align": "left"}}
    option: dict[str, Any] = {
        "animation": False,  # the same frame every time: printing and the tests see the final chart
        "color": list(PALETTE),
        "tooltip": {"trigger": tooltip, "confine": True},
        "legend": {"type": "scroll", "top": 0},
        "grid": {"left": 8, "right": 24, "top": 48, "bottom": 8, "containLabel": True},
        "xAxis": value if horizontal else category,
        "yAxis": category if horizontal else value,
        "series": series,
    }
    if horizontal:
        option["yAxis"] = {**category, "inverse": True}
    return option


def bars(name: str, data: list[Any], stack: str | None = "total", color: str | None = None) -> dict[str, Any]:
    series: dict[str, Any] = {"type": "bar", "name": name, "data": data, "emphasis": {"focus": "series"}}
    if stack:
        series["stack"] = stack
    if color:
        series["itemStyle"] = {"color": color}
    return series


def line(name: str, data: list[Any], color: str | None = None, area: bool = False,
         stack: str | None = None) -> dict[str, Any]:
    series: dict[str, Any] = {"type": "line", "name": name, "data": data, "showSymbol": False,
                              "emphasis": {"focus": "series"}}
    if color:
        series["itemStyle"] = {"color": color}
        series["lineStyle"] = {"color": color}
    if area:
        series["areaStyle"] = {}
    if stack:
        series["stack"] = stack
    return series


def rounded(value: Any, places: int = 4) -> float | int:
    """A value for a chart: ints stay ints, others rounded (the page shows them formatted)."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    number = round(float(value), places)
    return int(number) if number == int(number) and places == 0 else number
