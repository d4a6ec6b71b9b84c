"""When an SOP item fires: its trigger kind, the days a clock schedule fires in a window (through
python-dateutil's rrule), the events an `on:` item answers, and the words that describe a trigger.

Decided here: `monthly 31` skips months without a 31st (RFC 5545; write -1 for the last day);
an `rrule:` without DTSTART counts its INTERVAL from Monday 2024-01-01 (schedule.RRULE_ANCHOR).
"""

from __future__ import annotations

import datetime as dt

from ..model import Playbook
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


def describe(item: SopItem, playbook: Playbook, lang: str) -> str:
    """The trigger in words, in `lang`: 每天 20:00, 建群当天 09:30, 解散前 2、1 天及解散当天 10:00,
    每次入群后 10 分钟内, 每次流失预警「新人沉默」后 1 天内 (en: daily at 20:00, the day the group is
    created at 09:30, within 10 minutes of a member joining …)."""
    key = kind(item)
    zh = lang == "zh"
    if key == "every":
        return clock_words(parse_every(item.every or "", item.at), lang)
    at = (f" {item.at}" if zh else f" at {item.at}") if item.at else ""
    if key == "rrule":
        from .docs.when import rrule_words  # the handbook's words for the common rules

        return rrule_words(item.rrule or "", lang) + at
    if key in ("days", "days_before_end", "member_days"):
        return _day_words(key, list(getattr(item, key)), zh) + at
    event = item.on or ""
    within = duration_words(item.within.minutes, lang) if item.within is not None else ""
    warning = ""
    if item.warning:
        warning = next((w.name for w in playbook.churn if w.id == item.warning), item.warning)
    if zh:
        label = SOP_EVENTS.get(event, event).split("|")[0] + (f"「{warning}」" if warning else "")
        return f"每次{label}后 {within}内" if within else f"每次{label}后"
    words = _EVENT_EN.get(event, event) + (f" ({warning})" if warning else "")
    return f"within {within} of {words}" if within else f"on {words}"


_DAY_WORDS = {  # kind → (zh day 0, zh other days with {n}, en day 0, en other days with {n} and {s})
    "days": ("建群当天", "建群第 {n} 天", "the day the group is created", "day{s} {n} of the group"),
    "days_before_end": ("解散当天", "解散前 {n} 天", "the group's last day", "{n} day{s} before the group's last day"),
    "member_days": ("成员入群当天", "成员入群第 {n} 天", "the day a member joins", "day{s} {n} after a member joins"),
}


def _day_words(key: str, days: list[int], zh: bool) -> str:
    """Days of a group's or a member's life in the order they come: day 0 by its name (建群当天,
    解散当天: first of a group's or member's days, last of the days before the end), the others
    listed together (建群当天及第 1、2 天; 解散前 2、1 天及解散当天)."""
    zero_zh, other_zh, zero_en, other_en = _DAY_WORDS[key]
    others = [day for day in days if day != 0]
    listed = ("、" if zh else ", ").join(str(day) for day in others)
    plural = "s" if len(others) > 1 or (key == "days_before_end" and others and others[0] != 1) else ""
    other = other_zh.format(n=listed) if zh else other_en.format(n=listed, s=plural)
    if 0 not in days:
        return other
    zero = zero_zh if zh else zero_en
    if not others:
        return zero
    if key == "days_before_end":
        return f"{other}及{zero}" if zh else f"{other}, and on the last day"
    if zh:  # 建群当天及第 1、2 天: the group (or member) is named once
        return f"{zero}及第 {listed} 天"
    return f"{zero} and day{plural} {listed} after"


_UNITS = ((10080, "周", "week"), (1440, "天", "day"), (60, "小时", "hour"), (1, "分钟", "minute"))


def duration_words(minutes: int, lang: str) -> str:
    """10 → 10 分钟 / 10 minutes; 1440 → 1 天 / 1 day; 90 → 90 分钟 / 90 minutes."""
    for size, zh, en in _UNITS:
        if minutes % size == 0:
            count = minutes // size
            return f"{count:,} {zh}" if lang == "zh" else f"{count:,} {en}{'' if count == 1 else 's'}"
    return f"{minutes:,} 分钟" if lang == "zh" else f"{minutes:,} minutes"
