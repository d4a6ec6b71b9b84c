"""Working hours （工作时间）： when a task that answers an event is due.

The rule (docs/language.md, 「工作时间」): an event-driven task whose trigger falls inside its
role's working hours is due `within:` after the trigger, as without working hours, even when that
passes the span's end (the person on duty saw it come in); a trigger outside them is due
`within:` after the start of the next working span (the same day's next span, else the first
span of the next day). The role is the item's; its own `working_hours`, else the calendar's;
neither: no restriction. A span holds its start, not its end (on duty from 09:00, off at 22:00
sharp).

Times are the events' local wall-clock times in the playbook's time zone (naive, as the events
are read), so 09:00 is 09:00 on both sides of a daylight-saving change; a span's start the clock
skips that day moves on as any local time does where the task list is written (rows._iso).

Relational: a role's day off duty is a few gaps, [from, to) in seconds of the day, each with the
moment duty resumes; a trigger joins the one gap of its role it falls in, if any (the gaps are
disjoint), so a table of millions of triggers costs one join with a table of a few rows. The SOP
assessment calls `with_due` on its own table of triggers.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pyarrow as pa

from ..arrow_values import table_of
from ..model import Playbook
from ..model.calendar import DAY_MINUTES, Span

GAP_SCHEMA = pa.schema([("role", pa.string()), ("gap_from", pa.int64()), ("gap_to", pa.int64()),
                        ("resume", pa.int64()), ("next_day", pa.int64())])


def gaps(spans: tuple[Span, ...]) -> list[tuple[int, int, int, int]]:
    """(from, to, resume, next_day) in minutes of the day: each stretch off duty, when duty resumes
    and whether that is the next day. No spans: no restriction, no gaps."""
    if not spans:
        return []
    out = []
    if spans[0].start > 0:
        out.append((0, spans[0].start, spans[0].start, 0))
    for before, after in pairwise(spans):
        if before.end < after.start:
            out.append((before.end, after.start, after.start, 0))
    if spans[-1].end < DAY_MINUTES:
        out.append((spans[-1].end, DAY_MINUTES, spans[0].start, 1))
    return out


def resume(spans: tuple[Span, ...], minute: int) -> tuple[int, int] | None:
    """(days later, minute of the day) duty resumes for a trigger at `minute` of the day off duty;
    None inside working hours (or without any). The same rule as `with_due`, for one value."""
    for start, end, at, next_day in gaps(spans):
        if start <= minute < end:
            return next_day, at
    return None


def gap_table(playbook: Playbook) -> pa.Table:
    """The gaps of every role of the playbook (GAP_SCHEMA, seconds of the day); empty when no role
    has working hours."""
    rows: dict[str, list[Any]] = {name: [] for name in GAP_SCHEMA.names}
    for role_id in sorted(playbook.roles):
        for start, end, at, next_day in gaps(playbook.working_hours(role_id)):
            for name, value in zip(GAP_SCHEMA.names, (role_id, start * 60, end * 60, at * 60, next_day), strict=True):
                rows[name].append(value)
    return table_of(rows, GAP_SCHEMA)


def with_due(t: Any, gap_rows: Any, *, ts: str = "ts", role: str = "role", within: str = "within",
             due: str = "due", opens: str | None = None, deferred: str | None = None) -> Any:
    """`t` (an Ibis table with a naive local timestamp `ts`, the task's `role` and `within` in
    minutes, null for none) with `due`: `within` after the trigger, or after the next working span
    starts when the trigger is off duty; with `opens`, the moment that clock starts (the trigger,
    or the span's start); with `deferred`, whether it was moved. `gap_rows`: `gap_table` as an Ibis
    table on `t`'s connection, or None/an empty Arrow table for no working hours (then `t` is not
    joined at all)."""
    import ibis

    if gap_rows is None or (isinstance(gap_rows, pa.Table) and gap_rows.num_rows == 0):
        return _finish(t, t[ts], ibis.literal(False), t[within], due, opens, deferred, t.columns)
    if isinstance(gap_rows, pa.Table):
        gap_rows = ibis.memtable(gap_rows)
    g = gap_rows.select(_wh_role=gap_rows.role, _wh_from=gap_rows.gap_from, _wh_to=gap_rows.gap_to,
                        _wh_resume=gap_rows.resume, _wh_next=gap_rows.next_day)
    stamp = t[ts]
    keyed = t.mutate(_wh_sec=stamp.hour().cast("int64") * 3600 + stamp.minute().cast("int64") * 60
                     + stamp.second().cast("int64"))
    j = keyed.left_join(g, [keyed[role] == g._wh_role, g._wh_from <= keyed._wh_sec, keyed._wh_sec < g._wh_to])
    moved = j._wh_resume.notnull()
    start = ibis.ifelse(moved, j[ts].truncate("D") + (j._wh_next * 86400 + j._wh_resume).as_interval("s"), j[ts])
    return _finish(j, start, moved, j[within], due, opens, deferred, t.columns)


def _finish(t: Any, start: Any, moved: Any, within: Any, due: str, opens: str | None, deferred: str | None,
            columns: Any) -> Any:
    added = {due: start + within.fill_null(0).as_interval("m")}
    if opens is not None:
        added[opens] = start
    if deferred is not None:
        added[deferred] = moved
    return t.select(*columns, **added)
