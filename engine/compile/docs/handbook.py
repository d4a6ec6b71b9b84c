"""`qunce docs`: build the view model once, render each format, then write the files (each
through a temporary file and a rename, so a failed run leaves the earlier handbook whole)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...files import write_text_atomic
from ...model import Playbook
from .context import handbook_context
from .render import render_handbook

FORMATS = ("md", "html")


@dataclass(frozen=True)
class Written:
    path: Path
    size: int  # bytes


def playbook_lang(playbook: Playbook) -> str:
    """The language the playbook's `locale:` asks documents to be in."""
    return "en" if playbook.locale == "en" else "zh"


def output_name(fmt: str, lang: str, own: str) -> str:
    """handbook.md in the playbook's own language, handbook.<lang>.md in the other."""
    return f"handbook.{fmt}" if lang == own else f"handbook.{lang}.{fmt}"


def render_all(playbook: Playbook, formats: tuple[str, ...], lang: str, templates: Path | None = None) -> dict[str, str]:
    """Each format's text; raises TemplateFailure before anything is written."""
    context = handbook_context(playbook, lang)
    return {fmt: render_handbook(context, fmt, templates) for fmt in formats}


def write_handbook(playbook: Playbook, out: Path, formats: tuple[str, ...], lang: str,
                   templates: Path | None = None) -> list[Written]:
    """Every format rendered first (a failing template writes nothing), then written; with the
    Markdown, the pay chart's SVG file beside it (the HTML holds its chart inline)."""
    context = handbook_context(playbook, lang)
    files = {output_name(fmt, lang, playbook_lang(playbook)): render_handbook(context, fmt, templates) for fmt in formats}
    chart = (context["commission"] or {}).get("chart")
    if chart and "md" in formats:
        files[chart["file"]] = chart["document"]
    written = []
    for name, text in files.items():
        path = out / name
        write_text_atomic(path, text)
        written.append(Written(path, len(text.encode("utf-8"))))
    return written


def summary(playbook: Playbook, lang: str) -> str:
    """One line on what the handbook holds, printed by `qunce docs`."""
    sections = len(handbook_context(playbook, lang)["toc"])
    levels = len(playbook.membership.levels) if playbook.membership else 0
    counts = (len(playbook.group_types), len(playbook.roles), len(playbook.sop), levels, len(playbook.all_templates()))
    if lang == "zh":
        return (f"{playbook.playbook} 运营手册：{sections} 节，{counts[0]} 种群、{counts[1]} 个角色、{counts[2]} 项 SOP、"
                f"{counts[3]} 个会员等级、{counts[4]} 条话术")
    return (f"{playbook.playbook} handbook: {sections} sections; {counts[0]} group types, {counts[1]} roles, "
            f"{counts[2]} SOP items, {counts[3]} levels, {counts[4]} message templates")
