"""The group side of a simulation: daily and period metrics per group and staff member,
retention cohorts, lifecycle states with the dissolve day, entry thresholds, penalties."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.simulate.context import SimContext
from engine.simulate.group_daily import group_daily
from engine.simulate.needs import group_conditions, resolved_names
from engine.simulate.periods import group_period, staff_period
from engine.simulate.retention import retention

# group_period and staff_period are written for these grains (the day is group_daily).
GRAINS = ("week", "month")


@dataclass
class GroupResult:
    daily: Any
    retention: Any
    period: Any  # group_period, all grains (column `grain`)
    staff: Any  # staff_period, all grains
    states: Any | None = None  # lifecycle state per group per day
    health: Any | None = None  # per group per evaluation period
    admissions: Any | None = None
    admission_rates: Any | None = None
    period_admitted: Any | None = None
    penalties: Any | None = None


def metrics(ctx: SimContext, events: Any | None = None, tag: str = "") -> tuple[Any, Any, Any, Any]:
    """group_daily, retention, group_period and staff_period (materialised)."""
    import ibis

    events = ctx.events if events is None else events
    config = ctx.playbook.metrics
    daily = ctx.materialise(f"group_daily{tag}", group_daily(events, ctx.groups, ctx.start, ctx.end, config))
    cohorts = ctx.materialise(f"retention{tag}", retention(events, ctx.start, ctx.end, config.retention_days,
                                                           groups=ctx.groups, last_day=ctx.end))
    periods = [group_period(events, daily, ctx.groups, ctx.start, ctx.end, grain, config, cohorts)
               .mutate(grain=ibis.literal(grain)) for grain in GRAINS]
    period = ctx.materialise(f"group_period{tag}", ibis.union(*periods))
    staff = [staff_period(period.filter(period.grain == grain), ctx.assignments, ctx.groups, ctx.start,
                          ctx.end, grain).mutate(grain=ibis.literal(grain)) for grain in GRAINS]
    return daily, cohorts, period, ctx.materialise(f"staff_period{tag}", ibis.union(*staff))


def simulate_groups(ctx: SimContext) -> GroupResult:
    """Every group-side output of the simulation."""
    daily, cohorts, period, staff = metrics(ctx)
    result = GroupResult(daily, cohorts, period, staff)
    pb = ctx.playbook
    if pb.lifecycle:
        from engine.simulate.lifecycle import group_health, group_metrics_daily, lifecycle_daily

        wanted = resolved_names(group_conditions(pb), ctx.names("group"))
        measured = ctx.materialise("group_windows", group_metrics_daily(daily, wanted, ctx.period))
        result.states = ctx.materialise("group_states", lifecycle_daily(measured, pb.lifecycle, ctx.names("group")))
        result.health = ctx.materialise("group_health", group_health(result.states, pb.lifecycle, ctx.period))
    if any(gt.entry.mode != "open" for gt in pb.group_types.values()):
        from engine.simulate.admission import admission_rates, admissions, without_refused

        result.admissions = ctx.materialise("admissions", admissions(ctx.events, ctx.groups, ctx.assignments,
                                                                      pb.group_types))
        result.admission_rates = ctx.materialise("admission_rates", admission_rates(result.admissions))
        kept = ctx.materialise("events_admitted", without_refused(ctx.events, result.admissions))
        _, _, result.period_admitted, _ = metrics(ctx, kept, "_admitted")
    if pb.rules.banned:
        from engine.simulate.penalties import penalties

        result.penalties = ctx.materialise("penalties", penalties(ctx.events, pb.rules.banned))
    return result
