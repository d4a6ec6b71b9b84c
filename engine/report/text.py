"""Numbers and dates as the report's sentences say them: ¥1,308.90, 12.5%, 2027 年 1 月 (January
2027), 2027 年 1 月 4 日 (4 January 2027); periods keep their labels (2027-01, 2027-W01) on axes."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from ..commission.formatting import money as _money

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def money(value: Any) -> str:
    return _money(Decimal(str(value or 0)))


def count(value: Any) -> str:
    return f"{int(value or 0):,}"


def percent(value: Any, places: int = 1) -> str:
    return f"{float(value or 0) * 100:.{places}f}%"


def period(label: str, lang: str) -> str:
    """2027-01 → 2027 年 1 月 / January 2027; 2027-W05 → 2027 年第 5 周 / week 5 of 2027."""
    month = re.fullmatch(r"(\d{4})-(\d{2})", label)
    if month:
        year, number = int(month.group(1)), int(month.group(2))
        return f"{year} 年 {number} 月" if lang == "zh" else f"{_MONTHS[number - 1]} {year}"
    week = re.fullmatch(r"(\d{4})-W(\d{2})", label)
    if week:
        year, number = int(week.group(1)), int(week.group(2))
        return f"{year} 年第 {number} 周" if lang == "zh" else f"week {number} of {year}"
    return label


def day(value: dt.date | str, lang: str) -> str:
    date = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    return (f"{date.year} 年 {date.month} 月 {date.day} 日" if lang == "zh"
            else f"{date.day} {_MONTHS[date.month - 1]} {date.year}")


def listed(items: list[str], lang: str) -> str:
    """a, b and c / a、b 和 c."""
    if len(items) <= 1:
        return "".join(items)
    if lang == "zh":
        return "、".join(items[:-1]) + " 和 " + items[-1]
    return ", ".join(items[:-1]) + " and " + items[-1]
