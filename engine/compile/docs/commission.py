"""The commission plan （运营提成）: pool, weighted KPIs, pay curve or rate table, gate, bonuses,
cap, dynamic adjustments, role split and clawback — and, from the commission engine, a worked
example."""

from __future__ import annotations

from typing import Any

from ...commission.conventions import conventions
from ...model import Playbook
from ...model.commission import Commission
from .fmt import by_unit, money, number, percent
from .labels import label
from .pay_chart import chart_file, pay_chart
from .view import View


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
        "conventions": conventions(plan, v.lang),
        "chart": _chart(v, plan),
    }


def _chart(v: View, plan: Commission) -> dict[str, str] | None:
    """The pay curve or rate table drawn (compile/docs/pay_chart.py), or None with neither:
    `file` and `alt` for the Markdown image, `svg` and `css` for the HTML page, `document` the
    file written beside handbook.md. Only qunce's words and the plan's numbers are in it."""
    chart = pay_chart(plan, v.lang)
    if chart is None:
        return None
    return {"file": chart_file(v.lang, v.playbook.locale), "title": chart.title, "alt": chart.alt,
            "svg": chart.svg, "css": chart.css, "document": chart.document}


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
    """The commission engine's worked example (engine/commission/worked.py: the same code as the
    statements) in the shape templates/handbook/{md,html}/commission_example.*.j2 print, or None
    without a plan."""
    from ...commission.worked import worked_example as compute

    x = compute(playbook, lang)
    if x is None:
        return None
    zh = lang == "zh"
    lines = [{"label": k["name"], "amount": k["amount"],
              "how": (f"{k['actual']} ÷ {k['target']}" if not k["lower"] else f"{k['target']} ÷ {k['actual']}")
              + f" = {k['attainment']} → " + ("提成系数" if zh else "factor") + f" {k['factor']}；{x['pool']} × {k['weight']} × {k['factor']}"
              .replace("；", "；" if zh else "; ")} for k in x["kpis"]]
    gate = x["gate"]
    if gate is not None:
        state = (("达标，全额发放" if zh else "holds: paid in full") if gate["held"] else
                 (f"未达标，按 {gate['factor']} 发放" if zh else f"does not hold: paid at {gate['factor']}"))
        lines.append({"label": "发放门槛" if zh else "Gate", "how": f"{gate['condition']}（{gate['values']}）：{state}" if zh
                      else f"{gate['condition']} ({gate['values']}): {state}", "amount": "" if gate["held"] else gate["amount"]})
    for b in x["bonuses"]:
        lines.append({"label": b["name"], "how": f"{b['condition']}（{b['values']}）：{b['verdict']}" if zh
                      else f"{b['condition']} ({b['values']}): {b['verdict']}", "amount": b["amount"]})
    lines.append({"label": "本群合计" if zh else "Group total", "how": "", "amount": x["total"]})
    for part in x["split"]:
        lines.append({"label": part["role"], "how": ("分得 " if zh else "gets ") + part["share"], "amount": part["amount"]})
    return {
        "title": "示例：一个群一个周期" if zh else "Example: one group, one period",
        "intro": (f"假设一个群本期的数据如下（奖金池 {x['pool']}）。金额由模拟器计算结算单的同一段代码算出。" if zh else
                  f"Suppose a group's period looked like this (pool {x['pool']}). The amounts come from the same code "
                  "that computes the simulator's statements."),
        "inputs": x["inputs"],
        "lines": lines,
        "total": {"label": "分配合计" if zh else "Split in all", "amount": x["total"]},
    }
