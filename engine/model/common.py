"""Shared field types: ids, choices with Chinese labels, durations, money, ratios."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError

from .bounds import MAX_MINUTES, Amount, too_far

ID_PATTERN = r"^[a-z][a-z0-9_]*$"


class Model(BaseModel):
    """Base of every playbook section: unknown keys are errors, not ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True)


def empty_list() -> list[Any]:
    """A new empty list, the default of list fields. Not `default_factory=list`: pydantic asks
    each factory for its signature, and a builtin's costs a parse of its text signature, once
    per field at every start of `qunce validate`."""
    return []


def _check_id(value: Any) -> Any:
    if isinstance(value, str) and not re.match(ID_PATTERN, value):
        raise PydanticCustomError(
            "id_format",
            "'{value}' is not a valid id: use lowercase ASCII letters, digits and _ (e.g. silver_card)",
            {"value": value, "zh": f"'{value}' 不是合法的 id：只能用小写英文字母、数字和下划线（如 silver_card），中文名称写在 name: 中"},
        )
    return value


if TYPE_CHECKING:
    Id = str
else:
    Id = Annotated[
        str,
        BeforeValidator(_check_id),
        WithJsonSchema({
            "type": "string",
            "pattern": ID_PATTERN,
            "description": "标识：小写英文字母、数字、下划线；中文名称写在 name 中。Id: lowercase ASCII, digits, _.",
        }),
    ]


# A reference to something the playbook defines (a role, a level, a template …).
# Plain text here, so a Chinese name written by mistake reaches the reference
# check, which names the id to use instead of rejecting the whole section.
Ref = Annotated[str, Field(min_length=1, description="引用：所引用对象的 id。A reference: the id of what it names.")]


def text_type(kind: type, parse: Callable[[Any], Any], schema: dict[str, Any]) -> Any:
    """A value written as text in YAML, parsed into `kind`, and printed back as it was written."""
    return Annotated[kind, BeforeValidator(parse), PlainSerializer(str, return_type=str),
                     WithJsonSchema({"type": "string", **schema})]


def choice(options: dict[str, str], description: str) -> Any:
    """A closed set of ids, each also accepted by its Chinese label(s) ('|'-separated)."""
    ids = tuple(options)
    aliases: dict[str, str] = {}
    for key, labels in options.items():
        for label in labels.split("|"):
            aliases[label] = key

    def normalize(value: Any) -> Any:
        return aliases.get(value, value) if isinstance(value, str) else value

    schema = {"type": "string", "enum": [*ids, *aliases], "description": description}
    return Annotated[Literal[ids], BeforeValidator(normalize), WithJsonSchema(schema)]


@dataclass(frozen=True, slots=True)
class Duration:
    """A length of time, kept in minutes; written 10m, 2h, 3d, 1w (or 10分钟， 2小时， 3天， 1周)."""

    minutes: int
    text: str

    @property
    def days(self) -> float:
        return self.minutes / 1440

    def __str__(self) -> str:
        return self.text


_DURATION = re.compile(r"^\s*(\d+)\s*(m|min|h|d|w|分钟|分|小时|天|日|周)\s*$")
_UNIT_MINUTES = {"m": 1, "min": 1, "分钟": 1, "分": 1, "h": 60, "小时": 60, "d": 1440, "天": 1440, "日": 1440, "w": 10080, "周": 10080}


def parse_duration(value: Any) -> Any:
    if isinstance(value, Duration):
        return value
    match = _DURATION.match(value) if isinstance(value, str) else None
    if not match or int(match.group(1)) <= 0:
        raise PydanticCustomError(
            "duration_format",
            "'{value}' is not a duration: write a positive number and a unit, e.g. 10m, 2h, 3d, 1w",
            {"value": value, "zh": f"'{value}' 不是时长：请写正数加单位，如 10m、2h、3d、1w（或 10分钟、3天）"},
        )
    amount, unit = int(match.group(1)), match.group(2)
    minutes = amount * _UNIT_MINUTES[unit]
    if minutes > MAX_MINUTES:
        raise too_far(minutes // 1440)
    return Duration(minutes, value.strip())


if TYPE_CHECKING:
    DurationField = Duration
else:
    DurationField = text_type(Duration, parse_duration, {
            "pattern": r"^\s*\d+\s*(m|min|h|d|w|分钟|分|小时|天|日|周)\s*$",
            "description": "时长，如 10m、2h、3d、1w（或 10分钟、3天）。Duration, e.g. 10m, 2h, 3d, 1w.",
            "examples": ["10m", "3d", "365d"],
        })

_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def _check_clock(value: Any) -> Any:
    if not isinstance(value, str) or not _CLOCK.match(value.strip()):
        raise PydanticCustomError(
            "clock_format",
            "'{value}' is not a time of day: write HH:MM, e.g. 09:30 or 20:00",
            {"value": value, "zh": f"'{value}' 不是时刻：请写 HH:MM，如 09:30、20:00"},
        )
    hour, minute = value.strip().split(":")
    return f"{int(hour):02d}:{minute}"


if TYPE_CHECKING:
    Clock = str
else:
    Clock = Annotated[
        str,
        BeforeValidator(_check_clock),
        WithJsonSchema({"type": "string", "pattern": r"^([01]?\d|2[0-3]):[0-5]\d$",
                        "description": "时刻 HH:MM。Time of day, HH:MM.", "examples": ["20:00"]}),
    ]

# Ratios and money are Decimal from the YAML text, so weights sum exactly.
Ratio = Annotated[Decimal, Field(ge=0, le=1, description="0 到 1 之间的比例。A ratio from 0 to 1.")]
Money = Annotated[Amount, Field(description="金额（元，最多两位小数）。Amount in CNY, up to 2 decimals.")]

Condition = Annotated[
    str,
    Field(
        min_length=1,
        description="条件表达式，如 points_90d >= 300 and orders_30d >= 1。A condition, e.g. points_90d >= 300.",
        examples=["points_90d >= 300", "interaction_rate_7d >= 0.1"],
    ),
]
Template = Annotated[
    str,
    Field(description="Jinja2 模板，如 欢迎 {{ member.nickname }} 加入{{ group.name }}。A Jinja2 template.",
          examples=["欢迎 {{ member.nickname }} 加入{{ group.name }}!"]),
]
Label = Annotated[str, Field(min_length=1, description="中文名称。The display name (Chinese).")]

CONTENT_CATEGORIES = {"activation": "促活", "conversion": "转化", "brand": "品宣"}
ContentCategory = choice(CONTENT_CATEGORIES, "内容类别：促活 / 转化 / 品宣。Content category.")
