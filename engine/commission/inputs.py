"""What the commission stage reads from the simulation, fetched as plain rows: each unit's
metrics per period, who held which group for how many days, and the refunds that reach back
into a closed period. Relational (Ibis) up to here; the rows are groups × periods, not events."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..compute import fetch_rows, literal_table
from ..expr import parse
from ..expr.to_ibis import rows_values
from ..expr.tree import names_in
from ..simulate.context import SimContext
from ..simulate.periods import Period, period_label, period_of, periods
from .payfactor import ZERO
from .plan import Plan
from .statements import Holding
from .units import UnitInput


@dataclass
class Inputs:
    periods: list[Period]
    units: dict[tuple[str, str], UnitInput]  # (unit, period label) → metrics
    holdings: list[Holding]
    late: dict[tuple[str, str, str], Decimal]  # (unit, order period, refund period) → amount
    group_names: dict[str, str]
    staff_names: dict[str, str]


def read_inputs(ctx: SimContext, plan: Plan, group_period: Any, sop: Any | None = None) -> Inputs:
    """`group_period`: the simulation's group_period (all grains, with custom metrics); `sop`: the
    SOP assessment (assess.stage.SopResult), when the plan reads its metrics (sop_metrics.py)."""
    window = periods(ctx.start, ctx.end, plan.grain)
    labels = [p.label for p in window]
    rows = _group_rows(ctx, plan, group_period)
    holdings = _holdings(ctx, plan.grain)
    late, addback = _late_refunds(ctx, plan, labels) if plan.commission.clawback else ({}, {})
    assessed = _assessed(ctx, plan, sop)
    if plan.unit == "group":
        units = {(r["group_id"], r["period"]): UnitInput(
                     r["group_id"], r["period"], r | {"groups": Decimal(1)} | assessed(r["group_id"], r["period"]),
                     addback=addback.get((r["group_id"], r["period"]), ZERO))
                 for r in rows}
    else:
        units, late = _staff_units(ctx, plan, rows, holdings, late, addback)
        for unit in units.values():
            unit.values.update(assessed(unit.unit, unit.period))
    return Inputs(window, units, holdings, late, {g.id: g.name for g in ctx.roster.groups},
                  {s.id: s.name for s in ctx.roster.staff})


def _group_rows(ctx: SimContext, plan: Plan, group_period: Any) -> list[dict[str, Any]]:
    from ..simulate.group_stage import GRAINS, metrics

    if plan.grain in GRAINS:
        table = group_period.filter(group_period.grain == plan.grain).drop("grain")
    else:
        _, _, table, _ = metrics(ctx, tag="_commission", staff=False, grains=(plan.grain,))
        table = table.drop("grain")
    if plan.unit == "group":  # a per-staff pool sums every count; a group reads only what the plan does
        custom = [m for m in ctx.playbook.metrics.custom if m.scope == "group"]
        # Expression metrics are recomputed when a clawback changes sales: keep what they read.
        read = {_canonical(plan, n.id) for m in custom if m.expr is not None for n in names_in(parse(m.expr))}
        wanted = {"group_id", "period", "period_start", "sales", "cost", "buyers", *(k.metric for k in plan.kpis),
                  *plan.condition_names(), *(m.id for m in custom), *read}
        table = table.select(*[c for c in table.columns if c in wanted])
    table = table.order_by(["period_start", "group_id"])
    schema = dict(table.schema().items())
    rows = fetch_rows(_con(ctx), table)
    return [values | {"group_id": row["group_id"], "period": row["period"]}
            for values, row in zip(rows_values(rows, schema), rows, strict=True)]


def _assessed(ctx: SimContext, plan: Plan, sop: Any | None) -> Any:
    """(unit, period) → the SOP assessment's metrics the plan reads (none when it reads none)."""
    from .sop_metrics import defaults, reads_sop, sop_values

    if not reads_sop(plan):
        return lambda unit, period: {}
    found = sop_values(_con(ctx), sop, plan.grain, plan.unit) if sop is not None else {}  # None: no SOP
    return lambda unit, period: found.get((unit, period)) or defaults()


def _con(ctx: SimContext) -> Any:
    return getattr(ctx, "con", None)  # None: fetch_rows finds it from the tables


def _canonical(plan: Plan, name: str) -> str:
    found = plan.names.resolve(name)
    return found.id if found is not None else name


