"""The view of one staff member's statements that the Markdown template prints: every number
already in words (money, percentages, conditions with the values that decided them), every
name from the playbook or the roster escaped (`md`: it cannot start a heading, link, HTML or
table cell, nor hold a control character; ordinary names are unchanged)."""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..markdown_text import cell as md
from ..model.commission import COMMISSION_PERIODS
from .formatting import (
    condition,
    date_range,
    label,
    metric_value,
    money,
    number,
    percent,
    period_words,
    values,
    verdict,
)
from .payfactor import ZERO
from .statements import KINDS, Held, Holding, Line, Statement, in_yuan

LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "提成结算单", "playbook": "剧本", "period_kind": "结算周期", "window": "数据区间",
        "due": "本期应发", "kpi": "指标提成", "bonus": "达标奖励", "gate": "门槛扣减", "cap": "个人封顶扣减",
        "clawback": "退款追回", "total": "合计", "group": "群", "role": "角色", "your_share": "分成比例",
        "pool": "该群奖金池（100% 达成时）", "kpi_name": "考核指标", "metric": "指标", "actual": "实际",
        "target": "目标", "attainment": "达成率", "factor": "提成系数", "weight": "权重", "amount": "您的指标提成",
        "gate_line": "发放门槛", "open": "全额发放", "closed": "本群提成按 {factor} 发放，门槛扣减",
        "closed_staff": "本期提成按 {factor} 发放，门槛扣减", "closed_nothing": "本群提成不发放，门槛扣减",
        "closed_staff_nothing": "本期提成不发放，门槛扣减",
        "bonus_line": "达标奖励", "moved": "本期权重调整",
        "moved_because": "上期「{rule}」达标（{values}）：{kpi_from}的权重 −{move}，{kpi_to}的权重 +{move}",
        "share_step": "{full} × 分成比例 {share} {eq} {amount}",
        "gate_step": "；未达发放门槛，再 × {factor} = {after}（差额已计入门槛扣减）",
        "gate_step_nothing": "；未达发放门槛，不发放（已计入门槛扣减）",
        "cap_line": "本期合计 {before}，超过个人封顶 {cap}，扣减 {amount}",
        "claw_line": "{origin}的订单在本期退款（{refunds}），按这些退款重算，{origin}应得由 {before} 调整为 {after}，"
                     "{verb} {amount}",
        "claw_back": "追回", "claw_add": "补发",
        "days": "在岗 {held} 天/共 {days} 天", "by_days": "按在岗天数：您 {held} 天/所有在岗人员共 {days} 天",
        "lower": "越低越好", "how": "如何计算",
        "partial": "注意：数据只覆盖本期 {whole} 天中的 {inside} 天，目标未按天数折算。",
        "none": "本期没有提成项目。", "staff_pool": "个人奖金池（100% 达成时）",
        "addback": "销售额不含本期对以往订单的退款 {amount}（在原订单所属期追回）",
        "item": "项目", "sum": "金额", "colon": "：", "dash": " —— ", "lp": "（", "rp": "）", "lq": "「", "rq": "」",
        "then": "，",
    },
    "en": {
        "title": "Commission statement", "playbook": "Playbook", "period_kind": "Period", "window": "Data window",
        "due": "Due", "kpi": "KPI commission", "bonus": "Bonuses", "gate": "Gate reduction",
        "cap": "Personal cap reduction", "clawback": "Refund clawback", "total": "Total", "group": "Group",
        "role": "Role", "your_share": "your share", "pool": "Group pool (at 100% attainment)", "kpi_name": "KPI",
        "metric": "Metric", "actual": "Actual", "target": "Target", "attainment": "Attainment",
        "factor": "Pay factor", "weight": "Weight", "amount": "Your KPI commission",
        "gate_line": "Payout gate", "open": "paid in full", "closed": "this group's commission is paid at {factor}, "
        "gate reduction", "closed_staff": "this period's commission is paid at {factor}, gate reduction",
        "closed_nothing": "this group's commission is not paid, gate reduction",
        "closed_staff_nothing": "this period's commission is not paid, gate reduction",
        "bonus_line": "Bonus", "moved": "Weights this period",
        "moved_because": "“{rule}” was met last period ({values}): {kpi_from} −{move}, {kpi_to} +{move}",
        "share_step": "{full} × your share {share} {eq} {amount}",
        "gate_step": "; the payout gate was missed, so × {factor} = {after} (the difference is in the gate "
                     "reduction)",
        "gate_step_nothing": "; the payout gate was missed, so it is not paid (it is in the gate reduction)",
        "cap_line": "the period's lines add up to {before}, above the personal cap of {cap}; reduced by {amount}",
        "claw_line": "orders of {origin} were refunded this period ({refunds}); recomputed with those refunds, "
                     "{origin} pays {after} instead of {before}: {amount} {verb}",
        "claw_back": "clawed back", "claw_add": "paid in addition",
        "days": "{held} of {days} days held", "by_days": "by days held: your {held} of all holders' {days} days",
        "lower": "lower is better", "how": "How it is computed",
        "partial": "Note: the data covers {inside} of the period's {whole} days; targets are not prorated.",
        "none": "No commission items this period.", "staff_pool": "Personal pool (at 100% attainment)",
        "addback": "Sales leave out {amount} of refunds this period of earlier periods' orders (clawed back "
                   "from those periods)",
        "item": "Item", "sum": "Amount", "colon": ": ", "dash": " — ",
        "lp": " (", "rp": ")", "lq": " “", "rq": "”", "then": "; ",
    },
}


