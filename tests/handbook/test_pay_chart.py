"""The handbook's pay chart (compile/docs/pay_chart.py): an SVG drawn at build time, with no
script and no URL, the same bytes every build, the plan's points where the plan puts them,
words in the handbook's language; inline in handbook.html, a file beside handbook.md listed in
the output folder's manifest."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from qunce.cli import main
from qunce.compile.docs.handbook import render_all
from qunce.compile.docs.pay_chart import PayChart, chart_series, pay_chart
from qunce.load import load_playbook
from qunce.model import Playbook
from qunce.model.commission import Commission
from qunce.output_folder import MANIFEST

ROOT = Path(__file__).resolve().parents[2]
COMPLETE = ROOT / "playbooks" / "brand-complete.yaml"  # a pay curve with a floor and a factor cap
WELFARE = ROOT / "playbooks" / "welfare.yaml"  # a tiered rate table
FLASH = ROOT / "playbooks" / "flash.yaml"  # a marginal rate table
SVG = "{http://www.w3.org/2000/svg}"
D = Decimal


def plan_of(path: Path) -> Commission:
    playbook = load_playbook(path).playbook
    assert playbook is not None and playbook.commission is not None
    return playbook.commission


def chart_of(path: Path, lang: str) -> PayChart:
    chart = pay_chart(plan_of(path), lang)
    assert chart is not None
    return chart


def series_group(root: ET.Element, index: int) -> ET.Element:
    # pygal draws each series in the plot and leaves an empty group of it in two overlays
    found = [g for g in root.iter(f"{SVG}g") if {"series", f"serie-{index}"} <= set(g.get("class", "").split()) and len(g)]
    assert len(found) == 1
    return found[0]


def marked(root: ET.Element, index: int) -> list[tuple[str, float, float]]:
    """The dots of series `index`: (the value pygal wrote, cx, cy)."""
    out = []
    for dot in series_group(root, index).iter(f"{SVG}g"):
        circle, desc = dot.find(f"{SVG}circle"), dot.find(f"{SVG}desc[@class='value']")
        if circle is not None and desc is not None:
            out.append((desc.text or "", float(circle.get("cx", "nan")), float(circle.get("cy", "nan"))))
    return out


def texts(root: ET.Element) -> list[str]:
    return [t.text for t in root.iter(f"{SVG}text") if t.text]


# --- the SVG ---------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "lang"), [(COMPLETE, "zh"), (COMPLETE, "en"), (WELFARE, "zh"), (FLASH, "en")])
def test_svg_is_xml_without_script_or_url_and_the_same_every_build(path: Path, lang: str) -> None:
    chart = chart_of(path, lang)
    for svg in (chart.document, chart.svg):
        root = ET.fromstring(svg)
        assert root.tag == f"{SVG}svg" and root.get("role") == "img" and root.get("aria-label") == chart.alt
        assert not [e for e in root.iter() if e.tag in (f"{SVG}script", f"{SVG}foreignObject", f"{SVG}image")]
        assert "<script" not in svg and "<?" not in svg and "<!--" not in svg
        urls = set(re.findall(r"https?://[^\s\"'<>)]*", svg))
        assert urls == {"http://www.w3.org/2000/svg"}, urls  # the namespace, nothing to fetch
        assert "url(" not in svg and "@import" not in svg and "href" not in svg
    assert chart.document.endswith("</svg>\n") and "<style" in chart.document and "<style" not in chart.svg
    again = chart_of(path, lang)
    assert again == chart  # pygal's random id replaced, the date in its comment dropped
    chart_id = ET.fromstring(chart.svg).get("id") or ""
    assert re.fullmatch(r"chart-pay-[0-9a-f]{12}", chart_id) and f"#{chart_id} " in chart.css


def test_fonts_are_a_local_stack_with_chinese_fonts() -> None:
    css = chart_of(COMPLETE, "zh").css
    stack = re.search(r"font-family:([^;}]+)", css)
    assert stack is not None
    for font in ('"PingFang SC"', '"Microsoft YaHei"', '"Noto Sans CJK SC"', "sans-serif"):
        assert font in stack.group(1)
    assert "googleapis" not in css and "@font-face" not in css


def test_the_curve_points_are_marked_where_the_plan_puts_them() -> None:
    plan = plan_of(COMPLETE)
    assert plan.curve is not None
    root = ET.fromstring(chart_of(COMPLETE, "zh").document)
    dots = marked(root, 1)  # series 0 is the line paid, 1 the curve's points
    assert [value for value, _, _ in dots] == ["50%: 0.3", "80%: 0.8", "100%: 1", "150%: 1.6"]
    assert len(dots) == len(plan.curve.points)
    xs, ys = [x for _, x, _ in dots], [y for _, _, y in dots]
    assert xs == sorted(xs) and ys == sorted(ys, reverse=True)  # right and up (SVG's y grows down)
    # Equal steps of attainment are equal steps across: 50% → 80% is 3/5 of 50% → 100%.
    assert (xs[1] - xs[0]) / (xs[2] - xs[0]) == pytest.approx(0.6, abs=1e-6)
    assert (ys[0] - ys[1]) / (ys[0] - ys[3]) == pytest.approx(0.5 / 1.3, abs=1e-6)  # factor 0.3 → 0.8 of 0.3 → 1.6
    assert marked(root, 0) == []  # the line paid has no dots


def test_the_line_is_the_factor_the_engine_pays() -> None:
    series = {s.kind: s for s in chart_series(plan_of(COMPLETE), "zh")}
    assert series["factor"].points == (
        (D(0), D(0)), (D("0.499999"), D(0)),  # below the floor: nothing, then the jump at it
        (D("0.5"), D("0.3")), (D("0.8"), D("0.8")), (D("1.0"), D("1.0")), (D("1.5"), D("1.6")), (D("1.8"), D("1.6")))
    assert series["cap"].points == ((D(0), D("1.6")), (D("1.8"), D("1.6")))
    assert series["floor"].points[0] == (D("0.5"), D(0))


def test_a_rate_table_shows_its_steps() -> None:
    tiered = {s.kind: s for s in chart_series(plan_of(WELFARE), "zh")}
    assert tiered["marks"].points == ((D("0.7"), D("0.6")), (D("1.0"), D("1.0")), (D("1.3"), D("1.3")))
    assert tiered["steps"].points == ((D("0.7"), D("0.6")), (D("1.0"), D("0.6")), (D("1.0"), D("1.0")),
                                      (D("1.3"), D("1.0")), (D("1.3"), D("1.3")), (D("1.6"), D("1.3")))
    paid = dict(tiered["factor"].points)
    assert paid[D("0.7")] == D("0.42") and paid[D("1.0")] == D("1.0") and paid[D("1.3")] == D("1.69")  # a × rate
    assert paid[D("0.699999")] == 0 and paid[D("0.999999")] == D("0.599999")  # the jumps drawn upright
    marginal = {s.kind: s for s in chart_series(plan_of(FLASH), "en")}
    assert marginal["factor"].points == ((D(0), D(0)), (D("1.0"), D("0.5")), (D("1.5"), D("1.1")), (D("1.8"), D("1.55")))
    root = ET.fromstring(chart_of(WELFARE, "en").document)
    assert [v for v, _, _ in marked(root, 2)] == ["70%: 0.6", "100%: 1", "130%: 1.3"]


def test_words_in_the_handbooks_language() -> None:
    zh, en = chart_of(COMPLETE, "zh"), chart_of(COMPLETE, "en")
    zh_texts, en_texts = texts(ET.fromstring(zh.document)), texts(ET.fromstring(en.document))
    for word in ("提成曲线：达成率 → 提成系数", "达成率（%）", "提成系数", "曲线节点", "系数封顶 1.6", "起提线 50%", "150%"):
        assert word in zh_texts, word
    for word in ("Pay curve: attainment → payout factor", "attainment (%)", "payout factor", "curve points",
                 "factor cap 1.6", "floor 50%"):
        assert word in en_texts, word
    assert ET.fromstring(zh.document).findtext(f"{SVG}title") == "提成曲线：达成率 → 提成系数"
    assert zh.alt == ("提成曲线：达成率 → 提成系数。横轴为达成率（%），纵轴为提成系数；"
                      "节点 50% → 0.3、80% → 0.8、100% → 1、150% → 1.6；系数封顶 1.6；起提线 50%。")
    assert en.alt.startswith("Pay curve: attainment → payout factor. Attainment (%) across, payout factor up; points 50% → 0.3")
    rates = texts(ET.fromstring(chart_of(WELFARE, "zh").document))
    assert "阶梯系数表：达成率 → 提成系数" in rates and "阶梯系数" in rates and "各档起点" in rates


def test_no_chart_without_a_curve_or_a_table() -> None:
    plan = Commission.model_validate({"pool": {"per_group": 100},
                                      "kpis": [{"id": "a", "name": "A", "metric": "sales", "target": 1, "weight": 1}]})
    assert pay_chart(plan, "zh") is None and chart_series(plan, "en") == []
    playbook = Playbook.model_validate({"playbook": "p", "commission": plan.model_dump(by_alias=True)})
    books = render_all(playbook, ("md", "html"), "zh")
    assert "pay-curve" not in books["md"] and "<svg" not in books["html"] and "<figure" not in books["html"]


# --- in the handbook -------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_html_handbook_holds_the_chart_inline(lang: str) -> None:
    playbook = load_playbook(COMPLETE).playbook
    assert playbook is not None
    chart = chart_of(COMPLETE, lang)
    html = render_all(playbook, ("html",), lang)["html"]
    assert html.count("<svg") == 1 and f'<figure class="chart">{chart.svg}</figure>' in html
    section = html[html.index('<section id="commission">'):]
    wrapper = section.index('<div class="with-chart">')
    assert wrapper < section.index("<table>", wrapper) < section.index('<figure class="chart">')  # table, chart beside
    style = html[html.index("<style>"):html.index("</style>")]
    assert chart.css in style and html.count("<style") == 1  # one style sheet, the chart's rules in it
    assert "<script" not in html and "pay-curve" not in html


def docs(*args: str) -> None:
    result = CliRunner().invoke(main, ["docs", *args])
    assert result.exit_code == 0, result.output


def test_the_markdown_handbook_links_its_chart_file_listed_in_the_manifest(tmp_path: Path) -> None:
    docs(str(COMPLETE), "--out", str(tmp_path / "a"))
    folder = tmp_path / "a"
    assert sorted(p.name for p in folder.iterdir()) == [MANIFEST, "handbook.html", "handbook.md", "pay-curve.svg"]
    image = re.findall(r"^!\[([^\]]*)\]\(([^)]+)\)$", (folder / "handbook.md").read_text(encoding="utf-8"), re.M)
    assert image == [(chart_of(COMPLETE, "zh").alt, "pay-curve.svg")]
    svg = (folder / "pay-curve.svg").read_text(encoding="utf-8")
    assert svg == chart_of(COMPLETE, "zh").document
    listed = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["files"]
    assert listed["pay-curve.svg"][0] == len(svg.encode("utf-8"))
    docs(str(COMPLETE), "--out", str(tmp_path / "b"))
    assert (tmp_path / "b" / "pay-curve.svg").read_bytes() == (folder / "pay-curve.svg").read_bytes()
    # The next run replaces the folder whole (the chart file is qunce's, by the manifest) …
    docs(str(WELFARE), "--out", str(folder), "--lang", "en", "--format", "md")
    assert sorted(p.name for p in folder.iterdir()) == [MANIFEST, "handbook.en.md", "pay-curve.en.svg"]
    assert "](pay-curve.en.svg)" in (folder / "handbook.en.md").read_text(encoding="utf-8")
    # … and the HTML alone needs no file beside it.
    docs(str(COMPLETE), "--out", str(folder), "--format", "html")
    assert sorted(p.name for p in folder.iterdir()) == [MANIFEST, "handbook.html"]


def test_help_and_validate_do_not_import_pygal() -> None:
    code = ("import sys\nfrom qunce.cli import main\n"
            "for args in (['--help'], ['validate', sys.argv[1]]):\n"
            "    try:\n        main(args)\n    except SystemExit:\n        pass\n"
            "print('pygal' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code, str(COMPLETE)], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False"
