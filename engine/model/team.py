"""Roles （运营团队）： who works the groups, and how much each can carry."""

from __future__ import annotations

from pydantic import Field

from .bounds import GroupCount, StaffCount
from .calendar import WorkingHours
from .common import Label, Model, Ref, empty_list


class Role(Model):
    """运营角色，如 群主、管理员、KOL、气氛组。A staff role such as owner, admin, KOL, helper."""

    name: Label
    description: str | None = Field(None, description="职责说明。What the role does.")
    duties: list[str] = Field(default_factory=empty_list, description="职责清单。Duties, one per line.")
    max_groups: GroupCount | None = Field(None, description="一人最多负责的群数。Most groups one person holds.")
    per_group: StaffCount | None = Field(None, description="每个群配置的人数。Staff of this role per group.")
    minutes_per_day: int | None = Field(None, ge=1, le=1440, description="每人每天可用于社群的分钟数。Minutes per person per day.")
    reports_to: Ref | None = Field(None, description="上级角色。The role this one reports to.")
    working_hours: WorkingHours | None = Field(
        None, description="本角色的工作时间，如 09:00-22:00，覆盖 calendar.working_hours（写 00:00-24:00 即不限）。"
        "This role's working hours, e.g. 09:00-22:00, in place of calendar.working_hours (00:00-24:00: no restriction).")
