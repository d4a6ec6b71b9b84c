"""The whole playbook: metadata and every section."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from pydantic import Field, field_validator
from pydantic_core import PydanticCustomError

from .audience import ChurnWarning, LifecycleState, Segment
from .calendar import Calendar, Span, spans
from .calendar import Holiday as Holiday  # re-exported: it lived here before calendar.py
from .commission import Commission
from .common import Id, Model, Template, choice, empty_list
from .content import ContentPlan
from .groups import GroupType
from .membership import Membership
from .metrics import MetricsConfig
from .rules import GroupRules
from .sop import SopItem
from .team import Role

LOCALES = {"zh-CN": "中文|zh", "en": "英文|en-US"}

if TYPE_CHECKING:
    Locale = str
else:
    Locale = choice(LOCALES, "文档语言。Language of generated documents.")



class Playbook(Model):
    """群策剧本：一个团队的完整社群运营方案。A qunce playbook: a team's whole operation."""

    playbook: str = Field(min_length=1, description="剧本名称。Playbook name.")
    description: str | None = Field(None, description="剧本说明。What this playbook is for.")
    version: str | None = Field(None, description="版本号，如 2027Q1-v2。A version label.")
    abstract: bool = Field(False, description="仅作为 extends 的基础剧本，不单独校验完整性。Base for extends only.")
    timezone: str = Field("Asia/Shanghai", description="时区。IANA time zone.")
    currency: str = Field("CNY", description="币种（目前仅 CNY）。Currency.")
    locale: Locale = "zh-CN"
    vars: dict[str, Any] = Field(default_factory=dict, description="模板变量，如 {brand: 花漾}。Template variables.")
    calendar: Calendar = Field(default_factory=Calendar, description="日历：节假日与工作时间。Calendar: holidays, working hours.")
    roles: dict[Id, Role] = Field(default_factory=dict, description="运营角色。Staff roles.")
    group_types: dict[Id, GroupType] = Field(default_factory=dict, description="群类型（群定位）。Group types.")
    rules: GroupRules = Field(default_factory=GroupRules, description="群规。Group rules.")
    templates: dict[Id, Template] = Field(default_factory=dict, description="消息模板。Message templates.")
    content: ContentPlan = Field(default_factory=ContentPlan, description="内容规划。Content plan.")
    metrics: MetricsConfig = Field(default_factory=MetricsConfig, description="指标口径与自定义指标。")
    membership: Membership | None = Field(None, description="会员制度。Membership.")
    segments: list[Segment] = Field(default_factory=empty_list, description="用户分类（首个满足生效）。Segments.")
    lifecycle: list[LifecycleState] = Field(default_factory=empty_list, description="群生命周期（首个满足生效）。")
    churn: list[ChurnWarning] = Field(default_factory=empty_list, description="流失预警。Churn warnings.")
    commission: Commission | None = Field(None, description="提成方案。Commission plan.")
    sop: list[SopItem] = Field(default_factory=empty_list, description="SOP 计划。The SOP schedule.")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise PydanticCustomError(
                "timezone",
                "'{value}' is not a known time zone: use an IANA name such as Asia/Shanghai",
                {"value": value, "zh": f"'{value}' 不是已知时区：请使用 IANA 名称，如 Asia/Shanghai"},
            ) from None
        return value

    @field_validator("vars")
    @classmethod
    def _scalar_vars(cls, value: dict[str, Any]) -> dict[str, Any]:
        for key, item in value.items():
            if not isinstance(item, (str, int, float, bool)):
                raise PydanticCustomError(
                    "var_scalar",
                    "vars.{key} must be text, a number or true/false",
                    {"key": key, "zh": f"vars.{key} 只能是文本、数字或 true/false"},
                )
        return value

    @field_validator("currency")
    @classmethod
    def _cny_only(cls, value: str) -> str:
        if value != "CNY":
            raise PydanticCustomError(
                "currency", "only CNY is supported for now", {"zh": "目前只支持人民币 CNY"}
            )
        return value

    @property
    def holiday_dates(self) -> list[dt.date]:
        return [h.date for h in self.calendar.holidays]

    def working_hours(self, role_id: str) -> tuple[Span, ...]:
        """The spans a role works: its own working_hours, else the calendar's; () for no restriction.
        Read after validation (Q720 refuses what `spans` cannot read)."""
        role = self.roles.get(role_id)
        text = role.working_hours if role is not None and role.working_hours is not None else self.calendar.working_hours
        return spans(text) if text is not None else ()

    def all_templates(self) -> dict[str, Template]:
        """Named templates, with the rules' welcome and announcement under their own names."""
        named = dict(self.templates)
        if self.rules.welcome is not None:
            named.setdefault("welcome", self.rules.welcome)
        if self.rules.announcement is not None:
            named.setdefault("announcement", self.rules.announcement)
        return named

