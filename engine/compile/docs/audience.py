"""User segments （用户分类）, the group lifecycle （社群生命周期） and churn warnings （流失预警）."""

from __future__ import annotations

from typing import Any

from .fmt import duration
from .view import View


def segments(v: View) -> list[dict[str, Any]]:
    return [{"id": s.id, "name": s.name, "when": v.say.say(s.when, "member") if s.when else v.w["everyone_else"],
             "satisfaction": s.satisfaction or "", "loyalty": s.loyalty or "", "strategy": s.strategy or ""}
            for s in v.playbook.segments]


def lifecycle(v: View) -> list[dict[str, Any]]:
    return [{"id": s.id, "name": s.name, "when": v.say.say(s.when, "group") if s.when else v.w["every_other_group"],
             "dissolve_after": duration(s.dissolve_after, v.lang) if s.dissolve_after else "",
             "action": s.action or ""} for s in v.playbook.lifecycle]


def churn(v: View) -> dict[str, Any] | None:
    pb = v.playbook
    if not pb.churn and pb.metrics.churn_after is None:
        return None
    after = pb.metrics.churn_after
    return {
        "definition": v.w["churned_after"].format(after=duration(after, v.lang)) if after else "",
        "warnings": [{"id": c.id, "name": c.name, "stage": c.stage or "", "when": v.say.say(c.when, "member"),
                      "action": c.action, "role": v.role(c.role or "owner"),
                      "within": duration(c.within, v.lang) if c.within else "",
                      "template": v.template(c.template) if c.template else None} for c in pb.churn],
    }
