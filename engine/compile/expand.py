"""Expand the SOP over the roster: one row per task, relationally (DuckDB through Ibis).

Who does a task: the staff holding the item's role in the group that day. When several hold it
(two helpers), they take turns by day — the (day number mod n)-th of them by staff id — so a
`per: group` item is done once per group; `per: person` items go to every holder once, however
many of their groups it covers. A group has tasks only on the days it exists, a person only on
the days their assignment covers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from ..compute import from_arrow, store
from .tables import Tables, Window

TURN_EPOCH = dt.date(2024, 1, 1)
ROW_COLUMNS = ("idx", "group_id", "date", "time", "member_id", "event_row", "due", "deferred", "trigger_ts")
TASK_ORDER = ("date", "time", "staff_id", "idx", "group_id", "member_id", "event_row")

_COUNTER = iter(range(1_000_000_000))


def temp_name(kind: str) -> str:
    """A fresh name for a temporary table (one connection may expand several times)."""
    return f"qunce_tasks_{kind}_{next(_COUNTER)}"


@dataclass(slots=True)
class Expanded:
    tasks: pa.Table  # kind, ROW_COLUMNS, staff_id, role, context_group, groups; ordered by TASK_ORDER
    standing: pa.Table  # staff_id, idx, role, groups, group_id, group_types, group_type: event-driven tasks per person


@dataclass(slots=True)
class Registered:
    """The tables of `Tables` inside the connection, and the group-days and holders built from them."""

    con: Any
    items: Any
    item_types: Any
    groups: Any  # group_id, group_type, created_at, last_day
    group_days: Any  # group_id, group_type, date: the days each group exists, in the window
    holders: Any  # group_id, group_type, date, role, staff_id, on_duty, holders (how many hold the role that day)
    first_day: dt.date  # the window's
    last_day: dt.date
    person_items: tuple[int, ...]  # idx of the `per: person` items
    item_roles: tuple[str, ...]  # each item's role, by idx


def register(con: Any, tables: Tables) -> Registered:
    """Put the tables into DuckDB; materialise the group-days and who holds which role when."""
    def put(name: str, table: pa.Table) -> Any:
        return from_arrow(con, temp_name(name), table)

    groups, days, assignments = put("groups", tables.groups), put("days", tables.days), put("assign", tables.assignments)
    joined = groups.cross_join(days)
    alive = (joined.date >= joined.created_at) & (joined.last_day.isnull() | (joined.date <= joined.last_day))
    group_days = joined.filter(alive).select("group_id", "group_type", "date", "created_at", "last_day")
    group_days = store(con, temp_name("group_days"), group_days)[0]
    dates = tables.days.column("date").to_pylist()
    person = tuple(i for i, per in zip(tables.items.column("idx").to_pylist(), tables.items.column("per").to_pylist(),
                                       strict=True) if per == "person")
    return Registered(con, put("items", tables.items), put("item_types", tables.item_types), groups, group_days,
                      store(con, temp_name("holders"), _holders(group_days, assignments))[0],
                      min(dates), max(dates), person,
                      tuple(tables.items.column("role").to_pylist()))


def with_group(reg: Registered, rows: Any) -> Any:
    """`rows` (with group_id) and their group's type and days (_type, _from, _to) for
    `on_living_days`; rows of groups the roster does not have are left out."""
    g = reg.groups.select(_g="group_id", _type="group_type", _from="created_at", _to="last_day")
    return rows.join(g, rows.group_id == g._g).drop("_g")


def on_living_days(reg: Registered, rows: Any) -> Any:
    """`rows` (idx, date, and with_group's columns) of the items that apply to their group's
    type, on the days the group exists inside the window: what a join with the group-days keeps,
    by the group's type and dates (the group-days are ~200k rows at 10M events, and DuckDB,
    misjudging the sides of that join, built its hash table of the millions of task rows)."""
    types = reg.item_types
    t = rows.join(types, [rows.idx == types.idx, rows._type == types.group_type])
    t = t.filter(t.date >= t._from, t._to.isnull() | (t.date <= t._to), t.date >= reg.first_day,
                 t.date <= reg.last_day)
    return t.select(*[c for c in rows.columns if c not in ("_type", "_from", "_to")])


def role_of(reg: Registered, idx: Any) -> Any:
    """The role of item `idx`, by a CASE on the few items (a join with the items let DuckDB join
    them with the holders first: millions of rows)."""
    import ibis

    if not reg.item_roles:  # an SOP of no items: no rows either
        return ibis.null("string")
    return idx.cases(*[(i, ibis.literal(role)) for i, role in enumerate(reg.item_roles)], else_=ibis.null("string"))


def _holders(group_days: Any, assignments: Any) -> Any:
    import ibis

    # Turns are needed only where a group has several assignments in a role (two helpers): the
    # others hold it alone, on duty every day, without the window over days.
    sharing = ibis.window(group_by=["group_id", "role"])
    a = assignments.mutate(_shared=assignments.staff_id.count().over(sharing) > 1)
    g = group_days
    held = g.join(a, [g.group_id == a.group_id, a.from_date <= g.date, a.to_date.isnull() | (g.date <= a.to_date)])
    columns = ["group_id", "group_type", "date", "role", "staff_id"]
    held = held.select(*columns, "_shared")
    alone = held.filter(~held._shared).select(*columns, on_duty=ibis.literal(True), holders=ibis.literal(1, "int64"))
    shared = held.filter(held._shared).select(*columns).distinct()
    turn = ibis.window(group_by=["group_id", "role", "date"], order_by="staff_id")
    everyone = ibis.window(group_by=["group_id", "role", "date"])
    shared = shared.mutate(_rank=ibis.row_number().over(turn), _n=shared.staff_id.count().over(everyone))
    day_number = shared.date.delta(ibis.date(TURN_EPOCH.year, TURN_EPOCH.month, TURN_EPOCH.day), unit="day")
    return ibis.union(alone, shared.select(*columns, on_duty=shared._rank == day_number % shared._n,
                                           holders=shared._n.cast("int64")))


def scheduled_rows(reg: Registered, tables: Tables, window: Window) -> list[Any]:
    """Row sources from the playbook and roster alone: clock items, days of a group's life and
    group creation (the roster has no time of day: due by the end of the day at the earliest)."""
    import ibis

    con, types, days = reg.con, reg.item_types, reg.group_days
    slots = from_arrow(con, temp_name("slots"), tables.slots)
    life = from_arrow(con, temp_name("life"), tables.life)
    clock = slots.join(types, "idx").join(days, ["group_type", "date"])
    # Days of life: the day counted from the group's first or last day, kept when the group
    # exists then, inside the window (the join with the group-days).
    life_days = life.join(types, "idx").join(reg.groups, "group_type")
    life_days = life_days.select("idx", "group_id", "time", date=ibis.ifelse(
        life_days.from_end, days_after(life_days.last_day, -life_days.offset),
        days_after(life_days.created_at, life_days.offset)))
    on_day = life_days.view().join(days, ["group_id", "date"])
    items = reg.items.filter(reg.items.event == "group_created")
    created = items.join(types, "idx").join(days.filter(days.date == days.created_at), "group_type")
    start = created.date.cast("timestamp")
    due = start + ibis.greatest(created.within.fill_null(0), 1440).as_interval("m") - ibis.interval(minutes=1)
    return [
        rows_of(clock, clock.time),
        rows_of(on_day, on_day.time),
        rows_of(created, ibis.null("string"), due=due),
    ]



def days_after(date: Any, days: Any) -> Any:
    """`date` + `days` as a DATE in the database too: DuckDB's date + INTERVAL is a TIMESTAMP,
    and Ibis drops a cast back to the date it thinks it already is (the rows then meet the
    group-days in joins that cast every date)."""
    return (date.cast("timestamp") + days.as_interval("D")).date()

def rows_of(t: Any, time: Any, member_id: Any = None, event_row: Any = None, due: Any = None,
            deferred: Any = None, trigger_ts: Any = None) -> Any:
    """A row source in the common shape (ROW_COLUMNS). A row with a member or a deadline answers
    an event; the others are scheduled. `deferred`: the deadline was moved past working hours
    (working_hours.with_due)."""
    import ibis

    return t.select(
        idx=t.idx, group_id=t.group_id, date=t.date, time=time.cast("string"),
        member_id=(member_id if member_id is not None else ibis.null("string")).cast("string"),
        event_row=(event_row if event_row is not None else ibis.null("int64")).cast("int64"),
        due=(due if due is not None else ibis.null("timestamp")).cast("timestamp"),
        deferred=(deferred if deferred is not None else ibis.literal(False)).cast("boolean"),
        # the answered event's time (an on: task's; the SOP assessment's window starts there)
        trigger_ts=(trigger_ts if trigger_ts is not None else ibis.null("timestamp")).cast("timestamp"),
    )


def staffed(reg: Registered, sources: list[Any], holders: bool = False) -> Any:
    """Every row source staffed, one row per task, as an Ibis table (ROW_COLUMNS, staff_id, groups):
    a `per: group` row goes to the holder on duty, a `per: person` row to every holder once
    (its group_id: the first of the groups it covers; groups: how many). The task list fetches
    it; the SOP assessment (assess/) joins it with the events. `holders`: with a column of that
    name, how many hold the role in the group that day (NULL for a `per: person` row): where
    it is 1, the task's person is the one (the assessment's match needs no other)."""
    import ibis

    everyone = reg.holders
    key = ["group_id", "role", "date"]
    person = list(reg.person_items)
    # The sources are split by the item's `per` before their union, not after: a union read by
    # both branches is materialised by DuckDB (millions of rows), and the filter on idx reaches
    # each source's scans.
    group_rows = ibis.union(*[s.filter(~s.idx.isin(person)) if person else s for s in sources])
    group_rows = group_rows.mutate(role=role_of(reg, group_rows.idx))
    count = ["holders"] if holders else []
    duty = everyone.filter(everyone.on_duty).select(*key, "staff_id", *count)
    by_group = group_rows.join(duty, key)
    by_group = by_group.select(*ROW_COLUMNS, "staff_id", *count, groups=ibis.literal(1, type="int64"))
    if not person:
        return by_group
    person_rows = ibis.union(*[s.filter(s.idx.isin(person)) for s in sources])
    person_rows = person_rows.mutate(role=role_of(reg, person_rows.idx))
    shared = person_rows.join(everyone.select(*key, "staff_id"), key)
    by_person = shared.group_by([c for c in ROW_COLUMNS if c != "group_id"] + ["staff_id"]).aggregate(
        group_id=shared.group_id.min(), groups=shared.group_id.nunique())
    none = {"holders": ibis.null("int64")} if holders else {}
    return ibis.union(by_group, by_person.select(*ROW_COLUMNS, "staff_id", **none, groups=by_person.groups))


def expand(reg: Registered, items: pa.Table, sources: list[Any], standing: pa.Table) -> Expanded:
    """Staff every row source, then fetch the tasks and the standing instructions per person
    (`items`: tables.Tables.items; `standing`: idx, role, group_type of the items given as
    standing instructions)."""
    holders = reg.holders
    # Only what the rows need is fetched: the role and kind follow from the item and the row.
    fetched = staffed(reg, sources).order_by(list(TASK_ORDER)).to_pyarrow()
    tasks = _with_item_columns(fetched, items)
    kinds = from_arrow(reg.con, temp_name("standing"), standing)
    covered = holders.join(kinds, ["role", "group_type"])
    # the group when there is one, and the type when the groups share one: the texts' values
    per_person = covered.group_by(["staff_id", "idx", "role"]).aggregate(
        groups=covered.group_id.nunique(), group_id=covered.group_id.min(),
        group_types=covered.group_type.nunique(), group_type=covered.group_type.min())
    return Expanded(tasks, per_person.order_by(["staff_id", "idx", "role"]).to_pyarrow())


def _with_item_columns(fetched: pa.Table, items: pa.Table) -> pa.Table:
    # kind (a row with a deadline or a member answers an event), role (the item's), the group whose
    # values the texts use (none for a per-person task covering several groups: placeholders), and
    # no group shown for per-person tasks.
    import pyarrow.compute as pc

    idx = fetched.column("idx")
    person = pc.equal(items.column("per").take(idx), "person")
    answered = pc.or_(pc.is_valid(fetched.column("due")), pc.is_valid(fetched.column("member_id")))
    group_id = fetched.column("group_id")
    shown = pc.if_else(person, pa.scalar(None, pa.string()), group_id)
    return (fetched.set_column(fetched.schema.get_field_index("group_id"), "group_id", shown)
            .append_column("kind", pc.if_else(answered, "event", "scheduled"))
            .append_column("role", items.column("role").take(idx))
            .append_column("context_group", pc.if_else(pc.greater(fetched.column("groups"), 1),
                                                       pa.scalar(None, pa.string()), group_id)))
