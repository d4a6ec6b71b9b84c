"""The task list as CSV, JSON or Markdown (a checklist per person per day); the capacity report as
CSV, JSON or Markdown. Same inputs, same bytes: rows come sorted from the expansion, nothing
depends on the clock."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ..bilingual import pick
from ..markdown_text import cell, inline, text_lines
from .rows import STANDING_COLUMNS, TASK_COLUMNS
from .task_list import TaskList
from .words import date_range, holidays_words, zone

CSV_COLUMNS = (*TASK_COLUMNS, "per_day")
WEEKDAYS = {"zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
            "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}
WORDS = {
    "title": ("Task list", "任务清单"),
    "standing": ("Event-driven tasks", "触发式任务"),
    "standing_note": ("Done whenever the event happens, in every group you hold; fill in what is in brackets.",
                      "每当事件发生时，在你负责的每个群中执行；【】中的内容请按实际情况填写。"),
    "holidays": ("Holidays", "节假日"),
    "paused": (" pause", "暂停"),
    "tasks": ("tasks", "项"),
    "task": ("task", "项"),
    "min": ("min", "分钟"),
    "group": ("group", "个群"),
    "groups": ("groups", "个群"),
    "each": ("each time", "每次"),
    "due": ("due", "截止"),
    "member": ("member", "成员"),
    "all_groups": ("all your groups", "你负责的所有群"),
    "none": ("No tasks in this window.", "此期间没有任务。"),
    "capacity": ("Capacity", "负荷"),
    "over": ("overloaded", "超负荷"),
    "over_groups": ("over the group limit", "超出群数上限"),
    "estimated": ("expected from event-driven tasks", "触发式任务预计"),
}


def word(key: str, lang: str) -> str:
    return pick(WORDS, key, lang)


def all_rows(task_list: TaskList) -> pa.Table:
    """Tasks, then event-driven tasks, in CSV_COLUMNS (absent values empty)."""
    tasks = task_list.tasks.append_column("per_day", pa.nulls(task_list.tasks.num_rows, pa.float64()))
    standing = task_list.standing
    m = standing.num_rows
    filled = {name: standing.column(name) if name in STANDING_COLUMNS else _blank(name, m, tasks.schema)
              for name in CSV_COLUMNS}
    return pa.concat_tables([tasks, pa.table(filled).cast(tasks.schema)])


def _blank(name: str, rows: int, schema: pa.Schema) -> pa.Array:
    kind = schema.field(name).type
    return pa.array([""] * rows, kind) if pa.types.is_string(kind) else pa.nulls(rows, kind)


def to_csv(table: pa.Table) -> bytes:
    """CSV with a header, quoting only where needed (UTF-8 with a BOM, for Excel on Chinese
    Windows); text cells a spreadsheet would run as formulas get a leading ' (spreadsheet_safe)."""
    from ..spreadsheet_safe import arrow_csv

    return arrow_csv(table)


def tasks_json(task_list: TaskList) -> str:
    """The task list as one JSON document: the window, the tasks and the event-driven tasks (`standing`)."""
    document = {
        "playbook": task_list.playbook.playbook, "timezone": task_list.playbook.timezone,
        "from": task_list.start.isoformat(), "to": task_list.end.isoformat(), "with_events": task_list.with_events,
        "tasks": task_list.tasks.to_pylist(), "standing": task_list.standing.to_pylist(),
    }
    return json.dumps(document, ensure_ascii=False, indent=1, default=str) + "\n"


def capacity_json(capacity: pa.Table) -> str:
    rows = capacity.to_pylist()
    return json.dumps({"capacity": rows}, ensure_ascii=False, indent=1, default=str) + "\n"


def tasks_markdown(task_list: TaskList, lang: str) -> str:
    """A checklist per person per day, then each person's event-driven tasks (触发式任务)."""
    pb = task_list.playbook
    # Names and texts come from the playbook, the roster and the events: `inline` keeps each from
    # starting a heading, link or HTML (ordinary ones are unchanged).
    out = [f"# {word('title', lang)}{_colon(lang)}{inline(pb.playbook)} · {date_range(task_list.start, task_list.end, lang)}"
           f"{_paren(inline(zone(pb.timezone, lang)), lang)}", ""]
    out += _holiday_lines(task_list, lang)
    limits = {(str(r["date"]), r["staff_id"]): r for r in task_list.capacity.to_pylist()}
    people = sorted(set(task_list.tasks.column("staff_id").to_pylist()) | set(task_list.standing.column("staff_id").to_pylist()))
    if not people:
        out += [word("none", lang), ""]
    tasks_by = _by_staff(task_list.tasks)
    standing_by = _by_staff(task_list.standing)
    for staff_id in people:
        rows = tasks_by.get(staff_id, [])
        first = (rows or standing_by[staff_id])[0]
        out += [f"## {inline(first['staff_name'])}{_paren(inline(staff_id), lang)}", ""]
        for day, day_rows in _by_day(rows):
            out += [_day_heading(day, day_rows, limits.get((day, staff_id)), lang), ""]
            out += [line for row in day_rows for line in _task_lines(row, lang, task_list.variants)]
            out.append("")
        if staff_id in standing_by:
            out += [f"### {word('standing', lang)}", "", word("standing_note", lang), ""]
            out += [line for row in standing_by[staff_id] for line in _standing_lines(row, lang, task_list.variants)]
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _by_staff(table: pa.Table) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in table.to_pylist():
        grouped.setdefault(row["staff_id"], []).append(row)
    return grouped