def statement_view(commission: Any, staff_id: str, lang: str, roles: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """Everything the template prints for `staff_id`; `roles`: role id → (zh, en) name."""
    plan = commission.plan
    t = LABELS[lang]
    inputs = commission.inputs
    periods = []
    for p in inputs.periods:
        statement = commission.book.statements.get((p.label, staff_id))
        if statement is not None:
            view = _period(statement, plan, lang, t, inputs.group_names, roles, commission.view_cache)
            inside, whole = commission.days[p.label]
            view["partial"] = t["partial"].format(inside=inside, whole=whole) if inside < whole else None
            periods.append(view)
    kind = plan.commission.period
    cache = commission.view_cache
    how = cache.get(("how", lang))
    if how is None:
        how = cache["how", lang] = how_it_is_computed(plan.commission, lang)
    return {
        "t": t, "staff": {"id": md(staff_id), "name": md(inputs.staff_names.get(staff_id, staff_id))},
        "playbook": md(commission.playbook_name),
        "period_kind": COMMISSION_PERIODS[kind] if lang == "zh" else kind,
        "window": date_range(inputs.periods[0].first, inputs.periods[-1].last, lang) if inputs.periods else "",
        "periods": periods, "how": how,
    }


def how_it_is_computed(c: Any, lang: str) -> str:
    """The statement's closing paragraph for the plan `c` (the model's commission section): only
    what this plan does (its curve or table, floor, factor cap, split, gate, personal cap)."""
    zh = lang == "zh"
    if c.curve is not None:
        source = "提成系数由达成率按支付曲线得出" if zh else "the pay factor comes from the attainment by the pay curve"
    elif c.rates is not None:
        source = "提成系数由达成率按阶梯系数表得出" if zh else "the pay factor comes from the attainment by the rate table"
    else:
        source = "提成系数等于达成率" if zh else "the pay factor is the attainment itself"
    parts = [source]
    if c.curve is not None and c.curve.floor is not None:
        floor = number(c.curve.floor * 100, 2) + "%"
        parts.append(f"达成率低于起提线 {floor} 的指标不计提成" if zh else f"a KPI below the floor of {floor} pays nothing")
    if c.curve is not None and c.curve.cap is not None:
        parts.append(f"提成系数最高按 {number(c.curve.cap)} 计（系数封顶）" if zh
                     else f"the pay factor is capped at {number(c.curve.cap)}")
    if zh:
        text = ("每个考核指标：指标提成 = 奖金池 × 权重 × 提成系数；达成率 = 实际 ÷ 目标（越低越好的指标为 目标 ÷ 实际），"
                + "，".join(parts) + "。")
    else:
        text = ("Each KPI pays pool × weight × pay factor; attainment = actual ÷ target (target ÷ actual when lower "
                "is better); " + "; ".join(parts) + ".")
    if c.pool.per_staff is not None:
        text += ("个人奖金池按您的在岗天数折算。" if zh else " A personal pool is prorated by your days held.")
    elif c.split:
        text += ("群的提成（指标提成加达标奖励）按分成比例分给各位员工：分成比例 = 角色比例 × 在岗天数 ÷ 群在本期的天数，"
                 "同一天几人同任一个角色时平分这一天；没有人任该角色的日子，那一份无人认领（未发放）。" if zh else
                 " A group's commission (KPI commission and bonuses) is split by share: role share × days held ÷ "
                 "the group's days in the period, a day shared equally when several people held the role; days "
                 "nobody held a role are unclaimed (not paid).")
    else:
        text += ("群的提成（指标提成加达标奖励）按在岗天数分给在岗的员工。" if zh else
                 " A group's commission (KPI commission and bonuses) is split among its staff by days held.")
    if c.gate is not None:
        factor = percent(c.gate.otherwise, 0)
        if not c.gate.otherwise:
            text += ("未达发放门槛时，提成（含达标奖励）不发放。" if zh else
                     " When the payout gate is missed, the commission (bonuses included) is not paid.")
        else:
            text += (f"未达发放门槛时，提成（含达标奖励）按 {factor} 发放。" if zh else
                     f" When the payout gate is missed, the commission (bonuses included) is paid at {factor}.")
    if c.cap is not None:
        text += (f"每人每期合计最多 {money(c.cap.per_staff)}（个人封顶）。" if zh else
                 f" Each person is paid at most {money(c.cap.per_staff)} a period (the personal cap).")
    text += ("金额按分精确舍入，各行之和等于合计。" if zh else
             " Amounts are rounded to the fen so that the lines add up to the total exactly.")
    return text


def _period(s: Statement, plan: Any, lang: str, t: dict[str, str], group_names: dict[str, str],
            roles: dict[str, tuple[str, str]], cache: dict[Any, Any]) -> dict[str, Any]:
    units = [_unit(held, amounts, plan, lang, t, group_names, roles, cache)
             for held, amounts in s.amounts() if amounts]  # a unit without lines is not shown
    summary = [(t[kind], money(s.part(kind))) for kind in KINDS
               if kind in ("kpi", "bonus") or s.part(kind) != ZERO]
    extras = s.extras()
    cap = next((line for line in extras if line.kind == "cap"), None)
    claws = [line for line in extras if line.kind == "clawback"]
    return {
        "label": s.period, "total": money(s.total), "summary": summary, "units": units,
        "opening": opening(s, plan, lang, group_names, roles),
        "cap": t["cap_line"].format(cap=money(plan.commission.cap.per_staff), before=money(
            Decimal(str(cap.detail["before"]))), amount=money(abs(cap.amount))) if cap else None,
        "clawbacks": [t["claw_line"].format(
            origin=md(period_words(c.item, lang)), refunds=_refunds(c, group_names, lang),
            before=money(Decimal(str(c.detail["before"]))), after=money(Decimal(str(c.detail["after"]))),
            amount=money(abs(c.amount)), verb=t["claw_back"] if c.amount <= 0 else t["claw_add"]) for c in claws],
    }


def opening(s: Statement, plan: Any, lang: str, group_names: dict[str, str],
            roles: dict[str, tuple[str, str]], escape: Callable[[str], str] = md) -> str:
    """One plain sentence of what happened in the statement's period: the groups held and in
    which roles, the KPI commission and bonuses, a missed payout gate, the personal cap, refund
    clawbacks, and what is due. Shared by the statement and `qunce explain --staff` (which
    prints names as they are: `escape`)."""
    zh = lang == "zh"
    held: dict[str, set[str]] = {}  # role → groups
    personal = False
    closed: dict[str, int] = {}  # group id ("" for a personal pool) → this person's gate reduction in fen
    factor = ZERO
    for (holding, _, result), amounts in s.amounts():
        if holding is None:
            personal = True
        else:
            held.setdefault(holding.role, set()).add(holding.group_id)
        m = result.measured
        if m.gate is not None and not m.gate.held:
            fen = sum(amount for (kind, _, _), amount in zip(result.items, amounts, strict=True) if kind == "gate")
            if fen:
                key = holding.group_id if holding is not None else ""
                closed[key] = closed.get(key, 0) + fen
                factor = m.gate_factor
    when = period_words(s.period, lang)
    kpi, bonus = s.part("kpi"), s.part("bonus")
    earned = ""
    if held or personal:
        if zh:
            earned = f"指标提成 {money(kpi)}" + (f"，达标奖励 {money(bonus)}" if bonus else "")
        else:
            earned = f"earned {money(kpi)} in KPI commission" + (f" and {money(bonus)} in bonuses" if bonus else "")
    order = list(plan.commission.split) + sorted(set(held) - set(plan.commission.split))
    counts = [(roles.get(role, (role, role))[0 if zh else 1], len(held[role])) for role in order if role in held]
    if zh:
        if counts:
            where = "您在 " + "、".join(f"{n} 个群任{escape(name)}" for name, n in counts)
        elif personal:
            where = "按个人奖金池结算"
        else:
            where = "您本期没有在岗的群"
        first = "，".join(part for part in (when, where, earned) if part)
    else:
        if counts:
            roles_said = [f"{n} {'group' if n == 1 else 'groups'} as {escape(name)}" if i == 0 else f"{n} as {escape(name)}"
                          for i, (name, n) in enumerate(counts)]
            first = f"In {when} you held {_listed(roles_said)}" + (f" and {earned}" if earned else "")
        elif personal:
            first = f"In {when} your personal pool {earned}"
        else:
            first = f"In {when} you held no group"
    events = []
    if closed:
        taken = money(abs(in_yuan(sum(closed.values()))))
        paid = (f"按 {percent(factor, 0)} 发放" if factor else "不发放") if zh else (
            f"paid at {percent(factor, 0)}" if factor else "not paid")
        groups = [g for g in closed if g]
        if not groups:
            events.append(f"未达发放门槛，本期提成{paid}，扣减 {taken}" if zh else
                          f"you missed the payout gate and are {paid}, which takes off {taken}")
        elif len(groups) == 1:
            name = escape(group_names.get(groups[0], groups[0]))
            events.append(f"{name}未达发放门槛，该群提成{paid}，扣减 {taken}" if zh else
                          f"{name} missed the payout gate and is {paid}, which takes off {taken}")
        else:
            events.append(f"{len(groups)} 个群未达发放门槛，这些群的提成{paid}，共扣减 {taken}" if zh else
                          f"{len(groups)} groups missed the payout gate and are {paid}, which takes off {taken}")
    cap = s.part("cap")
    if cap:
        limit = money(plan.commission.cap.per_staff)
        events.append(f"合计超过个人封顶 {limit}，扣减 {money(abs(cap))}" if zh else
                      f"the personal cap of {limit} takes off {money(abs(cap))}")
    for line in s.extras():
        if line.kind == "clawback" and line.amount:
            origin = period_words(line.item, lang)
            amount = money(abs(line.amount))
            if zh:
                events.append(f"{origin}的订单在本期退款，{'追回' if line.amount < 0 else '补发'} {amount}")
            else:
                events.append(f"orders of {origin} were refunded this period, which "
                              f"{'claws back' if line.amount < 0 else 'adds'} {amount}")
    due = f"本期应发 {money(s.total)}" if zh else f"you are due {money(s.total)}"
    if zh:
        return (first + ("；" + "；".join(events) + "；" if events else "，") + due + "。")
    return first + "; " + "; ".join([*events, due]) + "."


def _listed(items: list[str]) -> str:
    """a, b and c."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _refunds(line: Line, group_names: dict[str, str], lang: str) -> str:
    refunds = line.detail["refunds"]
    assert isinstance(refunds, dict)
    sep = "，" if lang == "zh" else ", "
    return sep.join(f"{md(group_names.get(u, u))} {money(a)}" for u, a in refunds.items())


def _unit(unit: Held, amounts: array[int], plan: Any, lang: str, t: dict[str, str],
          group_names: dict[str, str], roles: dict[str, tuple[str, str]], cache: dict[Any, Any]) -> str:
    """One group (or personal pool) of a statement as Markdown: the group's block, rendered once
    per run and language and shared by everyone who held it, with this person's share and
    amounts put in its gaps."""
    held, share, result = unit
    key = (id(result), lang)
    facts = cache.get(key)
    if facts is None:
        facts = cache[key] = _facts(result, plan, lang, t, group_names, held.group_id if held else None, cache)
    left = cache.get((HOLDERS, lang))
    if left is not None:  # rendering every statement: the unit's facts go with its last holder
        left[id(result)] -= 1
        if not left[id(result)]:
            del cache[key]
    # Statements repeat the same few amounts, shares and day counts thousands of times: each is
    # put in words once (the cache lives as long as the commission, up to WORDS_KEPT entries).
    said: dict[int, str] = _words(cache, ("said", lang))
    steps: dict[Any, str] = _words(cache, ("steps", lang))
    words = []
    if facts.group:
        words.append(_person(held, share, plan, lang, t, roles, cache))
    for item, full in zip(facts.order, facts.fulls, strict=True):
        fen = amounts[item]
        if full is not None:  # a bonus that held: the steps from its amount to this person's
            step_key = (full, share, fen, facts.gate_factor, facts.group)
            text = steps.get(step_key)
            if text is None:
                text = steps[step_key] = _bonus_steps(full, share, fen, facts.gate_factor, facts.group, t)
            words.append(text)
            continue
        text = said.get(fen)
        if text is None:
            text = said[fen] = money(in_yuan(fen))
        words.append(text)
    pieces = facts.pieces
    if pieces is None:
        return facts.render(words, t)
    parts: list[str] = [""] * (2 * len(words) + 1)
    parts[::2] = pieces
    parts[1::2] = words
    return "".join(parts)


def _bonus_steps(full: Decimal, share: Decimal, fen: int, gate_factor: Decimal | None, group: bool,
                 t: dict[str, str]) -> str:
    """A bonus from its amount to this person's line: ¥300.00 × 分成比例 60.00% = ¥180.00, then a
    missed gate's factor (its reduction is the gate's line, not the bonus's)."""
    amount = in_yuan(fen)
    text = money(amount)
    if group:
        exact = money(full * share)
        # The line is rounded with the others (largest remainder): it may be a fen off the product.
        text = t["share_step"].format(full=money(full), share=percent(share), amount=text,
                                      eq="=" if exact == text else "≈")
    if gate_factor is not None and not gate_factor:
        text += t["gate_step_nothing"]
    elif gate_factor is not None:
        text += t["gate_step"].format(factor=percent(gate_factor, 0), after=money(amount * gate_factor))
    return text


def _person(held: Holding | None, share: Decimal, plan: Any, lang: str, t: dict[str, str],
            roles: dict[str, tuple[str, str]], cache: dict[Any, Any]) -> str:
    """The person's part of a group's heading: role and share (with role share × days held)."""
    role = held.role if held else None
    people: dict[Any, str] = cache.setdefault(("people", lang), {})
    holding = (role, share, held.role_days if held else None, held.group_days if held else None,
               held.assigned_days if held else None)
    person = people.get(holding)
    if person is None:
        split = plan.commission.split
        how = ""
        if held is not None and role in split:
            how = (f"{percent(split[role], 0)} × "
                   f"{t['days'].format(held=number(held.role_days, 2), days=held.group_days)}")
        elif held is not None and not split and share:
            everyone = (Decimal(held.assigned_days) / share).to_integral_value()
            how = t["by_days"].format(held=held.assigned_days, days=number(everyone))
        role_name = (roles.get(role, (role, role))[0 if lang == "zh" else 1]) if role else ""
        from .statement_writer import shared_rows

        person = people[holding] = str(shared_rows().person_text({"role": md(role_name), "share": percent(share),
                                                                   "how": how}, t))
    return person


MARK = "\x00"  # where a holder's words go in a unit's block rendered once


@dataclass(frozen=True)
class _Facts:
    """A unit's block for one language: the template's output for the unit split at the gaps
    each holder fills (their role and share when it is a group, then the amount of each slot:
    (kind, item) of each KPI, a closed gate, each bonus that held)."""

    group: bool
    order: tuple[int, ...]  # the gaps' amounts: indexes into the unit's items
    fulls: tuple[Decimal | None, ...]  # per gap: a held bonus's amount (its steps are said), else None
    gate_factor: Decimal | None  # a missed gate's factor, None when the gate was met or there is none
    pieces: tuple[str, ...] | None  # None when the unit's own words hold a MARK: rendered per holder
    block: dict[str, Any]  # what unit_block is given, gaps aside

    def render(self, words: list[str], t: dict[str, str]) -> str:
        """The block with the holder's words, rendered by the template itself."""
        from .statement_writer import shared_rows

        return str(shared_rows().unit_block(_fill(self.block, self.group, words), t))


def _fill(block: dict[str, Any], group: bool, words: list[str]) -> dict[str, Any]:
    """unit_block's argument with `words` in the gaps, in slot order."""
    said = iter(words)
    person = next(said) if group else None
    kpis = [{**k, "amount": next(said)} for k in block["kpis"]]
    gate = block["gate"]
    if gate is not None:
        gate = {**gate, "amount": next(said) if not gate["held"] else None}
    bonuses = [{**b, "amount": next(said) if b["held"] else None} for b in block["bonuses"]]
    return {**block, "person": person, "kpis": kpis, "gate": gate, "bonuses": bonuses}


HOLDERS = "holders"  # cache key: how many statements still to render hold each unit (id(result))
WORDS_KEPT = 50_000  # a words cache starts afresh beyond this (its memory at 100M events)


def _words(cache: dict[Any, Any], key: tuple[str, str]) -> dict[Any, Any]:
    words: dict[Any, Any] = cache.setdefault(key, {})
    if len(words) > WORDS_KEPT:
        words.clear()
    return words


def _said(decision: Any, plan: Any, lang: str, cache: dict[Any, Any]) -> str:
    key = ("condition", decision.rule.id, lang)
    if key not in cache:
        cache[key] = md(condition(decision, plan.names, lang))
    return str(cache[key])


def _plan_names(plan: Any, cache: dict[Any, Any]) -> tuple[dict[str, str], dict[str, str], dict[str, Any]]:
    """Bonus id → name, KPI id → name, adjustment id → rule: looked up once per run, not per unit."""
    names = cache.get("plan names")
    if names is None:
        names = cache["plan names"] = (
            {b.id: md(b.name) for b in plan.commission.bonuses}, {k.id: md(k.name) for k in plan.kpis},
            {a.id or f"adjust_{i + 1}": a for i, a in enumerate(plan.commission.adjust)})
    return names


def _facts(result: Any, plan: Any, lang: str, t: dict[str, str], group_names: dict[str, str], group_id: str | None,
           cache: dict[Any, Any]) -> _Facts:
    from .statement_writer import shared_rows

    rows = shared_rows()
    m = result.measured
    names = plan.names
    kpis = []
    worded: dict[Any, dict[str, Any]] = _words(cache, ("kpi", lang))
    for k in m.kpis:
        # The same KPI, weight, attainment and factor read alike in every group: worded once.
        key = (k.kpi.id, k.actual, k.attainment, k.factor, k.weight)
        row = worded.get(key)
        if row is None:
            row = worded[key] = {
                "id": k.kpi.id, "name": md(k.kpi.name), "metric": md(label(k.kpi.metric, names, lang)),
                "actual": md(metric_value(k.kpi.metric, k.actual, names, lang)),
                "target": metric_value(k.kpi.metric, k.kpi.target, names),
                "attainment": percent(k.attainment), "factor": number(k.factor), "weight": percent(k.weight, 0)
                if k.weight * 100 == (k.weight * 100).to_integral() else percent(k.weight),
                "lower": k.kpi.lower_is_better,
            }
        kpis.append(row)
    gate = None
    staff = group_id is None
    if m.gate is not None:
        closed = ("closed_staff" if staff else "closed") + ("_nothing" if not m.gate_factor else "")
        outcome = t["open"] if m.gate.held else t[closed].format(factor=percent(m.gate_factor, 0))
        gate = {"condition": _said(m.gate, plan, lang, cache), "read": md(values(m.gate, names, lang)),
                "verdict": verdict(m.gate, lang), "outcome": outcome, "held": m.gate.held}
    bonus_names, kpi_names, rules = _plan_names(plan, cache)
    bonuses = [{"id": b.decision.rule.id, "name": bonus_names[b.decision.rule.id],
                "condition": _said(b.decision, plan, lang, cache), "read": md(values(b.decision, names, lang)),
                "verdict": verdict(b.decision, lang), "full": b.amount, "held": b.decision.held}
               for b in m.bonuses]
    moved = [t["moved_because"].format(rule=_said(d, plan, lang, cache), values=md(values(d, names, lang)),
                                       kpi_from=kpi_names[rules[d.rule.id].from_], kpi_to=kpi_names[rules[d.rule.id].to],
                                       move=percent(rules[d.rule.id].move, 0))
             + (f"{t['lp']}{md(rules[d.rule.id].reason)}{t['rp']}" if rules[d.rule.id].reason else "")
             for d in result.moved_by]
    addback = result.input.addback
    block = {
        "addback": t["addback"].format(amount=money(addback)) if addback else None,
        "group": f"{md(group_names.get(group_id, group_id))}{t['lp']}{md(group_id)}{t['rp']}" if group_id else None,
        "pool": money(m.base), "kpis": kpis, "gate": gate, "bonuses": bonuses, "moved": moved,
    }
    group = block["group"] is not None
    slots = (*(("kpi", k["id"]) for k in kpis), *((("gate", "gate"),) if gate is not None and not gate["held"] else ()),
             *(("bonus", b["id"]) for b in bonuses if b["held"]))
    fulls = (*(None for k in kpis), *((None,) if gate is not None and not gate["held"] else ()),
             *(b["full"] for b in bonuses if b["held"]))
    marks = [MARK] * (group + len(slots))
    pieces = tuple(str(rows.unit_block(_fill(block, group, marks), t)).split(MARK))
    at = {(kind, item): i for i, (kind, item, _) in enumerate(result.items)}
    gate_factor = m.gate_factor if m.gate is not None and not m.gate.held else None
    # Names are escaped (a NUL shows as ␀), so the unit's own words hold no MARK; should one ever
    # (a word of qunce's), the gaps would shift: the unit is then rendered per holder instead.
    return _Facts(group, tuple(at[slot] for slot in slots), fulls, gate_factor,
                  pieces if len(pieces) == len(marks) + 1 else None, block)
