"""Tasks from real events (`qunce tasks --events`): each event an `on:` item answers gives a task
due `within` after it (after the next working span starts when it comes off duty:
working_hours.py), and each join gives the `member_days:` tasks of that member. Relational
(DuckDB through Ibis): events joined to the items and the group-days, never a loop over events.

A member's first order is their first `order` event in the data (by time, then row); a
`banned` event is a message flagged with a banned behaviour.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..compute import from_arrow, store
from .expand import Registered, days_after, on_living_days, rows_of, temp_name, with_group
from .tables import Tables, Window
from .triggers import FROM_EVENTS
from .working_hours import with_due

_SAME_NAME = ("join", "leave", "order", "refund", "referral", "checkin")


def event_rows(reg: Registered, tables: Tables, window: Window, events: Any) -> list[Any]:
    """Row sources (expand.ROW_COLUMNS) for the events' tasks inside the window."""
    import ibis

    answers = {e for e in tables.items.column("event").to_pylist() if e in FROM_EVENTS}
    longest = max(tables.member_days.column("offset").to_pylist(), default=0)
    if tables.member_days.num_rows:
        answers.add("join")  # a member's days count from their join
    if not answers:
        return []
    # only the events some item answers are read (at 10M events most are messages no item answers)
    first_needed = window.start - dt.timedelta(days=longest)
    e = events.filter(events.date >= first_needed, events.date <= window.end)
    kinds = [name for name in _SAME_NAME if name in answers]
    if "banned" in answers:
        kinds.append("message")
    e = e.filter(e.type.isin(kinds)).select("row", "ts", "date", "type", "group_id", "member_id", "flag")
    named = e.mutate(sop_event=ibis.cases(*[(e.type == name, ibis.literal(name)) for name in _SAME_NAME],
                                          ((e.type == "message") & e.flag.notnull(), ibis.literal("banned")),
                                          else_=ibis.null("string")))
    happened = named.filter(named.sop_event.notnull())
    if "first_order" in answers:
        orders = events.filter(events.type == "order")
        first = ibis.window(group_by="member_id", order_by=["ts", "row"])
        orders = orders.mutate(_n=ibis.row_number().over(first))
        orders = orders.filter(orders._n == 0, orders.date >= window.start, orders.date <= window.end)
        happened = ibis.union(happened, orders.select("row", "ts", "date", "type", "group_id", "member_id", "flag",
                                                      sop_event=ibis.literal("first_order")))
    # read twice below (the answers and the members' days): once, with the group's type and days
    # (and without the columns sop_event was named from: strings, of up to millions of rows)
    happened = store(reg.con, temp_name("happened"), with_group(reg, happened).drop("type", "flag"))[0]

    items = reg.items.filter(reg.items.event.isin(list(FROM_EVENTS)))
    answered = happened.filter(happened.date >= window.start).join(items, happened.sop_event == items.event)
    answered = on_living_days(reg, answered)
    # due `within` after the event, or after the next working span opens (working_hours)
    gaps = from_arrow(reg.con, temp_name("gaps"), tables.gaps) if tables.gaps.num_rows else None
    answered = with_due(answered, gaps, deferred="deferred")
    sources = [rows_of(answered, answered.ts.strftime("%H:%M"), answered.member_id, answered.row, answered.due,
                       answered.deferred, answered.ts)]

    offsets = from_arrow(reg.con, temp_name("member_days"), tables.member_days)
    joins = happened.filter(happened.sop_event == "join")
    later = joins.join(offsets, [], how="cross")
    later = later.select("row", "group_id", "member_id", "idx", "time", "_type", "_from", "_to",
                         date=days_after(later.date, later.offset))
    later = on_living_days(reg, later)
    sources.append(rows_of(later, later.time, later.member_id, later.row))
    return sources
