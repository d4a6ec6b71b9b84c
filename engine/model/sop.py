"""The SOP schedule （标准作业程序）： who does what, when, for which groups."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from .bounds import DayNumber, PerDay
from .common import Clock, ContentCategory, DurationField, Id, Label, Model, Ref, Template, choice, empty_list

FLOWS = {"setup": "搭建", "acquisition": "拉新", "activation": "促活", "conversion": "转化", "incentive": "激励"}
SOP_EVENTS = {
    "join": "入群", "leave": "退群", "first_order": "首单", "order": "下单", "refund": "退款", "referral": "推荐",
    "checkin": "签到", "churn_warning": "流失预警", "level_up": "晋升", "level_down": "降级", "group_created": "建群",
    "banned": "违规",
}

PER = {"group": "每群", "person": "每人"}

if TYPE_CHECKING:
    Flow = str
    SopEvent = str
    Per = str
else:
    Flow = choice(FLOWS, "SOP 流程：搭建 / 拉新 / 促活 / 转化 / 激励。SOP flow.")
    SopEvent = choice(SOP_EVENTS, "触发事件。Triggering event.")
    Per = choice(PER, "每群做一次（group）还是每人做一次（person，如 KOL 的直播）。Once per group or once per person.")

TRIGGER_KEYS = ("every", "rrule", "days", "days_before_end", "member_days", "on")


class SopItem(Model):
    """SOP 事项：谁（role）、何时（every / rrule / days / days_before_end / on 之一）、做什么、多久。"""

    id: Id
    name: Label | None = Field(None, description="事项名称。Task name.")
    flow: Flow | None = Field(None, description="所属流程：搭建/拉新/促活/转化/激励。SOP flow.")
    role: Ref = Field(description="执行角色。Role that does it.")
    group_types: list[Ref] = Field(default_factory=empty_list, description="适用群类型；省略为全部。Group types; empty = all.")
    every: str | None = Field(
        None,
        description="时钟计划：daily 20:00、weekly mon,thu 20:00、weekdays 09:00、monthly 1 10:00、每天 20:00、每周一，四 20:00。",
        examples=["daily 20:00", "weekly mon,thu 20:00", "monthly 1,15 10:00", "每天 20:00"],
    )
    rrule: str | None = Field(None, description="RFC 5545 RRULE，如 FREQ=WEEKLY;BYDAY=MO,TH（配合 at）。")
    days: list[DayNumber] = Field(default_factory=empty_list, description="建群后的第几天（第 0 天为建群当天）。Days of the group's life.")
    days_before_end: list[DayNumber] = Field(default_factory=empty_list, description="快闪群结束前第几天（0 为最后一天）。Days before a group ends.")
    member_days: list[DayNumber] = Field(default_factory=empty_list, description="成员入群后的第几天（0 为入群当天），如 [1, 3, 7]。Days after a member joined.")
    on: SopEvent | None = Field(None, description="事件触发，如 join（入群）。Event trigger.")
    warning: Ref | None = Field(None, description="on: churn_warning 时，指定的预警 id。Which churn warning.")
    at: Clock | None = Field(None, description="时刻 HH:MM。Time of day.")
    within: DurationField | None = Field(None, description="事件触发后的响应时限，如 10m。Response window.")
    tolerance: DurationField | None = Field(
        None, description="SOP 考核的宽限时间：在计划时刻前后多久内完成算按时，如 30m（默认 calendar.tolerance，再缺省 30 分钟）。"
        "SOP assessment: how long before or after its time the task still counts as on time (default "
        "calendar.tolerance, else 30 minutes).")
    skip_holidays: bool = Field(False, description="节假日跳过（见 calendar.holidays）。Skip holidays.")
    content: ContentCategory | None = Field(None, description="内容类别：促活 / 转化 / 品宣。")
    task: Template | None = Field(None, description="任务说明（可用模板变量）。What to do.")
    template: Ref | None = Field(None, description="发送的消息模板 id。Message template to send.")
    message: Template | None = Field(None, description="直接写的消息模板。Inline message template.")
    per: Per = Field("group", description="group：每个群各做一次；person：每人做一次（覆盖其所有群）。")
    minutes: int = Field(5, ge=0, le=1440, description="每群（或每人）每次预计耗时（分钟）。Minutes each time.")
    per_day: PerDay | None = Field(None, description="事件或成员天数触发的事项每群每天的预计次数（用于负荷估算）。")


# SOP 考核 (docs/sop-assessment.md): what shows an item done, decided by its trigger. Here, with the
# item, because both the assessment (assess/) and the handbook (compile/docs/) say it, and
# assess/ runs compile/'s expansion: neither may import the other's.
POST = "post"  # 群内发言: a staff message in the group
REACH = "reach"  # 一对一触达: a reach event with the task's member
LOGGED = "logged"  # 登记完成: a sop_done event only
DEFAULT_TOLERANCE_MINUTES = 30  # a scheduled task counts within this of its time, either side
_ONE_TO_ONE = ("churn_warning", "level_up", "level_down")  # events whose task is about one member


def evidence_of(item: SopItem) -> str:
    """The kind of evidence `item` is assessed by: logged for a per-person item, a reach for a
    member's day or an event about one member, else a post in the group."""
    if item.per == "person":
        return LOGGED
    if item.member_days or item.on in _ONE_TO_ONE:
        return REACH
    return POST
