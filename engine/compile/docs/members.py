"""Membership levels （会员等级）, points （积分） and member care （关怀）."""

from __future__ import annotations

from typing import Any

from ...model.membership import EarnRule
from ...simulate.member_conventions import INTRO, TITLE, conventions
from .fmt import cadence, duration, number
from .labels import label
from .view import View


def membership(v: View) -> dict[str, Any] | None:
    ms = v.playbook.membership
    if ms is None or not (ms.levels or ms.care or ms.incentives):
        return None
    w = v.w
    levels = []
    for rank, level in enumerate(ms.levels):
        levels.append({
            "id": level.id, "name": level.name, "rank": rank,
            "promote": v.say.say(level.promote_when, "member") if level.promote_when else "",
            "keep": v.say.say(level.keep_when, "member") if level.keep_when else "",
            "min_stay": w["min_stay_n"].format(n=level.min_stay, period=label("period", ms.evaluate, v.lang),
                                               s="" if level.min_stay == 1 else "s")
            if level.min_stay else "",
            "rights": list(level.rights), "obligations": list(level.obligations),
            "permissions": list(level.permissions),
        })
    care = [{"name": c.name, "every": cadence(c.every, v.lang) if c.every else "",
             "levels": v.listed(v.level(i) for i in c.levels) if c.levels else w["all_levels"],
             "template": v.template(c.template) if c.template else None} for c in ms.care]
    return {"intro": w["levels_intro"].format(evaluate=label("period", ms.evaluate, v.lang),
                                              demotion=w[f"demotion_{ms.demotion}"]),
            "levels": levels, "care": care, "incentives": list(ms.incentives),
            # The conventions close the points section when there is one, else this one.
            "conventions": _conventions(v) if ms.points is None else None}


def points(v: View) -> dict[str, Any] | None:
    ms = v.playbook.membership
    if ms is None or ms.points is None:
        return None
    pts, w = ms.points, v.w
    return {
        "rules": [_earn(v, rule) for rule in pts.earn],
        "expire": w["expire_after"].format(after=duration(pts.expire_after, v.lang)) if pts.expire_after
        else w["never_expire"],
        "refunds": w["refunds_deduct"] if pts.refunds_deduct else w["refunds_keep"],
        "conventions": _conventions(v),
    }


def _conventions(v: View) -> dict[str, Any] | None:
    """How points and levels are counted (simulate/member_conventions), as explain --member
    prints them: a title, a line and the conventions that concern the playbook."""
    said = conventions(v.playbook.membership, v.lang)
    return {"title": TITLE[v.lang], "intro": INTRO[v.lang], "texts": said} if said else None


def _earn(v: View, rule: EarnRule) -> dict[str, Any]:
    w = v.w
    if rule.per_yuan is not None:
        gain = w["points_per_yuan"].format(n=number(rule.per_yuan))
    else:
        gain = w["points_each"].format(n=rule.points or 0)
    cap = w["points_cap"].format(per=label("cap_period", rule.cap.per, v.lang), n=rule.cap.max) if rule.cap else ""
    return {"name": rule.name or rule.id or label("event", rule.on, v.lang),
            "on": label("event", rule.on, v.lang), "gain": gain, "cap": cap,
            "where": v.say.say(rule.where, "event") if rule.where else ""}
