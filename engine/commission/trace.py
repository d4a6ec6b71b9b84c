"""`qunce explain --staff ID --period P`: the full trace of one payout, every input value, every
rule that fired and why, and the rounding, in zh or en."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..errors import UsageError
from .conventions import conventions
from .formatting import condition, label, metric_value, money, number, percent, values, verdict
from .measure import KpiResult, Measured
from .payfactor import ZERO
from .statements import Line, Statement
from .units import UnitResult


class _Say:
    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, zh: str, en: str) -> str:
        return zh if self.lang == "zh" else en


def staff_trace(commission: Any, staff_id: str, period: str | None, lang: str) -> list[str]:
    """The trace of `staff_id`'s payout in `period` (every period when None)."""
    say = _Say(lang)
    book = commission.book
    known = [p for (p, s) in book.statements if s == staff_id]
    if not known:
        raise UsageError(f"staff member {staff_id} has no commission statement in this data (no assignment in the "
                         "roster, or a role the split does not pay)",
                         f"员工 {staff_id} 在这段数据里没有提成结算单（不在花名册的任何分配中，或其角色不参与分配）")
    if period is not None and period not in known:
        raise UsageError(f"staff member {staff_id} has no statement for {period}; there are: {', '.join(known)}",
                         f"员工 {staff_id} 没有 {period} 的结算单；有：{'、'.join(known)}")
    out: list[str] = []
    for p in [period] if period else known:
        out += _statement(commission, book.statements[p, staff_id], say)
        out.append("")
    out.append(say("计算约定：", "Conventions:"))
    out += [f"  - {text}" for text in conventions(commission.plan.commission, lang)]
    return out


def _statement(commission: Any, s: Statement, say: _Say) -> list[str]:
    plan = commission.plan
    name = commission.inputs.staff_names.get(s.staff_id, s.staff_id)
    out = [say(f"提成明细 · {name}（{s.staff_id}）· {s.period}", f"Commission trace · {name} ({s.staff_id}) · {s.period}"),
           "  " + _plan_line(commission, say)]
    seen: set[tuple[str | None, str | None]] = set()
    for line in s.lines:
        if line.kind in ("kpi", "bonus", "gate") and (line.group_id, line.role) not in seen:
            seen.add((line.group_id, line.role))
            out += _unit(commission, s, line, say)
    for line in s.lines:
        if line.kind == "cap":
            before = Decimal(str(line.detail["before"]))
            out.append(say(f"个人封顶：本期合计 {money(before)} 超过个人封顶 {money(plan.commission.cap.per_staff)}，"
                           f"扣减 {money(line.exact)}",
                           f"Cap: the period's lines add up to {money(before)}, above the cap of "
                           f"{money(plan.commission.cap.per_staff)}; reduced by {money(line.exact)}"))
        elif line.kind == "clawback":
            out += _clawback(commission, line, say)
    exact = s.exact
    out.append(say(f"合计：精确值 {number(exact, 6)} 元；按分舍入（最大余数法，各行之和等于合计）后 {money(s.total)}",
                   f"Total: exactly {number(exact, 6)} yuan; rounded to the fen (largest remainder, the lines add up "
                   f"to the total) {money(s.total)}"))
    for line in s.lines:
        out.append(f"    {_line_name(commission, line, say)}: {number(line.exact, 6)} → {money(line.amount)}")
    return out


def _role(commission: Any, role: str, say: _Say) -> str:
    found = commission.playbook_roles.get(role)
    return say(found.name, role) if found is not None else role


def _plan_line(commission: Any, say: _Say) -> str:
    c = commission.plan.commission
    pool = c.pool
    if pool.per_group is not None:
        text = say(f"奖金池：每群 {money(pool.per_group)}（100% 达成时）", f"pool: {money(pool.per_group)} per group at 100%")
    elif pool.sales_share is not None:
        text = say(f"奖金池：群销售额的 {percent(pool.sales_share)}", f"pool: {percent(pool.sales_share)} of the group's sales")
    else:
        text = say(f"奖金池：每人 {money(pool.per_staff)}（100% 达成时，按在岗天数折算）",
                   f"pool: {money(pool.per_staff)} per staff member at 100%, prorated by days worked")
    if c.split:
        parts = say("、", ", ").join(f"{_role(commission, r, say)} {percent(v, 0)}" for r, v in c.split.items())
        text += say(f"；按角色分配：{parts}", f"; split by role: {parts}")
    return text


