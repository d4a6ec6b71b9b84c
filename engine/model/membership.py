"""Membership （会员制度）： points earning and expiry, levels with promotion and demotion."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from .bounds import EventPoints, Periods, PerYuan, PointsCap
from .common import Condition, DurationField, Id, Label, Model, Ref, choice, empty_list
from .content import CadenceField
from .metrics import EventType

PERIODS = {"daily": "每天|每日", "weekly": "每周", "monthly": "每月", "quarterly": "每季度"}
CAP_PERIODS = {"day": "天|日", "week": "周", "month": "月"}
DEMOTION = {"one_step": "逐级|降一级", "recompute": "重新计算|重算"}

if TYPE_CHECKING:
    Period = str
    CapPeriod = str
    Demotion = str
else:
    Period = choice(PERIODS, "周期：每天 / 每周 / 每月 / 每季度。Period.")
    CapPeriod = choice(CAP_PERIODS, "上限周期：天 / 周 / 月。Cap period.")
    Demotion = choice(DEMOTION, "降级方式：逐级（一次降一级）/ 重新计算。Demotion policy.")


class EarnCap(Model):
    """每周期积分上限。At most `max` points from this rule per period."""

    per: CapPeriod
    max: PointsCap = Field(description="每周期最多积分。Most points per period.")


class EarnRule(Model):
    """积分获取规则。How points are earned from one kind of event."""

    id: Id | None = Field(None, description="规则 id。Rule id.")
    name: Label | None = Field(None, description="名称。Display name.")
    on: EventType = Field(description="触发事件，如 message（发言）、order（下单）、referral（推荐）、checkin（签到）。")
    points: EventPoints | None = Field(None, description="每次获得的积分。Points per event.")
    per_yuan: PerYuan | None = Field(None, description="每消费 1 元获得的积分（订单）。Points per yuan.")
    cap: EarnCap | None = Field(None, description="上限，如 {per: day, max: 10}。Cap per period.")
    where: Condition | None = Field(None, description="事件过滤条件。Only events that match.")


class Points(Model):
    """积分制度。Points: earning rules and expiry (first in, first out)."""

    earn: list[EarnRule] = Field(default_factory=empty_list, description="积分获取规则。Earning rules.")
    expire_after: DurationField | None = Field(None, description="积分有效期，如 365d；按批次先进先出过期。Expiry, FIFO batches.")
    refunds_deduct: bool = Field(True, description="退款是否扣回订单积分。Refunds take order points back.")


class Level(Model):
    """会员等级。A membership level with its rights, obligations and rules."""

    id: Id
    name: Label
    promote_when: Condition | None = Field(None, description="晋升条件。Promoted to this level when it holds.")
    keep_when: Condition | None = Field(None, description="保级条件（宜比晋升条件宽松；不写时用晋升条件）。"
                                                          "Kept while it holds (without one, while promote_when "
                                                          "holds).")
    min_stay: Periods = Field(0, description="保级期：到达该等级（晋升或降级）后，这么多次评定内不降级。"
                                              "Periods after reaching the level (by promotion or demotion) in which it "
                                              "cannot be demoted.")
    rights: list[str] = Field(default_factory=empty_list, description="权益。Rights.")
    obligations: list[str] = Field(default_factory=empty_list, description="义务。Obligations.")
    permissions: list[str] = Field(default_factory=empty_list, description="权限。Permissions.")


class Care(Model):
    """会员关怀。Regular care for members: messages and surveys."""

    name: Label
    every: CadenceField | None = Field(None, description="频率，如 每月、每周、monthly、2/month。How often.")
    levels: list[Ref] = Field(default_factory=empty_list, description="适用等级。Levels it is for; empty = all.")
    template: Ref | None = Field(None, description="使用的消息模板。Message template id.")


class Membership(Model):
    """会员制度。Levels driven by points, with promotion and demotion."""

    evaluate: Period = Field("monthly", description="等级评定周期。How often levels are evaluated.")
    demotion: Demotion = Field("one_step", description="降级方式：逐级（每次降一级）或重新计算（降到保级条件仍达标的"
                                                      "最高一级）。Demotion policy: one_step (one level down) or "
                                                      "recompute (the highest lower level whose keep condition "
                                                      "holds).")
    points: Points | None = Field(None, description="积分制度。Points.")
    levels: list[Level] = Field(default_factory=empty_list, description="等级，从低到高。Levels, lowest first.")
    care: list[Care] = Field(default_factory=empty_list, description="会员关怀。Member care.")
    incentives: list[str] = Field(default_factory=empty_list, description="激励方式（精神/物质）。Incentives.")
