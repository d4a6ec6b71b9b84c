"""Roles and responsibilities （团队与分工） and the SOP calendar per role, with its working hours and
how each item is assessed (考核方式)."""

from __future__ import annotations

from typing import Any

from ...model.sop import SopItem
from .assessed import assessed
from .labels import label
from .view import View, anchor
from .when import clock_of, sort_key, trigger, when

ZH_WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
EN_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def roles(v: View) -> list[dict[str, Any]]:
    w, out = v.w, []
    for role_id, role in v.playbook.roles.items():
        facts = []
        if role.max_groups is not None:
            facts.append({"label": w["max_groups"], "value": w["n_groups"].format(n=role.max_groups)})
        if role.per_group is not None:
            facts.append({"label": w["per_group"], "value": w["n_people"].format(n=role.per_group)})
        if role.minutes_per_day is not None:
            facts.append({"label": w["minutes_per_day"], "value": w["n_minutes"].format(n=role.minutes_per_day)})
        if role.reports_to:
            facts.append({"label": w["reports_to"], "value": v.role(role.reports_to)})
        count = sum(1 for item in v.playbook.sop if item.role == role_id)
        out.append({"id": role_id, "anchor": anchor("role", role_id), "name": role.name,
                    "description": role.description or "", "duties": list(role.duties), "facts": facts,
                    "sop_items": count, "sop_anchor": anchor("sop", role_id),
                    "sop_title": w["sop_of"].format(role=role.name)})
    return out


def sop(v: View) -> dict[str, Any]:
    """Each role's SOP items in calendar order, with a week grid of its clock items."""
    by_role: dict[str, list[SopItem]] = {}
    for item in v.playbook.sop:
        by_role.setdefault(item.role, []).append(item)
    calendars = []
    for role_id in [*v.playbook.roles, *(r for r in by_role if r not in v.playbook.roles)]:
        items = sorted(by_role.get(role_id, []), key=sort_key)
        if items:
            hours = ", ".join(str(span) for span in v.playbook.working_hours(role_id))
            calendars.append({"id": role_id, "anchor": anchor("sop", role_id), "name": v.role(role_id),
                              "title": v.w["sop_of"].format(role=v.role(role_id)), "hours": hours,
                              "entries": [_item(v, item) for item in items], "week": _week(v, items)})
    from ..words import date_range, holiday_spans

    # each holiday once, with its days (a seven-day holiday is one entry, not seven)
    holidays = [f"{name} {date_range(first, last, v.lang)}".strip()
                for name, first, last in holiday_spans(v.playbook.calendar.holidays)]
    # the rule of working hours once, when a role that has them answers events
    answers = {item.role for item in v.playbook.sop if item.on is not None}
    rule = v.w["working_hours_rule"] if any(c["hours"] and c["id"] in answers for c in calendars) else ""
    return {"roles": calendars, "holidays": holidays, "hours_rule": rule, "assess_rule": v.w["assess_rule"],
            "weekdays": list(ZH_WEEKDAYS if v.zh else EN_WEEKDAYS)}


def _item(v: View, item: SopItem) -> dict[str, Any]:
    w = v.w
    minutes = w["n_minutes"].format(n=item.minutes)
    if item.per == "person":
        minutes += w["per_person_note"]
    in_type = item.group_types[0] if item.group_types else next(iter(v.playbook.group_types), None)
    return {
        "id": item.id,
        "name": item.name or item.id,
        "when": when(item, v.playbook, v.lang),
        "trigger": trigger(item),
        "task": v.samples.message(item.task, in_type) if item.task else "",
        "message": v.samples.message(item.message, in_type) if item.message else "",
        "template": v.template(item.template) if item.template else None,
        "minutes": minutes,
        "flow": label("flow", item.flow, v.lang) if item.flow else "",
        "content": label("content", item.content, v.lang) if item.content else "",
        "group_types": v.group_types(item.group_types),
        "skip_holidays": item.skip_holidays,
        "assessed": assessed(item, v.playbook, v.lang, w),
    }


def _week(v: View, items: list[SopItem]) -> list[dict[str, Any]]:
    """Rows by time of day, one cell per weekday, for the daily and weekly clock items."""
    slots: dict[str, list[list[str]]] = {}
    for item in items:
        clock = clock_of(item)
        if clock is None or clock.kind == "monthly" or clock.at is None:
            continue
        row = slots.setdefault(clock.at, [[] for _ in range(7)])
        for day, count in enumerate(clock.weekday_counts()):
            if count:
                row[day].append(item.name or item.id)
    return [{"at": at, "days": [v.listed(names) for names in row]} for at, row in sorted(slots.items())]

