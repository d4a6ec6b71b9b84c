"""One unit (a group, or a staff member for a per-staff pool) in one period: attainment and
factor per KPI under the weights in force, the gate, the bonuses, and the unit's payout.

Attainment = actual ÷ target, or target ÷ actual for a lower-is-better KPI, there at most
LOWER_IS_BETTER_BEST (200%), which an actual of 0 or less reaches: without the bound a leave
rate of 0.01 would pay more than a leave rate of 0. Attainments
and factors are kept to 6 decimal places; amounts are exact (rounding to the fen happens once,
in the statements). A closed gate multiplies the unit's KPI amounts and bonuses by
`otherwise` (0 by default)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from ..expr import evaluate
from .payfactor import ZERO, FactorStep, pay_factor, q6
from .plan import KpiSpec, Plan, Rule

LOWER_IS_BETTER_BEST = Decimal(2)


@dataclass(frozen=True)
class KpiResult:
    kpi: KpiSpec
    actual: Decimal
    attainment: Decimal
    step: FactorStep
    weight: Decimal  # in force this period
    amount: Decimal  # base × weight × factor, exact

    @property
    def factor(self) -> Decimal:
        return self.step.factor


@dataclass(frozen=True)
class Decision:
    """A condition of the plan applied to one unit and period: whether it held, and the values
    it read (canonical name → value)."""

    rule: Rule
    held: bool
    values: dict[str, Any]


@dataclass(frozen=True)
class BonusResult:
    decision: Decision
    amount: Decimal  # paid when the condition held, else 0


@dataclass
class Measured:
    base: Decimal  # the pool at 100% attainment for this unit and period
    kpis: list[KpiResult]
    weighted_attainment: Decimal
    gate: Decision | None
    gate_factor: Decimal  # 1 when open (or no gate), `otherwise` when closed
    bonuses: list[BonusResult]
    values: dict[str, Any] = field(repr=False)  # every value the conditions could read

    @cached_property
    def kpi_total(self) -> Decimal:
        return sum((k.amount for k in self.kpis), ZERO)

    @cached_property
    def bonus_total(self) -> Decimal:
        return sum((b.amount for b in self.bonuses), ZERO)

    @cached_property
    def gate_amount(self) -> Decimal:
        """What a closed gate takes away (≤ 0)."""
        return (self.gate_factor - 1) * (self.kpi_total + self.bonus_total)

    @cached_property
    def total(self) -> Decimal:
        return self.kpi_total + self.bonus_total + self.gate_amount


def attainment(kpi: KpiSpec, actual: Decimal) -> Decimal:
    if kpi.lower_is_better:
        return LOWER_IS_BETTER_BEST if actual <= 0 else min(q6(kpi.target / actual), LOWER_IS_BETTER_BEST)
    return q6(actual / kpi.target)


def decide(rule: Rule, values: dict[str, Any], plan: Plan) -> Decision:
    """Evaluate `rule` on `values`, keeping the values it read."""
    read: dict[str, Any] = {}
    for name in rule.reads:
        resolved = plan.names.resolve(name)
        key = resolved.id if resolved is not None and resolved.id in values else name
        read[key] = values.get(key, ZERO)
    return Decision(rule, bool(evaluate(rule.expr, values, plan.names)), read)


def measure(plan: Plan, values: dict[str, Any], weights: dict[str, Decimal], base: Decimal) -> Measured:
    """Apply the plan to one unit's metric `values` (canonical id → Decimal/str/bool) under
    `weights` (KPI id → weight in force)."""
    kpis: list[KpiResult] = []
    for kpi in plan.kpis:
        actual = _number(values.get(kpi.metric))
        reached = attainment(kpi, actual)
        step = pay_factor(reached, plan.commission)
        weight = weights[kpi.id]
        kpis.append(KpiResult(kpi, actual, reached, step, weight, base * weight * step.factor))
    weighted = q6(sum((k.weight * k.attainment for k in kpis), ZERO))
    values = {**values, **{f"attainment_{k.kpi.id}": k.attainment for k in kpis}, "weighted_attainment": weighted}
    gate = decide(plan.gate, values, plan) if plan.gate is not None else None
    gate_factor = Decimal(1)
    if gate is not None and not gate.held:
        assert plan.commission.gate is not None
        gate_factor = plan.commission.gate.otherwise
    bonuses = []
    for rule, bonus in zip(plan.bonuses, plan.commission.bonuses, strict=True):
        decision = decide(rule, values, plan)
        bonuses.append(BonusResult(decision, bonus.amount if decision.held else ZERO))
    return Measured(base, kpis, weighted, gate, gate_factor, bonuses, values)


def _number(value: Any) -> Decimal:
    if value is None:
        return ZERO
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))
