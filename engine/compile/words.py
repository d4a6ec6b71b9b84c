"""Words the task list, its calendars and its summary share, in the run's language: a range of
dates (2027-01-01 至 2027-01-07 / 2027-01-01 … 2027-01-07), the time zone (北京时间 for
Asia/Shanghai in Chinese; English keeps the zone's name), and holidays listed once each with the
days they cover (春节 2027-02-06 至 2027-02-12, not 春节 seven times)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ..model.calendar import Holiday

# Zones whose clock is Beijing time (China Standard Time) all year.
BEIJING = frozenset({"Asia/Shanghai", "Asia/Chongqing", "Asia/Chungking", "Asia/Harbin", "PRC"})


def date_range(start: dt.date, end: dt.date, lang: str) -> str:
    """2027-01-01 至 2027-01-07 (zh), 2027-01-01 … 2027-01-07 (en); one day once."""
    if start == end:
        return start.isoformat()
    return f"{start} 至 {end}" if lang == "zh" else f"{start} … {end}"


def zone(name: str, lang: str) -> str:
    """北京时间 for Asia/Shanghai in Chinese, else the zone's name."""
    return "北京时间" if lang == "zh" and name in BEIJING else name


def holiday_spans(holidays: Iterable[Holiday], start: dt.date | None = None,
                  end: dt.date | None = None) -> list[tuple[str, dt.date, dt.date]]:
    """(name, first day, last day) of each run of consecutive holidays with one name, by date;
    only the days from `start` to `end` when given (a span is cut to them)."""
    days = sorted({(h.date, h.name or "") for h in holidays
                   if (start is None or h.date >= start) and (end is None or h.date <= end)})
    spans: list[tuple[str, dt.date, dt.date]] = []
    for day, name in days:
        if spans and spans[-1][0] == name and spans[-1][2] + dt.timedelta(days=1) == day:
            spans[-1] = (name, spans[-1][1], day)
        else:
            spans.append((name, day, day))
    return spans


def holidays_words(holidays: Iterable[Holiday], lang: str, start: dt.date | None = None,
                   end: dt.date | None = None) -> str:
    """元旦 2027-01-01、春节 2027-02-06 至 2027-02-12、2027-04-05 (en: 元旦 2027-01-01, 春节 2027-02-06 …
    2027-02-12, 2027-04-05): each holiday once, with its days."""
    shown = [f"{name} {date_range(first, last, lang)}".strip()
             for name, first, last in holiday_spans(holidays, start, end)]
    return ("、" if lang == "zh" else ", ").join(shown)
