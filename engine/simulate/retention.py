"""N-day retention by join cohort: per group and join date, the new members of that day and how
many of them are still in the group N days later (domain.md: 留存率, metrics.retention_days).

Conventions (printed with the retention rate):

- A cohort is (group, join date): the distinct members with a `join` event in that group on
  that day. A member who joins twice on one day is one member of the cohort, measured from the
  day's last join (a join → leave → join on one day ends the day in the group).
- A member is retained when the group has no `leave` event for them after their join (by
  timestamp) and on or before the check date, join date + N days (inclusive).
- Re-joiners: every join starts a new stint. A member who joins, leaves and joins again is in
  both join days' cohorts: not retained in the first (they left within N days of it), and
  measured afresh from the re-join in the second. A leave before the join being measured does
  not count against it. (This matches new members = join events in group_daily.)
- Not yet measurable: a cohort whose check date is after the data's last day (by default the
  last event date in `events`; events after the window count, the data is what we know) or
  after the group's ended_at (the group no longer exists to be in). Such cohorts keep their row
  with `measurable` false and `retained` NULL; the retention rate leaves them out of both the
  numerator and the denominator, and group_period reports their new members as
  `retention_pending` so the handbook can say how many were not yet measurable.
"""

from __future__ import annotations

import datetime as dt
from typing import Any


def retention(events: Any, start: dt.date, end: dt.date, days: int, *, groups: Any | None = None,
              last_day: dt.date | None = None) -> Any:
    """group_id, join_date, check_date, new_members, measurable, retained — one row per group and
    join date in [start, end] with at least one join.

    `groups` (the roster's groups table) makes cohorts whose check date is after the group's
    ended_at not measurable; `last_day` overrides the data's last day (default: the last event
    date in `events`)."""
    import ibis

    if days < 1:
        raise ValueError(f"retention days must be at least 1, not {days}")
    t = events
    joins = t.filter((t.type == "join") & t.member_id.notnull() & (t.date >= start) & (t.date <= end))
    stints = joins.group_by(["group_id", "member_id", "date"]).aggregate(joined_at=joins.ts.max())
    stints = stints.mutate(check_date=stints.date + ibis.interval(days=days))
    leaves = t.filter((t.type == "leave") & t.member_id.notnull())
    leaves = leaves.select(_group=leaves.group_id, _member=leaves.member_id, _ts=leaves.ts, _date=leaves.date)
    left = stints.semi_join(leaves, [stints.group_id == leaves._group, stints.member_id == leaves._member,
                                     leaves._ts > stints.joined_at, leaves._date <= stints.check_date])
    left = left.select(_group=left.group_id, _member=left.member_id, _day=left.date, _left=ibis.literal(True))
    marked = stints.left_join(left, [stints.group_id == left._group, stints.member_id == left._member,
                                     stints.date == left._day])
    marked = marked.select("group_id", "member_id", "date", "check_date", stayed=marked._left.isnull())
    cohorts = marked.group_by(["group_id", "date", "check_date"]).aggregate(
        new_members=marked.count(), stayed=marked.stayed.sum())
    data_end = ibis.literal(last_day, type="date") if last_day is not None else t.date.max().as_scalar()
    measurable = cohorts.check_date <= data_end
    if groups is not None:
        ends = groups.select(_group=groups.group_id, _ended=groups.ended_at.cast("date"))
        cohorts = cohorts.left_join(ends, cohorts.group_id == ends._group)
        cohorts = cohorts.select("group_id", "date", "check_date", "new_members", "stayed", "_ended")
        measurable = (cohorts.check_date <= data_end) & (cohorts._ended.isnull()
                                                         | (cohorts.check_date <= cohorts._ended))
    cohorts = cohorts.mutate(measurable=measurable.fill_null(False))
    return cohorts.select(
        "group_id",
        join_date=cohorts.date,
        check_date=cohorts.check_date,
        new_members=cohorts.new_members.cast("int64"),
        measurable=cohorts.measurable,
        retained=ibis.ifelse(cohorts.measurable, cohorts.stayed.cast("int64"), ibis.null("int64")),
    ).order_by(["group_id", "join_date"])