def _holdings(ctx: SimContext, grain: str) -> list[Holding]:
    """Days each staff member held each group in each role, per period, with the group's days.

    Computed on intervals, not days: each assignment is cut to the group's life and to each
    period inside the window; the pieces' ends cut a group's role in a period into stretches
    held by the same people, and each holder of a stretch is paid its days ÷ its holders."""
    import ibis

    window = periods(ctx.start, ctx.end, grain)
    p = literal_table({"_p": [x.label for x in window], "_pf": [x.first for x in window],
                       "_pl": [x.last for x in window]}, {"_p": "string", "_pf": "date", "_pl": "date"})
    g = ctx.groups.filter(ctx.groups.created_at.notnull())
    g = g.select(_g=g.group_id, _gf=g.created_at, _gl=g.ended_at).cross_join(p)
    g = g.mutate(_f=ibis.greatest(g._gf, g._pf), _l=ibis.least(g._gl.fill_null(g._pl), g._pl))
    g = g.filter(g._f <= g._l)
    g = g.mutate(group_days=g._l.delta(g._f, unit="day") + 1)
    a = ctx.assignments
    pieces = a.join(g, a.group_id == g._g)
    pieces = pieces.select("staff_id", "role", "group_id", "group_days", period=pieces._p,
                           _af=ibis.greatest(pieces.from_date.cast("date"), pieces._f),
                           _al=ibis.least(pieces.to_date.cast("date").fill_null(pieces._l), pieces._l))
    pieces = pieces.filter(pieces._af <= pieces._al)
    pieces = pieces.mutate(_ae=(pieces._al + ibis.interval(days=1)).cast("date"))  # the day after
    by = ["group_id", "role", "period"]
    points = pieces.select(*by, _s=pieces._af).union(pieces.select(*by, _s=pieces._ae), distinct=True)
    stretch = points.mutate(_n=points._s.lead().over(ibis.window(group_by=by, order_by=points._s)))
    stretch = stretch.filter(stretch._n.notnull()).rename(_sg="group_id", _sr="role", _sp="period")
    held = pieces.join(stretch, [pieces.group_id == stretch._sg, pieces.role == stretch._sr,
                                 pieces.period == stretch._sp, pieces._af <= stretch._s, pieces._ae >= stretch._n])
    # the same person assigned twice to one role counts once on each day
    held = held.select("staff_id", *by, "group_days", "_s", days=held._n.delta(held._s, unit="day")).distinct()
    crowd = held.group_by([held.group_id.name("_cg"), held.role.name("_cr"), held.period.name("_cp"),
                           held._s.name("_cs")]).aggregate(holders=held.count())
    held = held.join(crowd, [held.group_id == crowd._cg, held.role == crowd._cr, held.period == crowd._cp,
                             held._s == crowd._cs])
    held = held.group_by(["staff_id", *by, "holders", "group_days"]).aggregate(days=held.days.sum())
    parts: dict[tuple[str, str, str, str], list[Any]] = {}
    for r in fetch_rows(_con(ctx), held.order_by(["period", "staff_id", "group_id", "role", "holders"])):
        key = (r["staff_id"], r["role"], r["group_id"], r["period"])
        entry = parts.setdefault(key, [0, ZERO, int(r["group_days"])])
        entry[0] += int(r["days"])
        entry[1] += Decimal(int(r["days"])) / Decimal(int(r["holders"]))
    return [Holding(staff, role, group, period, days_held, group_days, role_days)
            for (staff, role, group, period), (days_held, role_days, group_days) in parts.items()]


