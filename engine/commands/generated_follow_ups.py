"""What generated staff must follow up (`qunce events generate`, `qunce demo`): the promotions,
demotions and churn warnings the simulator's own member stage (simulate/members.py) finds in
the generated events, as the SOP assessment turns them into tasks (assess/simulated.py, staffed
by compile/'s expand.staffed) and judges the warnings' owners (assess/stage.py `_warnings`).
Wired here: events/ cannot import simulate/, assess/ or compile/ (they import events/); the
generator draws the outcomes (events/generate_follow_ups.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa

from ..events.generate_follow_ups import FOLLOW_UP_SCHEMA, FollowUps
from ..events.roster import Roster
from ..model import Playbook

CHANGES = ("level_up", "level_down")
# Member names whose value a reach changes: a count of reaches, the days since the last one, the
# group of the latest event (group_type).
REACH_NAMES = ("reaches", "days_since_last_reach", "group_type")


def follow_ups(playbook: Playbook, roster: Roster, events: pa.Table, start: dt.date) -> FollowUps:
    """The follow-ups of every period that closes before the events end (FOLLOW_UP_SCHEMA,
    ordered). `events`: the generated table (ids g…, m…, s…, numbered from 1)."""
    import numpy as np
    import pyarrow.compute as pc

    from ..simulate.periods import periods

    empty = FollowUps(FOLLOW_UP_SCHEMA.empty_table())
    changes = any(item.on in CHANGES for item in playbook.sop)
    levels = playbook.membership is not None and bool(playbook.membership.levels)
    if not playbook.sop or not (playbook.churn or (changes and levels)) or not events.num_rows:
        return empty
    seconds = pc.min_max(events.column("ts").cast(pa.timestamp("s")).cast(pa.int64()))
    first, last = (dt.date(1970, 1, 1) + dt.timedelta(days=int(seconds[k].as_py()) // 86_400) for k in ("min", "max"))
    window = periods(first, last, _period(playbook))
    # a period closing on the data's last day is answered after the data: never in it
    ends = [p.last for p in window if p.last < last]
    if not ends:
        return empty
    rows = _rows(playbook, roster, events, (first, ends[-1], last), start)
    table = rows.cast(FOLLOW_UP_SCHEMA) if rows.num_rows else FOLLOW_UP_SCHEMA.empty_table()
    days = tuple(int(d) for d in np.unique(table.column("day").to_numpy())) if table.num_rows else ()
    return FollowUps(table, days, len(days) > 1 and reads_reaches(playbook))


def reads_reaches(playbook: Playbook) -> bool:
    """Whether a reach changes what the member stage decides: its conditions read a name a reach
    changes, or points or a member metric count reaches."""
    from ..playbook_names import playbook_names
    from ..simulate.needs import member_conditions, resolved_names

    names = resolved_names(member_conditions(playbook), playbook_names(playbook, "member"))
    points = playbook.membership.points if playbook.membership is not None else None
    return (any(n.metric.id in REACH_NAMES for n in names)
            or any(rule.on == "reach" for rule in (points.earn if points is not None else []))
            or any(m.event in ("reach", None) and m.expr is None for m in playbook.metrics.custom
                   if m.scope == "member"))


def _period(playbook: Playbook) -> str:
    from ..simulate.context import EVALUATE_PERIODS

    return EVALUATE_PERIODS[playbook.membership.evaluate] if playbook.membership is not None else "month"


def _rows(playbook: Playbook, roster: Roster, events: pa.Table, days: tuple[dt.date, dt.date, dt.date],
          start: dt.date) -> pa.Table:
    """The member stage over [first, end] (`days`: first, end, last: the events' first day, the
    last period end to answer, the events' last day), then the follow-ups: the items' staffed
    tasks and the warnings with one owner, one row per period end, group, member and person."""
    import ibis

    from ..assess.simulated import simulated_rows
    from ..assess.stage import _default_tolerance
    from ..compile.expand import register, staffed
    from ..compile.tables import Window, build
    from ..compute import keep_row_order, store
    from ..compute.duckdb import connect
    from ..simulate.context import SimContext
    from ..simulate.frames import groups_table
    from ..simulate.members import simulate_members
    from ..simulate.periods import assignments_table
    from ..simulate.staff_roles import with_staff_roles

    first, end, last = days
    con = connect(playbook.timezone)
    try:
        groups, _ = store(con, "qunce_groups", groups_table(roster))
        assignments, _ = store(con, "qunce_assignments", assignments_table(roster))
        typed, leaves = _member_events(con, events, end)
        keep_row_order(con, False)
        ctx = with_staff_roles(SimContext(con, _lean(playbook), roster, groups, assignments, typed, first, end,
                                          first))
        members = simulate_members(ctx)
        sources = simulated_rows(playbook, typed, members.levels, members.churn, _default_tolerance(playbook))
        parts = []
        if sources:
            reg = register(con, build(playbook, roster, Window(first, end)))
            t = staffed(reg, sources)
            parts.append(t.select(as_of=t.date, group_id=t.group_id, member_id=t.member_id, staff_id=t.staff_id,
                                  _end=t.due))
        if members.churn is not None:
            w = members.churn
            w = w.filter(w.owner.notnull() & ~w.owner.contains(","))  # several owners: no one reach is theirs
            due_end = ibis.ifelse(w.due.notnull(), w.due, w.as_of + ibis.interval(days=1)).cast("timestamp")
            parts.append(w.select(as_of=w.as_of, group_id=w.group_id, member_id=w.member_id, staff_id=w.owner,
                                  _end=due_end + ibis.interval(days=1) - ibis.interval(seconds=1)))
        if not parts:
            return FOLLOW_UP_SCHEMA.empty_table()
        return con.to_pyarrow(_shaped(ibis.union(*parts), leaves, groups, start, last))
    finally:
        con.disconnect()


def _lean(playbook: Playbook) -> Playbook:
    """The playbook without what the levels and churn warnings do not read: segments, group
    metrics, member metrics none of their conditions reads (each costs the member stage a
    column; a group metric reading `staff_role` costs the events' roles)."""
    from ..playbook_names import playbook_names
    from ..simulate.needs import custom_read, resolved_names

    texts = [w.when for w in playbook.churn]
    if playbook.membership is not None:
        texts += [t for level in playbook.membership.levels for t in (level.promote_when, level.keep_when) if t]
    names = playbook_names(playbook, "member")
    read = [m.expr for m in custom_read(playbook, "member", texts, names) if m.expr]
    used = {r.id for r in resolved_names([*texts, *read], names)}
    custom = [m for m in playbook.metrics.custom if m.scope == "member" and m.id in used]
    metrics = playbook.metrics.model_copy(update={"custom": custom})
    return playbook.model_copy(update={"segments": [], "metrics": metrics})


def _member_events(con: Any, events: pa.Table, end: dt.date) -> tuple[Any, Any]:
    """The events the member stage reads (simulate/features.member_events: a member's, not a staff
    post nor a sop_done) up to `end` (it reads none after), typed as the ingest types them
    (ingest.typed_events), numbered by their place in `events` (the simulation's row numbers:
    ties in time are broken by them); and every leave (group_id, member_id, ts, date)."""
    import ibis
    import numpy as np
    import pyarrow.compute as pc

    from ..compute import view
    from ..events.ingest import typed_events

    kind = events.column("type").cast(pa.string())
    seconds = events.column("ts").cast(pa.timestamp("s")).cast(pa.int64())
    staff_post = pc.and_(pc.equal(kind, "message"), pc.is_valid(events.column("staff_id")))
    keep = pc.and_(pc.is_valid(events.column("member_id")),
                   pc.invert(pc.or_(staff_post, pc.equal(kind, "sop_done"))))
    keep = pc.and_(keep, pc.less(seconds, ((end - dt.date(1970, 1, 1)).days + 1) * 86_400))
    rows = np.flatnonzero(keep.to_numpy(zero_copy_only=False))
    numbered = events.take(pa.array(rows)).rename_columns(["_ts" if c == "ts" else c for c in events.column_names])
    numbered = numbered.append_column("_row", pa.array(rows, pa.int64()))
    raw = con.create_view("qunce_generated_raw", ibis.memtable(numbered), overwrite=True)
    left = events.filter(pc.equal(kind, "leave")).select(["group_id", "member_id", "ts"])
    leaves = ibis.memtable(pa.table({"group_id": left.column("group_id").cast(pa.string()),
                                     "member_id": left.column("member_id"),
                                     "ts": left.column("ts").cast(pa.timestamp("s"))}))
    return view(con, "qunce_generated_events", typed_events(raw)), leaves.mutate(date=leaves.ts.date())


def _shaped(follow: Any, leaves: Any, groups: Any, start: dt.date, last: dt.date) -> Any:
    """One row per period end, group, member and person (the earliest deadline), with `until`:
    the member's first leave of the group after the period end, the group's end, the data's end
    (`last`: its last day)."""
    import ibis

    keys = ["as_of", "group_id", "member_id", "staff_id"]
    epoch = ibis.timestamp(start.year, start.month, start.day, 0, 0, 0)
    leaves = leaves.select(_g="group_id", _m="member_id", _ts="ts", _d="date")
    f = follow.left_join(leaves, [follow.group_id == leaves._g, follow.member_id == leaves._m,
                                  leaves._d > follow.as_of])
    f = f.group_by(keys).aggregate(_end=f._end.min(), _left=f._ts.min())
    g = groups.select(_gid="group_id", _ended="ended_at")
    f = f.left_join(g, f.group_id == g._gid)
    # the day after the group's last day or the data's last day, at 00:00
    closed = ibis.least(f._ended.cast("date").fill_null(last), ibis.literal(last)) + ibis.interval(days=1)
    until = ibis.least(f._left.fill_null(closed.cast("timestamp")), closed.cast("timestamp"))
    out = f.select(
        day=f.as_of.delta(ibis.date(start.year, start.month, start.day), unit="day").cast("int64"),
        group=f.group_id.substr(1).cast("int64") - 1,
        member_id=f.member_id,
        staff=f.staff_id.substr(1).cast("int64") - 1,
        end=f._end.delta(epoch, unit="second").cast("int64"),
        until=until.delta(epoch, unit="second").cast("int64"),
    )
    return out.order_by(["day", "group", "member_id", "staff"])
