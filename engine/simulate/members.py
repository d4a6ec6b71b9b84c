"""The member side of a simulation: per evaluation period, every member's features and
points → levels → segments and churn warnings. A loop over the few periods; each step is
one query over all members.

Conventions: a member exists from their first member event; features are as of the end of
the period's last day inside the window; points count from the first event in the data, so
balances carry into the window.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..catalog import Resolved
from ..event_order import latest
from ..model.membership import Points
from .classify import first_match
from .context import SimContext
from .features import features_from_days, from_days, member_events, member_features
from .levels import Period as LevelPeriod
from .levels import evaluate_levels
from .member_days import member_day_parts
from .needs import member_conditions, resolved_names
from .periods import Period
from .points import order_events, points_ledger

POINTS_WINDOW = re.compile(r"^points_(\d+)d$")


@dataclass
class MemberResult:
    # period label → member_id + feature columns; only when asked for (simulate_members' `features`)
    features: dict[str, Any] = field(default_factory=dict)
    ledger: Any | None = None
    levels: Any | None = None
    segments: Any | None = None
    churn: Any | None = None
    # as_of, member_id, group_id at every period end, for the members warned or moved a level
    # (when an SOP item answers a promotion or demotion); not kept across runs
    homes: Any | None = None


def wanted_features(ctx: SimContext) -> list[Resolved]:
    """The member features the playbook's conditions read."""
    return resolved_names(member_conditions(ctx.playbook), ctx.names("member"))


def features_at(ctx: SimContext, period: Period, wanted: list[Resolved], ledger: Any | None,
                events: Any | None = None, core: Any | None = None) -> Any:
    """member_id and every wanted feature (plus points, when the playbook has points) as of the
    period's last day; members with no points have 0. `core`: features.member_features'
    columns as of that day, when computed already (features_from_days)."""
    import ibis

    from .points import member_points

    events = ctx.events if events is None else events
    custom = [m for m in ctx.playbook.metrics.custom if m.scope == "member"]
    aggregates = [m for m in custom if m.expr is None]
    expressions = [m for m in custom if m.expr is not None]
    # The custom aggregates come from the features' own pass over the events.
    table = core if core is not None else member_features(ctx.filterable(events, [m.where for m in aggregates]),
                                                          wanted, period.last, aggregates)
    table = table.mutate(**{m.id: table[m.id].fill_null(0) for m in aggregates})
    if ledger is not None:
        points = member_points(ledger, period.last, points_windows(wanted)).rename(_member="member_id")
        table = table.left_join(points, table.member_id == points._member).drop("_member")
        table = table.mutate(**{name: table[name].fill_null(0) for name in points.columns if name != "_member"})
        # The columns in their usual order: features, points, custom aggregates.
        table = table.relocate(*[m.id for m in aggregates], after=table.columns[-1]) if aggregates else table
    else:
        # Without points rules nobody earns any: the points names read 0, as for a member without
        # ledger entries.
        zeros = {f.id: ibis.literal(0, "int64") for f in wanted if f.metric.id in ("points", "points_balance")}
        table = table.mutate(**zeros) if zeros else table
    from .custom_metrics import expr_columns

    if any(f.id == "group_type" for f in wanted):
        table = _with_group_type(ctx, table, events, period)
    if expressions:
        table = table.mutate(**expr_columns(table, expressions, ctx.names("member")))
    return table.mutate(period=ibis.literal(period.label))


def points_windows(wanted: list[Resolved]) -> list[int]:
    """The N of the points_<N>d features wanted."""
    return sorted({int(m.group(1)) for f in wanted if (m := POINTS_WINDOW.match(f.id))})


def _with_group_type(ctx: SimContext, table: Any, events: Any, period: Period) -> Any:
    # A member's group type is the type of the group of their latest event.
    t = member_events(events)
    t = t.filter(t.date <= period.last)
    # Ties on ts (two groups' events in the same second) go to the later row of the file.
    last = t.group_by(t.member_id.name("_member")).aggregate(_group=latest(t.group_id, t.ts, t.row))
    g = ctx.groups.select(_gid="group_id", group_type="group_type")
    last = last.left_join(g, last._group == g._gid).select("_member", "group_type")
    return table.left_join(last, table.member_id == last._member).drop("_member")


def simulate_members(ctx: SimContext, events: Any | None = None, tag: str = "",
                     features: bool = False) -> MemberResult:
    """Points ledger, levels, segments and churn warnings for every period; with `features`, each
    period's member features too (`explain --member` shows them; no output holds them)."""
    from ..compute import scratch

    # the member days, the orders, each period's level states, the warned members: read here
    # only; the features (1.1M rows of 15 columns at 10M events) too unless asked for
    with scratch(ctx.con) as working:
        result = _simulated(ctx, events, tag)
        working.keep(*(result.features.values() if features else ()), result.ledger, result.levels, result.segments,
                     result.churn, result.homes)
    if not features:
        result.features = {}
    return result


