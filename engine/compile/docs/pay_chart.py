"""The pay curve or rate table as a chart: attainment (%) across, payout factor up, drawn at build
time as an SVG (pygal) so the handbook stays readable without scripts.

The line is the payout factor as the commission engine computes it (`commission.payfactor`, the
same code as the statements), sampled on a fine grid plus every break: the origin line, the
floor, a bracket's jump and the cap show as they pay. The curve's points (or each bracket's
start and rate, the table's steps) are marked; the factor cap and the floor are dashed lines.

Same inputs, same bytes: pygal's random chart id is replaced by one derived from what is drawn,
and its output is read back and written again by the standard library (lxml or not): comments
(pygal's carries today's date), scripts and processing instructions are dropped. Nothing in it
reaches the network: no script, no web font (a font stack with Chinese system fonts), no link.
"""

from __future__ import annotations

import hashlib
import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ...commission.payfactor import pay_factor
from ...model.commission import Commission
from .fmt import number, percent

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
FONTS = ('"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", '
         '"WenQuanYi Micro Hei", "Helvetica Neue", Arial, sans-serif')
WIDTH, HEIGHT = 480, 340
SAMPLES = 200  # points of the factor line between its breaks' (a cap's corner falls between them)
EPSILON = Decimal("0.000001")  # just left of a break: a jump (floor, tiered bracket) is drawn upright
JUMP = Decimal("0.0001")  # a change this small over EPSILON is a slope, not a jump
INK, ACCENT, MUTED, STEP = "#1f2328", "#c2185b", "#59636e", "#1565c0"

# The chart's own words (the practitioners' words: 提成系数, 系数封顶, 起提线, 阶梯系数).
WORDS: dict[str, tuple[str, str]] = {
    "attainment": ("达成率", "attainment"),
    "x_title": ("达成率（%）", "attainment (%)"),
    "factor": ("提成系数", "payout factor"),
    "points": ("曲线节点", "curve points"),
    "cap": ("系数封顶", "factor cap"),
    "floor": ("起提线", "floor"),
    "rate": ("阶梯系数", "bracket rate"),
    "starts": ("各档起点", "bracket starts"),
    "title_curve": ("提成曲线：达成率 → 提成系数", "Pay curve: attainment → payout factor"),
    "title_rates": ("阶梯系数表：达成率 → 提成系数", "Rate table: attainment → payout factor"),
}


@dataclass(frozen=True)
class Series:
    """One thing the chart draws: `kind` is factor (the line paid), marks (the plan's points or
    bracket starts, dots only), steps (a rate table's rates), cap or floor (dashed lines)."""

    kind: str
    title: str
    points: tuple[tuple[Decimal, Decimal], ...]  # (attainment, factor), attainment as a ratio


def chart_file(lang: str, locale: str) -> str:
    """pay-curve.svg beside handbook.md (the playbook's own language, as handbook.output_name
    names it); pay-curve.<lang>.svg beside handbook.<lang>.md."""
    own = "en" if locale == "en" else "zh"
    return "pay-curve.svg" if lang == own else f"pay-curve.{lang}.svg"


def chart_series(plan: Commission, lang: str) -> list[Series]:
    """What the chart draws for `plan` (empty without a curve or rate table: the factor is then
    the attainment itself, which the handbook says in words)."""
    say = _say(lang)
    if plan.curve is None and plan.rates is None:
        return []
    breaks = _breaks(plan)
    end = _axis_end(max(breaks))
    factor = Series("factor", say("factor"), _factor_line(plan, breaks, end))
    if plan.curve is not None:
        out = [factor, Series("marks", say("points"), tuple(sorted((Decimal(x), Decimal(y)) for x, y in plan.curve.points)))]
        if plan.curve.cap is not None:
            cap = Decimal(plan.curve.cap)
            out.append(Series("cap", f"{say('cap')} {number(cap)}", ((Decimal(0), cap), (end, cap))))
        if plan.curve.floor is not None:
            floor, top = Decimal(plan.curve.floor), _top(out)
            out.append(Series("floor", f"{say('floor')} {percent(floor)}", ((floor, Decimal(0)), (floor, top))))
        return out
    assert plan.rates is not None
    brackets = sorted((Decimal(b.from_), Decimal(b.rate)) for b in plan.rates.brackets)
    steps: list[tuple[Decimal, Decimal]] = []
    for i, (start, rate) in enumerate(brackets):
        stop = brackets[i + 1][0] if i + 1 < len(brackets) else end
        steps += [(start, rate), (stop, rate)]
    return [factor, Series("steps", say("rate"), tuple(steps)), Series("marks", say("starts"), tuple(brackets))]


