"""Periods (day, week, month, quarter), and the group and staff metrics over them.

`group_period` rolls group_daily up to one row per group and period, with the distinct counts
(speakers, buyers, members reached, referrers) taken from the events, since distinct members
do not add up over days. `staff_period` credits each staff member with the groups they were
assigned to, prorated by the days they held each group.

Conventions (the handbook prints them):

- Weeks start on Monday and are labelled by ISO week: 2027-W01 (the ISO year can differ from
  the calendar year near New Year: the week of Monday 2026-12-28 is 2026-W53). Months are
  2027-01, quarters 2027Q1, days 2027-01-04.
- A period's rows only cover the group-days inside the window [start, end] on which the group
  existed: `days` counts them, `first_day`/`last_day` bound them, and "at period end" means
  `last_day` (the window's end, or the group's end, when they cut the period short).
- members: by `metrics.members_basis` — start: members at the start of the period's first day;
  end: members at the end of its last day; average: the mean over the period's days of each
  day's (start + end) ÷ 2.
- interaction_rate: the mean over the period's days of each day's valid speakers ÷ that day's
  members (by the same basis, per day) — 多日取日均. `speakers` is the distinct members who
  posted a valid message in the period.
- Distinct counts (speakers, buyers, reached, referrers) are distinct members over the period,
  from the events. A valid message is one not flagged, at least `valid_message_min_chars` long
  when its length is known, and not posted by staff (rows with staff_id).
- sales = order amount − refund amount, each by the date of its own event (a refund counts in
  the period it happened, not in its order's period).
- retention: the cohorts (join dates) of the period, N = metrics.retention_days (see
  retention.py); retention_base = new members of the measurable cohorts, retained = those still
  in the group N days later, retention_pending = new members of cohorts not yet measurable.
- Every rate with a zero denominator is 0.
- age_days = last_day − created_at; days_to_end = ended_at − last_day (NULL without an end);
  days_since_last_message = last_day − the last valid member message on or before last_day
  (from created_at when the group never had one).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ..events.roster import Roster
from ..model.metrics import MetricsConfig
from .frames import group_days, memtable
from .group_daily import members_basis
from .retention import retention

PERIODS = {"day": "日", "week": "周", "month": "月", "quarter": "季度"}

# Columns of group_period that are counts or amounts: staff_period prorates them.
PRORATED = ("members_start", "members_end", "members", "new_members", "leaves", "removed", "net_new_members",
            "exposures", "speakers", "messages", "retention_base", "retained", "retention_pending", "orders",
            "buyers", "order_amount", "refund_amount", "sales", "cost", "reached", "referrers", "surveys",
            "score_sum")
# Columns of group_period that are states at the period's end: staff_period averages them,
# weighted by assigned days.
STATES = ("age_days", "days_to_end", "days_since_last_message")


def _check(period: str) -> None:
    if period not in PERIODS:
        raise ValueError(f"unknown period '{period}'; use one of {', '.join(PERIODS)}")


# --- periods ------------------------------------------------------------------------------------

def period_of(date: Any, period: str) -> Any:
    """The first day of the period `date` (an Ibis date column) falls in; weeks start on Monday."""
    _check(period)
    if period == "day":
        return date.cast("date")
    unit = {"week": "W", "month": "M", "quarter": "Q"}[period]
    return date.truncate(unit).cast("date")


def period_label(period_start: Any, period: str) -> Any:
    """The label of the period starting on `period_start` (an Ibis date column): 2027-01-04,
    2027-W01 (ISO week and ISO year), 2027-01, 2027Q1."""
    import ibis

    _check(period)
    if period == "day":
        return period_start.strftime("%Y-%m-%d")
    if period == "week":
        # the ISO year is the year of the week's Thursday (Spark has no iso_year: one code path)
        thursday = (period_start.cast("timestamp") + ibis.interval(days=3)).date()
        return (thursday.year().cast("string") + "-W"
                + period_start.week_of_year().cast("string").lpad(2, "0"))
    if period == "month":
        return period_start.strftime("%Y-%m")
    return period_start.year().cast("string") + "Q" + period_start.quarter().cast("string")


def start_of(day: dt.date, period: str) -> dt.date:
    """Python twin of period_of, for the few loops over periods."""
    _check(period)
    if period == "week":
        return day - dt.timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    if period == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day


def label_of(first: dt.date, period: str) -> str:
    """Python twin of period_label."""
    _check(period)
    if period == "week":
        year, week, _ = first.isocalendar()
        return f"{year}-W{week:02d}"
    if period == "month":
        return f"{first.year}-{first.month:02d}"
    if period == "quarter":
        return f"{first.year}Q{(first.month - 1) // 3 + 1}"
    return first.isoformat()


@dataclass(frozen=True, slots=True)
class Period:
    start: dt.date  # the period's first day (calendar)
    first: dt.date  # first day inside the window
    last: dt.date  # last day inside the window
    label: str


def periods(start: dt.date, end: dt.date, period: str) -> list[Period]:
    """The periods meeting the window [start, end], in order, clipped to it."""
    out: list[Period] = []
    first = start_of(start, period)
    while first <= end:
        if period == "week":
            following = first + dt.timedelta(days=7)
        elif period == "day":
            following = first + dt.timedelta(days=1)
        else:
            step = 1 if period == "month" else 3
            month = first.month - 1 + step
            following = dt.date(first.year + month // 12, month % 12 + 1, 1)
        out.append(Period(first, max(first, start), min(following - dt.timedelta(days=1), end),
                          label_of(first, period)))
        first = following
    return out


# --- helpers ------------------------------------------------------------------------------------

def rate(numerator: Any, denominator: Any) -> Any:
    """numerator ÷ denominator as a float, 0 when the denominator is 0 (or NULL)."""
    import ibis

    den = denominator.cast("float64")
    return ibis.ifelse(den.fill_null(0) != 0, numerator.cast("float64") / den, 0.0)


def valid_member_message(t: Any, min_chars: int) -> Any:
    """A valid message by a member: not flagged, long enough when its length is known, and not a
    staff post (staff posts carry staff_id)."""
    return ((t.type == "message") & t.flag.isnull() & (t.length.isnull() | (t.length >= min_chars))
            & t.staff_id.isnull() & t.member_id.notnull())


def _rates(t: Any) -> dict[str, Any]:
    """The ratio metrics from their numerators and denominators (group_period and staff_period
    use the same formulas)."""
    return {
        "join_rate": rate(t.new_members, t.exposures),
        "leave_rate": rate(t.leaves, t.members),
        "messages_per_member": rate(t.messages, t.members),
        "retention_rate": rate(t.retained, t.retention_base),
        "conversion_rate": rate(t.orders, t.members),
        "average_order_value": rate(t.order_amount, t.buyers),
        "roi": rate(t.sales, t.cost),
        "reach_rate": rate(t.reached, t.members),
        "referral_rate": rate(t.referrers, t.members),
        "per_customer_return": rate(t.sales, t.buyers),
        "csat": rate(t.score_sum, t.surveys),
    }


GROUP_COLUMNS = (
    "group_id", "group_type", "period", "period_start", "first_day", "last_day", "days",
    "members_start", "members_end", "members", "new_members", "leaves", "removed", "net_new_members",
    "exposures", "join_rate", "leave_rate",
    "speakers", "interaction_rate", "messages", "messages_per_member",
    "retention_base", "retained", "retention_pending", "retention_rate",
    "orders", "buyers", "order_amount", "refund_amount", "sales", "conversion_rate", "average_order_value",
    "cost", "roi", "reached", "reach_rate", "referrers", "referral_rate", "per_customer_return",
    "surveys", "score_sum", "csat", "age_days", "days_to_end", "days_since_last_message",
)


# --- group_period -------------------------------------------------------------------------------

def message_days(events: Any, end: dt.date, min_chars: int) -> Any:
    """group_id, date: the days on or before `end` with a valid member message in the group (all
    history), for days_since_last_message. Small: materialise it once for every grain."""
    m = events.filter(valid_member_message(events, min_chars) & (events.date <= end))
    return m.select("group_id", "date").distinct()


def group_period(events: Any, daily: Any, groups: Any, start: dt.date, end: dt.date, period: str,
                 config: MetricsConfig, retention_table: Any | None = None, messages: Any | None = None) -> Any:
    """One row per group and period meeting [start, end] (columns: GROUP_COLUMNS).

    `daily` is group_daily(events, groups, start, end, config); `retention_table` is
    retention(events, start, end, config.retention_days, groups=groups) and `messages`
    message_days(events, end, config.valid_message_min_chars), unless given."""
    _check(period)
    money = "decimal(18, 2)"
    d = daily.filter((daily.date >= start) & (daily.date <= end))
    basis = members_basis(d.members_start, d.members_end, config.members_basis)
    d = d.mutate(period_start=period_of(d.date, period), _rate=rate(d.speakers, basis),
                 _average=(d.members_start + d.members_end).cast("float64") / 2)
    t = d.group_by(["group_id", "group_type", "period_start"]).aggregate(
        first_day=d.date.min(),
        last_day=d.date.max(),
        days=d.count(),
        members_start=d.members_start.argmin(d.date),
        members_end=d.members_end.argmax(d.date),
        _average=d._average.mean(),
        new_members=d.joins.sum(),
        leaves=d.leaves.sum(),
        removed=d.removed.sum(),
        exposures=d.exposures.sum(),
        messages=d.messages.sum(),
        orders=d.orders.sum(),
        order_amount=d.order_amount.sum().cast(money),
        refund_amount=d.refund_amount.sum().cast(money),
        cost=d.cost.sum().cast(money),
        surveys=d.surveys.sum(),
        interaction_rate=exact_mean(d._rate),
    )
    members = {"start": t.members_start.cast("float64"), "end": t.members_end.cast("float64")}.get(
        config.members_basis, t._average)
    t = t.mutate(members=members, net_new_members=t.new_members - t.leaves,
                 sales=(t.order_amount - t.refund_amount).cast(money))
    # each group's periods, from the days alone: what reads them below needs none of the events'
    # counts (DuckDB kept their join, so read through it they cost a scan and a grouping of every
    # event: ~1 s of a 10M-event run)
    periods = t.select(_g=t.group_id, _p=t.period_start, _last=t.last_day)

    # Distinct members over the period, from the events.
    e = events.filter((events.date >= start) & (events.date <= end))
    e = e.mutate(_period=period_of(e.date, period))
    distinct = e.group_by([e.group_id.name("_group"), "_period"]).aggregate(
        speakers=e.member_id.nunique(where=valid_member_message(e, config.valid_message_min_chars)),
        buyers=e.member_id.nunique(where=e.type == "order"),
        reached=e.member_id.nunique(where=e.type == "reach"),
        referrers=e.member_id.nunique(where=e.type == "referral"),
        score_sum=e.score.cast("int64").sum(where=e.type == "survey"),
    )
    t = t.left_join(distinct, [t.group_id == distinct._group, t.period_start == distinct._period])
    t = t.drop("_group", "_period")

    # Retention cohorts of the period.
    if retention_table is None:
        retention_table = retention(events, start, end, config.retention_days, groups=groups)
    r = retention_table.mutate(_period=period_of(retention_table.join_date, period))
    cohorts = r.group_by([r.group_id.name("_group"), "_period"]).aggregate(
        retention_base=r.new_members.sum(where=r.measurable),
        retained=r.retained.sum(where=r.measurable),
        retention_pending=r.new_members.sum(where=~r.measurable),
    )
    t = t.left_join(cohorts, [t.group_id == cohorts._group, t.period_start == cohorts._period])
    t = t.drop("_group", "_period")

    # The group's dates, and its last valid member message on or before the period's last day.
    dates = groups.select(_group=groups.group_id, _created=groups.created_at.cast("date"),
                          _ended=groups.ended_at.cast("date"))
    t = t.left_join(dates, t.group_id == dates._group).drop("_group")
    if messages is None:
        messages = message_days(events, end, config.valid_message_min_chars)
    m = messages.select(_group=messages.group_id, _date=messages.date)
    last = periods.join(m, [periods._g == m._group, m._date <= periods._last]).group_by(["_g", "_p"]).aggregate(
        _last_message=m._date.max())
    t = t.left_join(last, [t.group_id == last._g, t.period_start == last._p]).drop("_g", "_p")

    zero = ("speakers", "buyers", "reached", "referrers", "score_sum", "retention_base", "retained",
            "retention_pending")
    t = t.mutate(**{name: t[name].fill_null(0).cast("int64") for name in zero})
    t = t.mutate(
        period=period_label(t.period_start, period),
        age_days=t.last_day.delta(t._created, unit="day"),
        days_to_end=t._ended.delta(t.last_day, unit="day"),
        days_since_last_message=t.last_day.delta(t._last_message.fill_null(t._created), unit="day"),
        **_rates(t),
    )
    return t.select(*GROUP_COLUMNS).order_by(["group_id", "period_start"])


# --- staff_period -------------------------------------------------------------------------------

def assignments_table(roster: Roster) -> Any:
    """staff_id, role, group_id, from_date, to_date (NULL: still assigned) — one row per assignment."""
    schema = {"staff_id": "string", "role": "string", "group_id": "string", "from_date": "date",
              "to_date": "date"}
    columns: dict[str, list[Any]] = {key: [] for key in schema}
    for a in roster.assignments:
        for key, value in (("staff_id", a.staff_id), ("role", a.role), ("group_id", a.group_id),
                           ("from_date", a.from_), ("to_date", a.to)):
            columns[key].append(value)
    return memtable(columns, schema)


STAFF_COLUMNS = (
    "staff_id", "role", "period", "period_start", "groups", "assigned_days", *PRORATED, "interaction_rate",
    "join_rate", "leave_rate", "messages_per_member", "retention_rate", "conversion_rate", "average_order_value",
    "roi", "reach_rate", "referral_rate", "per_customer_return", "csat", *STATES,
)


def staff_period(group_period_table: Any, assignments: Any, groups: Any, start: dt.date, end: dt.date,
                 period: str) -> Any:
    """One row per staff member, role and period in which they held at least one group-day
    (columns: STAFF_COLUMNS).

    assigned_days: the group-days (inside the window, while the group existed) on which the staff
    member held the group in that role, summed over groups; overlapping assignments of the same
    staff, role and group count a day once. `groups`: distinct groups held in the period.

    Each group's counts and amounts (PRORATED) are multiplied by share = assigned days ÷ the
    group's days in the period, then summed over the staff member's groups; the rates are
    recomputed from those prorated numerators and denominators (not averaged), with the same
    formulas as group_period. interaction_rate, a mean of daily rates, becomes the mean over the
    staff member's assigned group-days: Σ assigned_days × group rate ÷ Σ assigned_days. The
    end-of-period states (age_days, days_to_end, days_since_last_message) are averaged weighted
    by assigned days (days_to_end over the groups that have an end; NULL when none do). A member
    counted in two groups (a buyer in both, say) counts in each."""
    import ibis

    _check(period)
    a = assignments
    cal = group_days(groups, start, end).select("group_id", "date")
    held = cal.join(a, [cal.group_id == a.group_id, cal.date >= a.from_date.cast("date"),
                        cal.date <= a.to_date.cast("date").fill_null(ibis.literal(end, type="date"))])
    held = held.select("staff_id", "role", "group_id", "date").distinct()
    held = held.mutate(_period=period_of(held.date, period))
    held = held.group_by(["staff_id", "role", held.group_id.name("_group"), "_period"]).aggregate(
        assigned_days=held.count())
    g = group_period_table
    x = held.join(g, [held._group == g.group_id, held._period == g.period_start])
    share = x.assigned_days.cast("float64") / x.days.cast("float64")
    weight = x.assigned_days.cast("float64")
    aggregates: dict[str, Any] = {name: exact_sum(x[name].cast("float64") * share) for name in PRORATED}
    aggregates["_rate_days"] = exact_sum(x.interaction_rate * weight)
    for name in STATES:
        aggregates[f"_{name}"] = exact_sum(x[name].cast("float64") * weight)
        aggregates[f"_{name}_days"] = weight.sum(where=x[name].notnull())
    t = x.group_by(["staff_id", "role", "period_start", "period"]).aggregate(
        groups=x._group.nunique(), assigned_days=x.assigned_days.sum(), **aggregates)
    states = {name: ibis.ifelse(t[f"_{name}_days"].fill_null(0) > 0, t[f"_{name}"] / t[f"_{name}_days"],
                                ibis.null("float64")) for name in STATES}
    t = t.mutate(interaction_rate=rate(t._rate_days, t.assigned_days), **states, **_rates(t))
    return t.select(*STAFF_COLUMNS).order_by(["staff_id", "role", "period_start"])


def exact_sum(value: Any) -> Any:
    """The sum of a float column, the same whatever order the rows come in: each value as a
    DECIMAL(38, 18) (exact to 1e-18, far below a float's precision at these magnitudes), added
    exactly, then back to a float. A float SUM adds in the order the threads meet the rows, so
    its last digit changed from run to run."""
    return value.cast("decimal(38, 18)").sum().cast("float64")


def exact_mean(value: Any) -> Any:
    """The mean of a float column (NULLs left out), the same whatever order the rows come in
    (see exact_sum); NULL when there is no value."""
    return exact_sum(value) / value.count().cast("float64")
