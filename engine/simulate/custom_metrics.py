"""The playbook's custom metrics: event aggregates per member or per group, and expressions
over other names of the same scope.

Semantics (the handbook prints them):

- An aggregate takes the events of its `event` type that pass `where` (an event condition).
  count: how many events; sum: the total of `field` (amount stays a decimal); avg: its mean
  over the events that have it, a DECIMAL(38, 12) as conditions compute `sum / count` (0 when
  there are none); distinct_days: days with at least one such event; days_since_last: days
  since the last one, over all history (the window does not apply).
- A window of N days (a duration in whole days, rounded up: `36h` is 2) is the N days up to
  and including the evaluation day, as member features count them (an event exactly N days
  before is out). Without a window: a member metric is all time; a group metric is the day
  itself (group_custom_daily) or the period (group_custom_period, inside [start, end]).
- Member metrics read `member_events` (staff posts left out), members being anyone with a member
  event on or before the day; days_since_last for a member who never did it counts from their
  join (or first event). Group metrics read every event of the group, staff posts included (as
  group_daily's `messages` does); days_since_last for a group that never had one counts from
  created_at when the rows carry it, else is NULL.
- An `expr` metric is computed in declaration order and may use any earlier custom metric.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ..catalog import Names
from ..expr.parse import parse
from ..expr.to_ibis import compile_expr
from ..expr.tree import Binary, Call, Compare, Expr, Logic, Name, Unary
from ..model.metrics import CustomMetric
from .features import member_events
from .frames import days_table, group_days
from .periods import period_of

FIELDS = ("amount", "score", "count", "length")


def window_days(metric: CustomMetric) -> int | None:
    """The metric's window in whole days, rounded up; None without one."""
    if metric.window is None:
        return None
    return max(1, math.ceil(metric.window.minutes / 1440))


def event_aggregates(metrics: Sequence[CustomMetric], scope: str) -> list[CustomMetric]:
    """The custom metrics of `scope` that aggregate events (not expressions of other metrics)."""
    return [m for m in metrics if m.scope == scope and m.expr is None and m.event is not None and m.agg is not None]



def day_partial(t: Any, metric: CustomMetric) -> dict[str, Any]:
    """One event aggregate's partial values over rows `t` grouped by day: "value" (the count, the
    sum, or whether it had any such event) and, for an average, "count" (how many)."""
    match = _match(t, metric)
    if metric.agg == "count":
        return {"value": match.sum()}
    if metric.agg == "sum":
        return {"value": _field(t, metric).sum(where=match)}
    if metric.agg == "avg":
        return {"value": _field(t, metric).sum(where=match), "count": _field(t, metric).count(where=match)}
    if metric.agg in ("distinct_days", "days_since_last"):
        return {"value": match.any()}
    raise ValueError(f"custom metric '{metric.id}': unknown agg {metric.agg!r}")


def _match(t: Any, metric: CustomMetric) -> Any:
    """The events the metric counts (before any window)."""
    match = t.type == metric.event
    if metric.where is not None:
        match = match & compile_expr(parse(metric.where), t, Names("event")).fill_null(False)
    return match


def _field(t: Any, metric: CustomMetric) -> Any:
    if metric.field not in FIELDS:
        raise ValueError(f"custom metric '{metric.id}': field must be one of {', '.join(FIELDS)}, not {metric.field!r}")
    return t[metric.field]


def _mean(t: Any, total: str, count: str) -> Any:
    """total ÷ count as conditions compute it (DECIMAL(38, 12), rounded; 0 over none)."""
    return compile_expr(Binary("/", Name(total, 0), Name(count, 0), 0), t)


# --- member ---------------------------------------------------------------------------------------

def member_custom(events: Any, metrics: Sequence[CustomMetric], as_of: dt.date) -> Any:
    """member_id and one column per member-scope event aggregate of `metrics` (by id), as of
    the end of `as_of`; other metrics are left out."""
    t = member_events(events)
    t = t.filter(t.date <= as_of)
    table = t.group_by("member_id").aggregate(**member_custom_columns(t, metrics, as_of))
    table = table.mutate(**member_custom_values(table, metrics, as_of))
    return table.select("member_id", *[m.id for m in event_aggregates(metrics, "member")])


