"""Member features as of a day: counts and sums over rolling windows or all time, days since
the last event, days in the group, average survey score — only those the playbook uses.

One query per evaluation day, vectorised over all members (the caller loops over the few
period ends). Points and levels come from their own stages and are joined in by the caller.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from ..catalog import LAST_EVENTS, Resolved
from ..model.metrics import CustomMetric

# base feature → (event type, what to aggregate: "rows", "count", "days", "amount")
BASES: dict[str, tuple[str, str]] = {
    "messages": ("message", "count"),
    "active_days": ("message", "days"),
    "orders": ("order", "rows"),
    "order_amount": ("order", "amount"),
    "refunds": ("refund", "rows"),
    "refund_amount": ("refund", "amount"),
    "referrals": ("referral", "rows"),
    "checkins": ("checkin", "rows"),
    "surveys": ("survey", "rows"),
    "reaches": ("reach", "count"),
}
# Features the points and levels stages provide; this module leaves them out.
PROVIDED_ELSEWHERE = ("points", "points_balance", "level", "level_rank")


def member_events(events: Any) -> Any:
    """Events that belong to a member. A message with a staff_id is a staff post, not member
    activity; on other events staff_id names the staff involved (who invited, who reached out)."""
    staff_post = (events.type == "message") & events.staff_id.notnull()
    return events.filter(events.member_id.notnull() & ~staff_post)


def needed(resolved: Iterable[Resolved]) -> list[Resolved]:
    """The distinct features to compute, by canonical id, leaving out the provided ones."""
    seen: dict[str, Resolved] = {}
    for item in resolved:
        if item.metric.id not in PROVIDED_ELSEWHERE and item.id not in seen:
            seen[item.id] = item
    return [seen[key] for key in sorted(seen)]


def _aggregate(t: Any, base: str, since: dt.date | None) -> Any:
    kind, what = BASES[base]
    match = t.type == kind
    if since is not None:
        match = match & (t.date > since)
    if what == "count":
        return t["count"].sum(where=match).fill_null(0)
    if what == "days":
        return t.date.nunique(where=match)
    if what == "amount":
        return t.amount.sum(where=match).fill_null(0)
    return match.sum().fill_null(0)


def member_features(events: Any, features: Iterable[Resolved], as_of: dt.date,
                    custom: Sequence[CustomMetric] = ()) -> Any:
    """member_id and one column per feature (named by canonical id), as of the end of `as_of`,
    then one per member-scope custom event aggregate in `custom` (by id; custom_metrics.
    member_custom), computed in the same pass over the events.

    A member is anyone with a member event on or before `as_of`. `days_since_last_X` for a
    member who never did X counts from the day they joined (or their first event)."""
    import ibis

    from .custom_metrics import member_custom_columns, member_custom_values

    t = member_events(events)
    t = t.filter(t.date <= as_of)
    first_seen = t.date.min()
    joined = t.date.min(where=t.type == "join")
    columns: dict[str, Any] = {"_joined": joined.fill_null(first_seen)}
    for feature in needed(features):
        base = feature.metric.id
        if base in BASES:
            since = None if feature.total or feature.days is None else as_of - dt.timedelta(days=feature.days)
            columns[feature.id] = _aggregate(t, base, since)
        elif base.startswith("days_since_last_"):
            kind = base.removeprefix("days_since_last_")
            if kind in LAST_EVENTS:
                columns[f"_last_{kind}"] = t.date.max(where=t.type == kind)
        elif base == "avg_score":
            columns[base] = t.score.mean(where=t.type == "survey").fill_null(0)
    if custom:
        columns |= member_custom_columns(t, custom, as_of)  # its _joined is the same as ours
    table = t.group_by("member_id").aggregate(**columns)
    day = ibis.literal(as_of)
    extra: dict[str, Any] = member_custom_values(table, custom, as_of) if custom else {}
    for feature in needed(features):
        base = feature.metric.id
        if base == "tenure_days":
            extra[base] = day.delta(table._joined, unit="day")
        elif base.startswith("days_since_last_") and f"_last_{base.removeprefix('days_since_last_')}" in table.columns:
            last = table[f"_last_{base.removeprefix('days_since_last_')}"]
            extra[base] = day.delta(last.fill_null(table._joined), unit="day")
    table = table.mutate(**extra) if extra else table
    ids = [metric.id for metric in custom]
    return table.select(*[c for c in table.columns if not c.startswith("_") and c not in ids], *ids)
