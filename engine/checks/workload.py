"""The SOP fits the team: each role's daily SOP minutes, for as many groups as one person
may hold, fit its minutes per day; and the content the SOP schedules roughly follows each
group type's content mix."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from ..diagnostics import Code, Diagnostic, diag, register
from ..model.common import Duration
from ..model.sop import SopItem
from ..schedule import ScheduleError, parse_every, rrule_per_week, rrule_weekdays
from .context import CheckContext
from .registry import check
from .sop import triggers

MIX_TOLERANCE = Decimal("0.2")
# More than one task a minute around the clock is no task list (the bundled examples' busiest
# person has 310).
MAX_TASKS_PER_DAY = 1440

register(Code(
    "Q714", "sop-overload", "error",
    "A role's SOP takes more minutes a day than the role has.", "某角色的 SOP 每天所需时间超过其可用时间。",
    "role '{role}': {groups} group(s) of type '{type}' need up to {need} min on the busiest day; the role has {have} min",
    "角色 '{role}'：{groups} 个 '{type}' 群在最忙的一天需要 {need} 分钟，而该角色每天只有 {have} 分钟",
    "Lower max_groups, shorten SOP minutes, move tasks to another role, or raise minutes_per_day. Busiest items: {top}.",
    "降低 max_groups、缩短 SOP 耗时、把任务交给其他角色，或提高 minutes_per_day。最耗时的事项：{top}。",
    bad="roles:\n  owner: {name: 群主, max_groups: 20, minutes_per_day: 480}\n"
        "sop:\n  - {id: topic, role: owner, every: daily 20:00, minutes: 30}\n",
    good="roles:\n  owner: {name: 群主, max_groups: 8, minutes_per_day: 480}\n"
         "sop:\n  - {id: topic, role: owner, every: daily 20:00, minutes: 30}\n",
    group="sop",
))
register(Code(
    "Q718", "too-many-tasks", "error",
    "A role's SOP gives one person more tasks a day than anyone can do.", "某角色的 SOP 每天给一个人的任务多到无法完成。",
    "role '{role}': {groups} group(s) of type '{type}' give one person up to {tasks} tasks on the busiest day; "
    "the most a task list may hold is {limit}",
    "角色 '{role}'：{groups} 个 '{type}' 群在最忙的一天给一个人多达 {tasks} 项任务；任务清单最多 {limit} 项",
    "Lower max_groups or per_day, or drop repeated items. Busiest items: {top}.",
    "降低 max_groups 或 per_day，或删去重复的事项。最频繁的事项：{top}。",
    bad="roles:\n  admin: {name: 管理员, max_groups: 1000}\n"
        "sop:\n  - {id: greet, role: admin, on: join, within: 10m, per_day: 50, minutes: 0}\n",
    good="roles:\n  admin: {name: 管理员, max_groups: 10}\n"
         "sop:\n  - {id: greet, role: admin, on: join, within: 10m, per_day: 5, minutes: 1}\n",
    group="sop",
))
register(Code(
    "Q715", "content-mix-drift", "warning",
    "The content the SOP schedules for a group type strays from its content mix.", "SOP 安排的内容与群类型的内容配比偏差较大。",
    "SOP content for '{type}' is {actual}; its content_mix is {planned}",
    "'{type}' 的 SOP 内容占比为 {actual}，而 content_mix 为 {planned}",
    "Add or remove SOP items of the under- or over-served category, or update content_mix.",
    "增减相应类别的 SOP 事项，或调整 content_mix。",
    bad="content_mix: {activation: 0.2, conversion: 0.7, brand: 0.1}   # but the SOP posts activation content daily\n",
    good="content_mix: {activation: 0.6, conversion: 0.3, brand: 0.1}\n", group="sop",
))


def applies(item: SopItem, type_id: str) -> bool:
    return not item.group_types or type_id in item.group_types


def lifespan_days(lifespan: Duration | None) -> int | None:
    """Whole days a group with this lifespan lives (day 0 … days-1)."""
    return None if lifespan is None else max(math.ceil(lifespan.days), 1)


@dataclass(slots=True)
class Load:
    """The busiest day's minutes for one group, and for one person across their groups."""

    per_group: float = 0.0
    per_person: float = 0.0
    top: list[tuple[str, float]] = field(default_factory=list)

    def total(self, groups: int) -> float:
        return self.per_group * groups + self.per_person


def busiest_day(items: list[SopItem], life: int | None, cost: Callable[[SopItem], float] = lambda item: item.minutes) -> Load:
    """Minutes (or another `cost` of each task) on the busiest day: clock items by weekday,
    day-of-life items lined up by the group's lifespan, event items by their expected count per day."""
    weekly = {"group": [0.0] * 7, "person": [0.0] * 7}
    life_days: dict[str, dict[object, float]] = {"group": {}, "person": {}}
    per_item: dict[str, float] = {}
    for item in items:
        kind = triggers(item)
        if len(kind) != 1:
            continue
        counts = _weekday_counts(item, kind[0])
        if counts is not None:
            for day, count in enumerate(counts):
                weekly[item.per][day] += count * cost(item)
            per_item[item.id] = max(counts) * cost(item)
        elif kind[0] in ("days", "days_before_end"):
            for day in getattr(item, kind[0]):
                key: object = day if kind[0] == "days" else (life - 1 - day if life else f"end-{day}")
                bucket = life_days[item.per]
                bucket[key] = bucket.get(key, 0.0) + cost(item)
            per_item[item.id] = float(cost(item))
    load = Load(
        per_group=max(weekly["group"]) + max(life_days["group"].values(), default=0.0),
        per_person=max(weekly["person"]) + max(life_days["person"].values(), default=0.0),
    )
    load.top = sorted(per_item.items(), key=lambda pair: (-pair[1], pair[0]))[:3]
    return load


