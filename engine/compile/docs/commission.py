"""The commission plan （运营提成）: pool, weighted KPIs, pay curve or rate table, gate, bonuses,
cap, dynamic adjustments, role split and clawback — and, from the commission engine, a worked
example."""

from __future__ import annotations

from typing import Any

from engine.compile.docs.fmt import by_unit, money, number, percent
from engine.compile.docs.labels import label
from engine.compile.docs.view import View
from engine.model import Playbook
from engine.model.commission import Commission


def commission(v: View) -> dict[str, Any] | None:
    plan = v.playbook.commission
    if plan is None:
        return None
    w = v.w
    kpi_names = {k.id: k.name for k in plan.kpis}
    return {
        "period": label("period", plan.period, v.lang),
        "pool": _pool(v, plan),
        "kpis": [{"id": k.id, "name": k.name, "metric": v.say.metric(k.metric, "staff"),
                  "target": by_unit(k.target, _unit(v, k.metric), v.lang), "weight": percent(k.weight),
                  "direction": label("direction", k.direction, v.lang)} for k in plan.kpis],
        "curve": {"points": [{"attainment": percent(x), "factor": number(y)} for x, y in plan.curve.points],
                  "floor": percent(plan.curve.floor) if plan.curve.floor is not None else "",
                  "cap": number(plan.curve.cap) if plan.curve.cap is not None else ""} if plan.curve else None,
        "rates": {"mode": label("rate_mode", plan.rates.mode, v.lang), "mode_id": plan.rates.mode,
                  "brackets": [{"from": percent(b.from_), "rate": number(b.rate)} for b in plan.rates.brackets]}
        if plan.rates else None,
        "gate": {"when": v.say.say(plan.gate.when, "staff"),
                 "otherwise": w["gate_otherwise"].format(share=percent(plan.gate.otherwise)) if plan.gate.otherwise
                 else w["gate_zero"]} if plan.gate else None,
        "bonuses": [{"id": b.id, "name": b.name, "when": v.say.say(b.when, "staff"), "amount": money(b.amount, v.lang)}
                    for b in plan.bonuses],
        "cap": money(plan.cap.per_staff, v.lang) if plan.cap else "",
        "adjust": [{"when": v.say.say(a.when, "staff"), "reason": a.reason or "",
                    "move_words": w["adjust_move_words"].format(move=percent(a.move), source=kpi_names.get(a.from_, a.from_),
                                                                target=kpi_names.get(a.to, a.to))}
                   for a in plan.adjust],
        "split": [{"role": v.role(r), "share": percent(s)} for r, s in plan.split.items()],
        "clawback": w["clawback_yes"] if plan.clawback else w["clawback_no"],
    }


def _pool(v: View, plan: Commission) -> str:
    pool, w = plan.pool, v.w
    if pool.per_group is not None:
        return w["pool_per_group"].format(amount=money(pool.per_group, v.lang))
    if pool.per_staff is not None:
        return w["pool_per_staff"].format(amount=money(pool.per_staff, v.lang))
    return w["pool_sales_share"].format(share=percent(pool.sales_share or 0))


def _unit(v: View, metric: str) -> str:
    found = v.say.names("staff").resolve(metric)
    return found.metric.unit if found else ""


def worked_example(playbook: Playbook, lang: str) -> dict[str, Any] | None:
    """The commission engine's worked example for the handbook, or None (the section then
    prints the plan without one). Wire engine/commission here; the partials
    templates/handbook/{md,html}/commission_example.*.j2 print this shape:

        {"title": str,                                   # e.g. 示例：一个群一个月
         "intro": str,                                   # one sentence: who, which period
         "inputs": [{"label": str, "value": str}],       # the metric values assumed
         "lines": [{"label": str, "how": str, "amount": str}],  # each step: KPI amounts, gate, bonuses, cap, split
         "total": {"label": str, "amount": str}}

    Every value is already text in `lang` (money via fmt.money, ratios via fmt.percent).
    """
    return None
