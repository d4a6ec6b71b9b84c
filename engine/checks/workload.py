"""The SOP fits the team: each role's daily SOP minutes, for as many groups as one person
may hold, fit its minutes per day; and the content the SOP schedules roughly follows each
group type's content mix."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from engine.checks.context import CheckContext
from engine.checks.registry import check
from engine.checks.sop import triggers
from engine.diagnostics import Code, Diagnostic, diag, register
from engine.model.sop import SopItem
from engine.schedule import ScheduleError, parse_every, rrule_per_week

MIX_TOLERANCE = Decimal("0.2")

register(Code(
    "Q714", "sop-overload", "error",
    "A role's SOP takes more minutes a day than the role has.", "某角色的 SOP 每天所需时间超过其可用时间。",
    "role '{role}': {groups} group(s) of type '{type}' need up to {need} min on the busiest day; the role has {have} min",
    "角色 '{role}':{groups} 个 '{type}' 群在最忙的一天需要 {need} 分钟,而该角色每天只有 {have} 分钟",
    "Lower max_groups, shorten SOP minutes, move tasks to another role, or raise minutes_per_day. Busiest items: {top}.",
    "降低 max_groups、缩短 SOP 耗时、把任务交给其他角色,或提高 minutes_per_day。最耗时的事项:{top}。",
    bad="roles:\n  owner: {name: 群主, max_groups: 20, minutes_per_day: 480}\n"
        "sop:\n  - {id: topic, role: owner, every: daily 20:00, minutes: 30}\n",
    good="roles:\n  owner: {name: 群主, max_groups: 8, minutes_per_day: 480}\n"
         "sop:\n  - {id: topic, role: owner, every: daily 20:00, minutes: 30}\n",
    group="sop",
))
register(Code(
    "Q715", "content-mix-drift", "warning",
    "The content the SOP schedules for a group type strays from its content mix.", "SOP 安排的内容与群类型的内容配比偏差较大。",
    "SOP content for '{type}' is {actual}; its content_mix is {planned}",
    "'{type}' 的 SOP 内容占比为 {actual},而 content_mix 为 {planned}",
    "Add or remove SOP items of the under- or over-served category, or update content_mix.",
    "增减相应类别的 SOP 事项,或调整 content_mix。",
    bad="content_mix: {activation: 0.2, conversion: 0.7, brand: 0.1}   # but the SOP posts activation content daily\n",
    good="content_mix: {activation: 0.6, conversion: 0.3, brand: 0.1}\n", group="sop",
))


def applies(item: SopItem, type_id: str) -> bool:
    return not item.group_types or type_id in item.group_types


def busiest_day(items: list[SopItem]) -> tuple[float, list[tuple[str, float]]]:
    """Minutes on the busiest day for one group, and each item's share of that day."""
    weekly = [0.0] * 7
    per_item: dict[str, float] = {}
    life_days: dict[int, float] = {}
    for item in items:
        kind = triggers(item)
        if len(kind) != 1:
            continue
        if kind[0] == "every" and item.every:
            try:
                counts = parse_every(item.every, item.at).weekday_counts()
            except ScheduleError:
                continue
            for day, count in enumerate(counts):
                weekly[day] += count * item.minutes
            per_item[item.id] = max(counts) * item.minutes
        elif kind[0] == "rrule" and item.rrule:
            try:
                rate = rrule_per_week(item.rrule) / 7
            except (ValueError, TypeError):
                continue
            weekly = [w + rate * item.minutes for w in weekly]
            per_item[item.id] = rate * item.minutes
        elif kind[0] in ("days", "days_before_end"):
            for day in getattr(item, kind[0]):
                key = day if kind[0] == "days" else -1 - day
                life_days[key] = life_days.get(key, 0.0) + item.minutes
            per_item[item.id] = float(item.minutes)
        elif kind[0] == "on" and item.per_day:
            weekly = [w + item.per_day * item.minutes for w in weekly]
            per_item[item.id] = item.per_day * item.minutes
    peak = max(weekly) + max(life_days.values(), default=0.0)
    top = sorted(per_item.items(), key=lambda pair: (-pair[1], pair[0]))[:3]
    return peak, top


@check("Q714", "Q715")
def sop_fits_the_team(ctx: CheckContext) -> Iterator[Diagnostic]:
    pb = ctx.playbook
    types = list(pb.group_types) or [""]
    for role_id, role in pb.roles.items():
        if role.minutes_per_day is None:
            continue
        groups = role.max_groups or 1
        worst: tuple[float, str, list[tuple[str, float]]] | None = None
        for type_id in types:
            items = [item for item in pb.sop if item.role == role_id and applies(item, type_id)]
            peak, top = busiest_day(items)
            if worst is None or peak > worst[0]:
                worst = (peak, type_id, top)
        if worst is not None and worst[0] * groups > role.minutes_per_day:
            top_text = ", ".join(f"{name} {minutes:g} min" for name, minutes in worst[2])
            yield diag("Q714", ctx.key_span(("roles", role_id)), role=role_id, groups=groups, type=worst[1] or "*",
                       need=f"{worst[0] * groups:g}", have=role.minutes_per_day, top=top_text)
    yield from _mix(ctx)


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


def _per_week(item: SopItem, lifespan: object) -> float:
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
        days = getattr(lifespan, "days", 7.0) or 7.0
        return (len(item.days) + len(item.days_before_end)) * 7.0 / max(days, 1.0)
    return item.per_day * 7 if item.per_day else 0.0
