"""The view model of a handbook: a plain dict (text, numbers, lists, dicts — nothing a
template could call into) built from a checked playbook, in one language."""

from __future__ import annotations

from typing import Any

from ...model import Playbook
from . import audience, commission, content, groups, members, metrics, team
from .view import View

# Sections in handbook order: id → the view-model key whose value makes the section appear.
SECTIONS = (
    ("groups", "group_types"), ("entry", "group_types"), ("rules", "rules"), ("roles", "roles"),
    ("content", "content"), ("sop", "sop"), ("messages", "messages"), ("membership", "membership"),
    ("points", "points"), ("segments", "segments"), ("lifecycle", "lifecycle"), ("churn", "churn"),
    ("commission", "commission"), ("metrics", "metrics"),
)


def handbook_context(playbook: Playbook, lang: str) -> dict[str, Any]:
    """Everything the handbook templates print, in `lang` (zh or en)."""
    v = View(playbook, lang)
    rules = groups.rules(v)
    sop = team.sop(v)
    model: dict[str, Any] = {
        "lang": lang,
        "t": v.w,
        "playbook": {"name": playbook.playbook, "description": playbook.description or "",
                     "version": playbook.version or "", "timezone": playbook.timezone, "currency": playbook.currency},
        "group_types": groups.group_types(v),
        "rules": rules if rules["banned"] or rules["per_type"] else None,
        "roles": team.roles(v),
        "content": content.content(v),
        "sop": sop if sop["roles"] else None,
        "messages": groups.message_library(v),
        "membership": members.membership(v),
        "points": members.points(v),
        "segments": audience.segments(v),
        "lifecycle": audience.lifecycle(v),
        "churn": audience.churn(v),
        "commission": commission.commission(v),
        # The commission engine's worked example (None: the section prints the plan alone).
        "commission_example": commission.worked_example(playbook, lang) if playbook.commission else None,
        "metrics": metrics.metrics(v),
    }
    present = [key for key, field in SECTIONS if model[field]]
    model["toc"] = [{"id": key, "number": i, "title": v.w[f"sec_{key}"]} for i, key in enumerate(present, start=1)]
    model["sections"] = {entry["id"]: entry for entry in model["toc"]}
    return model
