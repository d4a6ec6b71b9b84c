"""Where the task list goes: one text in the chosen format (standard output or a file), or one file
per person (`--split`); the capacity report; and the summary printed after a run, in English or
Chinese. Files are written whole or not at all (engine.files)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from .. import file_names
from ..errors import UsageError
from . import task_formats as formats
from .task_list import TaskList
from .words import date_range

FORMATS = ("csv", "json", "md", "ics")
MAX_FLAGGED_SHOWN = 10


def render(task_list: TaskList, fmt: str, lang: str, title: str) -> bytes:
    """The whole task list in `fmt` (UTF-8)."""
    if fmt == "csv":
        return formats.to_csv(formats.all_rows(task_list))
    if fmt == "json":
        return formats.tasks_json(task_list).encode("utf-8")
    if fmt == "md":
        return formats.tasks_markdown(task_list, lang).encode("utf-8")
    from .ics import calendar

    return calendar(task_list, None, title, lang)


def write(path: Path, data: bytes) -> None:
    """Write `data` to `path` whole or not at all (a temporary file beside it, then renamed)."""
    from ..events.writers import atomic

    with atomic(path) as temp:
        temp.write_bytes(data)


def only(task_list: TaskList, staff_id: str) -> TaskList:
    """The task list of one person."""
    def rows(table: pa.Table) -> pa.Table:
        return table.filter(pc.equal(table.column("staff_id"), staff_id))

    return dataclasses.replace(task_list, tasks=rows(task_list.tasks), standing=rows(task_list.standing),
                               capacity=rows(task_list.capacity))


def people(task_list: TaskList) -> list[tuple[str, str]]:
    """(staff id, name) of everyone with a task or an event-driven task, by id."""
    found: dict[str, str] = {}
    for table in (task_list.tasks, task_list.standing):
        pairs = table.select(["staff_id", "staff_name"]).group_by(["staff_id", "staff_name"]).aggregate([])
        for staff_id, name in zip(pairs.column("staff_id").to_pylist(), pairs.column("staff_name").to_pylist(),
                                  strict=True):
            found.setdefault(staff_id, name)
    return sorted(found.items())


def write_split(task_list: TaskList, fmt: str, folder: Path, lang: str) -> list[Path]:
    """One file per person in `folder`: <staff id>.<fmt>, the id made safe and distinct by
    file_names (two ids never share a file)."""
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--split writes one file per person into a folder, and {folder} is a file",
                         f"--split 会在目录中为每人写一个文件，而 {folder} 是文件")
    written = []
    everyone = people(task_list)
    stems = file_names.names(staff_id for staff_id, _ in everyone)
    for staff_id, name in everyone:
        path = folder / f"{stems[staff_id]}.{fmt}"
        write(path, render(only(task_list, staff_id), fmt, lang, f"{task_list.playbook.playbook} · {name}"))
        written.append(path)
    return written


def write_capacity(task_list: TaskList, path: Path, lang: str) -> None:
    """The capacity report, as CSV, JSON or Markdown by the file's extension."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        data = formats.capacity_json(task_list.capacity).encode("utf-8")
    elif suffix == ".md":
        data = formats.capacity_markdown(task_list.capacity, lang).encode("utf-8")
    else:
        data = formats.to_csv(task_list.capacity)
    write(path, data)


def overloaded(task_list: TaskList) -> bool:
    """Whether anyone has more minutes than their role allows, or more groups, on some day."""
    return any(formats.overloaded(task_list.capacity))


def summary(task_list: TaskList, lang: str) -> list[str]:
    """What was compiled and whether anyone is overloaded, in a few lines."""
    zh = lang == "zh"
    tasks, standing = task_list.tasks, task_list.standing
    from_events = int(pc.sum(pc.cast(pc.equal(tasks.column("kind"), "event"), pa.int64())).as_py() or 0)
    staff = len(people(task_list))
    window = date_range(task_list.start, task_list.end, lang)
    name = task_list.playbook.playbook
    if zh:
        lines = [f"{name}：{window}，{staff:,} 名员工，{tasks.num_rows:,} 项任务"
                 f"（其中 {from_events:,} 项响应事件），{standing.num_rows:,} 项触发式任务"]
    else:
        lines = [f"{name}: {window}, {staff:,} staff, {tasks.num_rows:,} tasks "
                 f"({from_events:,} in reply to events), {standing.num_rows:,} event-driven tasks"]
    if task_list.deferred:
        n = task_list.deferred
        lines.append(f"工作时间：{n:,} 项响应事件的任务在工作时间外触发，截止时间从下一段工作时间开始计算" if zh else
                     f"working hours: {n:,} task{'' if n == 1 else 's'} in reply to events came off duty, due after "
                     "the next working span starts")
    lines.append(load_line(*formats.overloaded(task_list.capacity), lang))
    capacity = task_list.capacity
    flagged = capacity.filter(pc.or_(capacity.column("overloaded"), capacity.column("over_group_limit"))).to_pylist()
    for r in flagged[:MAX_FLAGGED_SHOWN]:
        parts = []
        if r["overloaded"]:
            parts.append(f"{r['total']:,g} / {r['minutes_per_day']:,} 分钟" if zh
                         else f"{r['total']:,g} of {r['minutes_per_day']:,} min")
        if r["over_group_limit"]:
            parts.append(f"群数 {r['group_limits']}" if zh else f"groups {r['group_limits']}")
        lines.append(f"  ⚠ {r['date']} {r['staff_id']} {r['roles']}：" + "；".join(parts) if zh else
                     f"  ⚠ {r['date']} {r['staff_id']} {r['roles']}: " + "; ".join(parts))
    if len(flagged) > MAX_FLAGGED_SHOWN:
        more = len(flagged) - MAX_FLAGGED_SHOWN
        lines.append(f"  … 另有 {more:,} 人天（见 --capacity 报告）" if zh else f"  … and {more:,} more (see --capacity)")
    lines += [f"注意：{zh_text}" if zh else f"note: {en}" for en, zh_text in task_list.notes]
    return lines


def load_line(over: int, over_groups: int, lang: str) -> str:
    """The capacity in a sentence: how many person-days (人天: one person on one day) are over the
    minutes a role has a day, and over its number of groups."""
    if lang == "zh":
        if not over and not over_groups:
            return "负荷：没有人哪天超出每日可用时间或群数上限"
        minutes = f"有 {over:,} 人天超出每日可用时间" if over else "没有人超出每日可用时间"
        groups = f"有 {over_groups:,} 人天超出群数上限" if over_groups else "没有人超出群数上限"
        return f"负荷：{minutes}，{groups}"
    if not over and not over_groups:
        return "capacity: nobody is over their minutes or their group limit on any day"

    def days(n: int) -> str:
        return f"{n:,} person-day{'' if n == 1 else 's'}"

    minutes = f"{days(over)} over the minutes available" if over else "nobody over their minutes"
    groups = f"{days(over_groups)} over a group limit" if over_groups else "nobody over a group limit"
    return f"capacity: {minutes}; {groups}"
