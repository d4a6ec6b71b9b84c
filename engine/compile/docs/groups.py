"""Group types （群定位）, entry thresholds （门槛）, group rules （群规） and the paste-ready
texts: welcome, announcement and every named message template."""

from __future__ import annotations

from typing import Any

from ...model.groups import GroupType
from ...model.rules import Penalty
from .fmt import duration, money, percent
from .labels import label
from .view import View, anchor

Pair = dict[str, str]


def _pair(name: str, value: str) -> Pair:
    return {"label": name, "value": value}


def group_types(v: View) -> list[dict[str, Any]]:
    return [_group_type(v, type_id, gt) for type_id, gt in v.playbook.group_types.items()]


def _group_type(v: View, type_id: str, gt: GroupType) -> dict[str, Any]:
    w = v.w
    kind = gt.kind or (type_id if type_id in ("traffic", "welfare", "flash") else "custom")
    facts = [_pair(w["kind"], label("kind", kind, v.lang))]
    if gt.goal:
        facts.append(_pair(w["goal"], gt.goal))
    if gt.capacity is not None:
        facts.append(_pair(w["capacity"], f"{gt.capacity} {w['people']}"))
    if gt.lifespan is not None:
        facts.append(_pair(w["lifespan"], duration(gt.lifespan, v.lang)))
    if gt.content_mix:
        facts.append(_pair(w["content_mix"], v.listed(
            f"{label('content', k, v.lang)} {percent(share)}" for k, share in gt.content_mix.items())))
    if gt.content:
        facts.append(_pair(w["typical_content"], v.listed(gt.content)))
    staffing = _staffing(v, gt)
    if staffing:
        facts.append(_pair(w["staffing"], staffing))
    return {"id": type_id, "anchor": anchor("type", type_id), "name": gt.name, "purpose": gt.purpose or "",
            "facts": facts, "entry": _entry(v, gt), "naming": gt.naming, "sample_name": v.samples.group_name(type_id)}


def _staffing(v: View, gt: GroupType) -> str:
    # The type's staffing when it has one, else each role's per_group (as the event generator reads it).
    counts = dict(gt.staffing) or {r: role.per_group or 0 for r, role in v.playbook.roles.items()}
    return v.listed(f"{v.role(r)} × {n}" for r, n in counts.items() if n)


def _entry(v: View, gt: GroupType) -> dict[str, Any]:
    w, entry = v.w, gt.entry
    details = []
    if entry.roles:
        details.append(_pair(w["may_invite"], v.listed(v.role(r) for r in entry.roles)))
    if entry.min_level:
        key = "referrer_level" if entry.mode == "referral" else "inviter_level"
        details.append(_pair(w[key], w["level_or_above"].format(level=v.level(entry.min_level))))
    if entry.activity:
        details.append(_pair(w["activity"], entry.activity))
    if entry.fee is not None:
        details.append(_pair(w["fee"], money(entry.fee, v.lang)))
    return {"mode": label("entry", entry.mode, v.lang), "mode_id": entry.mode, "explain": w[f"entry_{entry.mode}"],
            "details": details, "description": entry.description or ""}


def rules(v: View) -> dict[str, Any]:
    pb = v.playbook
    banned = [{"id": b.id, "name": b.name, "description": b.description or "",
               "penalties": " → ".join(_penalty(p, v.lang) for p in b.penalties)} for b in pb.rules.banned]
    per_type = []
    for type_id, gt in pb.group_types.items():
        texts = []
        for key in ("welcome", "announcement"):
            source = getattr(pb.rules, key)
            if source is not None:
                texts.append({"id": key, "title": v.w[key], "text": v.samples.message(source, type_id)})
        if texts:
            per_type.append({"id": type_id, "name": gt.name, "anchor": anchor("paste", type_id), "texts": texts})
    return {"banned": banned, "per_type": per_type}


def _penalty(penalty: Penalty, lang: str) -> str:
    # The model says zh well (禁言1天); in English the duration is written out (mute 1 day).
    if lang == "en" and penalty.kind == "mute" and penalty.duration is not None:
        return f"mute {duration(penalty.duration, lang)}"
    return penalty.words(lang)


def message_library(v: View) -> list[dict[str, Any]]:
    """Every named template, rendered with sample values, with where the playbook uses it."""
    pb = v.playbook
    uses = [(item.template, "sop", item.name or item.id) for item in pb.sop]
    uses += [(warning.template, "churn", warning.name) for warning in pb.churn]
    uses += [(care.template, "care", care.name) for care in (pb.membership.care if pb.membership else [])]
    used: dict[str, list[str]] = {}
    for template_id, where, name in uses:
        if template_id:
            used.setdefault(template_id, []).append(f"{v.w[where]}{'：' if v.zh else ': '}{name}")
    # Each text as seen in the first group type that sends it (a countdown in a flash group).
    types = {i.template: i.group_types[0] for i in reversed(pb.sop) if i.template and i.group_types}
    return [{**v.template(template_id), "used_by": used.get(template_id, []),
             "text": v.samples.message(source, types.get(template_id, next(iter(pb.group_types), None)))}
            for template_id, source in pb.all_templates().items()]