def _by_day(rows: list[dict[str, Any]]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    days: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        days.setdefault(row["date"], []).append(row)
    yield from sorted(days.items())


def _holiday_lines(task_list: TaskList, lang: str) -> list[str]:
    # The holidays in the window, each once with its days, when some item pauses on them: why a
    # task is missing those days.
    pb = task_list.playbook
    paused = [item.name or item.id for item in pb.sop if item.skip_holidays]
    shown = holidays_words(pb.calendar.holidays, lang, task_list.start, task_list.end)
    if not paused or not shown:
        return []
    names = ("、" if lang == "zh" else ", ").join(inline(name) for name in paused)
    return [f"{word('holidays', lang)}{_paren(names + word('paused', lang), lang)}{_colon(lang)}{inline(shown)}", ""]


def _day_heading(day: str, rows: list[dict[str, Any]], load: dict[str, Any] | None, lang: str) -> str:
    import datetime as dt

    weekday = WEEKDAYS[lang][dt.date.fromisoformat(day).weekday()]
    minutes = sum(row["minutes"] for row in rows)
    count = word("task" if len(rows) == 1 else "tasks", lang)
    heading = f"### {day} {weekday} · {len(rows):,} {count} · {minutes:,} {word('min', lang)}"
    if load is not None and load["minutes_per_day"] is not None:
        heading += f" / {load['minutes_per_day']:,}"
        if load["overloaded"]:
            heading += f" ⚠ {word('over', lang)}"
    return heading


Variants = dict[str, list[tuple[str, str]]]


def _task_lines(row: dict[str, Any], lang: str, variants: Variants) -> list[str]:
    where = inline(row["group_name"]) or f"{word('all_groups', lang)}{_paren(format(row['groups'], ','), lang)}"
    head = f"- [ ] {row['time'] or '--:--'} {inline(row['task'])} · {where} · {row['minutes']:,} {word('min', lang)}"
    if row["member_id"]:
        head += f" · {word('member', lang)} {inline(row['member_id'])}"
    if row["due"]:
        head += f" · {word('due', lang)} {row['due'][11:16]}" + ("" if row["due"][:10] == row["date"] else _paren(row["due"][:10], lang))
    return [head, *_texts(row, variants)]


def _standing_lines(row: dict[str, Any], lang: str, variants: Variants) -> list[str]:
    # The item by its name (its id is in the CSV's `item` column).
    groups = word("group" if row["groups"] == 1 else "groups", lang)
    head = (f"- {inline(row['task'])}{_colon(lang)}{inline(row['trigger'])} · {row['groups']:,} {groups} · "
            f"{word('each', lang)} {row['minutes']:,} {word('min', lang)}")
    return [head, *_texts(row, variants)]


def _texts(row: dict[str, Any], variants: Variants) -> list[str]:
    # The instructions, then the message quoted (what to paste); a text rendered once per level
    # shows each level's label outside the quote, its message inside.
    lines = []
    for key, prefix in (("instructions", "  "), ("message", "  > ")):
        text = row[key]
        if text in variants:
            for label, part in variants[text]:
                lines += [*_quoted(label, "  "), *_quoted(part, prefix)]
        else:
            lines += _quoted(text, prefix)
    return lines


def _paren(text: str, lang: str) -> str:
    return f"（{text}）" if lang == "zh" else f" ({text})"


def _colon(lang: str) -> str:
    return "：" if lang == "zh" else ": "


def _quoted(text: str, prefix: str) -> list[str]:
    # Each line escaped: a message line `# x` stays a line of the quote, not a heading.
    return [f"{prefix}{line}".rstrip() for line in text_lines(text)] if text else []


def capacity_markdown(capacity: pa.Table, lang: str) -> str:
    zh = lang == "zh"
    header = ("| 日期 | 员工 | 角色 | 任务 | 分钟 | 预计 | 合计 | 每日可用 | 群数 | 群数超限 | 超负荷 |" if zh else
              "| date | staff | roles | tasks | minutes | expected | total | per day | groups | group limits | overloaded |")
    lines = [f"# {word('capacity', lang)}", "", header, "|" + "---|" * 11]
    for r in capacity.to_pylist():
        flag = "⚠" if r["overloaded"] else ""
        lines.append(f"| {r['date']} | {cell(r['staff_id'])} | {cell(r['roles'])} | {r['tasks']} | {r['minutes']} | {r['estimated']:g} "
                     f"| {r['total']:g} | {r['minutes_per_day'] if r['minutes_per_day'] is not None else ''} "
                     f"| {r['groups']} | {r['group_limits']} | {flag} |")
    return "\n".join(lines) + "\n"


def overloaded(capacity: pa.Table) -> tuple[int, int]:
    """(person-days over their minutes, person-days over a group limit)."""
    if capacity.num_rows == 0:
        return 0, 0
    return (int(pc.sum(pc.cast(capacity.column("overloaded"), pa.int64())).as_py() or 0),
            int(pc.sum(pc.cast(capacity.column("over_group_limit"), pa.int64())).as_py() or 0))
