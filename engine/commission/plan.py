"""The playbook's `commission:` section, ready to apply: metric names resolved to their ids,
conditions parsed once, the unit the pool is paid on, the period grain."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from ..catalog import Names
from ..errors import UsageError
from ..expr import Expr, parse
from ..expr.tree import names_in
from ..model import Playbook
from ..model.commission import Commission
from ..playbook_names import playbook_names

GRAINS = {"weekly": "week", "monthly": "month", "quarterly": "quarter"}


@dataclass(frozen=True)
class Rule:
    """A condition of the plan (gate, bonus, adjustment) with where it came from."""

    id: str
    text: str
    expr: Expr

    @cached_property
    def reads(self) -> tuple[str, ...]:
        """The names the condition reads, as written (evaluated once per unit and period)."""
        return tuple(name.id for name in names_in(self.expr))


@dataclass(frozen=True)
class KpiSpec:
    id: str
    name: str
    metric: str  # the canonical metric id (a column of the unit's metrics)
    target: Decimal
    weight: Decimal  # the base weight
    lower_is_better: bool


@dataclass(frozen=True)
class Plan:
    commission: Commission
    grain: str  # week | month | quarter
    unit: str  # group (per_group and sales_share pools) | staff (per_staff pool)
    kpis: tuple[KpiSpec, ...]
    gate: Rule | None
    bonuses: tuple[Rule, ...]
    adjust: tuple[Rule, ...]
    names: Names

    def base_weights(self) -> dict[str, Decimal]:
        return {k.id: k.weight for k in self.kpis}

    def condition_names(self) -> list[str]:
        """The canonical names the plan's conditions read (for the trace and the inputs)."""
        seen: dict[str, None] = {}
        for rule in (self.gate, *self.bonuses, *self.adjust):
            if rule is None:
                continue
            for name in names_in(rule.expr):
                resolved = self.names.resolve(name.id)
                seen[resolved.id if resolved else name.id] = None
        return list(seen)


def compile_plan(playbook: Playbook) -> Plan | None:
    """The playbook's plan, or None when it has no `commission:` section. The playbook was
    validated: references and conditions are known to be sound."""
    plan = playbook.commission
    if plan is None:
        return None
    names = playbook_names(playbook, "staff")
    kpis = tuple(KpiSpec(k.id, k.name, _metric(names, k.metric, f"commission.kpis.{k.id}.metric"), k.target,
                         k.weight, k.direction == "lower") for k in plan.kpis)
    gate = _rule(names, "gate", plan.gate.when) if plan.gate is not None else None
    bonuses = tuple(_rule(names, b.id, b.when) for b in plan.bonuses)
    adjust = tuple(_rule(names, a.id or f"adjust_{i + 1}", a.when) for i, a in enumerate(plan.adjust))
    unit = "staff" if plan.pool.per_staff is not None else "group"
    return Plan(plan, GRAINS[plan.period], unit, kpis, gate, bonuses, adjust, names)


def _metric(names: Names, written: str, where: str) -> str:
    resolved = names.resolve(written)
    if resolved is None:
        raise UsageError(f"{where}: unknown metric '{written}' (run qunce validate)",
                         f"{where}：未知指标 '{written}'（请运行 qunce validate）")
    return resolved.id


def _rule(names: Names, rule_id: str, text: str) -> Rule:
    # Validation (Q607) keeps rolling windows out: commission reads the period's own metrics.
    return Rule(rule_id, text, parse(text))
