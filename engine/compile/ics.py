"""The task list as iCalendar (RFC 5545), made with the `icalendar` library, in the playbook's time
zone (with its VTIMEZONE), so calendar programs import it. Its words (SUMMARY, DESCRIPTION,
CATEGORIES) are in the run's language; the texts are the playbook's.

A clock item's tasks for one person, group and time become one recurring event (RRULE with UNTIL,
EXDATE for the days it does not happen: holidays, days off duty) when that is no longer than
listing them; everything else is one event per task. A task answering an event that came outside
its role's working hours starts when the next working span does (its description says when the
event came), so a calendar never rings off duty for it. Deterministic: UIDs are hashes of what the
task is, DTSTAMP is the window's first day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from ..model.calendar import Span, clock
from ..model.common import CONTENT_CATEGORIES
from ..model.sop import FLOWS, SopItem
from . import triggers
from .task_list import TaskList
from .working_hours import resume

PRODID = "-//qunce//qunce tasks//EN"
_BOUNDS = re.compile(r"(?i)(^|;)\s*(COUNT|UNTIL)\s*=[^;]*")


def calendar(task_list: TaskList, staff_ids: Iterable[str] | None, title: str, lang: str) -> bytes:
    """One VCALENDAR with the tasks of `staff_ids` (None: everyone), its words in `lang`."""
    from icalendar import Calendar

    pb = task_list.playbook
    zone = ZoneInfo(pb.timezone)
    wanted = None if staff_ids is None else set(staff_ids)
    rows = [r for r in task_list.tasks.to_pylist() if wanted is None or r["staff_id"] in wanted]
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", title)
    cal.add("x-wr-timezone", pb.timezone)
    stamp = dt.datetime.combine(task_list.start, dt.time.min, tzinfo=dt.UTC)
    items = {item.id: item for item in pb.sop}
    series: dict[tuple[str, str, str, str], list[dict[str, Any]]] = {}
    singles: list[dict[str, Any]] = []
    for row in rows:
        if row["kind"] == "scheduled" and triggers.kind(items[row["item"]]) in triggers.CALENDAR:
            series.setdefault((row["staff_id"], row["item"], row["group_id"], row["time"]), []).append(row)
        else:
            singles.append(row)
    named = len({r["staff_id"] for r in rows}) > 1  # several people in one calendar: say whose each task is
    hours = {role_id: pb.working_hours(role_id) for role_id in pb.roles}
    for key in sorted(series):
        group = series[key]
        event = _recurring(group, items[key[1]], zone, stamp, named, lang)
        if event is None:
            singles.extend(group)
        else:
            cal.add_component(event)
    for row in sorted(singles, key=lambda r: (r["date"], r["time"], r["staff_id"], r["item"], r["group_id"],
                                              r["member_id"], r["start"])):
        cal.add_component(_event(row, zone, stamp, named, lang, hours.get(row["role"], ())))
    cal.add_missing_timezones(first_date=dt.date(task_list.start.year - 1, 1, 1),
                              last_date=dt.date(task_list.end.year + 2, 1, 1))
    return bytes(cal.to_ical())


def _uid(*parts: Any) -> str:
    return hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:24] + "@qunce"


def _local(day: str, time: str, zone: ZoneInfo) -> dt.datetime:
    hour, minute = (int(x) for x in time.split(":"))
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour, minute), tzinfo=zone)


def _base(row: dict[str, Any], stamp: dt.datetime, named: bool, uid: str, lang: str, came: str = "") -> Any:
    from icalendar import Event

    zh = lang == "zh"
    event = Event()
    where = row["group_name"] or (f"{row['groups']:,} 个群" if zh else
                                  f"{row['groups']:,} group{'' if row['groups'] == 1 else 's'}")
    summary = f"{row['task']} · {where}"
    if row["member_id"]:  # whom the task is about (a member has no name in the data)
        summary += f" · 成员 {row['member_id']}" if zh else f" · member {row['member_id']}"
    event.add("summary", f"{row['staff_name']}{'：' if zh else ': '}{summary}" if named else summary)
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    lines = [row["instructions"], row["message"], f"{row['role_name']} · {row['trigger']}"]
    if came:  # the event came off duty: the task starts with the next working span
        lines.append(f"触发：{came}（工作时间外，顺延到下一段工作时间）" if zh else
                     f"came {came}, outside working hours: moved to the next working span")
    if row["due"]:
        due = f"{row['due'][:10]} {row['due'][11:16]}"
        lines.append(f"截止：{due}" if zh else f"due {due}")
    event.add("description", "\n\n".join(line for line in lines if line))
    event.add("categories", _categories(row, lang))
    return event


def _categories(row: dict[str, Any], lang: str) -> list[str]:
    """The event's categories: its flow, then its content category, each once, in `lang` (促活,
    转化 / activation, conversion); the role without either (its name in Chinese, its id in English).

    Flows and content categories share words (activation, conversion), and most items are of the same
    kind in both (a `flow: activation` item posting `content: activation`): listing the two as they
    come wrote `CATEGORIES:activation,activation`. dict.fromkeys keeps the first of each, in order.
    """
    if lang == "zh":
        kinds = [FLOWS.get(row["flow"], row["flow"]), CONTENT_CATEGORIES.get(row["content"], row["content"])]
        return list(dict.fromkeys(c for c in kinds if c)) or [row["role_name"] or row["role"]]
    return list(dict.fromkeys(c for c in (row["flow"], row["content"]) if c)) or [row["role"]]


def _event(row: dict[str, Any], zone: ZoneInfo, stamp: dt.datetime, named: bool, lang: str,
           hours: tuple[Span, ...]) -> Any:
    uid = _uid(row["staff_id"], row["item"], row["group_id"], row["date"], row["time"], row["member_id"], row["start"],
               row["due"])
    opens = _opens(row, hours)
    event = _base(row, stamp, named, uid, lang, f"{row['date']} {row['time']}" if opens else "")
    if opens is not None:
        event.add("dtstart", _local(*opens, zone))
        event.add("duration", dt.timedelta(minutes=row["minutes"]))
    elif row["time"]:
        event.add("dtstart", _local(row["date"], row["time"], zone))
        event.add("duration", dt.timedelta(minutes=row["minutes"]))
    else:  # no time of day (a group's creation): an all-day event
        event.add("dtstart", dt.date.fromisoformat(row["date"]))
    return event


def _opens(row: dict[str, Any], hours: tuple[Span, ...]) -> tuple[str, str] | None:
    """(date, HH:MM) the next working span starts, for a task answering an event that came off
    duty (the rule of working_hours.with_due: spans start on whole minutes, so the event's HH:MM
    tells on or off duty); None otherwise."""
    if not (hours and row["due"] and row["time"]):
        return None
    hour, minute = (int(x) for x in row["time"].split(":"))
    later = resume(hours, hour * 60 + minute)
    if later is None:
        return None
    day = dt.date.fromisoformat(row["date"]) + dt.timedelta(days=later[0])
    return day.isoformat(), clock(later[1])


def _recurring(rows: list[dict[str, Any]], item: SopItem, zone: ZoneInfo, stamp: dt.datetime, named: bool,
               lang: str) -> Any:
    """A recurring event for the rows, or None when the rule cannot say which days they are."""
    from dateutil.rrule import rrulestr
    from icalendar import vRecur

    rule = _BOUNDS.sub("", triggers.rule_text(item).upper()).strip(";")
    if "DTSTART" in rule or "\n" in rule:
        return None
    days = [dt.date.fromisoformat(r["date"]) for r in rows]
    first, last = dt.datetime.combine(days[0], dt.time.min), dt.datetime.combine(days[-1], dt.time.max)
    expected = {m.date() for m in rrulestr(f"RRULE:{rule}", dtstart=first).between(first, last, inc=True)}
    missing = sorted(expected - set(days))
    if not set(days) <= expected or len(days) < 2 or len(missing) > len(days):
        return None
    head = rows[0]
    event = _base(head, stamp, named, _uid(head["staff_id"], head["item"], head["group_id"], head["time"], days[0]), lang)
    event.add("dtstart", _local(head["date"], head["time"], zone))
    event.add("duration", dt.timedelta(minutes=head["minutes"]))
    recur = vRecur.from_ical(rule)
    recur["UNTIL"] = [_local(rows[-1]["date"], head["time"], zone).astimezone(dt.UTC)]
    event.add("rrule", recur)
    if missing:
        event.add("exdate", [_local(day.isoformat(), head["time"], zone) for day in missing])
    return event
