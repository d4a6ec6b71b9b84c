"""Lifecycle states judged every day: group metrics for every (group, day) at once, the first
matching state with the day its current run began, and per period the state, how long the
group has held it and the day it should be dissolved.

Semantics (the handbook prints them):

- `<metric>_Nd` on day d: the group's last N rows of group_daily up to d (one row per day the
  group existed, so a window reaching back before its creation or the window start has fewer
  rows), with the formulas of group_windows.group_metrics_as_of: counts summed, `members` the
  mean over the rows present, interaction/reach/referral rates the mean of the daily rates,
  other rates recomputed from the sums. A bare name is the period to date (from the first day
  of d's week or month, or the window start when later); `<metric>_total` is every row up to d.
  retention_rate is measured per period only (catalog.NOT_COMPUTED), so not here: validation keeps
  it out of lifecycle conditions (Q207). The custom metrics are added by group_stage.
- age_days = d − created_at; days_to_end = ended_at − d (NULL without an end);
  days_since_last_message = d − the last day on or before d with a valid member message (from
  created_at when the group never had one).
- A state's run starts on `state_since`; `dissolve_on` = state_since + dissolve_after in whole
  days, rounded up (`36h` is 2 days): a group dead since the 21st with `dissolve_after: 7d` is
  dissolved on the 28th.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from ..catalog import Names, Resolved
from ..model.audience import LifecycleState
from .classify import first_match
from .group_windows import DAILY_MEANS, SUMS
from .periods import period_label, period_of, valid_member_message

# Names that are a state of the group on the day, not an aggregate over a window.
STATES = ("age_days", "days_to_end", "days_since_last_message", "group_type")


def _ratio(n: Any, d: Any) -> Any:
    import ibis

    return ibis.ifelse(d > 0, n.cast("float64") / d.cast("float64"), 0.0)


def _window_values(t: Any, w: Any) -> dict[str, Any]:
    """Every window metric of group_metrics_as_of, over the window `w`."""
    sums = {name: t[column].sum().over(w) for name, column in SUMS.items()}
    members = t.members.mean().over(w)
    order_amount = t.order_amount.sum().over(w)
    sales = order_amount - t.refund_amount.sum().over(w)
    return {
        "members": members,
        "net_new_members": sums["new_members"] - sums["leaves"],
        "sales": sales,
        "leave_rate": _ratio(sums["leaves"], members),
        "join_rate": _ratio(sums["new_members"], sums["exposures"]),
        "conversion_rate": _ratio(sums["orders"], members),
        "messages_per_member": _ratio(sums["messages"], members),
        "average_order_value": _ratio(order_amount, sums["buyers"]),
        "per_customer_return": _ratio(sales, sums["buyers"]),
        "roi": _ratio(sales, sums["cost"]),
        "csat": _ratio(t.score_sum.sum().over(w), sums["surveys"]),
        **sums,
        **{name: t[name].mean().over(w).fill_null(0.0) for name in DAILY_MEANS},
    }


def _window(feature: Resolved) -> tuple[str, int]:
    """How a feature's window is keyed: ("days", N), ("period", 0) or ("total", 0)."""
    if feature.days is not None:
        return "days", feature.days
    return ("total", 0) if feature.total else ("period", 0)


def group_metrics_daily(daily: Any, features: Iterable[Resolved], period: str,
                        groups: Any | None = None, events: Any | None = None, valid_min_chars: int = 1,
                        messages: Any | None = None) -> Any:
    """group_id, date and one column per feature (by canonical id), for every row of `daily`
    (group_daily's output): the numbers group_metrics_as_of gives on each day.

    age_days, days_to_end and days_since_last_message need `groups` (created_at, ended_at).
    days_since_last_message reads `messages` (periods.message_days, up to the window's end at
    least) when given, else the valid member messages of `events` (all history); without
    either, group_daily's days with speakers (the window only)."""
    import ibis

    wanted = {f.id: f for f in features}
    t = daily.mutate(_period=period_of(daily.date, period))
    frames = {
        "period": ibis.window(group_by=["group_id", "_period"], order_by="date", rows=(None, 0)),
        "total": ibis.window(group_by="group_id", order_by="date", rows=(None, 0)),
    }
    columns: dict[str, Any] = {}
    for key in sorted({_window(f) for f in wanted.values() if f.metric.id not in STATES}):
        kind, days = key
        w = frames[kind] if kind != "days" else ibis.window(group_by="group_id", order_by="date",
                                                             rows=(-(days - 1), 0))
        values = _window_values(t, w)
        columns.update({f.id: values[f.metric.id] for f in wanted.values()
                        if _window(f) == key and f.metric.id in values})
    if any(f.metric.id == "group_type" for f in wanted.values()):
        columns["group_type"] = t.group_type
    t = t.mutate(**columns)

    singles = {f.metric.id for f in wanted.values()} & {"age_days", "days_to_end", "days_since_last_message"}
    if singles:
        if groups is None:
            raise ValueError(f"{', '.join(sorted(singles))} need the groups table (created_at, ended_at)")
        g = groups.select(_group=groups.group_id, _created=groups.created_at.cast("date"),
                          _ended=groups.ended_at.cast("date"))
        t = t.left_join(g, t.group_id == g._group).drop("_group")
        if "days_since_last_message" in singles:
            if messages is not None:
                m = messages
            else:
                m = (events.filter(valid_member_message(events, valid_min_chars)) if events is not None
                     else daily.filter(daily.speakers > 0))
            last = _last_message_days(t, m)
            t = t.left_join(last, [t.group_id == last._lg, t.date == last._ld])
            t = t.mutate(days_since_last_message=t.date.delta(t._mdate.fill_null(t._created), unit="day"))
        if "age_days" in singles:
            t = t.mutate(age_days=t.date.delta(t._created, unit="day"))
        if "days_to_end" in singles:
            t = t.mutate(days_to_end=t._ended.delta(t.date, unit="day"))
    return t.select("group_id", "date", *[key for key in wanted if key in t.columns])


