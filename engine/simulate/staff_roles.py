"""`staff_role` in event filters: the role each event's staff member held in its group that day,
from the roster's assignments; computed only when a playbook's filters read it."""

from __future__ import annotations

import dataclasses
from typing import Any

from ..model import Playbook
from .context import SimContext


def uses_staff_role(playbook: Playbook) -> bool:
    from .needs import event_conditions

    return any("staff_role" in text or "员工角色" in text for text in event_conditions(playbook))


def staff_roles(events: Any, assignments: Any) -> Any:
    """_r (the event's row), staff_role: the role each event's staff_id held in the event's group
    that day (from the roster's assignments; the first role by id when they held several). Only
    rows with staff: a small table, joined to the events where a filter reads `staff_role`."""
    a = assignments
    e = events.filter(events.staff_id.notnull())
    matched = e.select("row", "group_id", "staff_id", "date").join(
        a, [e.group_id == a.group_id, e.staff_id == a.staff_id, e.date >= a.from_date,
            a.to_date.isnull() | (e.date <= a.to_date)])
    return matched.group_by(_r="row").aggregate(staff_role=matched.role.min())


def with_staff_roles(ctx: SimContext) -> SimContext:
    """The context with its staff_roles table, when the playbook's filters read `staff_role`."""
    if ctx.staff_roles is None and uses_staff_role(ctx.playbook):
        ctx.staff_roles = ctx.materialise("staff_roles", staff_roles(ctx.events, ctx.assignments))
    return ctx


def for_playbook(ctx: SimContext, playbook: Playbook) -> SimContext:
    """The same data under another playbook (for `qunce diff`: the events are read once)."""
    return with_staff_roles(dataclasses.replace(ctx, playbook=playbook, _names={}))
