"""User segments （用户分类）， group lifecycle （社群生命周期） and churn warnings （流失预警）."""

from __future__ import annotations

from pydantic import Field

from .common import Condition, DurationField, Id, Label, Model, Ref


class Segment(Model):
    """用户分类（按顺序，首个满足的生效）。A user segment; the first match wins."""

    id: Id
    name: Label
    when: Condition | None = Field(None, description="条件；省略表示兜底（其余所有人）。Omitted: everyone left.")
    satisfaction: str | None = Field(None, description="满意度，如 高、低。Satisfaction.")
    loyalty: str | None = Field(None, description="忠诚度，如 高、低。Loyalty.")
    strategy: str | None = Field(None, description="运营策略。Strategy for groups full of this segment.")


class LifecycleState(Model):
    """群生命周期状态（按顺序，首个满足的生效）。A lifecycle state; the first match wins."""

    id: Id
    name: Label
    when: Condition | None = Field(None, description="条件；省略表示兜底。Omitted: every other group.")
    dissolve_after: DurationField | None = Field(None, description="处于该状态多久后解散，如 30d。Dissolve after this long.")
    action: str | None = Field(None, description="应对措施。What to do.")


class ChurnWarning(Model):
    """流失预警。A warning sign of churn and the action it calls for."""

    id: Id
    name: Label
    stage: str | None = Field(None, description="成员成长阶段，如 新人期、成长期、成熟期。Member stage.")
    when: Condition
    action: str = Field(description="应对动作。The action to take.")
    role: Ref | None = Field(None, description="负责跟进的角色，默认群主。Role that acts; default owner.")
    template: Ref | None = Field(None, description="关怀消息模板。Message template id.")
    within: DurationField | None = Field(None, description="需在多久内跟进，如 1d。Act within.")
