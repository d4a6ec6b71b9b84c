"""The task list's columns: the expanded rows with names, rendered texts, triggers in words and
times with their UTC offset, column by column (Arrow compute; Python only per distinct value)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc

from ..events.roster import Roster
from ..model import Playbook
from . import triggers
from .texts import Renderer, facets, render_column

TASK_COLUMNS = ("kind", "date", "time", "start", "due", "staff_id", "staff_name", "role", "role_name", "group_id",
                "group_name", "group_type", "groups", "item", "task", "flow", "content", "minutes", "trigger",
                "within", "member_id", "instructions", "message")
STANDING_COLUMNS = ("kind", "staff_id", "staff_name", "role", "role_name", "groups", "item", "task", "flow",
                    "content", "minutes", "per_day", "within", "trigger", "instructions", "message")


def message_source(playbook: Playbook, idx: int) -> str | None:
    """The message an item sends: its inline `message:` or its named template."""
    item = playbook.sop[idx]
    if item.message is not None:
        return item.message
    return playbook.all_templates().get(item.template) if item.template else None


def _lookup(keys: Any, table: dict[str, str]) -> pa.Array:
    # Each key's value in `table` ('' for a null or unknown key).
    names = sorted(table)
    at = pc.index_in(keys, value_set=pa.array(names, pa.string()))
    return pc.fill_null(pa.array([table[n] for n in names], pa.string()).take(at), "")


def _per_item(idx: Any, values: list[Any], kind: pa.DataType | None = None) -> pa.Array:
    return pa.array(values, kind or pa.string()).take(idx)


def _iso(day: dt.date | None, time: str | None, zone: ZoneInfo) -> str:
    if day is None or not time:
        return ""
    hour, minute = (int(part) for part in time.split(":"))
    local = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)
    # A time inside a daylight-saving gap moves on to the time that exists.
    return local.astimezone(dt.UTC).astimezone(zone).isoformat()


def _iso_column(days: Any, times: Any, zone: ZoneInfo) -> pa.Array:
    # One ISO time per row, computed once per distinct (date, time).
    key = pc.binary_join_element_wise(pc.fill_null(pc.cast(days, pa.string()), ""), pc.fill_null(times, ""), " ")
    distinct = pc.unique(key)
    shown = []
    for text in distinct.to_pylist():
        day, _, time = text.partition(" ")
        shown.append(_iso(dt.date.fromisoformat(day) if day else None, time or None, zone))
    return pa.array(shown, pa.string()).take(pc.index_in(key, value_set=distinct))


def task_table(tasks: pa.Table, playbook: Playbook, roster: Roster, lang: str, renderer: Renderer) -> pa.Table:
    """The task rows in TASK_COLUMNS."""
    zone = ZoneInfo(playbook.timezone)
    sop = playbook.sop
    idx = tasks.column("idx")
    ids = [item.id for item in sop]
    due = tasks.column("due")
    due_day, due_time = pc.cast(due, pa.date32()), pc.strftime(due, format="%H:%M")
    groups = {g.id: g for g in roster.groups}
    sources = {i: item.task for i, item in enumerate(sop) if item.task is not None}
    messages = {i: text for i in range(len(sop)) if (text := message_source(playbook, i)) is not None}
    columns: dict[str, Any] = {
        "kind": tasks.column("kind"),
        "date": pc.cast(tasks.column("date"), pa.string()),
        "time": pc.fill_null(tasks.column("time"), ""),
        "start": _iso_column(tasks.column("date"), tasks.column("time"), zone),
        "due": pc.if_else(pc.is_null(due), "", _iso_column(due_day, pc.fill_null(due_time, ""), zone)),
        "staff_id": tasks.column("staff_id"),
        "staff_name": _lookup(tasks.column("staff_id"), {s.id: s.name for s in roster.staff}),
        "role": tasks.column("role"),
        "role_name": _lookup(tasks.column("role"), {k: r.name for k, r in playbook.roles.items()}),
        "group_id": pc.fill_null(tasks.column("group_id"), ""),
        "group_name": _lookup(tasks.column("group_id"), {k: g.name for k, g in groups.items()}),
        "group_type": _lookup(tasks.column("group_id"), {k: g.type for k, g in groups.items()}),
        "groups": tasks.column("groups"),
        "item": _per_item(idx, ids),
        "task": _per_item(idx, [item.name or item.id for item in sop]),
        "flow": _per_item(idx, [item.flow or "" for item in sop]),
        "content": _per_item(idx, [item.content or "" for item in sop]),
        "minutes": _per_item(idx, [item.minutes for item in sop], pa.int64()),
        "trigger": _per_item(idx, [triggers.describe(item, playbook, lang) for item in sop]),
        "within": _per_item(idx, [str(item.within) if item.within else "" for item in sop]),
        "member_id": pc.fill_null(tasks.column("member_id"), ""),
        "instructions": pc.fill_null(render_column(tasks, sources, renderer, ids), ""),
        "message": pc.fill_null(render_column(tasks, messages, renderer, ids), ""),
    }
    return pa.table(columns)


def standing_table(standing: pa.Table, playbook: Playbook, roster: Roster, lang: str, renderer: Renderer) -> pa.Table:
    """The event-driven tasks (触发式任务) per person in STANDING_COLUMNS; their texts rendered
    for the person, with the group when they hold one (else its type when their groups share
    one) and placeholders for the event's day, time and member (texts.Renderer)."""
    sop = playbook.sop
    idx = standing.column("idx")
    n = standing.num_rows
    done: dict[tuple[Any, ...], str] = {}

    def rendered(source: str | None, item_id: str, values: dict[str, Any], role: str) -> str:
        # once per source and the values it reads (a text without the staff's name once per item)
        if not source:
            return ""
        reads = facets(source)
        key = (source, role, values["staff_id"] if "staff" in reads else None,
               (values["context_group"], values["group_type"]) if "group" in reads else None)
        if key not in done:
            done[key] = renderer.render(item_id, source, values, role, standing=True)
        return done[key]

    instructions, messages = [], []
    for row in standing.select(["idx", "staff_id", "role", "groups", "group_id", "group_types", "group_type"]).to_pylist():
        item = sop[row["idx"]]
        values = {"staff_id": row["staff_id"], "context_group": row["group_id"] if row["groups"] == 1 else None,
                  "group_type": row["group_type"] if row["group_types"] == 1 else None}
        instructions.append(rendered(item.task, item.id, values, row["role"]))
        messages.append(rendered(message_source(playbook, row["idx"]), item.id, values, row["role"]))
    return pa.table({
        "kind": pa.array(["standing"] * n, pa.string()),
        "staff_id": standing.column("staff_id"),
        "staff_name": _lookup(standing.column("staff_id"), {s.id: s.name for s in roster.staff}),
        "role": standing.column("role"),
        "role_name": _lookup(standing.column("role"), {k: r.name for k, r in playbook.roles.items()}),
        "groups": standing.column("groups"),
        "item": _per_item(idx, [item.id for item in sop]),
        "task": _per_item(idx, [item.name or item.id for item in sop]),
        "flow": _per_item(idx, [item.flow or "" for item in sop]),
        "content": _per_item(idx, [item.content or "" for item in sop]),
        "minutes": _per_item(idx, [item.minutes for item in sop], pa.int64()),
        "per_day": _per_item(idx, [item.per_day for item in sop], pa.float64()),
        "within": _per_item(idx, [str(item.within) if item.within else "" for item in sop]),
        "trigger": _per_item(idx, [triggers.describe(item, playbook, lang) for item in sop]),
        "instructions": pa.array(instructions, pa.string()),
        "message": pa.array(messages, pa.string()),
    })
