"""The first evidence of each task (docs/sop-assessment.md): a staff post in the task's group, a
reach of its member, or a `sop_done` logging its item, by someone holding the task's role in
that group that day (a logged per-person task: by its person), from the window's start to the
end of its lateness. Relational: the tasks are spread over the days their window and lateness
cover, then joined with the events of those days (an equi-join on the group or the member and
the day, never a scan of every event per task).
"""

from __future__ import annotations

from typing import Any

from .evidence import LOGGED, POST, REACH


def first_evidence(tasks: Any, events: Any, holders: Any, logged: Any | None = None) -> Any:
    """task, done_at (the first evidence's time) and done_row (its row; the smallest of those at
    that time) of every task with evidence. `tasks`: windows.with_windows's; `events`: the
    checked events; `holders`: group_id, date, role, staff_id (who holds which role where, each
    day); `logged`: the sop_done events (staff_id, group_id, member_id, sop, ts, row), or None."""
    import ibis

    days = tasks.mutate(_d=tasks.window_start.date().cast("date"),
                        _span=tasks.late_end.date().delta(tasks.window_start.date(), unit="day"))
    days = days.mutate(_day=days._d + ibis.range(0, days._span + 1).unnest().as_interval("D"))
    days = days.select("task", "item", "evidence", "role", "staff_id", "group_id", "member_id", "date",
                       "window_start", "late_end", "_day")
    h = holders.select(_hg="group_id", _hd="date", _hr="role", _hs="staff_id")
    found: list[Any] = []

    posts = events.filter((events.type == "message") & events.staff_id.notnull())
    posts = posts.select(_g="group_id", _day="date", _s="staff_id", _ts="ts", _row="row")
    by_post = days.filter(days.evidence == POST).join(posts, [days.group_id == posts._g, days._day == posts._day])
    found.append(_held(by_post, h))

    reaches = events.filter((events.type == "reach") & events.staff_id.notnull() & events.member_id.notnull())
    reaches = reaches.select(_m="member_id", _day="date", _s="staff_id", _ts="ts", _row="row")
    by_reach = days.filter(days.evidence == REACH).join(reaches, [days.member_id == reaches._m,
                                                                   days._day == reaches._day])
    found.append(_held(by_reach, h))

    if logged is not None:
        marks = logged.select(_sop="sop", _day=logged.ts.date(), _s="staff_id", _g="group_id", _m="member_id",
                              _ts="ts", _row="row")
        by_log = days.join(marks, [days.item == marks._sop, days._day == marks._day])
        by_log = by_log.filter(by_log.group_id.isnull() | (by_log.group_id == by_log._g),
                               by_log.member_id.isnull() | (by_log.member_id == by_log._m))
        own = by_log.filter((by_log.evidence == LOGGED) & (by_log._s == by_log.staff_id))
        own = own.filter((own._ts >= own.window_start) & (own._ts <= own.late_end))
        found.append(own.select("task", "_ts", "_row"))
        found.append(_held(by_log.filter(by_log.evidence != LOGGED), h))

    candidates = ibis.union(*found)
    first = ibis.window(group_by="task")
    candidates = candidates.mutate(_first=candidates._ts.min().over(first))
    earliest = candidates.filter(candidates._ts == candidates._first)
    return earliest.group_by("task").aggregate(done_at=earliest._ts.min(), done_row=earliest._row.min())


def _held(joined: Any, holders: Any) -> Any:
    """The candidates inside the task's window and lateness whose staff member holds the task's
    role in its group on its day."""
    inside = joined.filter((joined._ts >= joined.window_start) & (joined._ts <= joined.late_end))
    held = inside.join(holders, [inside.group_id == holders._hg, inside.date == holders._hd,
                                 inside.role == holders._hr, inside._s == holders._hs])
    return held.select("task", "_ts", "_row")
