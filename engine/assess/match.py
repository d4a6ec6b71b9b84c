"""The first evidence of each task (docs/sop-assessment.md): a staff post in the task's group, a
reach of its member, or a `sop_done` logging its item, by someone holding the task's role in
that group that day (a logged per-person task: by its person), from the window's start to the
end of its lateness.

Relational and sort-based: each task is paired with the holders of its role in its group on its
day (a few people), and an as-of join (compute.asof_next: Spark has none) finds each holder's
first post in the group (or reach of the member) at or after the window's start; the earliest of
those, if not after the lateness ends, is the task's evidence. Most tasks have one holder and no logged evidence: their one
candidate is their evidence, and only the others are aggregated (at 10M events the aggregate
over every candidate was a third of the match). Never a scan of every event per task, and no
task is spread over the days its window covers (at 10M events that spread was tens of millions of rows). The few
logged `sop_done` events are joined by item and day instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .evidence import LOGGED, POST, REACH


def first_evidence(tasks: Any, events: Any, holders: Any, logged: Any | None = None,
                   store: Callable[[str, Any], Any] | None = None) -> Any:
    """task, done_at (the first evidence's time) and done_row (its row; the smallest of those at
    that time) of every task with evidence. `tasks`: windows.with_windows's (with `holders`, how
    many hold its role in its group that day, if known: expand.staffed's); `events`: the
    checked events; `holders`: group_id, date, role, staff_id (who holds which role where, each
    day), and `holders` (how many hold that role there that day) if known; `logged`: the
    sop_done events (staff_id, group_id, member_id, sop, ts, row), or None; `store(name, table)`:
    materialises a table read twice (the members' numbers: a scan of every event each time)."""
    import ibis

    if "holders" not in tasks.columns:  # not known: every task joined with the holders
        tasks = tasks.mutate(holders=ibis.null("int64"))
    if "holders" not in holders.columns:
        slot = ibis.window(group_by=["group_id", "date", "role"])
        holders = holders.mutate(holders=holders.staff_id.count().over(slot))
    h = holders.select(_hg="group_id", _hd="date", _hr="role", _hs="staff_id", _hn="holders")
    # The as-of joins match on one integer (a pair of numbers, given here), not on two ids: at
    # 10M events that made them 2-3x as fast. Events of people or groups without a number can
    # match no task: the staff and groups are the holders', the members those reached.
    staff = _numbered(h, "_hs")
    groups = _numbered(h, "_hg")
    h = h.join(staff, h._hs == staff._id).select(*h.columns, _hsn=staff._n)
    posts, reaches = _staff_events(events, "message", "group_id"), _staff_events(events, "reach", "member_id")
    if store is not None:  # stored once: any numbering is the same wherever read (no sort of the ids)
        members = store("sop_member_numbers", _numbered(reaches, "_key", ordered=False))
    else:
        members = _numbered(reaches, "_key")
    logged_items = logged.sop if logged is not None else None
    found = ibis.union(
        _first_by_holder(tasks, h, POST, _firsts(posts, groups, staff), "group_id", groups, staff, logged_items),
        _first_by_holder(tasks, h, REACH, _firsts(reaches, members, staff), "member_id", members, staff, logged_items))
    alone = found.filter(found._alone).select("task", done_at=found._ts, done_row=found._row)
    several = [found.filter(~found._alone).select("task", "_ts", "_row")]
    if logged is not None:
        several.extend(_logged(tasks, h.drop("_hsn"), logged))
    c = ibis.union(*several)
    # the earliest (time, row) pair: a struct orders field by field, so one aggregate, no window
    first = c.group_by("task").aggregate(_first=ibis.struct({"ts": c._ts, "row": c._row}).min())
    return ibis.union(alone, first.select("task", done_at=first._first["ts"], done_row=first._first["row"]))


_PAIR = 2**31  # a pair of numbers (each below 2^31) as one int64: first * _PAIR + second


def _numbered(table: Any, column: str, ordered: bool = True) -> Any:
    """_id, _n: the distinct values of `column`, each with a number: a join key, computed
    wherever the table is read (the query may not share it), so numbered in the ids' order
    unless not `ordered` (for a table stored once)."""
    import ibis

    ids = table.select(_id=table[column]).distinct()
    numbers = ibis.row_number().over(order_by="_id") if ordered else ibis.row_number().over()
    return ids.mutate(_n=numbers).view()  # joined with its own source


def _staff_events(events: Any, kind: str, key: str) -> Any:
    """_key (the group or the member), _s, ts, row of the staff's events of `kind`."""
    e = events.filter((events.type == kind) & events.staff_id.notnull() & events[key].notnull())
    return e.select(_key=e[key], _s=e.staff_id, ts=e.ts, row=e.row)


def _firsts(events: Any, keys: Any, staff: Any) -> Any:
    """_ek (the numbers of the key and the staff member, paired), _ts, _row: `events`
    (_staff_events) one row per key, person and time, with its smallest row (so that the as-of
    join's match is one row, the same each run)."""
    k, s = keys.select(_kid="_id", _kn="_n"), staff.select(_sid="_id", _sn="_n")
    e = events.join(k, events._key == k._kid).join(s, events._s == s._sid)
    return e.group_by(_ek=e._kn * _PAIR + e._sn, _ts=e.ts).aggregate(_row=e.row.min())


def _first_by_holder(tasks: Any, holders: Any, kind: str, evidence: Any, key: str, keys: Any, staff: Any,
                     logged_items: Any | None) -> Any:
    """task, _ts, _row, _alone: for each holder of a `kind` task's role in its group on its day,
    their first evidence at or after the window's start, kept when not after the lateness's end;
    _alone when that is the task's only candidate (one holder, and no item the data logs).

    A task whose role has one holder there that day (`tasks.holders`, from the staffing: most)
    is its own person's: only the others are joined with the holders (at 10M events that join
    of every task was a tenth of the match)."""
    import ibis

    from ..compute import asof_next

    def numbered(rows: Any) -> Any:  # each part read from the tasks of its own (DuckDB stored a shared one)
        t = rows.select("task", "item", "group_id", "date", "role", "window_start", "late_end", "staff_id",
                        _key=rows[key])
        return t.join(keys, t._key == keys._id).select(*t.columns, _kn=keys._n)  # no number: never matched

    of_kind = tasks.filter(tasks.evidence == kind)
    one = numbered(of_kind.filter(of_kind.group_id.notnull() & (of_kind.holders == 1)))
    one = one.join(staff, one.staff_id == staff._id)
    single = ~one.item.isin(logged_items) if logged_items is not None else ibis.literal(True)
    one = one.select("task", "window_start", "late_end", _k=one._kn * _PAIR + one._n, _alone=single)
    some = numbered(of_kind.filter(of_kind.holders.isnull() | (of_kind.holders != 1)))
    held = some.join(holders, [some.group_id == holders._hg, some.date == holders._hd, some.role == holders._hr])
    alone = held._hn == 1
    if logged_items is not None:
        alone = alone & ~held.item.isin(logged_items)
    # a relation of its own: Ibis cannot carry a computed key on into a further join of the chain
    held = ibis.union(one, held.select("task", "window_start", "late_end", _k=held._kn * _PAIR + held._hsn,
                                       _alone=alone)).view()
    hit = asof_next(None, held, evidence, ("window_start", "_ts"), ("_k", "_ek"))
    hit = hit.filter(hit._ts.notnull() & (hit._ts <= hit.late_end))
    return hit.select("task", "_ts", "_row", "_alone")


def _logged(tasks: Any, holders: Any, logged: Any) -> list[Any]:
    """Candidates from the logged sop_done events: a logged task's own person, or for a post or a
    reach task a holder of its role, inside the window and lateness. Only the tasks of items the
    data logs at all are spread over the days their window covers (few)."""
    import ibis

    days = tasks.filter(tasks.item.isin(logged.sop))
    days = days.mutate(_d=days.window_start.date().cast("date"),
                       _span=days.late_end.date().delta(days.window_start.date(), unit="day"))
    # the unnest a column of its own: Spark allows no generator inside an expression
    days = days.mutate(_offset=ibis.range(0, days._span + 1).unnest())
    days = days.mutate(_day=days._d + days._offset.as_interval("D"))
    days = days.select("task", "item", "evidence", "role", "staff_id", "group_id", "member_id", "date",
                       "window_start", "late_end", "_day")
    marks = logged.select(_sop="sop", _day=logged.ts.date(), _s="staff_id", _g="group_id", _m="member_id",
                          _ts="ts", _row="row")
    by_log = days.join(marks, [days.item == marks._sop, days._day == marks._day])
    by_log = by_log.filter(by_log.group_id.isnull() | (by_log.group_id == by_log._g),
                           by_log.member_id.isnull() | (by_log.member_id == by_log._m))
    by_log = by_log.filter((by_log._ts >= by_log.window_start) & (by_log._ts <= by_log.late_end))
    own = by_log.filter((by_log.evidence == LOGGED) & (by_log._s == by_log.staff_id))
    other = by_log.filter(by_log.evidence != LOGGED)
    held = other.join(holders, [other.group_id == holders._hg, other.date == holders._hd,
                                other.role == holders._hr, other._s == holders._hs])
    return [own.select("task", "_ts", "_row"), held.select("task", "_ts", "_row")]