def member_custom_columns(t: Any, metrics: Sequence[CustomMetric], as_of: dt.date) -> dict[str, Any]:
    """The aggregates behind member_custom over `t` (member events on or before `as_of`), to be
    grouped by member_id, alone or with other features in the same pass over the events (then
    finished by member_custom_values). `_joined` is features.member_features' own."""
    columns: dict[str, Any] = {"_joined": t.date.min(where=t.type == "join").fill_null(t.date.min())}
    for metric in event_aggregates(metrics, "member"):
        match = _match(t, metric)
        days = window_days(metric)
        if days is not None and metric.agg != "days_since_last":
            match = match & (t.date > as_of - dt.timedelta(days=days))
        key = metric.id
        if metric.agg == "count":
            columns[key] = match.sum().fill_null(0)
        elif metric.agg == "sum":
            columns[key] = _field(t, metric).sum(where=match).fill_null(0)
        elif metric.agg == "avg":
            columns[f"_sum_{key}"] = _field(t, metric).sum(where=match)
            columns[f"_n_{key}"] = _field(t, metric).count(where=match)
        elif metric.agg == "distinct_days":
            columns[key] = t.date.nunique(where=match)
        elif metric.agg == "days_since_last":
            columns[f"_clast_{key}"] = t.date.max(where=match)
        else:
            raise ValueError(f"custom metric '{metric.id}': unknown agg {metric.agg!r}")
    return columns


def member_custom_values(table: Any, metrics: Sequence[CustomMetric], as_of: dt.date) -> dict[str, Any]:
    """The metrics member_custom_columns leaves unfinished (avg, days_since_last), over the
    grouped `table`."""
    import ibis

    day = ibis.literal(as_of)
    values: dict[str, Any] = {}
    for metric in event_aggregates(metrics, "member"):
        if metric.agg == "avg":
            values[metric.id] = _mean(table, f"_sum_{metric.id}", f"_n_{metric.id}")
        elif metric.agg == "days_since_last":
            values[metric.id] = day.delta(table[f"_clast_{metric.id}"].fill_null(table._joined), unit="day")
    return values


# --- group ----------------------------------------------------------------------------------------

def group_custom_partials(events: Any, metrics: Sequence[CustomMetric]) -> Any:
    """_group, _date and each group-scope event aggregate's partial values per group and day
    with events of a type they count: what the daily and period values window. Materialise it when several
    grains read it (the events are then aggregated once, not once per grain)."""
    aggregates = event_aggregates(metrics, "group")
    # Only the types counted: a day without any gives no row, which the windows read as 0.
    e = events.filter(events.group_id.notnull() & events.type.isin(sorted({str(m.event) for m in aggregates})))
    partial: dict[str, Any] = {}
    for i, metric in enumerate(aggregates):
        values = day_partial(e, metric)
        days = metric.agg in ("distinct_days", "days_since_last")  # windowed as a count of days
        partial[f"_v{i}"] = values["value"].cast("int64") if days else values["value"]
        if "count" in values:
            partial[f"_n{i}"] = values["count"]
    return e.group_by([e.group_id.name("_group"), e.date.name("_date")]).aggregate(**partial)


def _from(daily: Any, metrics: Sequence[CustomMetric], since: dt.date) -> Any:
    """The partials with the days before `since` emptied for the metrics without a window: in a
    period they count inside [start, end] only (as if their events before were filtered out:
    a count or a flag is 0, a sum NULL)."""
    import ibis

    before = daily._date < since
    masked: dict[str, Any] = {}
    for i, metric in enumerate(event_aggregates(metrics, "group")):
        if window_days(metric) is not None:
            continue
        empty = ibis.null(daily[f"_v{i}"].type()) if metric.agg in ("sum", "avg") else ibis.literal(0, "int64")
        masked[f"_v{i}"] = ibis.ifelse(before, empty, daily[f"_v{i}"])
        if metric.agg == "avg":
            masked[f"_n{i}"] = ibis.ifelse(before, ibis.literal(0, "int64"), daily[f"_n{i}"])
    return daily.mutate(**masked) if masked else daily


def _group_values(events: Any, metrics: Sequence[CustomMetric], rows: Any, period: str | None,
                  since: dt.date | None, partials: Any | None = None) -> Any:
    """group_id, date and the group aggregates on every row of `rows` (group_id, date …).

    Events are first summed per group and day (`partials`: group_custom_partials, when
    computed already), then outer-joined with `rows` (days without events and event days
    outside `rows` both take part) and windowed by day number, so windows reach before the
    first row and over days without a row."""
    import ibis

    aggregates = event_aggregates(metrics, "group")
    daily = group_custom_partials(events, metrics) if partials is None else partials
    if period is not None and since is not None:
        daily = _from(daily, metrics, since)
    keep = ["group_id", "date", *(["created_at"] if "created_at" in rows.columns else [])]
    r = rows.select(*keep).mutate(_row=ibis.literal(True))
    t = r.outer_join(daily, [r.group_id == daily._group, r.date == daily._date])
    t = t.mutate(group_id=t.group_id.fill_null(t._group), date=t.date.fill_null(t._date),
                 _row=t._row.fill_null(False))
    if "created_at" in keep:
        first = ibis.window(group_by="group_id")
        t = t.mutate(created_at=t.created_at.max().over(first))
    t = t.mutate(_day=t.date.delta(ibis.literal(dt.date(2000, 1, 1)), unit="day"),
                 **({"_period": period_of(t.date, period)} if period is not None else {}))

    everything = ibis.window(group_by="group_id", order_by="_day", range=(None, 0))
    columns: dict[str, Any] = {}
    for i, metric in enumerate(aggregates):
        days = window_days(metric)
        if metric.agg == "days_since_last":
            last = t.date.max(where=t[f"_v{i}"] > 0).over(everything)
            start = t.created_at if "created_at" in keep else ibis.null("date")
            columns[metric.id] = t.date.delta(last.fill_null(start), unit="day")
            continue
        if days is not None:
            w = ibis.window(group_by="group_id", order_by="_day", range=(-(days - 1), 0))
        elif period is not None:
            w = ibis.window(group_by=["group_id", "_period"], order_by="_day", range=(None, 0))
        else:
            w = None

        def total(name: str, w: Any = w) -> Any:
            return (t[name] if w is None else t[name].sum().over(w)).fill_null(0)

        if metric.agg == "avg":
            columns[f"_sum_{metric.id}"] = total(f"_v{i}")
            columns[f"_n_{metric.id}"] = total(f"_n{i}")
        else:
            columns[metric.id] = total(f"_v{i}")
    t = t.mutate(**columns)
    means = {m.id: _mean(t, f"_sum_{m.id}", f"_n_{m.id}") for m in aggregates if m.agg == "avg"}
    t = t.mutate(**means) if means else t
    t = t.filter(t._row)
    return t.select("group_id", "date", *[m.id for m in aggregates])


