"""The content plan （内容规划）： activation, conversion and brand content with cadence."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import Field
from pydantic_core import PydanticCustomError

from .common import Label, Model, empty_list, text_type

# A content stream posted more than a hundred times a day is no plan.
MAX_PER_WEEK = 700


@dataclass(frozen=True, slots=True)
class Cadence:
    """How often: daily, weekly, monthly, N/week, N/month （每天， 每周3次， 每月2次）."""

    per_week: float
    text: str

    def __str__(self) -> str:
        return self.text


_FIXED = {"daily": 7.0, "每天": 7.0, "每日": 7.0, "weekly": 1.0, "每周": 1.0, "monthly": 12 / 52, "每月": 12 / 52}
_PER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*/\s*(day|week|month)\s*$|^\s*每(天|日|周|月)\s*(\d+(?:\.\d+)?)\s*次\s*$")
_WEEKS = {"day": 1 / 7, "天": 1 / 7, "日": 1 / 7, "week": 1.0, "周": 1.0, "month": 52 / 12, "月": 52 / 12}


def parse_cadence(value: Any) -> Any:
    if isinstance(value, Cadence):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text in _FIXED:
            return Cadence(_FIXED[text], text)
        match = _PER.match(text)
        if match:
            count = float(match.group(1) or match.group(4))
            unit = match.group(2) or match.group(3)
            if count / _WEEKS[unit] > MAX_PER_WEEK:
                raise PydanticCustomError(
                    "too_large", "'{value}' is more than any team needs: at most {limit} a day",
                    {"value": value, "limit": MAX_PER_WEEK // 7,
                     "zh": f"'{value}' 超出了任何团队的需要：每天最多 {MAX_PER_WEEK // 7} 次"})
            if count > 0:
                return Cadence(count / _WEEKS[unit], text)
    raise PydanticCustomError(
        "cadence_format",
        "'{value}' is not a cadence: write daily, weekly, monthly, 3/week or 2/month",
        {"value": value, "zh": f"'{value}' 不是频率：请写 每天、每周、每月、每周3次 或 每月2次"},
    )


if TYPE_CHECKING:
    CadenceField = Cadence
else:
    CadenceField = text_type(Cadence, parse_cadence, {"description": "频率。Cadence.",
                        "examples": ["daily", "3/week", "每天", "每周3次", "每月2次"]})


class ContentStream(Model):
    """一类内容的规划。The plan for one content category."""

    name: Label | None = Field(None, description="名称。Display name.")
    cadence: CadenceField | None = Field(None, description="发布频率。How often.")
    basis: list[str] = Field(default_factory=empty_list, description="依据，如 性别、年龄、职业。What it is tailored by.")
    topics: list[str] = Field(default_factory=empty_list, description="选题。Topics.")
    sources: list[str] = Field(default_factory=empty_list, description="来源：原创、转载、用户投稿、KOL。Sources.")
    production: list[str] = Field(default_factory=empty_list, description="生产流程，如 选题→大纲→要点→细节→审核。Production steps.")


class ContentPlan(Model):
    """内容规划：促活 / 转化 / 品宣。Activation, conversion and brand content."""

    activation: ContentStream | None = Field(None, description="促活内容。Activation content.")
    conversion: ContentStream | None = Field(None, description="转化内容。Conversion content.")
    brand: ContentStream | None = Field(None, description="品宣内容。Brand content.")
    optimise: list[str] = Field(default_factory=empty_list, description="优化原则。How content is improved.")
