"""The SOP clock grammar: `daily 20:00`, `weekly mon,thu 20:00`, `weekdays 09:00`,
`monthly 1,15 10:00` (-1 = last day), and the same in Chinese: `每天 20:00`,
`每周一，四 20:00`, `工作日 09:00`, `每月1,15日 10:00`. Anything else is an RFC 5545
RRULE in `rrule:` (parsed by python-dateutil).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Any

from .errors import BilingualError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ICAL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# An RRULE without a DTSTART of its own counts its INTERVAL (and COUNT) from here: a Monday,
# the first of a month and of a year, so FREQ=WEEKLY;INTERVAL=2 picks the same weeks
# whatever window a task list covers, and a rule without BYDAY / BYMONTHDAY fires on
# Mondays, on the 1st, on January 1st.
RRULE_ANCHOR = dt.datetime(2024, 1, 1)
_ZH_DAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_EN_DAYS = {name: i for i, name in enumerate(WEEKDAYS)}
_EN_DAYS.update({"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6})
_CLOCK = re.compile(r"(?:^|\s)(?:at\s+)?(?P<h>[01]?\d|2[0-3])[:：](?P<m>[0-5]\d)\s*$")


class ScheduleError(BilingualError, ValueError):
    """A schedule that does not parse; `en` and `zh` say why."""


@dataclass(frozen=True, slots=True)
class Clock:
    """A parsed clock schedule: which weekdays (0 = Monday) or month days, at what time."""

    kind: str  # daily | weekly | monthly
    weekdays: tuple[int, ...] = ()
    monthdays: tuple[int, ...] = ()
    at: str | None = None

    def per_week(self) -> float:
        """How many times a week it fires, on average."""
        if self.kind == "daily":
            return 7.0
        if self.kind == "weekly":
            return float(len(self.weekdays))
        return len(self.monthdays) * 12 / 52

    def weekday_counts(self) -> list[float]:
        """Firings on each weekday in a typical week (monthly items spread evenly)."""
        if self.kind == "daily":
            return [1.0] * 7
        if self.kind == "weekly":
            return [1.0 if day in self.weekdays else 0.0 for day in range(7)]
        return [self.per_week() / 7] * 7


def parse_every(text: str, at: str | None = None) -> Clock:
    """Parse an `every:` schedule; `at` is used when the text names no time."""
    source = text.strip()
    match = _CLOCK.search(source)
    clock = at
    if match:
        clock = f"{int(match.group('h')):02d}:{match.group('m')}"
        source = source[: match.start()].strip()
    lowered = source.lower()
    if lowered in ("daily", "every day", "每天", "每日"):
        return Clock("daily", at=clock)
    if lowered in ("weekdays", "工作日", "每个工作日"):
        return Clock("weekly", weekdays=(0, 1, 2, 3, 4), at=clock)
    if lowered in ("weekends", "周末", "每个周末"):
        return Clock("weekly", weekdays=(5, 6), at=clock)
    if lowered.startswith("weekly") or source.startswith(("每周", "每星期")):
        return Clock("weekly", weekdays=_weekdays(source), at=clock)
    if lowered.startswith("monthly") or source.startswith("每月"):
        return Clock("monthly", monthdays=_monthdays(source), at=clock)
    raise ScheduleError(
        f"'{text}' is not a schedule: write daily 20:00, weekly mon,thu 20:00, weekdays 09:00 or monthly 1,15 10:00",
        f"'{text}' 不是计划：请写 每天 20:00、每周一，四 20:00、工作日 09:00 或 每月1,15日 10:00",
    )


def _weekdays(source: str) -> tuple[int, ...]:
    rest = re.sub(r"^(weekly|每周|每星期)", "", source, flags=re.IGNORECASE).strip()
    if not rest:
        raise ScheduleError("weekly needs days, e.g. weekly mon,thu", "每周需要写星期几，如 每周一，四")
    days: list[int] = []
    for part in re.split(r"[,，、\s]+", rest):
        token = part.strip().lower().removeprefix("周").removeprefix("星期")
        if not token:
            continue
        if token in _EN_DAYS:
            days.append(_EN_DAYS[token])
        elif token in _ZH_DAYS:
            days.append(_ZH_DAYS[token])
        else:
            raise ScheduleError(f"'{part}' is not a weekday (mon … sun)", f"'{part}' 不是星期几（一 … 日）")
    return tuple(sorted(set(days)))


def _monthdays(source: str) -> tuple[int, ...]:
    rest = re.sub(r"^(monthly|每月)", "", source, flags=re.IGNORECASE).strip().rstrip("日号")
    if not rest:
        raise ScheduleError("monthly needs days, e.g. monthly 1,15", "每月需要写日期，如 每月1,15日")
    days: list[int] = []
    for part in re.split(r"[,，、\s]+", rest):
        token = part.strip().rstrip("日号")
        if not token:
            continue
        if not re.fullmatch(r"-?\d+", token) or not (1 <= abs(int(token)) <= 31):
            raise ScheduleError(f"'{part}' is not a day of the month (1 … 31, or -1 for the last)",
                                f"'{part}' 不是每月的日期（1 … 31，-1 表示最后一天）")
        days.append(int(token))
    return tuple(sorted(set(days)))


def _rule(text: str) -> Any:
    # An RRULE as python-dateutil reads it, anchored at RRULE_ANCHOR.
    from dateutil.rrule import rrulestr

    body = text.strip()
    body = body if body.upper().startswith(("RRULE:", "DTSTART")) else f"RRULE:{body}"
    return rrulestr(body, dtstart=RRULE_ANCHOR, ignoretz=True)


@functools.lru_cache(maxsize=256)
def _year_of(text: str) -> tuple[Any, ...]:
    # Once per rule: the workload check asks for a rule's weekdays and its firings per week.
    from datetime import datetime

    if rrule_bounds(text):  # refused (Q717, Q719): never expanded
        return ()
    return tuple(_rule(text).between(datetime(2027, 1, 1), datetime(2027, 12, 31, 23, 59), inc=True))


# What an RRULE may ask for, judged before it is expanded (python-dateutil expands a rule that
# never fires to the year 9999, and FREQ=SECONDLY a second at a time): at most one firing a day
# (Q717: a task list holds an item once a day per group, at its at: time); a DTSTART within
# DTSTART_YEARS, an INTERVAL of at most MAX_INTERVAL_DAYS, and a day it fires on (Q719).
DTSTART_YEARS = (2000, 2100)
MAX_INTERVAL_DAYS = 3650
_DAYS_OF_FREQ = (366, 31, 7, 1)  # YEARLY, MONTHLY, WEEKLY, DAILY: dateutil's FREQ numbers 0 … 3
_FREQ_NAMES = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY", "MINUTELY", "SECONDLY")
# The Gregorian calendar repeats every 400 years to the weekday: a rule that fires at all fires
# within 400 years of its start, and moved to the last 400 years dateutil knows (up to 9999),
# one that never fires stops searching within them.
_CYCLE_YEARS = 400
_LAST_CYCLE = 9999 - _CYCLE_YEARS + 1


class ScheduleBound(ScheduleError):
    """An RRULE that parses but asks for more than a playbook may: `kind` is too_fine (Q717)
    or out_of_range (Q719)."""

    def __init__(self, kind: str, en: str, zh: str) -> None:
        super().__init__(en, zh)
        self.kind = kind


@functools.lru_cache(maxsize=256)
def rrule_bounds(text: str) -> tuple[ScheduleBound, ...]:
    """What is wrong with an RRULE that parses (nothing: ()), judged from its parts and at most
    one search of 400 years; a rule that does not parse is check_rrule's to report."""
    try:
        parsed = _rule(text)
    except (ValueError, TypeError):
        return ()
    # python-dateutil keeps a rule's parts, and a set's rules, in private attributes only.
    rules = [parsed] if hasattr(parsed, "_freq") else [*parsed._rrule, *parsed._exrule]
    shown = " ".join(text.split())
    found = [_too_fine(shown, rule) or _out_of_range(shown, rule) for rule in rules]
    return tuple(problem for problem in found if problem is not None)


