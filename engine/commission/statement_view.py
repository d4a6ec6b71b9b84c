"""The view of one staff member's statements that the Markdown template prints: every number
already in words (money, percentages, conditions with the values that decided them), every
name from the playbook or the roster escaped (`md`: it cannot start a heading, link, HTML or
table cell, nor hold a control character; ordinary names are unchanged)."""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..markdown_text import cell as md
from ..model.commission import COMMISSION_PERIODS
from .formatting import condition, label, metric_value, money, number, percent, values, verdict
from .payfactor import ZERO
from .statements import KINDS, Held, Holding, Line, Statement, in_yuan

LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "提成结算单", "playbook": "剧本", "period_kind": "结算周期", "window": "数据区间",
        "due": "本期应发", "kpi": "考核指标", "bonus": "达标奖励", "gate": "门槛扣减", "cap": "封顶扣减",
        "clawback": "退款追回", "total": "合计", "group": "群", "role": "角色", "your_share": "您的份额",
        "pool": "该群奖金池（100% 达成时）", "metric": "指标", "actual": "实际", "target": "目标",
        "attainment": "达成率", "factor": "系数", "weight": "权重", "amount": "金额（您的份额）",
        "gate_line": "门槛", "open": "已达成，全额发放", "closed": "未达成，本群提成按 {factor} 发放",
        "bonus_line": "达标奖励", "moved": "本期权重调整", "moved_because": "上期「{rule}」成立（{values}）：{kpi_from} 权重 −{move}，{kpi_to} +{move}",
        "cap_line": "每人每期上限 {cap}：应发 {before}，扣减 {amount}",
        "claw_line": "{origin} 的订单在本期退款（{refunds}）：{origin} 应得由 {before} 调整为 {after}，追回 {amount}",
        "days": "{held}/{days} 天", "lower": "越低越好", "how": "如何计算",
        "how_text": "每个指标：金额 = 奖金池 × 权重 × 系数；达成率 = 实际 ÷ 目标（越低越好的指标为 目标 ÷ 实际），"
                    "系数由达成率按支付曲线或费率表得出。群的提成按角色比例和在岗天数分给各位员工；"
                    "金额按分精确舍入，各行之和等于合计。",
        "partial": "注意：数据只覆盖本期 {inside}/{whole} 天，目标未按天数折算。",
        "none": "本期没有提成项目。", "staff_pool": "个人奖金池（100% 达成时）",
        "addback": "销售额不含本期对以往订单的退款 {amount}（在原订单所属期追回）",
        "item": "项目", "sum": "金额", "colon": "：", "dash": " —— ", "lp": "（", "rp": "）", "lq": "「", "rq": "」",
    },
    "en": {
        "title": "Commission statement", "playbook": "Playbook", "period_kind": "Period", "window": "Data window",
        "due": "Due for", "kpi": "KPIs", "bonus": "Bonuses", "gate": "Gate reduction", "cap": "Cap reduction",
        "clawback": "Refund clawback", "total": "Total", "group": "Group", "role": "Role", "your_share": "your share",
        "pool": "Group pool (at 100% attainment)", "metric": "Metric", "actual": "Actual", "target": "Target",
        "attainment": "Attainment", "factor": "Factor", "weight": "Weight", "amount": "Amount (your share)",
        "gate_line": "Gate", "open": "met, paid in full", "closed": "not met, this group's commission is paid at {factor}",
        "bonus_line": "Bonus", "moved": "Weights this period",
        "moved_because": "“{rule}” held last period ({values}): {kpi_from} −{move}, {kpi_to} +{move}",
        "cap_line": "Cap per staff member and period {cap}: earned {before}, reduced by {amount}",
        "claw_line": "Orders of {origin} were refunded this period ({refunds}): {origin} would have paid {after} "
                     "instead of {before}; clawed back {amount}",
        "days": "{held}/{days} days", "lower": "lower is better", "how": "How it is computed",
        "how_text": "Per KPI: amount = pool × weight × factor; attainment = actual ÷ target (target ÷ actual when "
                    "lower is better); the factor comes from the attainment by the pay curve or rate table. A "
                    "group's commission is split among its staff by role share and days held; amounts are rounded "
                    "to the fen so that the lines add up to the total exactly.",
        "partial": "Note: the data covers {inside} of the period's {whole} days; targets are not prorated.",
        "none": "No commission items this period.", "staff_pool": "Personal pool (at 100% attainment)",
        "addback": "sales leave out {amount} of refunds this period of earlier periods' orders (clawed back "
                   "from those periods)",
        "item": "Item", "sum": "Amount", "colon": ": ", "dash": " — ",
        "lp": " (", "rp": ")", "lq": " “", "rq": "”",
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
    return {
        "t": t, "staff": {"id": md(staff_id), "name": md(inputs.staff_names.get(staff_id, staff_id))},
        "playbook": md(commission.playbook_name),
        "period_kind": COMMISSION_PERIODS[kind] if lang == "zh" else kind,
        "window": f"{inputs.periods[0].first} … {inputs.periods[-1].last}" if inputs.periods else "",
        "periods": periods,
    }


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
        "cap": t["cap_line"].format(cap=money(plan.commission.cap.per_staff), before=money(
            Decimal(str(cap.detail["before"]))), amount=money(cap.amount)) if cap else None,
        "clawbacks": [t["claw_line"].format(
            origin=md(c.item), refunds=_refunds(c, group_names, lang), before=money(Decimal(str(c.detail["before"]))),
            after=money(Decimal(str(c.detail["after"]))), amount=money(c.amount)) for c in claws],
    }


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
    words = []
    if facts.group:
        words.append(_person(held, share, plan, lang, t, roles, cache))
    for item in facts.order:
        fen = amounts[item]
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


