"""`qunce explain --staff ID --period P`: the full trace of one payout, every input value, every
rule that fired and why, and the rounding, in zh or en, in the statements' words (分成比例,
指标提成, 提成系数, 起提线, 发放门槛, 达标 / 未达标, 个人封顶)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..errors import UsageError
from .conventions import conventions
from .formatting import (
    condition,
    exact_money,
    label,
    metric_value,
    money,
    no_survey,
    number,
    percent,
    period_words,
    share_percent,
    values,
    verdict,
)
from .measure import KpiResult, Measured
from .payfactor import ZERO
from .statement_view import opening
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


def _roles(commission: Any) -> dict[str, tuple[str, str]]:
    return {key: (role.name, key) for key, role in commission.playbook_roles.items()}


def _statement(commission: Any, s: Statement, say: _Say) -> list[str]:
    plan = commission.plan
    name = commission.inputs.staff_names.get(s.staff_id, s.staff_id)
    groups = commission.inputs.group_names
    out = [say(f"提成明细 · {name}（{s.staff_id}）· {s.period}", f"Commission trace · {name} ({s.staff_id}) · {s.period}"),
           "  " + opening(s, plan, say.lang, groups, _roles(commission), escape=str),
           "  " + _plan_line(commission, say)]
    seen: set[tuple[str | None, str | None]] = set()
    for line in s.lines:
        if line.kind in ("kpi", "bonus", "gate") and (line.group_id, line.role) not in seen:
            seen.add((line.group_id, line.role))
            out += _unit(commission, s, line, say)
    for line in s.lines:
        if line.kind == "cap":
            before = Decimal(str(line.detail["before"]))
            out.append(say(f"个人封顶：本期合计 {money(before)}，超过个人封顶 {money(plan.commission.cap.per_staff)}，"
                           f"扣减 {money(abs(line.exact))}",
                           f"Personal cap: the period's lines add up to {money(before)}, above the cap of "
                           f"{money(plan.commission.cap.per_staff)}; reduced by {money(abs(line.exact))}"))
        elif line.kind == "clawback":
            out += _clawback(commission, line, say)
    exact = s.exact
    out.append(say(f"合计：精确值 {exact_money(exact)}；按分舍入（最大余数法，各行之和等于合计）后 {money(s.total)}",
                   f"Total: exactly {exact_money(exact)}; rounded to the fen (largest remainder, the lines add up "
                   f"to the total) {money(s.total)}"))
    for line in s.lines:
        out.append(f"    {_line_name(commission, line, say)}{say('：', ': ')}{exact_money(line.exact)}"
                   f" → {money(line.amount)}")
    return out


def _role(commission: Any, role: str, say: _Say) -> str:
    found = commission.playbook_roles.get(role)
    return say(found.name, role) if found is not None else role


def _plan_line(commission: Any, say: _Say) -> str:
    c = commission.plan.commission
    pool = c.pool
    if pool.per_group is not None:
        text = say(f"奖金池：每群 {money(pool.per_group)}（100% 达成时）", f"Pool: {money(pool.per_group)} per group at 100%")
    elif pool.sales_share is not None:
        text = say(f"奖金池：群销售额的 {percent(pool.sales_share)}", f"Pool: {percent(pool.sales_share)} of the group's sales")
    else:
        text = say(f"奖金池：每人 {money(pool.per_staff)}（100% 达成时，按在岗天数折算）",
                   f"Pool: {money(pool.per_staff)} per staff member at 100%, prorated by days held")
    if c.split:
        parts = say("、", ", ").join(f"{_role(commission, r, say)} {percent(v, 0)}" for r, v in c.split.items())
        text += say(f"；分成比例按角色：{parts}（再按在岗天数折算）", f"; shares by role: {parts} (then by days held)")
    return text


def _share(commission: Any, line: Line, say: _Say) -> str | None:
    """How the person's share of the group was found (role share × days held, or days held)."""
    plan = commission.plan
    h = line.holding
    share = line.share or ZERO
    if h is None:
        return None
    if plan.commission.split:
        role_share = plan.commission.split.get(h.role, ZERO)
        role = _role(commission, h.role, say)
        days = number(h.role_days, 4)
        text = say(f"分成比例：{role} {percent(role_share, 0)} × 在岗 {days} 天/共 {h.group_days} 天 = "
                   f"{share_percent(share)}",
                   f"Your share: {role} {percent(role_share, 0)} × {days} of {h.group_days} days held = "
                   f"{share_percent(share)}")
        if h.role_days != h.assigned_days:
            text += say(f"（本期在岗 {h.assigned_days} 天，与他人同任{role}的日子按人数平分，折合 {days} 天）",
                        f" (held {h.assigned_days} days; days the role was shared count as a part of a day each)")
        return text
    everyone = (Decimal(h.assigned_days) / share).to_integral_value() if share else ZERO
    return say(f"分成比例：按在岗天数，您 {h.assigned_days} 天 ÷ 所有在岗人员共 {number(everyone)} 天 = "
               f"{share_percent(share)}",
               f"Your share by days held: your {h.assigned_days} ÷ all holders' {number(everyone)} days = "
               f"{share_percent(share)}")


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
        how = _share(commission, line, say)
        if how is not None:
            out.append("  " + how)
    else:
        out.append(say("个人奖金池", "Personal pool"))
    out.append("  " + say("本期数据：", "This period's data: ") + _inputs(plan, result, say))
    out.append("  " + say(f"奖金池（100% 达成时）：{money(m.base)}", f"Pool at 100%: {money(m.base)}")
               + _base_note(plan, m, say))
    out.append("  " + _weights(commission, result, say))
    for k in m.kpis:
        out.append("  " + _kpi(k, m, names, say))
    out.append("  " + say(f"加权达成率 = 各指标的权重 × 达成率之和 = {percent(m.weighted_attainment)}",
                          f"Weighted attainment = the sum of weight × attainment = {percent(m.weighted_attainment)}"))
    if m.gate is not None:
        text = _decision(m.gate, names, say)
        if m.gate.held:
            out.append("  " + say(f"发放门槛：{text}，全额发放", f"Payout gate: {text}; paid in full"))
        else:
            paid = percent(m.gate_factor, 0)
            out.append("  " + (say(f"发放门槛：{text}，提成 × {paid}：门槛扣减 {money(m.gate_amount)}",
                                   f"Payout gate: {text}; the commission × {paid}: gate reduction "
                                   f"{money(m.gate_amount)}") if m.gate_factor else
                               say(f"发放门槛：{text}，提成不发放：门槛扣减 {money(m.gate_amount)}",
                                   f"Payout gate: {text}; the commission is not paid: gate reduction "
                                   f"{money(m.gate_amount)}")))
    names_of = {b.id: b.name for b in plan.commission.bonuses}
    for b in m.bonuses:
        d = b.decision
        out.append("  " + say(f"达标奖励「{names_of[d.rule.id]}」：", f"Bonus “{names_of[d.rule.id]}”: ")
                   + _decision(d, names, say) + (f"{say('：', ': ')}{money(b.amount)}" if d.held else ""))
    share = line.share or Decimal(1)
    steps = [say(f"指标提成 {money(m.kpi_total)}", f"KPI commission {money(m.kpi_total)}")]
    if m.bonus_total:
        steps.append(say(f"达标奖励 {money(m.bonus_total)}", f"bonuses {money(m.bonus_total)}"))
    whole = " + ".join(steps)
    if m.gate_amount:
        whole += say(f" − 门槛扣减 {money(abs(m.gate_amount))}", f" − gate reduction {money(abs(m.gate_amount))}")
    whole = whole + " = " if whole != steps[0] else ""
    mine = exact_money(m.total * share)
    if line.group_id is not None:
        out.append("  " + say(f"本群合计：{whole}{money(m.total)}；× 分成比例 {share_percent(share)} = {mine}",
                              f"Group total: {whole}{money(m.total)}; × your share {share_percent(share)} = {mine}"))
    else:
        out.append("  " + say(f"合计：{whole}{money(m.total)}", f"Total: {whole}{money(m.total)}"))
    rules = {a.id or f"adjust_{i + 1}": a for i, a in enumerate(plan.commission.adjust)}
    kpi_names = {k.id: k.name for k in plan.kpis}
    for d in result.adjustments:
        rule = rules[d.rule.id]
        moved = (say(f"，下期{kpi_names[rule.from_]}的权重 −{percent(rule.move, 0)}，{kpi_names[rule.to]}的权重 "
                     f"+{percent(rule.move, 0)}",
                     f": next period {kpi_names[rule.from_]} −{percent(rule.move, 0)}, {kpi_names[rule.to]} "
                     f"+{percent(rule.move, 0)}") if d.held else say("，下期不调整", ": no change next period"))
        out.append("  " + say(f"下期权重调整 {d.rule.id}：", f"Next period's weights, {d.rule.id}: ")
                   + _decision(d, names, say) + moved)
    return out


