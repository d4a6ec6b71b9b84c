"""The SOP's tasks for generated data (`qunce events generate`, `qunce demo`): the task list's own
expansion (compile/: tables.build, expand.register, scheduled_rows, event_tasks.event_rows,
expand.staffed) on the generated roster and member events, as the integer columns the generator
draws outcomes for (events/generate_sop.TASK_SCHEMA). Wired here: events/ cannot import compile/
(compile/ imports the roster from events/)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..events.roster import Roster
from ..model import Playbook


def staffed_tasks(playbook: Playbook, roster: Roster, start: dt.date, end: dt.date, triggers: Any) -> Any:
    """One row per staffed task from `start` to `end` (events/generate_sop.TASK_SCHEMA, ordered);
    `triggers`: generate_sop.trigger_table's events. Group ids are g…, staff ids s… (numbered from 1)."""
    import ibis

    from ..compile.event_tasks import event_rows
    from ..compile.expand import register, scheduled_rows, staffed
    from ..compile.tables import Window, build
    from ..compute import from_arrow
    from ..compute.duckdb import connect
    from ..events.generate_sop import TASK_SCHEMA

    window = Window(start, end)
    con = connect("UTC")  # naive local times throughout, as the events are read
    tables = build(playbook, roster, window)
    reg = register(con, tables)
    events = from_arrow(con, "generated_triggers", triggers)
    rows = staffed(reg, scheduled_rows(reg, tables, window) + event_rows(reg, tables, window, events))
    origin = ibis.date(start.year, start.month, start.day)
    epoch = ibis.timestamp(start.year, start.month, start.day, 0, 0, 0)
    time = rows.time
    out = rows.select(
        idx=rows.idx.cast("int32"),
        group=rows.group_id.substr(1).cast("int64") - 1,
        day=rows.date.delta(origin, unit="day").cast("int64"),
        minute=ibis.ifelse(time.isnull(), -1,
                           time.substr(0, 2).cast("int64") * 60 + time.substr(3, 2).cast("int64")),
        member=rows.member_id.cast("int64").fill_null(-1),  # the triggers' member numbers
        event_row=rows.event_row.fill_null(-1),
        due=ibis.ifelse(rows.due.isnull(), -1, rows.due.delta(epoch, unit="second")).cast("int64"),
        staff=rows.staff_id.substr(1).cast("int64") - 1,
    )
    ordered = out.order_by(["group", "day", "minute", "idx", "member", "event_row", "staff"])
    try:
        return con.to_pyarrow(ordered).cast(TASK_SCHEMA)
    finally:
        con.disconnect()