def group_custom_daily(events: Any, metrics: Sequence[CustomMetric], groups_days: Any,
                       partials: Any | None = None) -> Any:
    """group_id, date and one column per group-scope event aggregate, on every (group_id, date)
    of `groups_days` (frames.group_days or group_daily): a windowed metric over the N days up to
    the day, any other over the day itself. `partials`: group_custom_partials(events, metrics)."""
    return _group_values(events, metrics, groups_days, None, None, partials)


def group_custom_period(events: Any, metrics: Sequence[CustomMetric], period: str, start: dt.date, end: dt.date,
                        groups: Any | None = None, partials: Any | None = None) -> Any:
    """group_id, period_start and one column per group-scope event aggregate, for each group and
    period meeting [start, end]: a windowed metric over the N days up to the period's last day
    inside the window, any other over the period's days inside the window.

    With `groups` (the roster table) the rows are the periods each group existed in, its last
    day clipped to its end, and days_since_last counts from created_at; without, every group
    with an event on or before `end` has every period. `partials`: group_custom_partials(events,
    metrics), when computed already."""
    import ibis

    if groups is not None:
        rows = group_days(groups, start, end)
    else:
        seen = events.filter(events.group_id.notnull() & (events.date <= end)).select("group_id").distinct()
        rows = seen.cross_join(days_table(start, end))
    t = _group_values(events, metrics, rows, period, start, partials)
    t = t.mutate(period_start=period_of(t.date, period))
    last = ibis.window(group_by=["group_id", "period_start"])
    # the window's value in a column, then the filter (Spark cannot filter on a window directly)
    t = t.mutate(_last=t.date.max().over(last))
    t = t.filter(t.date == t._last)
    return t.select("group_id", "period_start", *[m.id for m in event_aggregates(metrics, "group")])


# --- expressions ----------------------------------------------------------------------------------

def _inline(expr: Expr, earlier: dict[str, Expr], names: Names, columns: Sequence[str]) -> Expr:
    """`expr` with each name of an earlier expr metric the table lacks replaced by its tree."""
    if isinstance(expr, Name):
        resolved = names.resolve(expr.id)
        key = resolved.id if resolved is not None else expr.id
        return earlier[key] if key in earlier and expr.id not in columns and key not in columns else expr
    if isinstance(expr, Unary):
        return replace(expr, operand=_inline(expr.operand, earlier, names, columns))
    if isinstance(expr, (Binary, Compare)):
        return replace(expr, left=_inline(expr.left, earlier, names, columns),
                       right=_inline(expr.right, earlier, names, columns))
    if isinstance(expr, Logic):
        return replace(expr, values=tuple(_inline(v, earlier, names, columns) for v in expr.values))
    if isinstance(expr, Call):
        return replace(expr, args=tuple(_inline(a, earlier, names, columns) for a in expr.args))
    return expr


def expr_columns(table: Any, metrics: Sequence[CustomMetric], names: Names) -> dict[str, Any]:
    """id → the Ibis value (DECIMAL(38, 12)) of each `expr` metric, in declaration order, over
    `table`, which has the columns they read (canonical ids). A metric using an earlier expr
    metric that `table` lacks reads that metric's expression in its place."""
    earlier: dict[str, Expr] = {}
    out: dict[str, Any] = {}
    for metric in metrics:
        if metric.expr is None:
            continue
        tree = _inline(parse(metric.expr), earlier, names, tuple(table.columns))
        earlier[metric.id] = tree
        out[metric.id] = compile_expr(tree, table, names)
    return out