def _last_message_days(days: Any, messages: Any) -> Any:
    """_lg, _ld, _mdate: each (group, day) of `days` with its group's last message day on or
    before it (NULL before the first). A running max over the days and the message days in one
    ordered stream, not an as-of join (Spark has none), nor a join of every pair."""
    import ibis

    marks = messages.select(_lg=messages.group_id, _ld=messages.date, _msg=messages.date, _k=ibis.literal(0)).distinct()
    rows = days.select(_lg=days.group_id, _ld=days.date, _msg=ibis.null("date"), _k=ibis.literal(1))
    u = ibis.union(marks, rows, distinct=False)
    # a message day sorts before the same day's row: a message that day counts
    u = u.mutate(_mdate=u._msg.max().over(ibis.window(group_by="_lg", order_by=["_ld", "_k"], rows=(None, 0))))
    return u.filter(u._k == 1).select("_lg", "_ld", "_mdate")


def lifecycle_daily(metrics_daily: Any, states: Sequence[LifecycleState], names: Names) -> Any:
    """group_id, date, state (the first state whose condition holds; NULL when none does and
    there is no catch-all) and state_since (the first day of the current unbroken run)."""
    import ibis

    t = metrics_daily.mutate(state=first_match(metrics_daily, [(s.id, s.when) for s in states], names))
    t = t.select("group_id", "date", "state")
    w = ibis.window(group_by="group_id", order_by="date")
    # Gaps and islands: a run starts where the state differs from the day before (NULL is a
    # state of its own); numbering the starts names the runs.
    t = t.mutate(_start=(~t.state.identical_to(t.state.lag().over(w))).cast("int64"))
    t = t.mutate(_run=t._start.cumsum().over(w))
    t = t.mutate(state_since=t.date.min().over(ibis.window(group_by=["group_id", "_run"])))
    return t.select("group_id", "date", "state", "state_since")


def dissolve_days(state: LifecycleState) -> int | None:
    """dissolve_after in whole days, rounded up; None when the state has none."""
    if state.dissolve_after is None:
        return None
    return max(1, math.ceil(state.dissolve_after.minutes / 1440))


def _lookup(column: Any, mapping: dict[str, Any], kind: str) -> Any:
    import ibis

    cases = [(column == key, ibis.literal(value, type=kind)) for key, value in mapping.items() if value is not None]
    return ibis.cases(*cases, else_=ibis.null(kind)) if cases else ibis.null(kind)


HEALTH_COLUMNS = ("group_id", "period", "period_start", "last_day", "state", "state_name", "state_since",
                  "days_in_state", "previous_state", "changed", "dissolve_on", "should_dissolve", "action")


def group_health(lifecycle: Any, states: Sequence[LifecycleState], period: str) -> Any:
    """One row per group and period (columns: HEALTH_COLUMNS), as of the period's last day
    (`last_day`: the last day of the group inside the window in that period).

    previous_state is the state on the previous period's last day (NULL for the group's first
    period); changed says it differs (false for the first period). dissolve_on = state_since +
    dissolve_after (NULL for a state without one; it may lie after the window); should_dissolve:
    dissolve_on ≤ last_day."""
    import ibis

    t = lifecycle.mutate(period_start=period_of(lifecycle.date, period))
    g = t.group_by(["group_id", "period_start"]).aggregate(
        last_day=t.date.max(), state=t.state.argmax(t.date), state_since=t.state_since.argmax(t.date))
    w = ibis.window(group_by="group_id", order_by="period_start")
    g = g.mutate(previous_state=g.state.lag().over(w), _first=ibis.row_number().over(w) == 0)
    days = _lookup(g.state, {s.id: dissolve_days(s) for s in states}, "int64")
    g = g.mutate(dissolve_on=(g.state_since + days.as_interval("D")).cast("date"))
    return g.select(
        "group_id",
        period=period_label(g.period_start, period),
        period_start=g.period_start,
        last_day=g.last_day,
        state=g.state,
        state_name=_lookup(g.state, {s.id: s.name for s in states}, "string"),
        state_since=g.state_since,
        days_in_state=g.last_day.delta(g.state_since, unit="day"),
        previous_state=g.previous_state,
        changed=~g._first & ~g.state.identical_to(g.previous_state),
        dissolve_on=g.dissolve_on,
        should_dissolve=(g.dissolve_on <= g.last_day).fill_null(False),
        action=_lookup(g.state, {s.id: s.action for s in states}, "string"),
    )
