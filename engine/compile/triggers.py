"""When an SOP item fires: its trigger kind, the days a clock schedule fires in a window (through
python-dateutil's rrule), the events an `on:` item answers, and the words that describe a trigger.

Decided here: `monthly 31` skips months without a 31st (RFC 5545; write -1 for the last day);
an `rrule:` without DTSTART counts its INTERVAL from Monday 2024-01-01 (schedule.RRULE_ANCHOR).
"""

from __future__ import annotations

import datetime as dt

from ..model.sop import SOP_EVENTS, SopItem
from ..schedule import clock_rrule, occurrence_dates, parse_every
from ..schedule import describe as clock_words

CALENDAR = ("every", "rrule")
LIFE = ("days", "days_before_end")

# SOP events the event data holds (on: → how to find them); the others come from the roster
# (group_created) or from a simulation (churn_warning, level_up, level_down).
FROM_EVENTS = ("join", "leave", "first_order", "order", "refund", "referral", "checkin", "banned")
FROM_ROSTER = ("group_created",)
NEEDS_SIMULATION = ("churn_warning", "level_up", "level_down")

_EVENT_EN = {
    "join": "a member joining", "leave": "a member leaving", "first_order": "a member's first order",
    "order": "an order", "refund": "a refund", "referral": "a referral", "checkin": "a check-in",
    "churn_warning": "a churn warning", "level_up": "a promotion", "level_down": "a demotion",
    "group_created": "the group's creation", "banned": "a flagged message",
}


def kind(item: SopItem) -> str:
    """The item's trigger key: every, rrule, days, days_before_end, member_days or on."""
    if item.every is not None:
        return "every"
    if item.rrule is not None:
        return "rrule"
    for key in ("days", "days_before_end", "member_days"):
        if getattr(item, key):
            return key
    return "on"


def rule_text(item: SopItem) -> str:
    """The RFC 5545 RRULE of a clock item (`every:` or `rrule:`), as written for calendars."""
    if item.every is not None:
        return clock_rrule(parse_every(item.every, item.at))
    text = (item.rrule or "").strip()
    return text[len("RRULE:"):] if text.upper().startswith("RRULE:") else text


def time_of(item: SopItem) -> str | None:
    """The item's time of day, HH:MM (None for events: their own time counts)."""
    if item.every is not None:
        return parse_every(item.every, item.at).at
    return item.at


def fire_dates(item: SopItem, start: dt.date, end: dt.date, holidays: frozenset[dt.date]) -> list[dt.date]:
    """The days from `start` to `end` a clock item fires on, without holidays when it skips them."""
    dates = occurrence_dates(rule_text(item) if item.every is not None else item.rrule or "", start, end)
    return [day for day in dates if not (item.skip_holidays and day in holidays)]


def describe(item: SopItem, lang: str) -> str:
    """The trigger in words, e.g. `daily 20:00`, `day 0, 1 of the group 10:00`, `within 10m of a member joins`."""
    key = kind(item)
    zh = lang == "zh"
    if key == "every":
        return clock_words(parse_every(item.every or "", item.at), lang)
    if key == "rrule":
        return f"{item.rrule} {item.at or ''}".strip() if zh else f"{item.rrule} at {item.at or ''}".strip()
    days = getattr(item, key) if key != "on" else []
    shown = ("、" if zh else ", ").join(str(day) for day in days)
    if key == "days":
        return f"建群第 {shown} 天 {item.at}" if zh else f"day {shown} of the group at {item.at}"
    if key == "days_before_end":
        return f"结束前第 {shown} 天 {item.at}" if zh else f"{shown} day(s) before the group's end at {item.at}"
    if key == "member_days":
        return f"成员入群第 {shown} 天 {item.at}" if zh else f"day {shown} after a member joins at {item.at}"
    event = item.on or ""
    within = str(item.within) if item.within is not None else ""
    if zh:
        label = SOP_EVENTS.get(event, event).split("|")[0] + (f"（{item.warning}）" if item.warning else "")
        return f"每次{label}后 {within} 内" if within else f"每次{label}后"
    words = _EVENT_EN.get(event, event) + (f" ({item.warning})" if item.warning else "")
    return f"within {within} of {words}" if within else f"on {words}"