def _late_refunds(ctx: SimContext, plan: Plan, labels: list[str]) -> tuple[
        dict[tuple[str, str, str], Decimal], dict[tuple[str, str], Decimal]]:
    """Refunds made in a later period than their order (matched by order_id, the order placed at
    or before the refund), when the order's period is one of the window's periods. Returns the
    clawbacks by the order's group and the add-backs by the refund's group and period (a refund
    already counted against the period it happened in is taken out of it: it is clawed back
    from its order's period instead). Refunds without a matching order, or of orders before the
    window, stay in the period they happened (the simulator's convention)."""
    e = ctx.events.filter((ctx.events.date >= ctx.start) & (ctx.events.date <= ctx.end))
    refunds = e.filter((e.type == "refund") & e.order_id.notnull())
    orders = ctx.events.filter((ctx.events.type == "order") & ctx.events.order_id.notnull())
    orders = orders.select(_oid=orders.order_id, _ogroup=orders.group_id, _ots=orders.ts, _odate=orders.date)
    matched = refunds.join(orders, [refunds.order_id == orders._oid, orders._ots <= refunds.ts])
    first = matched.group_by(["row"]).aggregate(_odate=matched._odate.min(), _ogroup=matched._ogroup.min(),
                                                group_id=matched.group_id.min(), date=matched.date.min(),
                                                amount=matched.amount.min())
    grain = plan.grain
    first = first.mutate(order_period=period_label(period_of(first._odate, grain), grain),
                         refund_period=period_label(period_of(first.date, grain), grain))
    first = first.filter(first.order_period != first.refund_period)
    rows = first.group_by(["_ogroup", "group_id", "order_period", "refund_period"]).aggregate(
        amount=first.amount.sum()).order_by(["order_period", "refund_period", "_ogroup", "group_id"])
    late: dict[tuple[str, str, str], Decimal] = defaultdict(lambda: ZERO)
    addback: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for r in fetch_rows(_con(ctx), rows):
        if r["order_period"] not in labels or r["order_period"] > r["refund_period"]:
            continue
        amount = Decimal(r["amount"])
        late[r["_ogroup"], r["order_period"], r["refund_period"]] += amount
        addback[r["group_id"], r["refund_period"]] += amount
    return dict(late), dict(addback)


def _staff_units(ctx: SimContext, plan: Plan, rows: list[dict[str, Any]], holdings: list[Holding],
                 late: dict[tuple[str, str, str], Decimal], addback: dict[tuple[str, str], Decimal]) -> tuple[
        dict[tuple[str, str], UnitInput], dict[tuple[str, str, str], Decimal]]:
    """Per-staff pools: the staff member's metrics over the groups they held (each group's
    counts and amounts × days held ÷ the group's days; rates from those sums), the part of the
    period they held any group, and their share of their groups' late refunds."""
    from .staff_metrics import staff_values

    by_group = {(r["group_id"], r["period"]): r for r in rows}
    share: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(dict)
    for h in holdings:
        part = Decimal(h.assigned_days) / Decimal(h.group_days)
        share[h.staff_id, h.period][h.group_id] = max(share[h.staff_id, h.period].get(h.group_id, ZERO), part)
    days = _active_days(ctx, plan.grain)
    lengths = {p.label: Decimal((p.last - p.first).days + 1) for p in periods(ctx.start, ctx.end, plan.grain)}
    units: dict[tuple[str, str], UnitInput] = {}
    for (staff, period), groups in sorted(share.items()):
        held = [(by_group[g, period], s) for g, s in sorted(groups.items()) if (g, period) in by_group]
        values = staff_values(ctx.playbook, plan, held)
        back = sum((s * addback.get((g, period), ZERO) for g, s in groups.items()), ZERO)
        units[staff, period] = UnitInput(staff, period, values, days.get((staff, period), 0) / lengths[period], back)
    staff_late: dict[tuple[str, str, str], Decimal] = defaultdict(lambda: ZERO)
    for (group, origin, refund_period), amount in late.items():
        for (staff, period), groups in share.items():
            if period == origin and group in groups:
                staff_late[staff, origin, refund_period] += groups[group] * amount
    return units, dict(staff_late)


def _active_days(ctx: SimContext, grain: str) -> dict[tuple[str, str], int]:
    import ibis

    from ..simulate.frames import days_table

    a = ctx.assignments
    cal = days_table(ctx.start, ctx.end)
    held = cal.join(a, [cal.date >= a.from_date.cast("date"),
                        cal.date <= a.to_date.cast("date").fill_null(ibis.literal(ctx.end, type="date"))])
    held = held.select("staff_id", "date").distinct()
    held = held.mutate(period=period_label(period_of(held.date, grain), grain))
    counted = held.group_by(["staff_id", "period"]).aggregate(days=held.count())
    return {(r["staff_id"], r["period"]): int(r["days"]) for r in fetch_rows(_con(ctx), counted)}


def window_days(p: Period) -> int:
    """Days of the period inside the window."""
    return (p.last - p.first).days + 1


def full_days(p: Period) -> int:
    """Days of the whole calendar period (a period the window cuts is partial)."""
    if "-W" in p.label:
        return 7
    months = 3 if "Q" in p.label else 1
    month = p.start.month - 1 + months
    following = dt.date(p.start.year + month // 12, month % 12 + 1, 1)
    return (following - p.start).days
