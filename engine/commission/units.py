"""Every unit through the plan's periods, in order: the weights in force (the base weights, moved
by the adjustments that held for the unit in the period before: 动态调整), the measurement, and
which adjustments hold now for the next period. Clawbacks re-measure a closed period with the
sales its later refunds took away, under that period's own weights.

Adjustments do not accumulate: each period starts from the base weights and applies the moves
of the rules that held the period before (validation checks every combination stays in 0…1).
The first period of the window uses the base weights. A clawback does not change the weights
a period already had."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property
from typing import Any

from ..expr import Expr, evaluate, parse
from ..model import Playbook
from .measure import Decision, Measured, decide, measure
from .payfactor import ZERO
from .plan import Plan

MONEY_PLACES = Decimal("0.000000000001")


@dataclass(frozen=True)
class UnitInput:
    """One unit's metrics in one period, as the simulator computed them."""

    unit: str
    period: str
    values: dict[str, Any]  # canonical metric id → value (Decimal, str, bool)
    base_share: Decimal = Decimal(1)  # per-staff pools: the part of the period the staff member worked
    addback: Decimal = ZERO  # refunds in this period of orders from an earlier period (clawed back there)


@dataclass
class UnitResult:
    input: UnitInput
    measured: Measured
    moved_by: list[Decision]  # adjustments that held in the period before and set these weights
    adjustments: list[Decision]  # every adjustment evaluated this period (for the next)
    sales_known: Decimal  # the sales measured now: reported + addback − later refunds seen so far
    clawed: list[tuple[str, Decimal]] = field(default_factory=list)  # (refund period, refund amount)

    @cached_property
    def items(self) -> tuple[tuple[str, str, Decimal], ...]:
        """(kind, item, amount at a share of 1) of every statement line this result gives its
        holders, in line order: each KPI, each bonus that held, the closed gate's reduction."""
        m = self.measured
        out = [("kpi", k.kpi.id, k.amount) for k in m.kpis]
        out += [("bonus", b.decision.rule.id, b.amount) for b in m.bonuses if b.decision.held]
        if m.gate is not None and not m.gate.held:
            out.append(("gate", "gate", m.gate_amount))
        return tuple(out)


class Recompute:
    """Recomputes the values that depend on sales when a clawback changes them."""

    def __init__(self, playbook: Playbook) -> None:
        self.custom: list[tuple[str, Expr]] = [
            (m.id, parse(m.expr)) for m in playbook.metrics.custom if m.scope == "group" and m.expr is not None]

    def with_sales(self, values: dict[str, Any], sales: Decimal, plan: Plan) -> dict[str, Any]:
        out = dict(values)
        out["sales"] = sales
        out["roi"] = _ratio(sales, out.get("cost"))
        out["per_customer_return"] = _ratio(sales, out.get("buyers"))
        for metric_id, expr in self.custom:
            out[metric_id] = Decimal(evaluate(expr, out, plan.names)).quantize(MONEY_PLACES)
        return out


def _ratio(top: Decimal, bottom: Any) -> Decimal:
    bottom = Decimal(bottom or 0)
    return (top / bottom).quantize(MONEY_PLACES) if bottom else ZERO


def base_amount(plan: Plan, values: dict[str, Any], share: Decimal) -> Decimal:
    """The unit's pool at 100% attainment."""
    pool = plan.commission.pool
    if pool.per_group is not None:
        return pool.per_group
    if pool.sales_share is not None:
        return pool.sales_share * max(Decimal(values.get("sales") or 0), ZERO)
    assert pool.per_staff is not None
    return pool.per_staff * share


def run_units(plan: Plan, recompute: Recompute, periods: list[str],
              inputs: dict[tuple[str, str], UnitInput]) -> dict[tuple[str, str], UnitResult]:
    """(unit, period) → result, for every input, periods in order."""
    results: dict[tuple[str, str], UnitResult] = {}
    carried: dict[str, list[Decision]] = {}  # unit → adjustments that held in the previous period
    for label in periods:
        moves = carried
        carried = {}
        for (unit, period), given in sorted(inputs.items()):
            if period != label:
                continue
            moved_by = moves.get(unit, [])
            weights = _weights(plan, moved_by)
            sales = Decimal(given.values.get("sales") or 0) + given.addback
            values = recompute.with_sales(given.values, sales, plan) if given.addback else given.values
            measured = measure(plan, values, weights, base_amount(plan, values, given.base_share))
            adjustments = [decide(rule, measured.values, plan) for rule in plan.adjust]
            carried[unit] = [d for d in adjustments if d.held]
            results[unit, period] = UnitResult(given, measured, moved_by, adjustments, sales)
    return results


def _weights(plan: Plan, moved_by: list[Decision]) -> dict[str, Decimal]:
    weights = plan.base_weights()
    by_id = {a.id or f"adjust_{i + 1}": a for i, a in enumerate(plan.commission.adjust)}
    for decision in moved_by:
        rule = by_id[decision.rule.id]
        weights[rule.from_] -= rule.move
        weights[rule.to] += rule.move
    return weights


def claw(plan: Plan, recompute: Recompute, result: UnitResult, refund_period: str, amount: Decimal) -> UnitResult:
    """`result` re-measured with `amount` of its sales refunded in `refund_period`."""
    sales = result.sales_known - amount
    values = recompute.with_sales(result.measured.values, sales, plan)
    weights = {k.kpi.id: k.weight for k in result.measured.kpis}
    measured = measure(plan, values, weights, base_amount(plan, values, result.input.base_share))
    return replace(result, measured=measured, sales_known=sales, clawed=[*result.clawed, (refund_period, amount)])
