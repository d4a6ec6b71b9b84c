"""The roster as tables, and the calendar of group-days the metrics are computed over."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..events.roster import Roster


def memtable(columns: dict[str, list[Any]], schema: dict[str, str]) -> Any:
    """An in-memory Ibis table with the given column types (string, date, int64), made without
    pandas (compute.literal_table; pandas would also turn an all-NULL date column into
    floats and an empty one into objects)."""
    from ..compute import literal_table

    return literal_table(columns, schema)


def groups_table(roster: Roster) -> Any:
    """group_id, name, group_type, created_at, ended_at, initial_members."""

    schema = {"group_id": "string", "name": "string", "group_type": "string", "created_at": "date",
              "ended_at": "date", "initial_members": "int64"}
    columns: dict[str, list[Any]] = {key: [] for key in schema}
    for group in roster.groups:
        for key, value in (("group_id", group.id), ("name", group.name), ("group_type", group.type),
                           ("created_at", group.created_at), ("ended_at", group.ended_at),
                           ("initial_members", group.initial_members)):
            columns[key].append(value)
    return memtable(columns, schema)


def days_table(start: dt.date, end: dt.date) -> Any:
    """One row per date from start to end (inclusive)."""
    count = (end - start).days + 1
    dates = [start + dt.timedelta(days=i) for i in range(max(count, 0))]
    return memtable({"date": dates}, {"date": "date"})


def group_days(groups: Any, start: dt.date, end: dt.date) -> Any:
    """Every (group, date) inside the window on which the group existed."""
    days = days_table(start, end)
    joined = groups.cross_join(days)
    alive = (joined.date >= joined.created_at) & (joined.ended_at.isnull() | (joined.date <= joined.ended_at))
    return joined.filter(alive).select("group_id", "group_type", "date", "created_at", "ended_at", "initial_members")
