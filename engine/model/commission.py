"""The commission plan （社群运营提成）： pool, weighted KPIs, pay curve or rate table, gate,
bonuses, caps, dynamic weight adjustment and the role split."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from .bounds import Factor, NonNegativeFactor, PositiveFactor, Target
from .common import Condition, Id, Label, Model, Money, Ratio, Ref, choice, empty_list

COMMISSION_PERIODS = {"weekly": "每周", "monthly": "每月", "quarterly": "每季度"}
DIRECTIONS = {"higher": "越高越好|越大越好", "lower": "越低越好|越小越好"}
RATE_MODES = {"tiered": "全额累进|阶梯", "marginal": "超额累进|分段"}

if TYPE_CHECKING:
    CommissionPeriod = str
    Direction = str
    RateMode = str
else:
    CommissionPeriod = choice(COMMISSION_PERIODS, "结算周期：每周 / 每月 / 每季度。Commission period.")
    Direction = choice(DIRECTIONS, "方向：越高越好 / 越低越好（如退群率）。Higher or lower is better.")
    RateMode = choice(RATE_MODES, "阶梯系数表的方式：tiered 全额累进（整个达成率适用所在档的系数）；marginal 超额累进（按区间分段计算）。")


class Pool(Model):
    """奖金池（三选一）：每群固定金额、群销售额提成比例、每人固定金额。The pool: pick one."""

    per_group: Money | None = Field(None, description="每群在 100% 达成时的金额。Per group at 100% attainment.")
    sales_share: Ratio | None = Field(None, description="群销售额的提成比例。Share of the group's sales.")
    per_staff: Money | None = Field(None, description="每人在 100% 达成时的金额。Per staff member at 100%.")

    @model_validator(mode="after")
    def _exactly_one(self) -> Pool:
        chosen = [v for v in (self.per_group, self.sales_share, self.per_staff) if v is not None]
        if len(chosen) != 1:
            raise PydanticCustomError(
                "pool_one",
                "a pool is exactly one of per_group, sales_share or per_staff",
                {"zh": "奖金池只能在 per_group、sales_share、per_staff 中选一个"},
            )
        return self


class Kpi(Model):
    """考核指标。A weighted KPI: a metric, its target and its weight."""

    id: Id
    name: Label
    metric: str = Field(description="指标名，如 net_new_members、interaction_rate、csat。Metric name.")
    target: Target = Field(description="目标值（须为正）。Target value, positive.")
    weight: Ratio = Field(description="权重，所有 KPI 合计为 1。Weight; KPI weights sum to 1.")
    direction: Direction = Field("higher", description="higher 越高越好；lower 越低越好。")


class Curve(Model):
    """达成率→系数的分段线性曲线。Attainment → payout factor, piecewise linear."""

    points: list[tuple[Factor, Factor]] = Field(
        min_length=1, description="[[达成率， 系数], ...]，达成率递增。[[attainment, factor], ...]"
    )
    floor: NonNegativeFactor | None = Field(None, description="起提线：达成率低于它，该 KPI 不计提成。Below it the KPI pays nothing.")
    cap: PositiveFactor | None = Field(None, description="系数封顶：提成系数最高到此。The highest factor paid.")


class Bracket(Model):
    """阶梯系数表的一档。One bracket: from this attainment on, this rate."""

    from_: NonNegativeFactor = Field(alias="from", description="起点达成率。Attainment where the bracket starts.")
    rate: NonNegativeFactor = Field( description="该档的阶梯系数。Rate (factor).")


class RateTable(Model):
    """阶梯系数表。A rate table, tiered or marginal."""

    mode: RateMode = "tiered"
    brackets: list[Bracket] = Field(min_length=1, description="各档，按起点递增。Brackets, rising.")


class Gate(Model):
    """发放门槛：未达标时本期提成清零（或乘以 otherwise）。The gate."""

    when: Condition
    otherwise: Ratio = Field(Decimal(0), description="不满足时的系数，默认 0。Factor when the gate is closed.")


class Bonus(Model):
    """达标奖励。A fixed bonus when a condition holds."""

    id: Id
    name: Label
    when: Condition
    amount: Money


class StaffCap(Model):
    """个人封顶（每人每期）。The most one staff member is paid per period."""

    per_staff: Money


class Adjustment(Model):
    """动态调整：本期条件满足时，下一期把权重从一个 KPI 移到另一个。Dynamic weight adjustment."""

    id: Id | None = Field(None, description="调整规则的 id。Id of the rule.")
    when: Condition
    move: Ratio = Field(description="移动的权重。Weight moved.")
    from_: Ref = Field(alias="from", description="移出权重的 KPI。KPI the weight leaves.")
    to: Ref = Field(description="移入权重的 KPI。KPI the weight goes to.")
    reason: str | None = Field(None, description="调整原因（写入报表）。Why, shown in statements.")


class Commission(Model):
    """提成方案。The commission plan for the operations team."""

    period: CommissionPeriod = "monthly"
    pool: Pool = Field(description="奖金池。The pool.")
    gate: Gate | None = Field(None, description="发放门槛：一个条件（或 {when, otherwise}）。A condition (or {when, otherwise}).")
    kpis: list[Kpi] = Field(min_length=1, description="考核指标，权重合计为 1。Weighted KPIs.")
    curve: Curve | None = Field(None, description="提成曲线：[[达成率, 提成系数], ...] 或 {points, floor, cap}。")
    rates: RateTable | None = Field(None, description="阶梯系数表（与 curve 二选一）。Rate table instead of a curve.")
    bonuses: list[Bonus] = Field(default_factory=empty_list, description="达标奖励。Bonuses.")
    cap: StaffCap | None = Field(None, description="个人封顶（每人每期）。Cap per staff member.")
    adjust: list[Adjustment] = Field(default_factory=empty_list, description="动态调整规则。Dynamic weight adjustments.")
    split: dict[Ref, Ratio] = Field(default_factory=dict, description="分成比例：按角色分配，合计为 1，如 {owner: 0.6, admin: 0.4}。")
    clawback: bool = Field(True, description="期后退款在发生期追回。Refunds after a period claw back.")

    @field_validator("gate", mode="before")
    @classmethod
    def _gate_shorthand(cls, value: Any) -> Any:
        return {"when": value} if isinstance(value, str) else value

    @field_validator("curve", mode="before")
    @classmethod
    def _curve_shorthand(cls, value: Any) -> Any:
        return {"points": value} if isinstance(value, list) else value
