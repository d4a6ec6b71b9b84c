"""The commission stage of `qunce simulate`: read the inputs (`prepare_commission`), run the plan
and build the book (`Prepared.build`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..gc_pause import gc_paused
from ..simulate.context import SimContext
from .inputs import Inputs, read_inputs
from .plan import Plan, compile_plan
from .statements import Book, build_book
from .units import Recompute, run_units


@dataclass
class Commission:
    plan: Plan
    inputs: Inputs
    book: Book
    playbook_name: str
    playbook_roles: dict[str, Any]
    view_cache: dict[Any, Any] = field(default_factory=dict, repr=False)  # statement_view's shared parts

    @cached_property
    def days(self) -> dict[str, tuple[int, int]]:
        """Period → (its days inside the window, its calendar days): a window that cuts a
        period short pays it on the days it has (targets are not prorated)."""
        from .inputs import full_days, window_days

        return {p.label: (window_days(p), full_days(p)) for p in self.inputs.periods}

    @gc_paused()
    def tables(self) -> dict[str, Any]:
        """statements, payouts, commission_units as Arrow tables."""
        from .tables import (
            PAYOUT_TYPES,
            arrow_table,
            as_columns,
            payout_rows,
            statements_table,
            units_table,
        )

        staff, groups = self.inputs.staff_names, self.inputs.group_names
        return {
            "statements": statements_table(self.book, staff, groups),
            "payouts": arrow_table(as_columns(
                payout_rows(self.book, staff, self.days, self.inputs.holdings), PAYOUT_TYPES), PAYOUT_TYPES),
            "commission_units": units_table(self.book),
        }


@dataclass
class Prepared:
    """A plan with its inputs read from the simulation: what `build` needs, and no more of the
    database (it may run in another thread while the simulation goes on)."""

    plan: Plan
    inputs: Inputs
    recompute: Recompute
    playbook_name: str
    playbook_roles: dict[str, Any]

    @gc_paused()
    def build(self) -> Commission:
        """Run the plan over the units and build the book (plain Python)."""
        labels = [p.label for p in self.inputs.periods]
        results = run_units(self.plan, self.recompute, labels, self.inputs.units)
        book = build_book(self.plan, self.recompute, labels, results, self.inputs.holdings, self.inputs.late)
        return Commission(self.plan, self.inputs, book, self.playbook_name, self.playbook_roles)


@gc_paused()
def prepare_commission(ctx: SimContext, group_period: Any, sop: Any | None = None) -> Prepared | None:
    """The playbook's commission plan and its inputs from the simulation; None without a plan.
    `sop`: the SOP assessment (assess.stage.assessment_for), when the plan reads its metrics."""
    plan = compile_plan(ctx.playbook)
    if plan is None:
        return None
    return Prepared(plan, read_inputs(ctx, plan, group_period, sop), Recompute(ctx.playbook), ctx.playbook.playbook,
                    dict(ctx.playbook.roles))


def run_commission(ctx: SimContext, group_period: Any, sop: Any | None = None) -> Commission | None:
    """The playbook's commission plan applied to the simulation; None without a plan."""
    prepared = prepare_commission(ctx, group_period, sop)
    return prepared.build() if prepared is not None else None


def commission_of(ctx: SimContext, sop: Any | None = None) -> Commission | None:
    """The commission alone (for `qunce explain --staff` and `qunce diff`): only the group
    metrics the plan's period needs are computed."""
    from ..simulate.group_stage import metrics
    from ..simulate.stage_cache import cached_groups

    plan = compile_plan(ctx.playbook)
    if plan is None:
        return None
    kept = cached_groups(ctx)  # by an earlier simulate of the same data and group sections
    if kept is not None:
        return run_commission(ctx, kept.period, sop)
    _, _, period, _ = metrics(ctx, staff=False, grains=(plan.grain,))
    return run_commission(ctx, period, sop)
