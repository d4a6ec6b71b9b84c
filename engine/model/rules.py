"""Group rules （群规）： welcome, announcement, banned behaviour and escalating penalties."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import Field
from pydantic_core import PydanticCustomError

from .common import Duration, Id, Label, Model, Template, choice, empty_list, parse_duration, text_type

BEHAVIOURS = {"ads": "打广告|广告", "abuse": "语言暴力|辱骂", "spam": "恶意刷屏|刷屏", "off_topic": "无关话题", "other": "其他"}


@dataclass(frozen=True, slots=True)
class Penalty:
    """warn, mute for a time, or remove; written warn, mute_1d, remove （警告， 禁言1天， 移出）."""

    kind: str  # warn | mute | remove
    duration: Duration | None
    text: str

    def __str__(self) -> str:
        return self.text

    def words(self, lang: str = "zh") -> str:
        """The penalty in plain words: 警告 / 禁言1天 / 移出， or warn / mute 1d / remove."""
        if lang == "zh":
            if self.kind == "mute" and self.duration is not None:
                return f"禁言{_zh_duration(self.duration.minutes)}"
            return {"warn": "警告", "remove": "移出", "mute": "禁言"}[self.kind]
        if self.kind == "mute" and self.duration is not None:
            return f"mute {self.duration.text.replace('_', '')}"
        return self.kind


def _zh_duration(minutes: int) -> str:
    for size, unit in ((10080, "周"), (1440, "天"), (60, "小时")):
        if minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}分钟"


_PENALTY = re.compile(r"^\s*(warn|警告|remove|移出|踢出|mute|禁言)[\s_]*(.*?)\s*$")
_KINDS = {"warn": "warn", "警告": "warn", "remove": "remove", "移出": "remove", "踢出": "remove", "mute": "mute", "禁言": "mute"}


def parse_penalty(value: Any) -> Any:
    if isinstance(value, Penalty):
        return value
    match = _PENALTY.match(value) if isinstance(value, str) else None
    kind = _KINDS[match.group(1)] if match else ""
    rest = match.group(2) if match else ""
    if match and kind == "mute" and rest:
        try:
            return Penalty("mute", parse_duration(rest), value.strip())
        except PydanticCustomError as exc:
            if exc.type == "too_far":  # a duration, only too long: say so
                raise
    elif match and not rest and kind != "mute":
        return Penalty(kind, None, value.strip())
    raise PydanticCustomError(
        "penalty_format",
        "'{value}' is not a penalty: write warn, mute_1d (mute and a duration) or remove",
        {"value": value, "zh": f"'{value}' 不是处罚：请写 warn（警告）、mute_1d（禁言1天）或 remove（移出）"},
    )


if TYPE_CHECKING:
    PenaltyField = Penalty
    Behaviour = str
else:
    PenaltyField = text_type(Penalty, parse_penalty, {
            "description": "处罚：warn 警告、mute_1d 禁言1天、remove 移出。Penalty.",
            "examples": ["warn", "mute_1d", "remove", "警告", "禁言1天", "移出"],
        })
    Behaviour = choice(BEHAVIOURS, "违规类型：打广告 / 语言暴力 / 恶意刷屏 / 无关话题 / 其他。Kind of banned behaviour.")


class BannedBehaviour(Model):
    """禁止行为及其逐级处罚。A banned behaviour and its escalating penalties."""

    id: Id
    name: Label
    kind: Behaviour | None = Field(None, description="违规类型，默认取 id。Kind; defaults to the id.")
    description: str | None = Field(None, description="说明。What counts as this behaviour.")
    penalties: list[PenaltyField] = Field(min_length=1, description="逐级处罚，如 [warn, mute_1d, remove]。Escalating penalties.")


class GroupRules(Model):
    """群规。The group rules: welcome message, announcement, banned behaviour."""

    welcome: Template | None = Field(None, description="欢迎语模板。Welcome message template.")
    announcement: Template | None = Field(None, description="群公告模板。Group announcement template.")
    banned: list[BannedBehaviour] = Field(default_factory=empty_list, description="禁止行为。Banned behaviour.")
