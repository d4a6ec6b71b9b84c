"""The report page: every section's charts and tables rendered by templates/report/report.html.j2,
with Apache ECharts (templates/report/vendor/, Apache-2.0) and each chart's option embedded, so
the one file works offline and when mailed. The same folder gives the same bytes: options are
dumped with sorted keys, nothing says when the page was made."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..resources import resource
from . import admissions, audience, commission, levels, lifecycle, members, sop
from .charts import Chart, Section, Table
from .folder import Folder

SECTIONS = (members.section, lifecycle.section, levels.section, audience.section, admissions.section, sop.section,
            commission.section)


@dataclass
class Page:
    html: str
    sections: list[Section]

    @property
    def charts(self) -> list[Chart]:
        return [item for section in self.sections for item in section.items if isinstance(item, Chart)]


def build(folder: Folder, out: Path) -> Page:
    """The page for `folder`, its links to the tables relative to `out` (where it will be written)."""
    sections = [s for make in SECTIONS if (s := make(folder)) is not None]
    return Page(render(folder, sections, out), sections)


def render(folder: Folder, sections: list[Section], out: Path) -> str:
    say, lang, summary = folder.say, folder.lang, folder.summary
    where = out.resolve().parent
    links = {table: os.path.relpath(folder.path.resolve() / name, where).replace(os.sep, "/")
             for table, name in folder.files.items()}
    window = summary.get("window", {})
    facts = [
        say(f"{window.get('from')} to {window.get('to')}", f"{window.get('from')} 至 {window.get('to')}"),
        say(f"{summary.get('groups', 0):,} groups", f"{summary.get('groups', 0):,} 个群"),
        say(f"{summary.get('staff', 0):,} staff", f"{summary.get('staff', 0):,} 名员工"),
        say(f"{summary.get('members', 0):,} members", f"{summary.get('members', 0):,} 名成员"),
        say(f"{summary.get('rows', {}).get('accepted', 0):,} events", f"{summary.get('rows', {}).get('accepted', 0):,} 条事件"),
    ]
    return html_page(
        lang, say(f"{summary.get('playbook', '')} · simulation report", f"{summary.get('playbook', '')} · 模拟报告"),
        facts, sections, links, folder.files,
        say(f"Made by qunce {summary.get('qunce', '')} from the simulation's output folder; the numbers on each "
            "chart are in the table it links to. Charts: Apache ECharts (Apache-2.0).",
            f"由 qunce {summary.get('qunce', '')} 根据模拟输出目录生成；每张图的数字都在其链接的数据表中。"
            "图表：Apache ECharts（Apache-2.0 许可）。"),
        _labels(folder))


def html_page(lang: str, title: str, facts: list[str], sections: list[Section], links: dict[str, str],
              files: dict[str, str], footer: str, labels: dict[str, Any]) -> str:
    """One self-contained page of `sections` (the report's, or `qunce diff --format html`'s)."""
    from jinja2 import Environment, StrictUndefined

    def say(en: str, zh: str) -> str:
        return zh if lang == "zh" else en

    specs = {item.id: {"option": item.option, "fmt": item.fmt, "labels": labels}
             for section in sections for item in section.items if isinstance(item, Chart)}
    # Inside <script>, "</" would end the element: JSON allows "<\/" for it.
    charts_json = json.dumps(specs, sort_keys=True, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    env = Environment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
    template = env.from_string(resource("templates", "report", "report.html.j2").read_text(encoding="utf-8"))
    return template.render(
        lang=lang, html_lang="zh-CN" if lang == "zh" else "en", title=title,
        facts=("，" if lang == "zh" else " · ").join(facts),
        contents=say("Contents", "目录"), source=say("Data:", "数据来源："), footer=footer,
        empty=say("The folder has no table to chart.", "该目录没有可绘制的数据表。"),
        sections=sections, links=links, files=files, charts_json=charts_json,
        echarts=resource("templates", "report", "vendor", "echarts.min.js").read_text(encoding="utf-8")
        .replace("</script", "<\\/script"),
        is_chart=lambda item: isinstance(item, Chart), is_table=lambda item: isinstance(item, Table),
    )


def _labels(folder: Folder) -> dict[str, Any]:
    """Words the page's script puts in tooltips it formats itself (the pay curve's dots)."""
    return {"x": folder.say("attainment", "达成率"), "y": folder.say("factor", "提成系数"),
            "n": folder.say("units", "个单位")}