def _weekday_counts(item: SopItem, kind: str) -> list[float] | None:
    # How often the item fires on each weekday, at most (None: not a weekly pattern).
    if kind == "every" and item.every:
        try:
            return parse_every(item.every, item.at).weekday_counts()
        except ScheduleError:
            return [0.0] * 7
    if kind == "rrule" and item.rrule:
        try:
            days = rrule_weekdays(item.rrule)
        except (ValueError, TypeError):
            return [0.0] * 7
        # The busiest day is a day it fires, however rarely: count it fully there.
        return [1.0 if day in days else 0.0 for day in range(7)]
    if kind in ("on", "member_days") and item.per_day:
        return [item.per_day] * 7
    return None


@check("Q714", "Q715", "Q718")
def sop_fits_the_team(ctx: CheckContext) -> Iterator[Diagnostic]:
    pb = ctx.playbook
    types = list(pb.group_types) or [""]
    yield from _task_counts(ctx, types)
    for role_id, role in pb.roles.items():
        if role.minutes_per_day is None:
            continue
        groups = role.max_groups or 1
        worst: tuple[float, str, Load] | None = None
        for type_id in types:
            items = [item for item in pb.sop if item.role == role_id and applies(item, type_id)]
            group_type = pb.group_types.get(type_id)
            load = busiest_day(items, lifespan_days(group_type.lifespan) if group_type else None)
            if worst is None or load.total(groups) > worst[0]:
                worst = (load.total(groups), type_id, load)
        if worst is not None and worst[0] > role.minutes_per_day:
            top_text = ", ".join(f"{name} {minutes:g} min" for name, minutes in worst[2].top)
            yield diag("Q714", ctx.key_span(("roles", role_id)), role=role_id, groups=groups, type=worst[1] or "*",
                       need=f"{math.ceil(worst[0])}", have=role.minutes_per_day, top=top_text)
    yield from _mix(ctx)


def _task_counts(ctx: CheckContext, types: list[str]) -> Iterator[Diagnostic]:
    # Tasks, not minutes: an item of 0 minutes still lands on somebody's list, and a role
    # without minutes_per_day still has a person behind it.
    pb = ctx.playbook
    for role_id, role in pb.roles.items():
        groups = role.max_groups or 1
        for type_id in types:
            items = [item for item in pb.sop if item.role == role_id and applies(item, type_id)]
            group_type = pb.group_types.get(type_id)
            load = busiest_day(items, lifespan_days(group_type.lifespan) if group_type else None, lambda _: 1.0)
            if load.total(groups) > MAX_TASKS_PER_DAY:
                top_text = ", ".join(f"{name} {count:g}" for name, count in load.top)
                yield diag("Q718", ctx.key_span(("roles", role_id)), role=role_id, groups=groups, type=type_id or "*",
                           tasks=f"{math.ceil(load.total(groups))}", limit=MAX_TASKS_PER_DAY, top=top_text)
                break


def _mix(ctx: CheckContext) -> Iterator[Diagnostic]:
    for type_id, group_type in ctx.playbook.group_types.items():
        if not group_type.content_mix:
            continue
        weight: dict[str, float] = {}
        for item in ctx.playbook.sop:
            if item.content is None or not applies(item, type_id):
                continue
            weight[item.content] = weight.get(item.content, 0.0) + _per_week(item, group_type.lifespan)
        total = sum(weight.values())
        if total <= 0:
            continue
        shares = {k: Decimal(str(round(v / total, 2))) for k, v in weight.items()}
        drift = any(abs(shares.get(k, Decimal(0)) - group_type.content_mix.get(k, Decimal(0))) > MIX_TOLERANCE
                    for k in {*shares, *group_type.content_mix})
        if drift:
            actual = ", ".join(f"{k} {v}" for k, v in sorted(shares.items()))
            planned = ", ".join(f"{k} {v}" for k, v in sorted(group_type.content_mix.items()))
            yield diag("Q715", ctx.key_span(("group_types", type_id, "content_mix")), type=type_id,
                       actual=actual, planned=planned)


def _per_week(item: SopItem, lifespan: Duration | None) -> float:
    # Group content only: replies to one member (on:, member_days:) are not posts
    # to the group, however many there are.
    if item.every:
        try:
            return parse_every(item.every, item.at).per_week()
        except ScheduleError:
            return 0.0
    if item.rrule:
        try:
            return rrule_per_week(item.rrule)
        except (ValueError, TypeError):
            return 0.0
    if item.days or item.days_before_end:
        # One-off days count as content of a lifespan's worth of weeks (a week when endless).
        days = lifespan.days if lifespan is not None else 7.0
        return (len(item.days) + len(item.days_before_end)) * 7.0 / max(days, 1.0)
    return 0.0
