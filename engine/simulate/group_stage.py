"""The group side of a simulation: daily and period metrics per group and staff member,
retention cohorts, lifecycle states with the dissolve day, entry thresholds, penalties."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from .context import SimContext
from .group_daily import group_daily
from .needs import custom_read, resolved_names
from .periods import group_period, staff_period
from .retention import retention

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
    refusal_reasons: Any | None = None
    period_admitted: Any | None = None
    penalties: Any | None = None


@dataclass
class Shared:
    """What every grain of group_period (and the lifecycle windows) reads of one events table:
    computed once and materialised, not once per grain."""

    messages: Any  # periods.message_days
    custom: Any | None  # custom_metrics.group_custom_partials; None without custom group aggregates


def shared_tables(ctx: SimContext, events: Any, tag: str = "", built: dict[str, Any] | None = None) -> Shared:
    from .custom_metrics import group_custom_partials
    from .periods import message_days

    config = ctx.playbook.metrics
    built = {} if built is None else built
    expr = message_days(events, ctx.end, config.valid_message_min_chars)
    messages = ctx.materialise(f"message_days{tag}", expr)
    built["message_days"] = (expr, messages)
    aggregates, _ = _custom(ctx)
    if not aggregates:
        return Shared(messages, None)
    expr = group_custom_partials(ctx.filterable(events, [m.where for m in aggregates]), aggregates)
    built["custom_daily"] = (expr, ctx.materialise(f"custom_daily{tag}", expr))
    return Shared(messages, built["custom_daily"][1])


def metrics(ctx: SimContext, events: Any | None = None, tag: str = "", staff: bool = True,
            grains: tuple[str, ...] = GRAINS, shared: Shared | None = None,
            built: dict[str, Any] | None = None) -> tuple[Any, Any, Any, Any]:
    """group_daily, retention, group_period and staff_period (materialised; staff_period None
    when `staff` is false). `shared`: shared_tables(ctx, events), when computed already.
    `built`: given, it gets each expression stored and its table, by name (`group_period month`:
    a grain's part, stored with the other grains')."""
    import ibis

    events = ctx.events if events is None else events
    config = ctx.playbook.metrics
    built = {} if built is None else built
    shared = shared_tables(ctx, events, tag, built) if shared is None else shared
    expr = group_daily(events, ctx.groups, ctx.start, ctx.end, config)
    daily = ctx.materialise(f"group_daily{tag}", expr)
    built["group_daily"] = (expr, daily)
    expr = retention(events, ctx.start, ctx.end, config.retention_days, groups=ctx.groups, last_day=ctx.end)
    cohorts = ctx.materialise(f"retention{tag}", expr)
    built["retention"] = (expr, cohorts)
    periods = [_with_custom_period(ctx, events, group_period(events, daily, ctx.groups, ctx.start, ctx.end, grain,
                                                             config, cohorts, shared.messages), grain, shared, daily)
               .mutate(grain=ibis.literal(grain)) for grain in grains]
    built.update({f"group_period {grain}": (part, None) for grain, part in zip(grains, periods, strict=True)})
    # A grain at a time: the month's SQL serves the groups with refused joins too (_admitted_period).
    period = ctx.materialise_union(f"group_period{tag}", periods)
    if not staff:
        return daily, cohorts, period, None
    by_staff = [staff_period(period.filter(period.grain == grain), ctx.assignments, ctx.groups, ctx.start,
                             ctx.end, grain).mutate(grain=ibis.literal(grain)) for grain in GRAINS]
    return daily, cohorts, period, ctx.materialise_union(f"staff_period{tag}", by_staff)


def _custom(ctx: SimContext) -> tuple[list[Any], list[Any]]:
    metrics = [m for m in ctx.playbook.metrics.custom if m.scope == "group"]
    return [m for m in metrics if m.expr is None], [m for m in metrics if m.expr is not None]


def _with_custom(ctx: SimContext, table: Any, key: str, values: Callable[[list[Any]], Any],
                 expressions: list[Any]) -> Any:
    """`table` (group_id, `key`, …) with the playbook's custom group metrics as extra columns:
    `values(aggregates)` gives the event aggregates by group_id and `key`; `expressions` (the
    expression metrics wanted, in declaration order) are computed over the result."""
    aggregates, _ = _custom(ctx)
    from .custom_metrics import expr_columns

    if aggregates:
        extra = values(aggregates).rename(_group="group_id", _key=key)
        table = table.left_join(extra, [table.group_id == extra._group, table[key] == extra._key])
        table = table.drop("_group", "_key")
    if expressions:
        table = table.mutate(**expr_columns(table, expressions, ctx.names("group")))
    return table


def _with_custom_period(ctx: SimContext, events: Any, table: Any, grain: str, shared: Shared, daily: Any) -> Any:
    """group_period with the custom group metrics (`shared`: shared_tables of `events`; `daily`:
    their group_daily)."""
    from .custom_metrics import group_custom_period

    _, expressions = _custom(ctx)
    table = _with_windows(ctx, table, daily, grain, shared, expressions)
    return _with_custom(ctx, table, "period_start", lambda aggregates: group_custom_period(
        events, aggregates, grain, ctx.start, ctx.end, ctx.groups, shared.custom), expressions)


def _with_windows(ctx: SimContext, table: Any, daily: Any, grain: str, shared: Shared, expressions: list[Any]) -> Any:
    """group_period with the rolling windows the custom group expressions read (`new_members_30d`,
    `messages_total`), each as of the period's last day: the numbers a lifecycle condition reads
    on that day, as a custom aggregate's `window:` is in a period. The period's own metrics (bare
    names) are group_period's columns already."""
    from .lifecycle import group_metrics_daily

    windows = [r for r in resolved_names([m.expr for m in expressions], ctx.names("group"))
               if (r.days is not None or r.total) and r.id not in table.columns]
    if not windows:
        return table
    measured = group_metrics_daily(daily, windows, grain, groups=ctx.groups, messages=shared.messages)
    measured = measured.rename(_wgroup="group_id", _wdate="date")
    table = table.left_join(measured, [table.group_id == measured._wgroup, table.last_day == measured._wdate])
    return table.drop("_wgroup", "_wdate")


