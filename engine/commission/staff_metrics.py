"""A staff member's metrics over the groups they held, for per-staff pools: the same rules as
the simulator's staff_period (each group's counts and amounts × days held ÷ the group's days,
summed; rates recomputed from those sums with the group formulas; interaction_rate weighted by
days held), in Decimal, with the playbook's custom group metrics (event aggregates prorated
like counts, expressions recomputed, the rolling windows they read combined as _windows says)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..expr import evaluate, parse
from ..model import Playbook
from ..simulate.periods import PRORATED, STATES
from .payfactor import ZERO
from .plan import Plan

PLACES = Decimal("0.000000000001")
RATES = {
    "join_rate": ("new_members", "exposures"),
    "leave_rate": ("leaves", "members"),
    "messages_per_member": ("messages", "members"),
    "retention_rate": ("retained", "retention_base"),
    "conversion_rate": ("orders", "members"),
    "average_order_value": ("order_amount", "buyers"),
    "roi": ("sales", "cost"),
    "reach_rate": ("reached", "members"),
    "referral_rate": ("referrers", "members"),
    "per_customer_return": ("sales", "buyers"),
    "csat": ("score_sum", "surveys"),
}


def staff_values(playbook: Playbook, plan: Plan, held: list[tuple[dict[str, Any], Decimal]]) -> dict[str, Any]:
    """`held`: (the group's period row values, days held ÷ the group's days) per group."""
    custom = [m for m in playbook.metrics.custom if m.scope == "group"]
    summed = [*PRORATED, *(m.id for m in custom if m.expr is None)]
    out: dict[str, Any] = {name: sum((Decimal(row.get(name) or 0) * share for row, share in held), ZERO)
                           for name in summed}
    days = [(row, share * Decimal(row.get("days") or 0)) for row, share in held]
    weight = sum((d for _, d in days), ZERO)
    out["interaction_rate"] = _ratio(sum((Decimal(r.get("interaction_rate") or 0) * d for r, d in days), ZERO), weight)
    for name in STATES:
        out[name] = _ratio(sum((Decimal(r.get(name) or 0) * d for r, d in days), ZERO), weight)
    for name, (top, bottom) in RATES.items():
        out[name] = _ratio(out[top], out[bottom])
    out["groups"] = Decimal(len(held))
    out |= _windows(plan, held, days, weight)
    for metric in custom:
        if metric.expr is not None:
            out[metric.id] = Decimal(evaluate(parse(metric.expr), out, plan.names)).quantize(PLACES)
    return {k: (v.quantize(PLACES) if isinstance(v, Decimal) else v) for k, v in out.items()}


def _windows(plan: Plan, held: list[tuple[dict[str, Any], Decimal]], days: list[tuple[dict[str, Any], Decimal]],
             weight: Decimal) -> dict[str, Any]:
    """The rolling windows in the groups' rows (`new_members_30d`, as of the period's last day,
    there for the custom expressions that read them): counts and amounts prorated as the
    period's are, rates and means weighted by days held as interaction_rate is."""
    out: dict[str, Any] = {}
    for name in held[0][0] if held else ():
        found = plan.names.resolve(name)
        if found is None or found.id != name or (found.days is None and not found.total):
            continue
        if found.metric.id in PRORATED:
            out[name] = sum((Decimal(row.get(name) or 0) * share for row, share in held), ZERO)
        else:
            out[name] = _ratio(sum((Decimal(row.get(name) or 0) * d for row, d in days), ZERO), weight)
    return out


def _ratio(top: Decimal, bottom: Decimal) -> Decimal:
    return top / bottom if bottom else ZERO