def _too_fine(text: str, rule: Any) -> ScheduleBound | None:
    times = [len(part or ()) for part in (rule._byhour, rule._byminute, rule._bysecond)]
    if rule._freq <= 3 and max(times) <= 1:
        return None
    finer = _FREQ_NAMES[rule._freq] if rule._freq > 3 else "BYHOUR/BYMINUTE/BYSECOND"
    return ScheduleBound(
        "too_fine",
        f"'{text}' fires more than once a day ({finer}): an SOP item is done at most once a day per group, "
        "at its at: time",
        f"'{text}' 每天触发不止一次（{finer}）：SOP 事项每群每天最多做一次，时刻由 at: 指定",
    )


def _out_of_range(text: str, rule: Any) -> ScheduleBound | None:
    start: dt.datetime = rule._dtstart
    first, last = DTSTART_YEARS
    if not first <= start.year <= last:
        return ScheduleBound("out_of_range", f"'{text}' starts on {start.date()}, outside the years {first}–{last}",
                             f"'{text}' 的起始日期 {start.date()} 不在 {first}–{last} 年之间")
    if rule._interval * _DAYS_OF_FREQ[rule._freq] > MAX_INTERVAL_DAYS:
        return ScheduleBound("out_of_range", f"'{text}' repeats less often than every ten years (INTERVAL={rule._interval})",
                             f"'{text}' 的重复间隔超过十年（INTERVAL={rule._interval}）")
    # The same rule, its start moved a whole number of calendar cycles on; without COUNT and
    # UNTIL, which only end a rule that fires.
    cycles = -(-(_LAST_CYCLE - start.year) // _CYCLE_YEARS)  # rounded up: from _LAST_CYCLE on
    probe = rule.replace(dtstart=start.replace(year=start.year + cycles * _CYCLE_YEARS), count=None, until=None)
    if next(iter(probe), None) is None:
        return ScheduleBound("out_of_range", f"'{text}' never fires: none of the days it repeats on matches all its BY… parts",
                             f"'{text}' 永远不会触发：它重复的日子里没有一天同时满足所有 BY… 条件")
    return None


def check_rrule(text: str) -> None:
    """Raise ScheduleError unless `text` is an RRULE python-dateutil understands."""
    try:
        _rule(text)
    except (ValueError, TypeError) as exc:
        raise ScheduleError(f"'{text}' is not a valid RRULE: {exc}", f"'{text}' 不是合法的 RRULE：{exc}") from None


def rrule_per_week(text: str) -> float:
    """Average firings per week of an RRULE over a year (for load estimates)."""
    return len(_year_of(text)) / 52


def rrule_weekdays(text: str) -> set[int]:
    """The weekdays (0 = Monday) an RRULE fires on during a year."""
    return {moment.weekday() for moment in _year_of(text)}



_ZH_WEEKDAYS = "一二三四五六日"
_EN_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def describe(clock: Clock, lang: str = "zh") -> str:
    """A clock schedule in words: 每天 20:00, 每周一、四 20:00, 每月1日、15日 10:00 (zh), or
    daily at 20:00, every Mon, Thu at 20:00, monthly on the 1st, 15th at 10:00 (en)."""
    zh = lang == "zh"
    if clock.kind == "daily":
        when = "每天" if zh else "daily"
    elif clock.weekdays == (0, 1, 2, 3, 4):
        when = "工作日" if zh else "weekdays"
    elif clock.weekdays == (5, 6):
        when = "周末" if zh else "weekends"
    elif clock.kind == "weekly":
        when = ("每周" + "、".join(_ZH_WEEKDAYS[d] for d in clock.weekdays) if zh
                else "every " + ", ".join(_EN_WEEKDAYS[d] for d in clock.weekdays))
    elif zh:
        when = "每月" + "、".join("最后一天" if d == -1 else f"倒数第{-d}天" if d < 0 else f"{d}日" for d in clock.monthdays)
    else:
        when = "monthly on the " + ", ".join(_en_monthday(d) for d in clock.monthdays)
    if clock.at is None:
        return when
    return f"{when} {clock.at}" if zh else f"{when} at {clock.at}"


def _en_monthday(day: int) -> str:
    if day == -1:
        return "last day"
    if day < 0:
        return f"{_ordinal(-day)} last day"
    return _ordinal(day)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def clock_rrule(clock: Clock) -> str:
    """The RFC 5545 RRULE of a clock schedule (its time of day belongs to DTSTART). A month
    day that a month lacks (31 in April) is skipped there, as RFC 5545 says; -1 is every
    month's last day."""
    if clock.kind == "daily":
        return "FREQ=DAILY"
    if clock.kind == "weekly":
        return "FREQ=WEEKLY;BYDAY=" + ",".join(ICAL_DAYS[day] for day in clock.weekdays)
    return "FREQ=MONTHLY;BYMONTHDAY=" + ",".join(str(day) for day in clock.monthdays)


_PART = re.compile(r"(?i)(?:^|;)\s*(FREQ|INTERVAL|COUNT)\s*=\s*([A-Za-z0-9]+)")
_DAYS_PER = {"DAILY": 1, "WEEKLY": 7}


def occurrence_dates(text: str, start: dt.date, end: dt.date) -> list[dt.date]:
    """The days from `start` to `end` (inclusive) on which an RRULE fires.

    Without DTSTART and COUNT, iteration starts at the period of RRULE_ANCHOR's grid that
    holds `start` (a year of days is ~0.1 s of rrule steps); the days are the same as from
    the anchor itself."""
    from dateutil.rrule import rrulestr

    body = text.strip()
    parts = {key.upper(): value.upper() for key, value in _PART.findall(body.split(":", 1)[-1])}
    if "DTSTART" in body.upper() or "COUNT" in parts or parts.get("FREQ") not in ("DAILY", "WEEKLY", "MONTHLY", "YEARLY"):
        rule = _rule(body)
    else:
        interval = int(parts.get("INTERVAL", "1") or 1)
        body = body if body.upper().startswith("RRULE:") else f"RRULE:{body}"
        rule = rrulestr(body, dtstart=_aligned(parts["FREQ"], max(interval, 1), start), ignoretz=True)
    first = dt.datetime.combine(start, dt.time.min)
    last = dt.datetime.combine(end, dt.time.max)
    return sorted({moment.date() for moment in rule.between(first, last, inc=True)})


def _aligned(freq: str, interval: int, start: dt.date) -> dt.datetime:
    # The first day of the period (on the anchor's grid of INTERVAL periods) holding `start`.
    anchor = RRULE_ANCHOR.date()
    if freq in _DAYS_PER:
        step = _DAYS_PER[freq]
        period_start = start - dt.timedelta(days=start.weekday()) if step == 7 else start
        periods = (period_start - anchor).days // step
        day = period_start - dt.timedelta(days=step * (periods % interval))
    elif freq == "MONTHLY":
        months = (start.year - anchor.year) * 12 + start.month - 1
        months -= months % interval
        day = dt.date(anchor.year + months // 12, months % 12 + 1, 1)
    else:
        year = start.year - (start.year - anchor.year) % interval
        day = dt.date(year, 1, 1)
    return dt.datetime.combine(day, dt.time.min)
