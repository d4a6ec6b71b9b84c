"""Numbers, money, ratios, durations and lists as a handbook prints them, in zh or en."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from ...model.common import Duration
from ...model.content import Cadence


def number(value: Decimal | int | float) -> str:
    """300, 0.15, 4.5: no exponent, no trailing zeros."""
    exact = value if isinstance(value, Decimal) else Decimal(str(value))
    return f"{exact.normalize():f}"


def percent(value: Decimal | int | float) -> str:
    """0.15 → 15%."""
    exact = value if isinstance(value, Decimal) else Decimal(str(value))
    return f"{number(exact * 100)}%"


def money(value: Decimal | int, lang: str) -> str:
    """60000 → 60,000 元 / ¥60,000; 9.9 → 9.90 元 / ¥9.90."""
    exact = Decimal(value)
    text = f"{exact:,.0f}" if exact == exact.to_integral_value() else f"{exact:,.2f}"
    return f"{text} 元" if lang == "zh" else f"¥{text}"


def by_unit(value: Decimal, unit: str, lang: str) -> str:
    """A metric's value by its catalog unit: ratio as a percentage, yuan as money."""
    if unit == "ratio":
        return percent(value)
    if unit == "yuan":
        return money(value, lang)
    return number(value)


_UNITS = ((10080, "周", "week"), (1440, "天", "day"), (60, "小时", "hour"), (1, "分钟", "minute"))


def duration(value: Duration, lang: str) -> str:
    """10m → 10 分钟 / 10 minutes; 2d → 2 天 / 2 days."""
    minutes = value.minutes
    for size, zh, en in _UNITS:
        if minutes % size == 0:
            count = minutes // size
            return f"{count} {zh}" if lang == "zh" else f"{count} {en}{'' if count == 1 else 's'}"
    return f"{minutes} 分钟" if lang == "zh" else f"{minutes} minutes"


def listed(items: Iterable[str], lang: str) -> str:
    """a、b、c / a, b, c."""
    return ("、" if lang == "zh" else ", ").join(items)


def cadence(value: Cadence, lang: str) -> str:
    """How often, in words: 每天 / daily, 每周 3 次 / 3 times a week, 每月 2 次 / twice a month."""
    zh = lang == "zh"
    per_week = value.per_week
    per_month = round(per_week * 52 / 12, 2)
    for exact, zh_text, en_text in ((7.0, "每天", "daily"), (1.0, "每周", "weekly"), (1.0, "每月", "monthly")):
        if (per_week if zh_text != "每月" else per_month) == exact:
            return zh_text if zh else en_text
    for count, zh_unit, en_unit in ((per_week / 7, "天", "day"), (per_week, "周", "week"), (per_month, "月", "month")):
        if count >= 1 and abs(count - round(count)) < 1e-9:
            n = round(count)
            return f"每{zh_unit} {n} 次" if zh else f"{'twice' if n == 2 else f'{n} times'} a {en_unit}"
    return value.text
