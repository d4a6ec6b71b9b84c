"""Builders for the commission tests: a plan from a plain `commission:` dict (no YAML, no
simulation), unit inputs from plain metric dicts, holdings from days."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from qunce.commission.plan import Plan, compile_plan
from qunce.commission.statements import Book, Holding
from qunce.commission.units import Recompute, UnitInput, UnitResult, run_units
from qunce.model import Playbook


def D(value: object) -> Decimal:
    """A Decimal written as text (never through a float)."""
    return Decimal(str(value))


def kpi(kpi_id: str, metric: str, target: object, weight: object, direction: str = "higher") -> dict[str, Any]:
    return {"id": kpi_id, "name": kpi_id, "metric": metric, "target": D(target), "weight": D(weight),
            "direction": direction}


def playbook(commission: dict[str, Any], custom: list[dict[str, Any]] | None = None) -> Playbook:
    """The smallest playbook carrying `commission` (and optional custom group metrics)."""
    data: dict[str, Any] = {"playbook": "commission-test", "commission": commission}
    if custom:
        data["metrics"] = {"custom": custom}
    return Playbook.model_validate(data)


def plan_of(commission: dict[str, Any], custom: list[dict[str, Any]] | None = None) -> tuple[Plan, Recompute]:
    book = playbook(commission, custom)
    plan = compile_plan(book)
    assert plan is not None
    return plan, Recompute(book)


def unit_inputs(rows: dict[tuple[str, str], dict[str, Any]],
                addback: dict[tuple[str, str], Decimal] | None = None,
                base_share: dict[tuple[str, str], Decimal] | None = None) -> dict[tuple[str, str], UnitInput]:
    """(unit, period) → UnitInput; metric values are turned into Decimals."""
    addback = addback or {}
    base_share = base_share or {}
    return {(unit, period): UnitInput(unit, period, {k: D(v) for k, v in values.items()},
                                      base_share.get((unit, period), Decimal(1)),
                                      addback.get((unit, period), Decimal(0)))
            for (unit, period), values in rows.items()}


def run(plan: Plan, recompute: Recompute, periods: list[str], rows: dict[tuple[str, str], dict[str, Any]],
        **extra: Any) -> dict[tuple[str, str], UnitResult]:
    return run_units(plan, recompute, periods, unit_inputs(rows, **extra))


def hold(staff: str, role: str, group: str, period: str, days: int, group_days: int,
         holders: int = 1) -> Holding:
    """`staff` held `role` of `group` for `days` of the period, the role shared with
    `holders` − 1 others on each of those days."""
    return Holding(staff, role, group, period, days, group_days, Decimal(days) / Decimal(holders))


def reconcile(book: Book) -> None:
    """Each statement's lines add up to its total, the totals to the period's total, all in fen."""
    fen = Decimal("0.01")
    for period in book.periods:
        statements = [s for (p, _), s in book.statements.items() if p == period]
        for s in statements:
            assert sum((line.amount for line in s.lines), Decimal(0)) == s.total
            assert all(line.amount == line.amount.quantize(fen) for line in s.lines)
        assert sum((s.total for s in statements), Decimal(0)) == book.period_totals[period]
