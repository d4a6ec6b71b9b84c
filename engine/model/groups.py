"""Group positioning （群定位） and entry thresholds （门槛）."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from .bounds import Capacity, StaffCount
from .common import ContentCategory, DurationField, Label, Model, Money, Ratio, Ref, Template, choice, empty_list

GROUP_KINDS = {"traffic": "引流群", "welfare": "福利群", "flash": "快闪群", "custom": "自定义"}
ENTRY_MODES = {"open": "开放|公开", "invite": "邀请式|邀请", "referral": "推荐式|推荐", "activity": "活动式|活动", "paid": "付费式|付费"}

if TYPE_CHECKING:
    GroupKind = str
    EntryMode = str
else:
    GroupKind = choice(GROUP_KINDS, "群类型的基本定位：引流群 / 福利群 / 快闪群 / 自定义。Base positioning.")
    EntryMode = choice(ENTRY_MODES, "入群门槛：开放 / 邀请式 / 推荐式 / 活动式 / 付费式。Entry mode.")


class Entry(Model):
    """入群门槛。Who may join a group of this type."""

    mode: EntryMode = "open"
    roles: list[Ref] = Field(default_factory=empty_list, description="邀请式：可以邀请的角色。invite: roles allowed to invite.")
    min_level: Ref | None = Field(None, description="邀请式/推荐式：邀请人至少的会员等级。Lowest member level that may invite or refer.")
    activity: str | None = Field(None, description="活动式：需参加的活动。activity: the activity to take part in.")
    fee: Money | None = Field(None, description="付费式：入群费用（元）。paid: the fee in CNY.")
    description: str | None = Field(None, description="门槛说明。A note shown in the handbook.")


class GroupType(Model):
    """群类型（群定位）。A group type: its goal, content, capacity and threshold."""

    name: Label
    kind: GroupKind | None = Field(None, description="基本定位，默认取 id。Base kind; defaults to the id when it is one.")
    goal: str | None = Field(None, description="目标，如 增粉、成交复购、快速转化。The goal.")
    purpose: str | None = Field(None, description="作用。What the group is for.")
    content: list[str] = Field(default_factory=empty_list, description="典型内容。Typical content.")
    content_mix: dict[ContentCategory, Ratio] = Field(
        default_factory=dict,
        description="内容配比 {activation|促活， conversion|转化， brand|品宣： 比例}，合计为 1。Content mix, sums to 1.",
    )
    capacity: Capacity | None = Field(None, description="群成员上限。Member capacity.")
    lifespan: DurationField | None = Field(None, description="存续时长（快闪群必填），如 3d。Lifespan, required for flash groups.")
    entry: Entry = Field(default_factory=Entry, description="入群门槛。Entry threshold.")
    naming: Template | None = Field(None, description="统一命名规则，如 {{ brand }}福利{{ seq }}群。Naming pattern.")
    staffing: dict[Ref, StaffCount] = Field(default_factory=dict, description="每群各角色人数，覆盖角色的 per_group。Staff per role per group.")