def _unit(commission: Any, s: Statement, line: Line, say: _Say) -> list[str]:
    result = line.result
    assert result is not None
    plan = commission.plan
    m = result.measured
    names = plan.names
    groups = commission.inputs.group_names
    out = []
    if line.group_id is not None:
        out.append(say(f"群 {groups.get(line.group_id, line.group_id)}（{line.group_id}）",
                       f"Group {groups.get(line.group_id, line.group_id)} ({line.group_id})"))
        h = line.holding
        if h is not None and plan.commission.split:
            role_share = plan.commission.split.get(h.role, ZERO)
            role = _role(commission, h.role, say)
            out.append("  " + say(
                f"您的分成比例：{role} {percent(role_share, 0)} × {number(h.role_days, 4)} ÷ {h.group_days} 天 = {percent(line.share or ZERO, 4)}"
                f"（本期在岗 {h.assigned_days} 天）",
                f"your share: {role} {percent(role_share, 0)} × {number(h.role_days, 4)} ÷ {h.group_days} days = "
                f"{percent(line.share or ZERO, 4)} (held {h.assigned_days} days this period)"))
        elif h is not None:
            share = line.share or ZERO
            everyone = (Decimal(h.assigned_days) / share).to_integral_value() if share else ZERO
            out.append("  " + say(f"您的分成比例：按在岗天数 {h.assigned_days} 天 ÷ 所有在岗人员共 {everyone} 天 = "
                                  f"{percent(share, 4)}",
                                  f"your share by days held: {h.assigned_days} ÷ all holders' {everyone} days = "
                                  f"{percent(share, 4)}"))
    else:
        out.append(say("个人奖金池", "Personal pool"))
    out.append("  " + say("输入：", "inputs: ") + _inputs(plan, result, say))
    out.append("  " + say(f"奖金池（100% 达成时）：{money(m.base)}", f"pool at 100%: {money(m.base)}")
               + _base_note(plan, m, say))
    out.append("  " + _weights(plan, result, say))
    for k in m.kpis:
        out.append("  " + _kpi(k, m, names, say))
    out.append("  " + say(f"加权达成率 = Σ 权重 × 达成率 = {percent(m.weighted_attainment)}",
                          f"weighted attainment = Σ weight × attainment = {percent(m.weighted_attainment)}"))
    if m.gate is not None:
        lang = say.lang
        text = (f"{condition(m.gate, names, lang)}{say(' —— ', ' — ')}{verdict(m.gate, lang)}"
                f"{say('（', ' (')}{values(m.gate, names, lang)}{say('）', ')')}")
        if m.gate.held:
            out.append("  " + say(f"门槛：{text} → 全额", f"gate: {text} → paid in full"))
        else:
            out.append("  " + say(f"门槛：{text} → 本群提成 × {percent(m.gate_factor, 0)}：{money(m.gate_amount)}",
                                  f"gate: {text} → this group's commission × {percent(m.gate_factor, 0)}: "
                                  f"{money(m.gate_amount)}"))
    names_of = {b.id: b.name for b in plan.commission.bonuses}
    for b in m.bonuses:
        d = b.decision
        out.append("  " + say(f"奖励「{names_of[d.rule.id]}」：", f"bonus “{names_of[d.rule.id]}”: ")
                   + _decision(d, names, say) + f" → {money(b.amount)}")
    out.append("  " + say(f"本群合计：{money(m.total)}；您的分成比例 {percent(line.share or Decimal(1), 4)} → {number(m.total * (line.share or Decimal(1)), 6)} 元",
                          f"unit total: {money(m.total)}; your share {percent(line.share or Decimal(1), 4)} → "
                          f"{number(m.total * (line.share or Decimal(1)), 6)} yuan"))
    for d in result.adjustments:
        out.append("  " + say("下期权重调整 ", "next period's weights: ") + d.rule.id + say("：", ": ")
                   + _decision(d, names, say))
    return out


def _decision(d: Any, names: Any, say: _Say) -> str:
    return (f"{condition(d, names, say.lang)}{say(' —— ', ' — ')}{verdict(d, say.lang)}"
            f"{say('（', ' (')}{values(d, names, say.lang)}{say('）', ')')}")


def _inputs(plan: Any, result: UnitResult, say: _Say) -> str:
    wanted = dict.fromkeys([k.metric for k in plan.kpis] + [n for n in plan.condition_names()
                                                            if not n.startswith("attainment_") and n != "weighted_attainment"])
    v = result.measured.values
    sep = say("，", ", ")
    text = sep.join(f"{label(n, plan.names, say.lang)} = {metric_value(n, v.get(n, ZERO), plan.names)}" for n in wanted)
    if result.input.addback:
        text += say(f"（销售额含加回的 {money(result.input.addback)}：本期对以往订单的退款，已在原订单所属期追回）",
                    f" (sales include {money(result.input.addback)} added back: refunds this period of earlier "
                    "periods' orders, clawed back from those periods)")
    return text


def _base_note(plan: Any, m: Measured, say: _Say) -> str:
    pool = plan.commission.pool
    if pool.sales_share is not None:
        return say(f" = {percent(pool.sales_share)} × 销售额", f" = {percent(pool.sales_share)} × sales")
    return ""