def _person(held: Holding | None, share: Decimal, plan: Any, lang: str, t: dict[str, str],
            roles: dict[str, tuple[str, str]], cache: dict[Any, Any]) -> str:
    """The person's part of a group's heading: role and share (with role share × days held)."""
    role = held.role if held else None
    people: dict[Any, str] = cache.setdefault(("people", lang), {})
    holding = (role, share, held.role_days if held else None, held.group_days if held else None)
    person = people.get(holding)
    if person is None:
        split = plan.commission.split
        how = ""
        if held is not None and role in split:
            how = (f"{percent(split[role], 0)} × "
                   f"{t['days'].format(held=number(held.role_days, 2), days=held.group_days)}")
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
                "actual": metric_value(k.kpi.metric, k.actual, names),
                "target": metric_value(k.kpi.metric, k.kpi.target, names),
                "attainment": percent(k.attainment), "factor": number(k.factor), "weight": percent(k.weight, 0)
                if k.weight * 100 == (k.weight * 100).to_integral() else percent(k.weight),
                "lower": k.kpi.lower_is_better,
            }
        kpis.append(row)
    gate = None
    if m.gate is not None:
        state = t["open"] if m.gate.held else t["closed"].format(factor=percent(m.gate_factor, 0))
        gate = {"condition": _said(m.gate, plan, lang, cache), "read": md(values(m.gate, names, lang)), "state": state,
                "held": m.gate.held}
    bonus_names, kpi_names, rules = _plan_names(plan, cache)
    bonuses = [{"id": b.decision.rule.id, "name": bonus_names[b.decision.rule.id],
                "condition": _said(b.decision, plan, lang, cache), "read": md(values(b.decision, names, lang)),
                "verdict": verdict(b.decision, lang), "full": money(b.amount), "held": b.decision.held}
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
    marks = [MARK] * (group + len(slots))
    pieces = tuple(str(rows.unit_block(_fill(block, group, marks), t)).split(MARK))
    at = {(kind, item): i for i, (kind, item, _) in enumerate(result.items)}
    # Names are escaped (a NUL shows as ␀), so the unit's own words hold no MARK; should one ever
    # (a word of qunce's), the gaps would shift: the unit is then rendered per holder instead.
    return _Facts(group, tuple(at[slot] for slot in slots), pieces if len(pieces) == len(marks) + 1 else None, block)
