"""Churn warnings （流失预警）: which members show a warning sign at a period's end, in which
group, with the values that set it off, the action and who acts.

Unlike segments, every warning whose condition holds fires (a member can carry several).
A warning is raised once per group the member is in at the end of `as_of`; members who are in
no group by then have already left and get none. The owner is whoever holds the warning's role
(default owner) in that group on `as_of`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

from ..catalog import Names
from ..event_order import latest, order_key
from ..model.audience import ChurnWarning
from .classify import condition, values_text
from .features import member_events

DEFAULT_ROLE = "owner"

CHURN_COLUMNS = ("period", "as_of", "member_id", "group_id", "warning", "warning_name", "stage", "values", "action",
                 "role", "owner", "due")


def member_groups(events: Any, as_of: dt.date) -> Any:
    """member_id, group_id: the groups each member is in at the end of `as_of`.

    A member with a join in the group is in when their last join or leave (by ts, then row) on
    or before `as_of` is a join. A member without any join there (joined before the data
    starts) is in when their last member event there is not a leave. Staff posts do not count."""
    return member_groups_on(events, [as_of]).drop("as_of")


def member_groups_on(events: Any, days: Sequence[dt.date]) -> Any:
    """as_of, member_id, group_id: member_groups for each of `days`, in one pass over the events
    (one set of aggregates per day) instead of one pass per day."""
    import ibis

    t = member_events(events)
    t = t.filter(t.date <= max(days))
    key = order_key(t.ts, t.row)
    pairs, inside = _by_keys(t.mutate(_k=key), days) if key is not None else _by_types(t, days)
    parts = [pairs.filter(inside(pairs, i)).select(as_of=ibis.literal(day), member_id=pairs.member_id,
                                                   group_id=pairs.group_id) for i, day in enumerate(days)]
    return ibis.union(*parts) if len(parts) > 1 else parts[0]


def _by_keys(t: Any, days: Sequence[dt.date]) -> tuple[Any, Any]:
    """The pairs with their latest join, leave and other event by each day (maxima of the order
    key `_k`: no payload), and the condition of being in on day i: the latest join (with one on
    record), else the latest other event, came after the latest leave."""
    import ibis

    aggregates: dict[str, Any] = {}
    for i, day in enumerate(days):
        upto = t.date <= day
        aggregates[f"_j{i}"] = t._k.max(where=(t.type == "join") & upto)
        aggregates[f"_v{i}"] = t._k.max(where=(t.type == "leave") & upto)
        aggregates[f"_n{i}"] = t._k.max(where=(t.type != "leave") & upto)

    def inside(pairs: Any, i: int) -> Any:
        last, leave = ibis.coalesce(pairs[f"_j{i}"], pairs[f"_n{i}"]), pairs[f"_v{i}"]
        return last.notnull() & (leave.isnull() | (last > leave))  # neither by then: not in

    return t.group_by(["member_id", "group_id"]).aggregate(**aggregates), inside


def _by_types(t: Any, days: Sequence[dt.date]) -> tuple[Any, Any]:
    """As `_by_keys`, where the engine has no order key (Spark): whether a join is on record,
    and the types of the latest move and of the latest event (`event_order.latest`)."""
    import ibis

    aggregates: dict[str, Any] = {}
    for i, day in enumerate(days):
        upto = t.date <= day
        aggregates[f"_j{i}"] = ((t.type == "join") & upto).any()
        aggregates[f"_m{i}"] = latest(t.type, t.ts, t.row, where=t.type.isin(["join", "leave"]) & upto)
        aggregates[f"_l{i}"] = latest(t.type, t.ts, t.row, where=upto)

    def inside(pairs: Any, i: int) -> Any:
        held = ibis.ifelse(pairs[f"_j{i}"], pairs[f"_m{i}"] == "join", pairs[f"_l{i}"] != "leave")
        return held & pairs[f"_l{i}"].notnull()  # _l NULL: no event yet that day, not in

    return t.group_by(["member_id", "group_id"]).aggregate(**aggregates), inside


def warned_members(features: Any, warnings: Sequence[ChurnWarning], names: Names) -> Any:
    """member_id of the members of `features` for whom at least one of `warnings` holds."""
    import ibis

    holds = ibis.or_(*[condition(w.when, features, names).fill_null(False) for w in warnings])
    return features.filter(holds).select(member_id=features.member_id.cast("string"))


def owners_on(assignments: Any, as_of: dt.date) -> Any:
    """group_id, role, staff_id: the assignments in force on `as_of` (from_date and to_date are
    inclusive, NULL to_date: still assigned). Several holders of a role all appear, e.g. both
    owners on a handover day."""
    a = assignments
    day = a.from_date.cast("date") <= as_of
    held = day & (a.to_date.isnull() | (a.to_date.cast("date") >= as_of))
    return a.filter(held).select("group_id", "role", "staff_id").distinct().order_by(["group_id", "role", "staff_id"])


def _due(warning: ChurnWarning, as_of: dt.date) -> Any:
    import ibis

    if warning.within is None:
        return ibis.null("date")
    # Warnings are raised at the end of as_of; a part of a day rounds up to a whole day.
    return ibis.literal(as_of + dt.timedelta(days=math.ceil(warning.within.minutes / 1440)), type="date")


def churn_warnings(features: Any, warnings: Sequence[ChurnWarning], names: Names, homes: Any, owners: Any,
                   period_label: str, as_of: dt.date) -> Any:
    """One row per warning that holds, member and group they are in (columns: CHURN_COLUMNS),
    ordered by period, warning, group_id, member_id.

    `features`: member_id and the features the conditions read, as of `as_of`; `homes`: from
    member_groups; `owners`: from owners_on. values: what the condition read
    ("days_since_last_message=15, messages_30d=0"). owner: the staff_id holding the role in the
    group on as_of; when several do (admins, a handover day), their ids sorted and joined with
    "," so the warning stays one row; NULL when nobody does. due: as_of + within (NULL without)."""
    import ibis

    f = features
    fired: list[Any] = []
    for warning in warnings:
        holds = condition(warning.when, f, names).fill_null(False)
        fired.append(f.filter(holds).select(
            member_id=f.member_id.cast("string"),
            warning=ibis.literal(warning.id, type="string"),
            warning_name=ibis.literal(warning.name, type="string"),
            stage=ibis.literal(warning.stage, type="string"),
            values=values_text(warning.when, f, names).cast("string"),
            action=ibis.literal(warning.action, type="string"),
            role=ibis.literal(warning.role or DEFAULT_ROLE, type="string"),
            due=_due(warning, as_of),
        ))
    if not fired:
        fired.append(f.filter(ibis.literal(False)).select(
            member_id=f.member_id.cast("string"), warning=ibis.null("string"), warning_name=ibis.null("string"),
            stage=ibis.null("string"), values=ibis.null("string"), action=ibis.null("string"),
            role=ibis.null("string"), due=ibis.null("date")))
    w = ibis.union(*fired) if len(fired) > 1 else fired[0]
    h = homes.select(_member="member_id", group_id="group_id")
    x = w.join(h, w.member_id == h._member).drop("_member")
    # the holders' ids in order, joined by ",": collected and sorted rather than an ordered
    # group_concat, which Spark cannot run (the same text on DuckDB)
    o = owners.group_by([owners.group_id.name("_group"), owners.role.name("_role")]).aggregate(
        owner=owners.staff_id.collect().sort().join(","))
    x = x.left_join(o, [x.group_id == o._group, x.role == o._role])
    x = x.mutate(period=ibis.literal(period_label, type="string"), as_of=ibis.literal(as_of, type="date"))
    return x.select(*CHURN_COLUMNS).order_by(["period", "warning", "group_id", "member_id"])