def _with_custom_daily(ctx: SimContext, measured: Any, partials: Any | None, expressions: list[Any]) -> Any:
    """The daily group windows with the custom group metrics lifecycle conditions read
    (`expressions`: the expression metrics among them)."""
    from .custom_metrics import group_custom_daily

    return _with_custom(ctx, measured, "date", lambda aggregates: group_custom_daily(
        ctx.events, aggregates, measured.select("group_id", "date"), partials), expressions)


def _admitted_period(ctx: SimContext, period: Any, admissions: Any, dropped: Any, built: dict[str, Any]) -> Any:
    """group_period (monthly) without the refused joins (admission.without_refused). Only the
    groups with a refused join lose events: their metrics are computed again over their own
    events (a few groups, not all); every other group's rows are group_period's as they are.

    Computed again by the queries that computed them (`built`: metrics' expressions and their
    tables), each reading the tables of those groups instead: what `metrics(their context, their
    events, "_admitted", staff=False, grains=("month",))` computes, without building and
    compiling its expressions again (sql_cache.rebound)."""
    from ..compute.sql_cache import can_rebind
    from .admission import without_refused

    refused = admissions.filter(~admissions.admitted)
    touched = ctx.materialise("touched_groups", refused.select(_touched=refused.group_id).distinct())
    groups = ctx.groups.semi_join(touched, ctx.groups.group_id == touched._touched)
    events = ctx.events.semi_join(touched, ctx.events.group_id == touched._touched)
    # Materialised: as a view, DuckDB re-ran the anti join in every part of group_period.
    kept = ctx.materialise("events_admitted", without_refused(events, admissions, dropped))
    touched_only = replace(ctx, groups=ctx.materialise("groups_admitted", groups))
    instead = {ctx.events: kept, ctx.groups: touched_only.groups}
    if can_rebind(instead):
        for name in ("message_days", "custom_daily", "group_daily", "retention", "group_period month"):
            if name in built:
                expr, table = built[name]
                again = ctx.materialise_rebound(f"{name.split()[0]}_admitted", expr, instead)
                if table is not None:  # read by the queries after it
                    instead[table] = again
    else:  # the events a view (a Parquet file's typed columns, projected): built again on the others
        _, _, again, _ = metrics(touched_only, kept, "_admitted", staff=False, grains=("month",))
    month = period.filter(period.grain == "month")
    untouched = month.anti_join(touched, month.group_id == touched._touched)
    return ctx.materialise("period_admitted", untouched.union(again))


