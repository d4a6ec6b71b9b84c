"""Numbers and decisions of the commission in words, zh or en: money as ¥1,234.56, ratios as
percentages, periods as 2027 年 1 月 / January 2027, a condition and the values that decided it."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..catalog import Names
from ..expr import in_words
from ..expr.phrasing import is_money
from .measure import Decision

MINUS = "−"
# 10^-places, built once: statements format hundreds of thousands of numbers.
_PLACES = {places: Decimal(1).scaleb(-places) for places in range(13)}
_HUNDRED = Decimal(100)
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
NO_SURVEY = {"zh": "—（本期无问卷）", "en": "— (no survey this period)"}


def money(value: Decimal) -> str:
    """¥1,234.56 (−¥12.00 below zero)."""
    fen = value.quantize(_PLACES[2], ROUND_HALF_UP)
    text = f"¥{abs(fen):,.2f}"
    return f"{MINUS}{text}" if fen < 0 else text


def exact_money(value: Decimal, places: int = 6) -> str:
    """An exact amount before the rounding to the fen: ¥1,093.758528, ¥216.00 (at least 2 decimals,
    at most `places`, no trailing zeros beyond the fen)."""
    text = f"{abs(value).quantize(_PLACES[places], ROUND_HALF_UP):,f}"
    whole, _, decimals = text.partition(".")
    decimals = decimals.rstrip("0").ljust(2, "0")
    said = f"¥{whole}.{decimals}"
    return f"{MINUS}{said}" if value.quantize(_PLACES[places], ROUND_HALF_UP) < 0 else said


def percent(value: Decimal, places: int = 2) -> str:
    """0.852 → 85.20%."""
    return f"{(value * _HUNDRED).quantize(_PLACES[places], ROUND_HALF_UP):f}%"


def share_percent(value: Decimal, places: int = 4) -> str:
    """A share as exact as `places` allow, without trailing zeros: 0.6 → 60%, 0.474193… → 47.4194%."""
    return number(value * _HUNDRED, places) + "%"


def number(value: Decimal, places: int = 4) -> str:
    """A plain number, at most `places` decimals, no trailing zeros (−3 with a true minus)."""
    text = f"{value.quantize(_PLACES[places], ROUND_HALF_UP):f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return MINUS + text[1:] if text.startswith("-") else text


def period_words(label: str, lang: str) -> str:
    """A period's label as prose says it: 2027-01 → 2027 年 1 月 / January 2027; 2027Q1 → 2027 年第
    1 季度 / Q1 2027; 2027-W05 → 2027 年第 5 周 / week 5 of 2027; anything else as it is."""
    zh = lang == "zh"
    found = re.fullmatch(r"(\d{4})-(\d{2})", label)
    if found:
        year, month = int(found.group(1)), int(found.group(2))
        return f"{year} 年 {month} 月" if zh else f"{_MONTHS[month - 1]} {year}"
    found = re.fullmatch(r"(\d{4})Q([1-4])", label)
    if found:
        year, quarter = int(found.group(1)), int(found.group(2))
        return f"{year} 年第 {quarter} 季度" if zh else f"Q{quarter} {year}"
    found = re.fullmatch(r"(\d{4})-W(\d{2})", label)
    if found:
        year, week = int(found.group(1)), int(found.group(2))
        return f"{year} 年第 {week} 周" if zh else f"week {week} of {year}"
    return label


def date_range(first: object, last: object, lang: str) -> str:
    """2027-01-01 至 2027-01-31 / 2027-01-01 to 2027-01-31."""
    return f"{first} 至 {last}" if lang == "zh" else f"{first} to {last}"


def no_survey(name: str, value: Any, names: Names) -> bool:
    """Whether `value` of metric `name` means there was no survey: satisfaction is the mean of
    scores of 1 to 5, so the 0 the simulator gives a period without one (periods.rate) cannot be
    a real mean."""
    resolved = names.resolve(name)
    if resolved is None or resolved.metric.id != "csat":
        return False
    return value is None or (isinstance(value, Decimal) and value == 0)


def metric_value(name: str, value: Any, names: Names, lang: str | None = None) -> str:
    """A metric's value as its unit wants it (ratio → %, money → ¥ to the fen); with `lang`, a
    satisfaction without any survey as 「—（本期无问卷）」."""
    if lang is not None and no_survey(name, value, names):
        return NO_SURVEY[lang]
    if value is None:
        return "—"
    if not isinstance(value, Decimal):
        return str(value)
    resolved = names.resolve(name)
    unit = resolved.metric.unit if resolved else ""
    if unit == "ratio":
        return percent(value)
    if is_money(unit):
        return money(value)
    return number(value)


def label(name: str, names: Names, lang: str) -> str:
    resolved = names.resolve(name)
    return resolved.label(lang) if resolved else name


def condition(decision: Decision, names: Names, lang: str) -> str:
    """The condition in words: 加权达成率 ≥ 60% 且 用户满意度 ≥ 4.0."""
    return in_words(decision.rule.expr, names, lang)


def values(decision: Decision, names: Names, lang: str) -> str:
    """The values it read: 加权达成率 85.20%，用户满意度 4.6."""
    sep = "，" if lang == "zh" else ", "
    return sep.join(f"{label(k, names, lang)} {metric_value(k, v, names, lang)}" for k, v in decision.values.items())


def verdict(decision: Decision, lang: str) -> str:
    """达标 / 未达标 (met / not met)."""
    if lang == "zh":
        return "达标" if decision.held else "未达标"
    return "met" if decision.held else "not met"