def _simulated(ctx: SimContext, events: Any | None, tag: str) -> MemberResult:
    import ibis

    pb = ctx.playbook
    events = ctx.events if events is None else events
    result = MemberResult()
    points = pb.membership.points if pb.membership is not None else None
    earns = points if points is not None and points.earn else None
    wanted = wanted_features(ctx)
    days = orders = None
    if from_days(wanted):
        days, orders = _member_days(ctx, events, wanted, earns, tag)
    if earns is not None:
        ledger = points_ledger(ctx.filterable(events, [r.where for r in earns.earn]), earns,
                               ctx.history_start, ctx.end, daily=days, orders=orders)
        result.ledger = ctx.materialise(f"ledger{tag}", ledger)
    custom = [m for m in pb.metrics.custom if m.scope == "member" and m.expr is None]
    for number, period in enumerate(ctx.periods):
        # From the member days (stored once) rather than a pass over the events per period.
        core = None if days is None else features_from_days(days, wanted, period.last, custom)
        table = features_at(ctx, period, wanted, result.ledger, events, core)
        result.features[period.label] = ctx.materialise(f"features{tag}_{number}", table)

    levels = pb.membership.levels if pb.membership is not None else []
    if levels:
        level_periods = [LevelPeriod(p.label, p.last) for p in ctx.periods]
        result.levels = ctx.materialise(f"levels{tag}", evaluate_levels(
            ctx.con, levels, level_periods, lambda p: result.features[p.label],
            ctx.names("member"), pb.membership.demotion if pb.membership is not None else "one_step"))

    segments: list[Any] = []
    warnings: list[Any] = []
    segment_names = {s.id: s.name for s in pb.segments}
    leveled = {p.label: _with_level(result.features[p.label], result.levels, p.label) for p in ctx.periods}
    moved = _moved(pb, result.levels)
    homes = _homes(ctx, events, list(leveled.values()) if pb.churn else [], moved, tag) \
        if pb.churn or moved is not None else None
    result.homes = homes
    for period in ctx.periods:
        t = leveled[period.label]
        if pb.segments:
            segment = first_match(t, [(s.id, s.when) for s in pb.segments], ctx.names("member"))
            picked = t.select(period=ibis.literal(period.label), member_id=t.member_id, segment=segment)
            label = ibis.cases(*[(picked.segment == k, ibis.literal(v)) for k, v in segment_names.items()],
                               else_=ibis.null("string"))
            segments.append(picked.mutate(segment_name=label))
        if homes is not None and pb.churn:
            warnings.append(_churn(ctx, t, period, homes.filter(homes.as_of == period.last).drop("as_of")))
    if segments:
        result.segments = ctx.materialise(f"segments{tag}", ibis.union(*segments))
    if warnings:
        result.churn = ctx.materialise(f"churn{tag}", ibis.union(*warnings))
    return result


def _member_days(ctx: SimContext, events: Any, wanted: list[Resolved], points: Points | None,
                 tag: str) -> tuple[Any, Any | None]:
    """The member days (member_days.member_day_parts), stored; and, when there are earn rules,
    the order and refund rows they and refunds read (points.order_events)."""
    custom = [m for m in ctx.playbook.metrics.custom if m.scope == "member" and m.expr is None]
    filters = [m.where for m in custom] + ([r.where for r in points.earn] if points is not None else [])
    t = member_events(ctx.filterable(events, filters))
    t = t.filter(t.date <= ctx.end)
    days = ctx.materialise_union(f"member_days{tag}", member_day_parts(t, wanted, custom, points))
    orders = ctx.materialise(f"ledger_orders{tag}", order_events(t, points)) if points is not None else None
    return days, orders


def _moved(pb: Any, levels: Any | None) -> Any | None:
    """member_id of the members promoted or demoted in some period, when an SOP item answers
    that (assess/simulated.py reads their groups); else None."""
    answers = {item.on for item in pb.sop} & {"level_up", "level_down"}
    if levels is None or not answers:
        return None
    moved = levels.filter(levels.change.isin(["promote", "demote"]))
    return moved.select(member_id=moved.member_id.cast("string"))


def _homes(ctx: SimContext, events: Any, features: list[Any], moved: Any | None, tag: str) -> Any:
    """churn.member_groups_on at every period end, for the members a churn warning fires for in
    some period (a fifth of them at 10M events) and those `moved` a level: the groups of the others
    are never read."""
    import ibis

    from .churn import member_groups_on, warned_members

    fired = [warned_members(t, ctx.playbook.churn, ctx.names("member")) for t in features]
    if moved is not None:
        fired.append(moved)
    warned = ctx.materialise(f"warned{tag}", ibis.union(*fired, distinct=True))
    mine = events.semi_join(warned, events.member_id == warned.member_id)
    return ctx.materialise(f"homes{tag}", member_groups_on(mine, [p.last for p in ctx.periods]))


def _with_level(features: Any, levels: Any | None, label: str) -> Any:
    import ibis

    if levels is None:
        return features.mutate(level=ibis.null("string"), level_rank=ibis.literal(0))
    mine = levels.filter(levels.period == label).select(_member="member_id", level="level", level_rank="rank")
    t = features.left_join(mine, features.member_id == mine._member).drop("_member")
    return t.mutate(level_rank=t.level_rank.fill_null(0))


def _churn(ctx: SimContext, table: Any, period: Period, homes: Any) -> Any:
    from .churn import churn_warnings, owners_on

    owners = owners_on(ctx.assignments, period.last)
    return churn_warnings(table, ctx.playbook.churn, ctx.names("member"), homes, owners, period.label, period.last)