def simulate_groups(ctx: SimContext, lap: Callable[[str], None] = lambda stage: None) -> GroupResult:
    """Every group-side output of the simulation; `lap("metrics")` marks the end of the metrics
    proper (group_daily, retention, group_period, staff_period), the stage the bench compares."""
    from dataclasses import fields

    from ..compute import scratch

    # the message days, the custom partials, the joins and moves, the admitted members' events (a
    # third of the events at 10M: their copy was held to the end of the run): read here only
    with scratch(ctx.con) as working:
        result = _simulated(ctx, lap)
        working.keep(*(getattr(result, f.name) for f in fields(result)))
    return result


def _simulated(ctx: SimContext, lap: Callable[[str], None]) -> GroupResult:
    built: dict[str, Any] = {}  # for _admitted_period
    shared = shared_tables(ctx, ctx.events, built=built)
    daily, cohorts, period, staff = metrics(ctx, shared=shared, built=built)
    lap("metrics")
    result = GroupResult(daily, cohorts, period, staff)
    pb = ctx.playbook
    if pb.lifecycle:
        from .lifecycle import group_health, group_metrics_daily, lifecycle_daily

        # Only the custom metrics the states read are computed per day: another may read a
        # metric measured per period only (validation keeps those out of the states, Q207).
        states = [state.when for state in pb.lifecycle]
        expressions = custom_read(pb, "group", states, ctx.names("group"))
        wanted = resolved_names([*states, *(m.expr for m in expressions)], ctx.names("group"))
        measured = group_metrics_daily(daily, wanted, ctx.period, groups=ctx.groups, messages=shared.messages)
        measured = ctx.materialise("group_windows", _with_custom_daily(ctx, measured, shared.custom, expressions))
        result.states = ctx.materialise("group_states", lifecycle_daily(measured, pb.lifecycle, ctx.names("group")))
        result.health = ctx.materialise("group_health", group_health(result.states, pb.lifecycle, ctx.period))
    if any(gt.entry.mode != "open" for gt in pb.group_types.values()):
        from ..compute import fetch_value
        from .admission import (
            admission_rates,
            admissions,
            join_rows,
            moves,
            refusal_reasons,
            refused_rows,
        )

        # The joins and the moves (joins and leaves) stored once: admissions reads the joins
        # three times and the moves once, refused_rows the moves again; each was a scan of the events.
        joins = ctx.materialise("admission_joins", join_rows(ctx.events, ctx.groups, pb.group_types))
        moved = ctx.materialise("member_moves", moves(ctx.events))
        result.admissions = ctx.materialise("admissions", admissions(ctx.events, ctx.groups, ctx.assignments,
                                                                      pb.group_types, joins=joins, moved=moved))
        result.admission_rates = ctx.materialise("admission_rates", admission_rates(result.admissions))
        result.refusal_reasons = ctx.materialise("refusal_reasons", refusal_reasons(result.admissions))
        refused = int(fetch_value(ctx.con, result.admissions.filter(~result.admissions.admitted).count()))
        if refused:
            dropped = ctx.materialise("refused_rows", refused_rows(ctx.events, result.admissions, moved))
            result.period_admitted = _admitted_period(ctx, period, result.admissions, dropped, built)
        else:
            result.period_admitted = period.filter(period.grain == "month")
    if pb.rules.banned:
        from .penalties import penalties

        result.penalties = ctx.materialise("penalties", penalties(ctx.events, pb.rules.banned))
    return result
