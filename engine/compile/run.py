"""`qunce tasks`: read the roster (and the events, through the simulator's checked ingest), expand
the SOP into tasks, render their texts and measure the load. The stages:

triggers.py (when an item fires) → tables.py (playbook and roster as Arrow tables) → expand.py and
event_tasks.py (rows, on DuckDB through Ibis) → texts.py, rows.py (columns) → capacity.py; the
outputs are task_formats.py and ics.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..errors import UsageError
from ..model import Playbook
from ..simulate.run import Outcome

MAX_DAYS = 3660  # ten years: beyond it a task list is a mistake in --from/--to


class TaskUsageError(UsageError):
    """A usage error in both languages (exit 2)."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.zh = zh


def usage_error(en: str, zh: str) -> TaskUsageError:
    return TaskUsageError(en, zh)


@dataclass
class TaskRequest:
    playbook: Playbook
    playbook_path: Path
    roster: Path
    start: dt.date
    end: dt.date
    events: Path | None = None
    skip_bad_rows: bool = False
    lang: str = "en"


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
    timings: dict[str, float] = field(default_factory=dict)  # stage → seconds (for bench/tasks.py)


def standing_items(playbook: Playbook, with_events: bool) -> set[int]:
    """The items given as standing instructions: events the data cannot show (or no data)."""
    from . import triggers

    def standing(item: Any) -> bool:
        key = triggers.kind(item)
        if key == "on" and item.on in triggers.NEEDS_SIMULATION:
            return True
        return not with_events and (key == "member_days" or (key == "on" and item.on in triggers.FROM_EVENTS))

    return {idx for idx, item in enumerate(playbook.sop) if standing(item)}


def compile_tasks(request: TaskRequest, outcome: Outcome) -> TaskList | None:
    """The task list; None when the roster or the events have problems (in `outcome`)."""
    import pyarrow.compute as pc

    from .capacity import capacity
    from .event_tasks import event_rows
    from .expand import expand, register, scheduled_rows
    from .rows import standing_table, task_table
    from .tables import Window, build
    from .texts import Renderer

    if request.start > request.end:
        raise usage_error(f"--from {request.start} is after --to {request.end}; swap them",
                          f"--from {request.start} 晚于 --to {request.end}；请交换两者")
    if (request.end - request.start).days >= MAX_DAYS:
        raise usage_error(f"--from {request.start} --to {request.end} spans more than {MAX_DAYS} days; "
                          "ask for a shorter window", f"--from {request.start} 到 --to {request.end} 超过 {MAX_DAYS} 天；请缩短时间范围")
    clock = _Laps()
    loaded = _load(request, outcome)
    if loaded is None:
        return None
    con, roster, events = loaded
    clock.lap("load")
    playbook = request.playbook
    window = Window(request.start, request.end)
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
    renderer = Renderer(playbook, roster)
    tasks = task_table(expanded.tasks, playbook, roster, request.lang, renderer)
    standing = standing_table(expanded.standing, playbook, roster, request.lang)
    clock.lap("columns")
    notes = _notes(playbook, roster) + [
        (f"{item}: the template failed for some tasks: {en}", f"{item}：部分任务的模板渲染失败：{zh}")
        for item, en, zh in sorted(set(renderer.problems))[:5]]
    return TaskList(playbook, request.start, request.end, tasks, standing, report, events is not None, notes,
                    clock.laps)


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


def _load(request: TaskRequest, outcome: Outcome) -> tuple[Any, Any, Any] | None:
    # (connection, roster, accepted events or None). Events go through the simulator's ingest:
    # the same checks, the same bad-row reports.
    from ..events.ingest import connect
    from ..events.roster import load_roster
    from ..simulate.run import Request, load

    if not request.roster.exists():
        raise usage_error(f"no such roster: {request.roster} (a YAML file, or a folder with groups.csv, staff.csv, "
                          "assignments.csv)", f"找不到花名册：{request.roster}（YAML 文件，或含 groups.csv、staff.csv、"
                          "assignments.csv 的目录）")
    if request.events is not None:
        ctx = load(Request(request.playbook, request.playbook_path, request.events, request.roster, Path("."),
                           request.start, request.end, request.skip_bad_rows), outcome)
        return None if ctx is None else (ctx.con, ctx.roster, ctx.events)
    roster = load_roster(request.roster)
    outcome.roster = roster
    if roster.diagnostics:
        outcome.stopped = True
        return None
    return connect(request.playbook.timezone), roster, None


def _notes(playbook: Playbook, roster: Any) -> list[tuple[str, str]]:
    notes = []
    for type_id in sorted({g.type for g in roster.groups} - set(playbook.group_types)):
        notes.append((f"the roster's group type '{type_id}' is not in the playbook: only SOP items for every type apply",
                      f"花名册中的群类型 '{type_id}' 不在剧本中：只有适用于所有群类型的 SOP 事项会生效"))
    for role in sorted({a.role for a in roster.assignments} - set(playbook.roles)):
        notes.append((f"the roster's role '{role}' is not in the playbook: its staff get no tasks",
                      f"花名册中的角色 '{role}' 不在剧本中：担任该角色的员工没有任务"))
    return notes
