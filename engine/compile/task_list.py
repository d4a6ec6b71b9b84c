"""`qunce tasks`: read the roster (and the events, through the simulator's checked ingest), expand
the SOP into tasks, render their texts and measure the load. The stages:

triggers.py (when an item fires) → tables.py (playbook and roster as Arrow tables) → expand.py and
event_tasks.py (rows, on DuckDB through Ibis) → texts.py, rows.py (columns) → capacity.py; the
outputs are task_formats.py and ics.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from ..errors import UsageError
from ..events.roster import Roster
from ..model import Playbook

MAX_DAYS = 3660  # ten years: beyond it a task list is a mistake in --from/--to


@dataclass
class TaskList:
    playbook: Playbook
    start: dt.date
    end: dt.date
    tasks: pa.Table  # rows.TASK_COLUMNS
    standing: pa.Table  # rows.STANDING_COLUMNS
    capacity: pa.Table  # capacity.COLUMNS
    with_events: bool
    notes: list[tuple[str, str]] = field(default_factory=list)  # (en, zh): things worth knowing, not errors
    # a text rendered once per membership level (texts.Renderer.variants) → its (label, text) parts
    variants: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)  # stage → seconds (for bench/tasks.py)
    deferred: int = 0  # tasks answering an event off duty, due after the next working span starts


def standing_items(playbook: Playbook, with_events: bool) -> set[int]:
    """The items given as event-driven tasks (触发式任务, one line per person, no date): events the
    data cannot show (or no data)."""
    from . import triggers

    def standing(item: Any) -> bool:
        key = triggers.kind(item)
        if key == "on" and item.on in triggers.NEEDS_SIMULATION:
            return True
        return not with_events and (key == "member_days" or (key == "on" and item.on in triggers.FROM_EVENTS))

    return {idx for idx, item in enumerate(playbook.sop) if standing(item)}


def check_window(start: dt.date, end: dt.date) -> None:
    """--from/--to: in order, and at most MAX_DAYS (a bound on the work asked for)."""
    if start > end:
        raise UsageError(f"--from {start} is after --to {end}; swap them", f"--from {start} 晚于 --to {end}；请交换两者")
    if (end - start).days >= MAX_DAYS:
        raise UsageError(f"--from {start} --to {end} spans more than {MAX_DAYS} days; ask for a shorter window",
                         f"--from {start} 到 --to {end} 超过 {MAX_DAYS} 天；请缩短时间范围")


def compile_tasks(playbook: Playbook, roster: Roster, con: Any, events: Any | None, start: dt.date, end: dt.date,
                  lang: str) -> TaskList:
    """The task list of `playbook` for the roster's staff from `start` to `end`; with `events` (the
    checked events, on `con`), one task per event an on:/member_days: item answers. `lang` is the
    run's language: its words (triggers, placeholders) in the texts."""
    import pyarrow.compute as pc

    from .capacity import capacity
    from .event_tasks import event_rows
    from .expand import expand, register, scheduled_rows
    from .rows import standing_table, task_table
    from .tables import Window, build
    from .texts import Renderer

    check_window(start, end)
    clock = _Laps()
    window = Window(start, end)
    tables = build(playbook, roster, window)
    reg = register(con, tables)
    sources = scheduled_rows(reg, tables, window)
    if events is not None:
        sources += event_rows(reg, tables, window, events)
    chosen = sorted(standing_items(playbook, events is not None))
    kinds = tables.item_types.filter(pc.is_in(tables.item_types.column("idx"), pa.array(chosen, pa.int32())))
    roles = [playbook.sop[i].role for i in kinds.column("idx").to_pylist()]
    kinds = kinds.append_column("role", pa.array(roles, pa.string()))
    expanded = expand(reg, tables.items, sources, kinds)
    clock.lap("expand")
    report = capacity(reg, expanded.tasks, playbook, kinds)
    clock.lap("capacity")
    renderer = Renderer(playbook, roster, lang)
    tasks = task_table(expanded.tasks, playbook, roster, lang, renderer)
    standing = standing_table(expanded.standing, playbook, roster, lang, renderer)
    clock.lap("columns")
    notes = _notes(playbook, roster) + [
        (f"{item}: the template failed for some tasks: {en}", f"{item}：部分任务的模板渲染失败：{zh}")
        for item, en, zh in sorted(set(renderer.problems))[:5]]
    deferred = int(pc.sum(pc.cast(expanded.tasks.column("deferred"), pa.int64())).as_py() or 0)
    return TaskList(playbook, start, end, tasks, standing, report, events is not None, notes, renderer.variants,
                    clock.laps, deferred)


class _Laps:
    def __init__(self) -> None:
        import time

        self._now = time.perf_counter
        self._last = self._now()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = self._now()
        self.laps[name] = round(now - self._last, 3)
        self._last = now


def _notes(playbook: Playbook, roster: Any) -> list[tuple[str, str]]:
    notes = []
    for type_id in sorted({g.type for g in roster.groups} - set(playbook.group_types)):
        notes.append((f"the roster's group type '{type_id}' is not in the playbook: only SOP items for every type apply",
                      f"花名册中的群类型 '{type_id}' 不在剧本中：只有适用于所有群类型的 SOP 事项会生效"))
    for role in sorted({a.role for a in roster.assignments} - set(playbook.roles)):
        notes.append((f"the roster's role '{role}' is not in the playbook: its staff get no tasks",
                      f"花名册中的角色 '{role}' 不在剧本中：担任该角色的员工没有任务"))
    return notes
