"""Numbers and decisions of the commission in words, zh or en: money as ¥1,234.56, ratios as
percentages, a condition and the values that decided it."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..catalog import Names
from ..expr import in_words
from .measure import Decision

MINUS = "−"
# 10^-places, built once: statements format hundreds of thousands of numbers.
_PLACES = {places: Decimal(1).scaleb(-places) for places in range(13)}
_HUNDRED = Decimal(100)


def money(value: Decimal) -> str:
    """¥1,234.56 (−¥12.00 below zero)."""
    fen = value.quantize(_PLACES[2], ROUND_HALF_UP)
    text = f"¥{abs(fen):,.2f}"
    return f"{MINUS}{text}" if fen < 0 else text


def percent(value: Decimal, places: int = 2) -> str:
    """0.852 → 85.20%."""
    return f"{(value * _HUNDRED).quantize(_PLACES[places], ROUND_HALF_UP):f}%"


def number(value: Decimal, places: int = 4) -> str:
    """A plain number, at most `places` decimals, no trailing zeros."""
    text = f"{value.quantize(_PLACES[places], ROUND_HALF_UP):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def metric_value(name: str, value: Any, names: Names) -> str:
    """A metric's value as its unit wants it (ratio → %, yuan → ¥)."""
    if not isinstance(value, Decimal):
        return str(value)
    resolved = names.resolve(name)
    unit = resolved.metric.unit if resolved else ""
    if unit == "ratio":
        return percent(value)
    if unit == "yuan":
        return money(value)
    return number(value)


def label(name: str, names: Names, lang: str) -> str:
    resolved = names.resolve(name)
    return resolved.label(lang) if resolved else name


def condition(decision: Decision, names: Names, lang: str) -> str:
    """The condition in words: 加权达成率 ≥ 60% 且 用户满意度 ≥ 4.0."""
    return in_words(decision.rule.expr, names, lang)


def values(decision: Decision, names: Names, lang: str) -> str:
    """The values it read: 加权达成率 = 85.20%，用户满意度 = 4.6."""
    sep = "，" if lang == "zh" else ", "
    return sep.join(f"{label(k, names, lang)} = {metric_value(k, v, names)}" for k, v in decision.values.items())


def verdict(decision: Decision, lang: str) -> str:
    if lang == "zh":
        return "成立" if decision.held else "不成立"
    return "held" if decision.held else "did not hold"
