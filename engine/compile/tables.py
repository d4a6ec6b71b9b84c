"""The playbook's SOP and the roster as small Arrow tables for the relational expansion.

Items are numbered by their place in `sop:` (`idx`), which also orders tasks at the same time.
A group's last day is its roster `ended_at`, else created_at + lifespan - 1 when its type has a
lifespan (a 3d flash group lives days 0, 1, 2), else open.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from ..arrow_values import table_of
from ..events.roster import Roster
from ..model import Playbook
from . import triggers
from .working_hours import gap_table


@dataclass(frozen=True, slots=True)
class Window:
    start: dt.date
    end: dt.date

    @property
    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]


@dataclass(slots=True)
class Tables:
    items: pa.Table  # idx, role, per, minutes, within (minutes), event, trigger
    item_types: pa.Table  # idx, group_type: the group types each item applies to
    slots: pa.Table  # idx, date, time: clock items' firings in the window
    life: pa.Table  # idx, from_end, offset, time: days / days_before_end
    member_days: pa.Table  # idx, offset, time
    groups: pa.Table  # group_id, group_type, created_at, last_day
    assignments: pa.Table  # staff_id, role, group_id, from_date, to_date
    days: pa.Table  # date: every day of the window
    gaps: pa.Table  # working_hours.GAP_SCHEMA: each role's stretches off duty (none without working hours)


def group_types(playbook: Playbook, roster: Roster) -> list[str]:
    """The playbook's group types and any other type the roster names, sorted."""
    return sorted({*playbook.group_types, *(group.type for group in roster.groups)})


def build(playbook: Playbook, roster: Roster, window: Window) -> Tables:
    """Every table the expansion joins."""
    holidays = frozenset(playbook.holiday_dates)
    types = group_types(playbook, roster)
    items: dict[str, list[Any]] = {k: [] for k in ("idx", "role", "per", "minutes", "within", "event", "trigger")}
    item_types: dict[str, list[Any]] = {"idx": [], "group_type": []}
    slots: dict[str, list[Any]] = {"idx": [], "date": [], "time": []}
    life: dict[str, list[Any]] = {"idx": [], "from_end": [], "offset": [], "time": []}
    member: dict[str, list[Any]] = {"idx": [], "offset": [], "time": []}
    for idx, item in enumerate(playbook.sop):
        key = triggers.kind(item)
        for column, value in (("idx", idx), ("role", item.role), ("per", item.per), ("minutes", item.minutes),
                              ("within", item.within.minutes if item.within else None), ("event", item.on),
                              ("trigger", key)):
            items[column].append(value)
        for type_id in types:
            if not item.group_types or type_id in item.group_types:
                item_types["idx"].append(idx)
                item_types["group_type"].append(type_id)
        if key in triggers.CALENDAR:
            dates = triggers.fire_dates(item, window.start, window.end, holidays)
            _extend(slots, idx=[idx] * len(dates), date=dates, time=[triggers.time_of(item)] * len(dates))
        elif key in triggers.LIFE:
            offsets = getattr(item, key)
            _extend(life, idx=[idx] * len(offsets), from_end=[key == "days_before_end"] * len(offsets),
                    offset=list(offsets), time=[item.at] * len(offsets))
        elif key == "member_days":
            _extend(member, idx=[idx] * len(item.member_days), offset=list(item.member_days),
                    time=[item.at] * len(item.member_days))
    return Tables(
        items=table_of(items, pa.schema([("idx", pa.int32()), ("role", pa.string()), ("per", pa.string()),
                                                ("minutes", pa.int32()), ("within", pa.int64()),
                                                ("event", pa.string()), ("trigger", pa.string())])),
        item_types=table_of(item_types, pa.schema([("idx", pa.int32()), ("group_type", pa.string())])),
        slots=table_of(slots, pa.schema([("idx", pa.int32()), ("date", pa.date32()), ("time", pa.string())])),
        life=table_of(life, pa.schema([("idx", pa.int32()), ("from_end", pa.bool_()), ("offset", pa.int32()),
                                              ("time", pa.string())])),
        member_days=table_of(member, pa.schema([("idx", pa.int32()), ("offset", pa.int32()),
                                                       ("time", pa.string())])),
        groups=groups_table(playbook, roster),
        assignments=table_of({
            "staff_id": [a.staff_id for a in roster.assignments], "role": [a.role for a in roster.assignments],
            "group_id": [a.group_id for a in roster.assignments], "from_date": [a.from_ for a in roster.assignments],
            "to_date": [a.to for a in roster.assignments],
        }, pa.schema([("staff_id", pa.string()), ("role", pa.string()), ("group_id", pa.string()),
                             ("from_date", pa.date32()), ("to_date", pa.date32())])),
        days=table_of({"date": window.days}, pa.schema([("date", pa.date32())])),
        gaps=gap_table(playbook),
    )


def _extend(columns: dict[str, list[Any]], **values: list[Any]) -> None:
    for key, more in values.items():
        columns[key].extend(more)


def last_day(playbook: Playbook, group_type: str, created_at: dt.date, ended_at: dt.date | None) -> dt.date | None:
    """A group's last day: ended_at, else the end of its type's lifespan, else None (open)."""
    if ended_at is not None:
        return ended_at
    kind = playbook.group_types.get(group_type)
    if kind is None or kind.lifespan is None:
        return None
    return created_at + dt.timedelta(days=max(math.ceil(kind.lifespan.days), 1) - 1)


def groups_table(playbook: Playbook, roster: Roster) -> pa.Table:
    """group_id, group_type, created_at, last_day."""
    groups = roster.groups
    return table_of({
        "group_id": [g.id for g in groups], "group_type": [g.type for g in groups],
        "created_at": [g.created_at for g in groups],
        "last_day": [last_day(playbook, g.type, g.created_at, g.ended_at) for g in groups],
    }, pa.schema([("group_id", pa.string()), ("group_type", pa.string()), ("created_at", pa.date32()),
                         ("last_day", pa.date32())]))