def _decision(d: Any, names: Any, say: _Say) -> str:
    return (f"{condition(d, names, say.lang)}{say(' —— ', ' — ')}{verdict(d, say.lang)}"
            f"{say('（', ' (')}{values(d, names, say.lang)}{say('）', ')')}")


def _inputs(plan: Any, result: UnitResult, say: _Say) -> str:
    wanted = dict.fromkeys([k.metric for k in plan.kpis] + [n for n in plan.condition_names()
                                                            if not n.startswith("attainment_") and n != "weighted_attainment"])
    v = result.measured.values
    sep = say("，", ", ")
    text = sep.join(f"{label(n, plan.names, say.lang)} {metric_value(n, v.get(n, ZERO), plan.names, say.lang)}"
                    for n in wanted)
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


def _weights(commission: Any, result: UnitResult, say: _Say) -> str:
    current = say("、", ", ").join(f"{k.kpi.name} {percent(k.weight, 0)}" for k in result.measured.kpis)
    if not result.moved_by:
        return say(f"本期权重（基础权重）：{current}", f"Weights this period (the base ones): {current}")
    rules = say("、", ", ").join(d.rule.id for d in result.moved_by)
    return say(f"本期权重：{current}（上期 {rules} 达标，已调整）",
               f"Weights this period: {current} (moved because {rules} was met last period)")


