"""When an SOP item is done, in words: 每天 20:00, 建群当天 09:30, 入群后 10 分钟内,
解散前 1 天 20:00, 每月第 1 个周六 10:00 — and an order for a calendar."""

from __future__ import annotations

from ...model import Playbook
from ...model.sop import SopItem
from ...schedule import Clock, ScheduleError, describe, parse_every
from .fmt import duration, listed
from .labels import label

_ZH_DAYS = "一二三四五六日"
_EN_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# The order of an SOP calendar: clock items, the group's life, the member's days, replies to events.
ORDER = {"every": 0, "rrule": 0, "days": 1, "days_before_end": 2, "member_days": 3, "on": 4}


def trigger(item: SopItem) -> str:
    """Which trigger the item has (validation made sure there is exactly one)."""
    for key in ("every", "rrule", "on"):
        if getattr(item, key) is not None:
            return key
    for key in ("days", "days_before_end", "member_days"):
        if getattr(item, key):
            return key
    return "on"


def sort_key(item: SopItem) -> tuple[int, int, str]:
    kind = trigger(item)
    clock = clock_of(item)
    at = (clock.at if clock else None) or item.at or ""
    first = min([*item.days, *item.member_days, *(-d for d in item.days_before_end)], default=0)
    return ORDER[kind], first, at


def clock_of(item: SopItem) -> Clock | None:
    """The item's parsed `every:` schedule, if it has one that parses."""
    if item.every is None:
        return None
    try:
        return parse_every(item.every, item.at)
    except ScheduleError:
        return None


def when(item: SopItem, playbook: Playbook, lang: str) -> str:
    """The item's trigger in words."""
    zh = lang == "zh"
    kind = trigger(item)
    at = f" {item.at}" if item.at and zh else f" at {item.at}" if item.at else ""
    if kind == "every":
        clock = clock_of(item)
        return describe(clock, lang) if clock else str(item.every)
    if kind == "rrule" and item.rrule is not None:
        return rrule_words(item.rrule, lang) + at
    if kind == "days":
        days = listed(map(str, item.days), lang)
        if zh and 0 in item.days:  # day 0 is the day the group is created: 建群当天
            later = [d for d in item.days if d != 0]
            return "建群当天" + (f"、第 {listed(map(str, later), lang)} 天" if later else "") + at
        return (f"建群第 {days} 天" if zh else f"day {days} of the group" if len(item.days) == 1
                else f"days {days} of the group") + at
    if kind == "days_before_end":
        parts = [_before_end(d, zh) for d in item.days_before_end]
        return listed(parts, lang) + at
    if kind == "member_days":
        days = listed(map(str, item.member_days), lang)
        return (f"入群第 {days} 天" if zh else f"day {days} after joining" if len(item.member_days) == 1
                else f"days {days} after joining") + at
    return _on_event(item, playbook, lang)


def _before_end(day: int, zh: bool) -> str:
    if day == 0:
        return "最后一天" if zh else "the last day"
    if zh:
        return f"解散前 {day} 天"
    return f"{day} day{'' if day == 1 else 's'} before the end"


def _on_event(item: SopItem, playbook: Playbook, lang: str) -> str:
    zh = lang == "zh"
    event = label("sop_event", item.on or "", lang)
    if item.on == "churn_warning" and item.warning:
        name = next((w.name for w in playbook.churn if w.id == item.warning), item.warning)
        event = f"{event}「{name}」" if zh else f"{event} ({name})"
    if item.within is None:
        return f"{event}时" if zh else f"when {event}"
    return f"{event}后 {duration(item.within, lang)}内" if zh else f"within {duration(item.within, lang)} after {event}"


def rrule_words(text: str, lang: str) -> str:
    """Common RFC 5545 rules in words (每月第 1 个周六 / the 1st Sat of every month); others as written."""
    zh = lang == "zh"
    parts = dict(part.split("=", 1) for part in text.upper().removeprefix("RRULE:").split(";") if "=" in part)
    freq = parts.pop("FREQ", "")
    interval = int(parts.pop("INTERVAL", "1") or 1)
    days = [d for d in parts.pop("BYDAY", "").split(",") if d]
    position = parts.pop("BYSETPOS", "")
    if parts or freq not in ("DAILY", "WEEKLY", "MONTHLY") or not interval:
        return f"RRULE {text}"
    if freq == "DAILY" and not days:
        return ("每天" if interval == 1 else f"每 {interval} 天") if zh else \
            ("daily" if interval == 1 else f"every {interval} days")
    names = []
    for day in days:
        code, nth = day[-2:], day[:-2] or position or "0"
        if code not in _RRULE_DAYS or not nth.lstrip("+-").isdigit():
            return f"RRULE {text}"
        names.append(_nth_weekday(int(nth), _RRULE_DAYS.index(code), zh))
    if not names:
        return f"RRULE {text}"
    weekdays = listed(names, lang)
    if freq == "WEEKLY":
        every = {1: "每", 2: "隔"}.get(interval, f"每 {interval} ") + "周" if zh else \
            {1: "every week", 2: "every other week"}.get(interval, f"every {interval} weeks")
        return f"{every}{weekdays}" if zh else f"{every} on {weekdays}"
    every = ("每月" if interval == 1 else f"每 {interval} 个月") if zh else \
        ("every month" if interval == 1 else f"every {interval} months")
    return f"{every}{weekdays}" if zh else f"{weekdays} of {every}"


def _nth_weekday(nth: int, index: int, zh: bool) -> str:
    day = f"周{_ZH_DAYS[index]}" if zh else _EN_DAYS[index]
    if nth == 0:
        return day
    if zh:
        return f"最后一个{day}" if nth == -1 else f"第 {nth} 个{day}" if nth > 0 else f"倒数第 {-nth} 个{day}"
    ordinal = {1: "1st", 2: "2nd", 3: "3rd"}.get(abs(nth), f"{abs(nth)}th")
    return f"the last {day}" if nth == -1 else f"the {ordinal} {day}" if nth > 0 else f"the {ordinal} last {day}"