def _weights(plan: Any, result: UnitResult, say: _Say) -> str:
    current = say("、", ", ").join(f"{k.kpi.name} {percent(k.weight, 0)}" for k in result.measured.kpis)
    if not result.moved_by:
        return say(f"本期权重（基础权重）：{current}", f"weights this period (base): {current}")
    rules = ", ".join(d.rule.id for d in result.moved_by)
    return say(f"本期权重：{current}（上期 {rules} 成立后调整）",
               f"weights this period: {current} (moved because {rules} held last period)")


def _kpi(k: KpiResult, m: Measured, names: Any, say: _Say) -> str:
    metric = k.kpi.metric
    actual, target = metric_value(metric, k.actual, names), metric_value(metric, k.kpi.target, names)
    if k.kpi.lower_is_better:
        how = (say(f"实际为 0（越低越好）→ 达成率按 {percent(k.attainment)} 计", f"actual is 0 (lower is better) → "
                   f"attainment counts as {percent(k.attainment)}") if k.actual <= 0
               else f"{target} ÷ {actual} = {percent(k.attainment)}")
    else:
        how = f"{actual} ÷ {target} = {percent(k.attainment)}"
    metric_label = label(metric, names, say.lang)
    title = k.kpi.name if metric_label == k.kpi.name else k.kpi.name + say(f"（{metric_label}）", f" ({metric_label})")
    semi = say("；", "; ")
    lead = "" if k.kpi.lower_is_better and k.actual <= 0 else say("达成率 ", "attainment ")
    return (title + say("：", ": ") + lead + how + semi + _factor(k, say) + semi
            + say("金额 = ", "amount = ")
            + f"{money(m.base)} × {percent(k.weight, 0)} × {number(k.factor, 6)} = {number(k.amount, 6)}"
            + say(" 元", " yuan"))


def _factor(k: KpiResult, say: _Say) -> str:
    step = k.step
    f = number(step.factor, 6)
    pts = say("、", ", ").join(f"({percent(x, 0)}, {number(y)})" for x, y in step.detail)
    texts = {
        "linear": say(f"系数 = 达成率 = {f}", f"factor = attainment = {f}"),
        "floor": say(f"低于起提线 {pts} → 系数 0", f"below the floor {pts} → factor 0"),
        "origin": say(f"曲线 {pts} 之间按直线 → 系数 {f}", f"on the line {pts} → factor {f}") if len(step.detail) > 1
        else say(f"不高于曲线第一个点 {pts} → 系数 {f}", f"at or below the curve's first point {pts} → factor {f}"),
        "segment": say(f"曲线 {pts} 之间按直线 → 系数 {f}", f"on the curve between {pts} → factor {f}"),
        "beyond": say(f"超过曲线最后一点 {pts} → 系数 {f}", f"beyond the last point {pts} → factor {f}"),
        "capped": say(f"曲线给出 {number(step.uncapped or ZERO, 6)}，封顶为 {f}",
                      f"the curve gives {number(step.uncapped or ZERO, 6)}, capped at {f}"),
        "tiered": say(f"费率表（全额累进）档位 {pts}：系数 = 达成率 × 费率 = {f}",
                      f"rate table (tiered), bracket {pts}: factor = attainment × rate = {f}"),
        "marginal": say(f"费率表（超额累进）各段（部分, 费率）{pts}：系数 = Σ = {f}",
                        f"rate table (marginal), parts (part, rate) {pts}: factor = Σ = {f}"),
        "below_table": say(f"低于费率表第一档 {pts} → 系数 0", f"below the first bracket {pts} → factor 0"),
        "negative": say("达成率为负（本期退款多于销售额）→ 系数 0", "a negative attainment (refunds above the period's sales) "
                        "→ factor 0"),
    }
    return texts[step.kind]


def _clawback(commission: Any, line: Line, say: _Say) -> list[str]:
    refunds = line.detail["refunds"]
    assert isinstance(refunds, dict)
    groups = commission.inputs.group_names
    parts = ", ".join(f"{groups.get(u, u)} {money(a)}" for u, a in refunds.items())
    before, after = Decimal(str(line.detail["before"])), Decimal(str(line.detail["after"]))
    return [say(f"退款追回：{line.item} 的订单在本期退款（{parts}）。按已知退款重算 {line.item}："
                f"应得 {number(before, 6)} 元 → {number(after, 6)} 元（同一权重、同一上限），追回 {number(line.exact, 6)} 元",
                f"Clawback: orders of {line.item} were refunded this period ({parts}). {line.item} recomputed with "
                f"those refunds: {number(before, 6)} → {number(after, 6)} yuan (same weights, same cap); clawed back "
                f"{number(line.exact, 6)} yuan")]


def _line_name(commission: Any, line: Line, say: _Say) -> str:
    where = f"{line.group_id} " if line.group_id else ""
    kinds = {"kpi": say("指标", "KPI"), "bonus": say("奖励", "bonus"), "gate": say("门槛", "gate"),
             "cap": say("封顶", "cap"), "clawback": say("追回", "clawback")}
    return f"{where}{kinds[line.kind]} {line.item}"
