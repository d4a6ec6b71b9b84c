"""Metric conventions and custom metrics declared by the playbook."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from ..event_contract import EVENT_TYPES as EVENT_DEFINITIONS
from .bounds import Chars, DayCount
from .common import Condition, DurationField, Id, Label, Model, choice, empty_list

MEMBER_BASES = {"start": "期初", "end": "期末", "average": "平均"}
SCOPES = {"member": "成员", "group": "群", "staff": "员工"}
AGGREGATES = {"count": "次数", "sum": "合计", "distinct_days": "天数", "avg": "平均", "days_since_last": "距上次天数"}
EVENT_TYPES = {key: labels for key, (labels, _) in EVENT_DEFINITIONS.items()}

if TYPE_CHECKING:
    MembersBasis = str
    Scope = str
    Aggregate = str
    EventType = str
else:
    MembersBasis = choice(MEMBER_BASES, "“群成员数”口径：期初 / 期末 / 平均。Which member count rates divide by.")
    Scope = choice(SCOPES, "范围：成员 / 群 / 员工。What the metric is computed for.")
    Aggregate = choice(AGGREGATES, "聚合方式。How events are aggregated.")
    EventType = choice(EVENT_TYPES, "事件类型。Event type.")


class CustomMetric(Model):
    """自定义指标：由其他指标计算（expr），或由事件聚合（event + agg）。A custom metric."""

    id: Id
    name: Label
    scope: Scope = "member"
    description: str | None = Field(None, description="口径说明（打印在手册中）。Definition, printed in the handbook.")
    expr: Condition | None = Field(None, description="由已有指标计算的表达式。An expression over known names.")
    event: EventType | None = Field(None, description="聚合的事件类型。Event type to aggregate.")
    agg: Aggregate | None = Field(None, description="聚合方式：count/sum/distinct_days/avg/days_since_last。")
    field: str | None = Field(None, description="sum/avg 的字段，如 amount、score。Field for sum/avg.")
    window: DurationField | None = Field(None, description="滚动窗口，如 30d；省略为累计。Rolling window; omitted = all time.")
    where: Condition | None = Field(None, description="事件过滤条件，如 channel == \"直播\"。Event filter.")
    unit: str | None = Field(None, description="单位，如 %、元、次。Unit for display.")


class MetricsConfig(Model):
    """指标口径与自定义指标。Metric conventions and custom metrics."""

    members_basis: MembersBasis = Field("average", description="比率类指标分母“群成员数”的口径，默认 平均。")
    valid_message_min_chars: Chars = Field(1, description="有效发言的最少字数（互动率用；按事件的 length 列）。Minimum characters (the events' length) of a valid message.")
    retention_days: DayCount = Field(7, description="留存率的天数 N。N for N-day retention.")
    churn_after: DurationField | None = Field(None, description="多久未发言且未下单视为流失，如 30d。When a member counts as churned.")
    custom: list[CustomMetric] = Field(default_factory=empty_list, description="自定义指标。Custom metrics.")