def _kpi(k: KpiResult, m: Measured, names: Any, say: _Say) -> str:
    metric = k.kpi.metric
    actual, target = metric_value(metric, k.actual, names), metric_value(metric, k.kpi.target, names)
    attained = percent(k.attainment)
    if k.kpi.lower_is_better and k.actual <= 0:
        how = say(f"实际为 0（越低越好）→ 达成率按 {attained} 计", f"actual is 0 (lower is better) → attainment counts "
                  f"as {attained}")
    elif no_survey(metric, k.actual, names):
        how = say(f"本期无问卷，按 0 计 → 达成率 {attained}", f"no survey this period, counted as 0 → attainment "
                  f"{attained}")
    elif k.kpi.lower_is_better:
        how = say("达成率 ", "attainment ") + f"{target} ÷ {actual} = {attained}"
    else:
        how = say("达成率 ", "attainment ") + f"{actual} ÷ {target} = {attained}"
    metric_label = label(metric, names, say.lang)
    title = k.kpi.name if metric_label == k.kpi.name else k.kpi.name + say(f"（{metric_label}）", f" ({metric_label})")
    semi = say("；", "; ")
    return (title + say("：", ": ") + how + semi + _factor(k, say) + semi
            + say("指标提成 = ", "KPI commission = ")
            + f"{money(m.base)} × {percent(k.weight, 0)} × {number(k.factor, 6)} = {exact_money(k.amount)}")


def _pct(value: Decimal) -> str:
    return number(value * 100, 2) + "%"


