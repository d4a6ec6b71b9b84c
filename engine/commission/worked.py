"""A worked example of the playbook's own commission plan for the handbook: one group with
sample results, every KPI's attainment, factor and amount, the gate, the bonuses, and the split
among the roles, computed by the same code as the simulator's statements."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..expr import parse
from ..expr.tree import names_in
from ..model import Playbook
from ..simulate.group_windows import SUMS
from .allocate import largest_remainder, to_fen
from .formatting import condition, label, metric_value, money, number, percent, values, verdict
from .measure import measure
from .plan import Plan, compile_plan
from .units import Recompute, base_amount

# Sample attainments for the KPIs, in turn: above and below target, one below the usual curve floor.
ATTAINMENTS = (Decimal("1.2"), Decimal("0.9"), Decimal("1.05"), Decimal("0.7"), Decimal("1.25"))
# Sample values of a healthy mid-sized group for names the plan reads besides its KPIs.
SAMPLE = {
    "members": Decimal(300), "new_members": Decimal(120), "leaves": Decimal(12), "net_new_members": Decimal(108),
    "interaction_rate": Decimal("0.12"), "messages": Decimal(5400), "messages_per_member": Decimal(18),
    "retention_rate": Decimal("0.55"), "orders": Decimal(150), "buyers": Decimal(110), "sales": Decimal(48000),
    "conversion_rate": Decimal("0.5"), "average_order_value": Decimal(320), "csat": Decimal("4.6"),
    "leave_rate": Decimal("0.04"), "join_rate": Decimal("0.08"), "reach_rate": Decimal("0.9"),
    "referral_rate": Decimal("0.06"), "roi": Decimal("3.2"), "per_customer_return": Decimal("436.36"),
    "exposures": Decimal(1500), "speakers": Decimal(90), "cost": Decimal(15000), "age_days": Decimal(120),
    "days_to_end": Decimal(60), "days_since_last_message": Decimal(0), "groups": Decimal(1),
    "sop_on_time_rate": Decimal("0.94"), "sop_missed": Decimal(3), "warnings_acted_rate": Decimal("0.8"),
}
# Of SAMPLE, what a window of N days holds N/30 of (a month's counts and amounts); the rest
# (members, rates, means) a window holds as the month does.
MONTHLY = 30
FLOWS = frozenset({*SUMS, "net_new_members", "sales"})


def sample_values(playbook: Playbook, plan: Plan) -> dict[str, Any]:
    """SAMPLE, with the playbook's first group type, every custom metric (160: the expression
    metrics are recomputed from the rest) and the rolling windows the custom metrics read."""
    values: dict[str, Any] = dict(SAMPLE)
    values["group_type"] = next(iter(playbook.group_types), "")
    for metric in playbook.metrics.custom:
        values.setdefault(metric.id, Decimal(160))
    texts = [m.expr for m in playbook.metrics.custom if m.scope == "group" and m.expr]
    for text in texts:
        for name in names_in(parse(text)):
            found = plan.names.resolve(name.id)
            if found is None or (found.days is None and not found.total) or found.metric.id not in SAMPLE:
                continue
            month = SAMPLE[found.metric.id]
            share = Decimal(found.days) / MONTHLY if found.days is not None and found.metric.id in FLOWS else 1
            values[found.id] = (month * share).quantize(Decimal("0.01"))
    return values


def _counted(metric: str, target: Decimal, names: Any) -> bool:
    """A metric counted in whole things (members, orders): no unit, not a ratio, a whole target."""
    resolved = names.resolve(metric)
    unit = resolved.metric.unit if resolved else ""
    return not unit and target == target.to_integral_value()


def worked_example(playbook: Playbook, lang: str) -> dict[str, Any] | None:
    """The example's inputs and lines in words, or None without a commission plan."""
    plan = compile_plan(playbook)
    if plan is None:
        return None
    values_in = sample_values(playbook, plan)
    actuals = {}
    for i, kpi in enumerate(plan.kpis):
        reached = ATTAINMENTS[i % len(ATTAINMENTS)]
        actual = (kpi.target / reached if kpi.lower_is_better else kpi.target * reached).quantize(Decimal("0.0001"))
        if _counted(kpi.metric, kpi.target, plan.names):  # 14 orders, not 14.4
            actual = actual.quantize(Decimal(1), ROUND_HALF_UP)
        actuals[kpi.metric] = actual
    values_in |= actuals
    # Expression metrics (sales_per_member = sales ÷ members) follow from the sample values; a
    # KPI's keeps its sample attainment (正装升级率 = 160 ÷ 120 would pay at the curve's cap).
    values_in = Recompute(playbook).with_sales(values_in, Decimal(values_in["sales"]), plan) | actuals
    m = measure(plan, values_in, plan.base_weights(), base_amount(plan, values_in, Decimal(1)))
    names = plan.names
    total = to_fen(m.total)
    split = plan.commission.split
    shares = largest_remainder([m.total * share for share in split.values()], total) if split else []
    roles = playbook.roles
    bonus_names = {b.id: b.name for b in plan.commission.bonuses}
    read = dict.fromkeys([k.metric for k in plan.kpis] + [
        n for n in plan.condition_names() if not n.startswith("attainment_") and n != "weighted_attainment"])
    return {
        "inputs": [{"label": label(n, names, lang), "value": metric_value(n, m.values.get(n, Decimal(0)), names)}
                   for n in read],
        "pool": money(m.base),
        "kpis": [{"name": k.kpi.name, "metric": label(k.kpi.metric, names, lang),
                  "actual": metric_value(k.kpi.metric, k.actual, names),
                  "target": metric_value(k.kpi.metric, k.kpi.target, names), "lower": k.kpi.lower_is_better,
                  "attainment": percent(k.attainment), "factor": number(k.factor, 6), "weight": percent(k.weight, 0),
                  "amount": money(k.amount)} for k in m.kpis],
        "kpi_total": money(m.kpi_total),
        "weighted_attainment": percent(m.weighted_attainment),
        "gate": None if m.gate is None else {
            "condition": condition(m.gate, names, lang), "values": values(m.gate, names, lang),
            "verdict": verdict(m.gate, lang), "held": m.gate.held, "factor": percent(m.gate_factor, 0),
            "amount": money(m.gate_amount)},
        "bonuses": [{"name": bonus_names[b.decision.rule.id], "condition": condition(b.decision, names, lang),
                     "values": values(b.decision, names, lang), "verdict": verdict(b.decision, lang),
                     "amount": money(b.amount)} for b in m.bonuses],
        "total": money(total),
        "split": [{"role": roles[r].name if r in roles and lang == "zh" else r, "share": percent(s, 0),
                   "amount": money(a)} for (r, s), a in zip(split.items(), shares, strict=True)],
    }
