"""What the report needs from the playbook and the roster, written into summary.json by the
simulation (`summary["report"]`): the output tables carry ids, and the folder holds neither the
playbook nor the roster, yet a report must be made from the folder alone (mailed, or written by
another engine). Small: names, the ladder, the pay curve, and the owners of the groups that should
be dissolved only (not every group: a 5,000-group roster would swell summary.json)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from ..events.roster import Roster
from ..model import Playbook

OWNER = "owner"  # the role that answers for a group (churn's default role too)


def report_facts(playbook: Playbook, roster: Roster, dissolving: Iterable[str], end: dt.date) -> dict[str, Any]:
    """The `report` entry of summary.json. `dissolving`: the groups some period says should be
    dissolved; `end`: the window's last day (the owner then, or the group's last owner)."""
    from ..compile.docs.conditions import Sayer

    sayers = {lang: Sayer(playbook, lang) for lang in ("zh", "en")}
    facts: dict[str, Any] = {
        "lang": "en" if playbook.locale == "en" else "zh",
        "names": playbook_names(playbook),
        "staff": {s.id: s.name for s in roster.staff},
    }
    if playbook.membership is not None:
        facts["levels"] = [{
            "id": level.id, "name": level.name, "min_stay": level.min_stay,
            "promote": {lang: say.say(level.promote_when, "member") for lang, say in sayers.items()}
            if level.promote_when else None,
            "keep": {lang: say.say(level.keep_when, "member") for lang, say in sayers.items()}
            if level.keep_when else None,
        } for level in playbook.membership.levels]
    facts["dissolving"] = _owners(roster, set(dissolving), end)
    if playbook.commission is not None:
        facts["commission"] = _commission(playbook)
    return facts


def playbook_names(playbook: Playbook) -> dict[str, dict[str, str]]:
    """id → the playbook's name, per kind, each in the playbook's order (the order tables list
    them in): group types, roles, segments, lifecycle states, churn warnings, banned behaviours
    (the penalties table's rows) and levels (the ladder, lowest first)."""
    levels = playbook.membership.levels if playbook.membership is not None else []
    return {
        "group_types": {key: value.name for key, value in playbook.group_types.items()},
        "roles": {key: value.name for key, value in playbook.roles.items()},
        "segments": {s.id: s.name for s in playbook.segments},
        "lifecycle": {s.id: s.name for s in playbook.lifecycle},
        "warnings": {w.id: w.name for w in playbook.churn},
        "banned": {b.id: b.name for b in playbook.rules.banned},
        "levels": {level.id: level.name for level in levels},
    }


def _owners(roster: Roster, wanted: set[str], end: dt.date) -> dict[str, Any]:
    """group id → its name and owners (on the window's last day, else the latest who held it)."""
    held_by: dict[str, list[Any]] = {}
    for a in roster.assignments:  # one pass: a roster may have tens of thousands of assignments
        if a.role == OWNER and a.group_id in wanted:
            held_by.setdefault(a.group_id, []).append(a)
    found: dict[str, Any] = {}
    for group in sorted((g for g in roster.groups if g.id in wanted), key=lambda g: g.id):
        held = held_by.get(group.id, [])
        current = [a for a in held if a.from_ <= end and (a.to is None or a.to >= end)]
        chosen = current or sorted(held, key=lambda a: (a.to or end, a.staff_id))[-1:]
        found[group.id] = {"name": group.name, "owners": sorted({a.staff_id for a in chosen})}
    return found


def _commission(playbook: Playbook) -> dict[str, Any]:
    plan = playbook.commission
    assert plan is not None
    out: dict[str, Any] = {
        "kpis": [{"id": k.id, "name": k.name, "metric": k.metric, "target": str(k.target), "weight": str(k.weight),
                  "direction": k.direction} for k in plan.kpis],
        "adjust": [{"id": a.id, "from": a.from_, "to": a.to, "move": str(a.move), "reason": a.reason}
                   for a in plan.adjust],
    }
    if plan.curve is not None:
        out["curve"] = {"points": [[str(x), str(y)] for x, y in plan.curve.points],
                        "floor": None if plan.curve.floor is None else str(plan.curve.floor),
                        "cap": None if plan.curve.cap is None else str(plan.curve.cap)}
    if plan.rates is not None:
        out["rates"] = {"mode": plan.rates.mode,
                        "brackets": [[str(b.from_), str(b.rate)] for b in plan.rates.brackets]}
    return out