def _factor(k: KpiResult, say: _Say) -> str:
    step = k.step
    f = number(step.factor, 6)
    points = step.detail
    texts: dict[str, str]
    if step.kind in ("origin", "segment", "capped") and len(points) == 2:
        (x0, y0), (x1, y1) = points
        rises = say("升到" if y1 >= y0 else "降到", "rises" if y1 >= y0 else "falls")
        line = say(f"达成率在 {_pct(x0)}～{_pct(x1)} 之间，提成系数按比例从 {number(y0)} {rises} {number(y1)}",
                   f"between {_pct(x0)} and {_pct(x1)} attainment the pay factor {rises} in proportion from "
                   f"{number(y0)} to {number(y1)}")
    elif points:
        line = say(f"曲线上的点：达成率 {_pct(points[0][0])}、提成系数 {number(points[0][1])}",
                   f"the curve's point at {_pct(points[0][0])} attainment, factor {number(points[0][1])}")
    else:
        line = ""
    if step.kind == "capped":
        return say(f"{line}，得 {number(step.uncapped or ZERO, 6)}，超过系数封顶，按 {f} 计",
                   f"{line}, giving {number(step.uncapped or ZERO, 6)}, above the factor cap: {f}")
    if step.kind in ("origin", "segment"):
        if len(points) == 2:
            return say(f"{line} → 提成系数 {f}", f"{line} → pay factor {f}")
        return say(f"不高于曲线的第一个点（{line}）→ 提成系数 {f}",
                   f"at or below the curve's first point ({line}) → pay factor {f}")
    texts = {
        "linear": say(f"没有支付曲线，提成系数 = 达成率 = {f}", f"no pay curve: pay factor = attainment = {f}"),
        "floor": say(f"低于起提线 {_pct(points[0][0])} → 提成系数 0" if points else "低于起提线 → 提成系数 0",
                     f"below the floor of {_pct(points[0][0])} → pay factor 0" if points else "below the floor → pay factor 0"),
        "beyond": say(f"超过曲线最高点（达成率 {_pct(points[0][0])}），按该点的提成系数 {number(points[0][1])} 计 → {f}",
                      f"beyond the curve's last point ({_pct(points[0][0])} attainment): its factor {number(points[0][1])}"
                      f" → pay factor {f}") if points else f,
        "tiered": say(f"阶梯系数表（全额累进）：达成率落在从 {_pct(points[0][0])} 起的这一档，阶梯系数 {number(points[0][1])}；"
                      f"提成系数 = 达成率 × 阶梯系数 = {f}",
                      f"rate table (tiered): the bracket from {_pct(points[0][0])}, rate {number(points[0][1])}; "
                      f"pay factor = attainment × rate = {f}") if points else f,
        "marginal": say("阶梯系数表（超额累进）：提成系数 = "
                        + " + ".join(f"{_pct(part)} × {number(rate)}" for part, rate in points) + f" = {f}",
                        "rate table (marginal): pay factor = "
                        + " + ".join(f"{_pct(part)} × {number(rate)}" for part, rate in points) + f" = {f}"),
        "below_table": say(f"低于阶梯系数表的第一档 {_pct(points[0][0])} → 提成系数 0" if points else "提成系数 0",
                           f"below the rate table's first bracket, {_pct(points[0][0])} → pay factor 0" if points
                           else "pay factor 0"),
        "negative": say("达成率为负（本期退款多于销售额）→ 提成系数 0", "a negative attainment (refunds above the "
                        "period's sales) → pay factor 0"),
    }
    return texts[step.kind]


def _clawback(commission: Any, line: Line, say: _Say) -> list[str]:
    refunds = line.detail["refunds"]
    assert isinstance(refunds, dict)
    groups = commission.inputs.group_names
    parts = say("，", ", ").join(f"{groups.get(u, u)} {money(a)}" for u, a in refunds.items())
    before, after = Decimal(str(line.detail["before"])), Decimal(str(line.detail["after"]))
    origin = period_words(line.item, say.lang)
    verb = say("追回", "clawed back") if line.exact <= 0 else say("补发", "paid in addition")
    return [say(f"退款追回：{origin}的订单在本期退款（{parts}）。按这些退款重算{origin}："
                f"应得由 {exact_money(before)} 变为 {exact_money(after)}（权重与个人封顶不变），{verb} {exact_money(abs(line.exact))}",
                f"Clawback: orders of {origin} were refunded this period ({parts}). {origin} recomputed with "
                f"those refunds: {exact_money(before)} → {exact_money(after)} (same weights, same cap); {verb} "
                f"{exact_money(abs(line.exact))}")]


def _line_name(commission: Any, line: Line, say: _Say) -> str:
    plan = commission.plan
    groups = commission.inputs.group_names
    where = f"{groups.get(line.group_id, line.group_id)}（{line.group_id}）" if line.group_id else ""
    if line.group_id and say.lang != "zh":
        where = f"{groups.get(line.group_id, line.group_id)} ({line.group_id})"
    kinds = {"kpi": say("指标提成", "KPI commission"), "bonus": say("达标奖励", "bonus"),
             "gate": say("门槛扣减", "gate reduction"), "cap": say("个人封顶扣减", "personal cap reduction"),
             "clawback": say("退款追回", "refund clawback")}
    named = {**{k.id: k.name for k in plan.kpis}, **{b.id: b.name for b in plan.commission.bonuses}}
    item = ""
    if line.kind in ("kpi", "bonus"):
        item = say(f"「{named.get(line.item, line.item)}」", f" “{named.get(line.item, line.item)}”")
    elif line.kind == "clawback":
        item = say(f"（{period_words(line.item, say.lang)}）", f" ({period_words(line.item, say.lang)})")
    sep = say("· ", " · ") if where else ""
    return f"{where}{sep}{kinds[line.kind]}{item}"