def chart_alt(plan: Commission, lang: str) -> str:
    """The chart in one sentence: its axes, points (or brackets), cap and floor."""
    zh, say = lang == "zh", _say(lang)
    arrow = " → "
    if plan.curve is not None:
        shown = [f"{percent(x)}{arrow}{number(y)}" for x, y in sorted(plan.curve.points)]
        parts = [("节点 " if zh else "points ") + ("、" if zh else ", ").join(shown)]
        if plan.curve.cap is not None:
            parts.append(f"{say('cap')} {number(plan.curve.cap)}")
        if plan.curve.floor is not None:
            parts.append(f"{say('floor')} {percent(plan.curve.floor)}")
    elif plan.rates is not None:
        shown = [f"{percent(b.from_)}{arrow}{number(b.rate)}" for b in sorted(plan.rates.brackets, key=lambda b: b.from_)]
        parts = [("各档 " if zh else "brackets ") + ("、" if zh else ", ").join(shown)]
    else:
        return ""
    title = say("title_curve" if plan.curve is not None else "title_rates")
    if zh:
        return f"{title}。横轴为达成率（%），纵轴为提成系数；" + "；".join(parts) + "。"
    return f"{title}. Attainment (%) across, payout factor up; " + "; ".join(parts) + "."


@dataclass(frozen=True)
class PayChart:
    """The chart as the handbook uses it: `document`, the SVG file beside handbook.md (its style
    inside); `svg` and `css`, the same chart for handbook.html, its style in the page's one
    style sheet (scoped to the chart's id)."""

    title: str
    alt: str
    document: str
    svg: str
    css: str


def pay_chart(plan: Commission, lang: str) -> PayChart | None:
    """The chart of `plan`'s pay curve or rate table in `lang`, or None when it has neither."""
    series = chart_series(plan, lang)
    if not series:
        return None
    say = _say(lang)
    title = say("title_curve" if plan.curve is not None else "title_rates")
    alt = chart_alt(plan, lang)
    chart_id = "pay-" + hashlib.sha256(repr((lang, series)).encode("utf-8")).hexdigest()[:12]
    root = ET.fromstring(_render(series, title, say, chart_id))  # comments and processing instructions dropped
    _clean(root, alt)
    style = root.find(f"{{{SVG_NS}}}defs/{{{SVG_NS}}}style")
    css = (style.text or "") if style is not None else ""
    document = _text(root) + "\n"
    defs = root.find(f"{{{SVG_NS}}}defs")
    if defs is not None and style is not None:
        defs.remove(style)
    svg = _text(root)
    return PayChart(title, alt, document, svg, css)


def _render(series: list[Series], title: str, say: Any, chart_id: str) -> bytes:
    import pygal  # type: ignore[import-untyped]  # heavy: only `qunce docs` draws charts
    from pygal.style import Style  # type: ignore[import-untyped]

    colours = {"factor": ACCENT, "marks": ACCENT, "cap": MUTED, "floor": MUTED, "steps": STEP}
    style = Style(
        font_family=FONTS, background="#ffffff", plot_background="#ffffff", foreground=INK,
        foreground_strong=INK, foreground_subtle=MUTED, opacity="1", opacity_hover="1", transition="0s",
        colors=tuple(colours[s.kind] for s in series), label_font_size=14, major_label_font_size=14,
        title_font_size=16, legend_font_size=14, tooltip_font_size=14, value_font_size=14,
        guide_stroke_color="#d1d9e0", major_guide_stroke_color="#d1d9e0", stroke_width="2",
    )
    end = max(x for s in series for x, _ in s.points)
    start = min(Decimal(0), *(x for s in series for x, _ in s.points))
    bottom = min(Decimal(0), *(y for s in series for _, y in s.points))
    chart = pygal.XY(
        style=style, width=WIDTH, height=HEIGHT, explicit_size=True, title=title,
        x_title=say("x_title"), y_title=say("factor"),
        xrange=(_pct(start), _pct(end)), range=(float(bottom), float(_top(series))), include_x_axis=True,
        x_labels=_ticks(start, end),
        x_value_formatter=lambda x: f"{x:g}%", value_formatter=lambda y: f"{y:g}",
        show_legend=True, legend_at_bottom=True, legend_at_bottom_columns=len(series) if len(series) <= 3 else 2, truncate_legend=-1,
        js=[], disable_xml_declaration=True, print_values=False, show_x_guides=True, show_y_guides=True,
        margin=12, pretty_print=False, strict=True,
        # The line paid drawn bolder (pygal's per-series width loses to its own `.reactive` rule).
        css=("file://style.css", "file://graph.css", f"inline:#chart-{chart_id} .serie-0 .line{{stroke-width:3}}"),
    )
    chart.uuid = chart_id  # pygal's is random: one derived from the drawing, for the same bytes
    for s in series:
        values = [(_pct(x), float(y)) for x, y in s.points]
        if s.kind == "marks":
            chart.add(s.title, values, stroke=False, dots_size=5)
        elif s.kind == "factor":
            chart.add(s.title, values, show_dots=False)
        else:
            chart.add(s.title, values, show_dots=False, stroke_style={"dasharray": "6, 4"})
    rendered: bytes | str = chart.render()
    return rendered.encode("utf-8") if isinstance(rendered, str) else rendered


