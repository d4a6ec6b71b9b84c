"""The largest number each playbook field may hold: what no team needs is refused when the
playbook is read, before any check, simulation or task list computes with it (a day 999999999
overflows a date, a pool of 10**30 overflows a fen, 200,000,000 helpers per group never end).

Three kinds, three codes (schema_errors.BOUND_CODES): days and durations (Q106: ten years, the
most a simulation or a task list ever covers), counts of people and groups (Q107), and other
amounts (Q108). Each type carries its bound as the JSON Schema `maximum` too.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

# Ten years: windowed names stop at 730 days, a simulation or a task list covers months.
MAX_DAYS = 3650
MAX_MINUTES = MAX_DAYS * 1440
# People and groups: a WeCom customer group holds at most 2,000 members.
MAX_STAFF_PER_GROUP = 100  # staffing, per_group
MAX_GROUPS_PER_PERSON = 1000  # max_groups
MAX_CAPACITY = 100_000  # capacity (members per group)
# Amounts: money stays far inside the fen-exact decimals statements add up (18 digits).
MAX_MONEY = Decimal(100_000_000)  # yuan
# A KPI target (a count, a rate or an amount in yuan), with at most TARGET_PLACES decimals:
# statements keep targets and attainments (actual ÷ target) as decimal(18, 6).
MAX_TARGET = Decimal(10**9)
TARGET_PLACES = 4
MAX_FACTOR = Decimal(1000)  # attainment and factor (100,000%), floors, caps, rates
MAX_POINTS = 1_000_000  # points per event
MAX_POINTS_CAP = 1_000_000_000  # points per cap period
MAX_PER_YUAN = Decimal(1000)  # points per yuan
MAX_PERIODS = 1000  # min_stay, in evaluation periods
MAX_CHARS = 10_000  # valid_message_min_chars
MAX_PER_DAY = 1440.0  # per_day: once a minute


def shown(value: Any) -> str:
    """A number as written, shortened when it is too long to read (or to print: ints of
    thousands of digits)."""
    if isinstance(value, int) and value.bit_length() > 64:
        return "more than 10^19"
    text = str(value)
    return text if len(text) <= 24 else text[:21] + "..."


def too_far(days: int) -> PydanticCustomError:
    """The Q106 error: `days` (whole days, rounded down) reach beyond MAX_DAYS."""
    shown_days = shown(days)
    return PydanticCustomError(
        "too_far",
        "{shown} day(s) reach further than a playbook plans: at most {limit} days (ten years)",
        {"shown": shown_days, "limit": MAX_DAYS, "zh": f"{shown_days} 天超出了剧本规划的范围：最多 {MAX_DAYS} 天（十年）"},
    )


def _check_days(value: int) -> int:
    if value > MAX_DAYS:
        raise too_far(value)
    return value


def _limit(kind: str, limit: Any, unit_en: str, unit_zh: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            raise PydanticCustomError(kind, "{value} is not a finite number", {"value": str(value), "zh": f"{value} 不是有限的数"})
        if abs(value) > limit:
            raise PydanticCustomError(
                kind, "{value} is more than any team needs: at most {limit}{unit}",
                {"value": shown(value), "limit": f"{limit:,}", "unit": unit_en,
                 "zh": f"{shown(value)} 超出了任何团队的需要：最多 {limit:,}{unit_zh}"},
            )
        return value

    return check


def _bounded(kind: str, limit: Any, unit_en: str = "", unit_zh: str = "", **constraints: Any) -> tuple[Any, ...]:
    # The type's own constraints first (pydantic applies them to the number itself and shows
    # them in the JSON Schema), then the bound, shown as `maximum`.
    maximum = float(limit) if isinstance(limit, Decimal) else limit
    return (Field(**constraints), AfterValidator(_limit(kind, limit, unit_en, unit_zh)),
            Field(json_schema_extra={"maximum": maximum}))


if TYPE_CHECKING:
    DayNumber = int
    DayCount = int
    StaffCount = int
    GroupCount = int
    Capacity = int
    EventPoints = int
    PointsCap = int
    Periods = int
    Chars = int
    PerDay = float
    Amount = Decimal
    Target = Decimal
    Factor = Decimal
    NonNegativeFactor = Decimal
    PositiveFactor = Decimal
    PerYuan = Decimal
else:
    DayNumber = Annotated[int, AfterValidator(_check_days), Field(json_schema_extra={"maximum": MAX_DAYS})]
    DayCount = Annotated[int, Field(ge=1), AfterValidator(_check_days), Field(json_schema_extra={"maximum": MAX_DAYS})]
    StaffCount = Annotated[int, *_bounded("too_many", MAX_STAFF_PER_GROUP, " per role per group", " 人（每群每个角色）", ge=0)]
    GroupCount = Annotated[int, *_bounded("too_many", MAX_GROUPS_PER_PERSON, " groups per person", " 个群（每人）", ge=1)]
    Capacity = Annotated[int, *_bounded("too_many", MAX_CAPACITY, " members per group", " 人（每群）", ge=1)]
    EventPoints = Annotated[int, *_bounded("too_large", MAX_POINTS, " points", " 积分", ge=1)]
    PointsCap = Annotated[int, *_bounded("too_large", MAX_POINTS_CAP, " points", " 积分", ge=1)]
    Periods = Annotated[int, *_bounded("too_large", MAX_PERIODS, " periods", " 个周期", ge=0)]
    Chars = Annotated[int, *_bounded("too_large", MAX_CHARS, " characters", " 个字", ge=1)]
    PerDay = Annotated[float, *_bounded("too_large", MAX_PER_DAY, " times a day", " 次（每天）", gt=0)]
    Amount = Annotated[Decimal, *_bounded("too_large", MAX_MONEY, " yuan", " 元", ge=0, decimal_places=2)]
    Target = Annotated[Decimal, *_bounded("too_large", MAX_TARGET, decimal_places=TARGET_PLACES)]
    Factor = Annotated[Decimal, *_bounded("too_large", MAX_FACTOR)]
    NonNegativeFactor = Annotated[Decimal, *_bounded("too_large", MAX_FACTOR, ge=0)]
    PositiveFactor = Annotated[Decimal, *_bounded("too_large", MAX_FACTOR, gt=0)]
    PerYuan = Annotated[Decimal, *_bounded("too_large", MAX_PER_YUAN, " points per yuan", " 积分（每元）", gt=0)]