def _clean(root: ET.Element, alt: str) -> None:
    """What only pygal's script uses goes: <script>, the legends' ids (inline in the HTML page
    they could meet the page's own) and the tooltips' positions; each point's value (<desc
    class="value">) stays. The chart gets an accessible name."""
    for parent in root.iter():
        for child in list(parent):
            kind = child.get("class", "").split()
            if child.tag == f"{{{SVG_NS}}}script" or (child.tag == f"{{{SVG_NS}}}desc" and kind[:1] in (["x"], ["y"])):
                parent.remove(child)
        if parent is not root and parent.get("id", "").startswith("activate-serie-"):
            del parent.attrib["id"]
    root.set("role", "img")
    root.set("aria-label", alt)


def _text(root: ET.Element) -> str:
    """The SVG as text, the same whatever pygal built it with: the SVG namespace as the default
    one (ElementTree's `default_namespace` refuses plain attribute names), xlink's as xlink."""
    copy = ET.fromstring(ET.tostring(root))
    uses_xlink = False
    for node in copy.iter():
        if isinstance(node.tag, str) and node.tag.startswith(f"{{{SVG_NS}}}"):
            node.tag = node.tag[len(SVG_NS) + 2:]
        for key in [k for k in node.attrib if k.startswith(f"{{{XLINK_NS}}}")]:
            node.set("xlink:" + key[len(XLINK_NS) + 2:], node.attrib.pop(key))
            uses_xlink = True
    attrib = {"xmlns": SVG_NS, **({"xmlns:xlink": XLINK_NS} if uses_xlink else {})}
    copy.attrib = {**attrib, **copy.attrib}
    return ET.tostring(copy, encoding="unicode")


def _breaks(plan: Commission) -> list[Decimal]:
    """Attainments where the factor line turns or jumps."""
    found = {Decimal(0)}
    if plan.curve is not None:
        found |= {Decimal(x) for x, _ in plan.curve.points}
        if plan.curve.floor is not None:
            found.add(Decimal(plan.curve.floor))
    if plan.rates is not None:
        found |= {Decimal(b.from_) for b in plan.rates.brackets}
    return sorted(found)


def _axis_end(last: Decimal) -> Decimal:
    """Room beyond the last break (at least 120%), on a tenth."""
    return max(Decimal("1.2"), Decimal(math.ceil((last + Decimal("0.3")) * 10)) / 10)


def _factor_line(plan: Commission, breaks: list[Decimal], end: Decimal) -> tuple[tuple[Decimal, Decimal], ...]:
    start = min(breaks[0], Decimal(0))
    xs = {(start + (end - start) * i / SAMPLES).quantize(EPSILON) for i in range(SAMPLES + 1)} | set(breaks)
    line = [(x, pay_factor(x, plan).factor) for x in sorted(xs) if start <= x <= end]
    for b in breaks:  # a jump at b (the floor, a tiered bracket): the value just left of it too
        left = pay_factor(b - EPSILON, plan).factor
        if b > 0 and abs(left - pay_factor(b, plan).factor) > JUMP:
            line.append((b - EPSILON, left))
    return tuple(_simplified(sorted(line)))


def _simplified(line: list[tuple[Decimal, Decimal]]) -> list[tuple[Decimal, Decimal]]:
    """Drop the points inside a straight run (the line's factors are kept to 6 places)."""
    out: list[tuple[Decimal, Decimal]] = []
    for point in line:
        while len(out) >= 2 and _straight(out[-2], out[-1], point):
            out.pop()
        out.append(point)
    return out


def _straight(a: tuple[Decimal, Decimal], b: tuple[Decimal, Decimal], c: tuple[Decimal, Decimal]) -> bool:
    cross = (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0])
    return abs(cross) <= Decimal("0.000002") * (c[0] - a[0]) and b[0] - a[0] > EPSILON and c[0] - b[0] > EPSILON


def _ticks(start: Decimal, end: Decimal) -> list[float]:
    """Attainment labels (in %) on a round step, at most 8 of them."""
    span = (end - start) * 100
    step = next(s for s in (Decimal(m) * 10**e for e in range(0, 7) for m in (1, 2, 5)) if span / s <= 7)
    first = math.ceil(start * 100 / step)
    return [float(step * i) for i in range(first, int(end * 100 / step) + 1)]


def _top(series: list[Series]) -> Decimal:
    """The factor axis's end: a little above the highest value drawn, on a tenth."""
    high = max((y for s in series if s.kind != "floor" for _, y in s.points), default=Decimal(1))
    return Decimal(math.ceil(max(high, Decimal(1)) * Decimal("1.1") * 10)) / 10


def _pct(x: Decimal) -> float:
    return float(round(x * 100, 4))


def _say(lang: str) -> Any:
    index = 0 if lang == "zh" else 1
    return lambda key: WORDS[key][index]
