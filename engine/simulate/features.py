"""Member features as of a day: counts and sums over rolling windows or all time, days since
the last event, days in the group, average survey score — only those the playbook uses.

One query per evaluation day, vectorised over all members (the caller loops over the few
period ends): over the events (member_features), or over the member's days, aggregated once for
all the period ends (day_columns, features_from_days). Points and levels come from their own
stages and are joined in by the caller.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
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
    activity; on other events staff_id names the staff involved (who invited, who reached out).
    A sop_done is staff logging their work (the member it names, if any, did nothing)."""
    staff_post = (events.type == "message") & events.staff_id.notnull()
    return events.filter(events.member_id.notnull() & ~staff_post & (events.type != "sop_done"))


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
    from .custom_metrics import member_custom_columns

    t = member_events(events)
    t = t.filter(t.date <= as_of)
    first_seen = t.date.min()
    joined = t.date.min(where=t.type == "join")
    columns: dict[str, Any] = {"_joined": joined.fill_null(first_seen)}
    for feature in needed(features):
        base = feature.metric.id
        if base in BASES:
            columns[feature.id] = _aggregate(t, base, _since(feature, as_of))
        elif base.startswith("days_since_last_"):
            kind = base.removeprefix("days_since_last_")
            if kind in LAST_EVENTS:
                columns[f"_last_{kind}"] = t.date.max(where=t.type == kind)
        elif base == "avg_score":
            columns[base] = t.score.mean(where=t.type == "survey").fill_null(0)
    if custom:
        columns |= member_custom_columns(t, custom, as_of)  # its _joined is the same as ours
    return _finished(t.group_by("member_id").aggregate(**columns), features, as_of, custom)


def _since(feature: Resolved, as_of: dt.date) -> dt.date | None:
    """The day before a windowed feature's window (events after it count); None: all time."""
    return None if feature.total or feature.days is None else as_of - dt.timedelta(days=feature.days)


def _finished(table: Any, features: Iterable[Resolved], as_of: dt.date, custom: Sequence[CustomMetric]) -> Any:
    """The columns computed from the per-member aggregates (tenure, days since, the custom
    metrics' averages and days since), in the features' order; the helper columns dropped."""
    import ibis

    from .custom_metrics import member_custom_values

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


# --- from the member's days ----------------------------------------------------------------------
#
# member_features reads every event once per evaluation day. The same features come from the
# member's days instead: `day_columns` are aggregates per member and day (computed once for all
# the period ends, in the pass over the events that also sums the points rules' days:
# member_days.py), `features_from_days` sums them up to each period end. Counts, sums and days are exact either way (integers and decimals); an
# average of a double is not, so avg_score keeps the pass over the events (`from_days`).


def from_days(features: Iterable[Resolved]) -> bool:
    """Whether features_from_days computes these features (all but avg_score)."""
    return all(f.metric.id != "avg_score" for f in needed(features))


def day_columns(t: Any, features: Iterable[Resolved], custom: Sequence[CustomMetric] = (),
                kinds: Callable[[str], bool] = lambda kind: True) -> dict[str, Any]:
    """Aggregates per member and day over member events `t` (group them by member_id and date)
    from which features_from_days computes `features` and the member aggregates of `custom`:
    those reading events of the types `kinds` accepts (each aggregate reads one type)."""
    from .custom_days import day_custom_columns

    columns: dict[str, Any] = {"_day_join": (t.type == "join").any()} if kinds("join") else {}
    for feature in needed(features):
        base = feature.metric.id
        if base in BASES:
            kind, what = BASES[base]
            match = t.type == kind
            if not kinds(kind):
                continue
            if what == "count":
                columns[f"_day_count_{kind}"] = t["count"].sum(where=match)
            elif what == "amount":
                columns[f"_day_amount_{kind}"] = t.amount.sum(where=match)
            elif what == "days":
                columns[f"_day_any_{kind}"] = match.any()
            else:
                columns[f"_day_rows_{kind}"] = match.sum()
        elif (base.startswith("days_since_last_") and (kind := base.removeprefix("days_since_last_")) in LAST_EVENTS
              and kinds(kind)):
            columns[f"_day_any_{kind}"] = (t.type == kind).any()
    if custom:
        columns |= day_custom_columns(t, custom, kinds)
    return columns


def features_from_days(days: Any, features: Iterable[Resolved], as_of: dt.date,
                       custom: Sequence[CustomMetric] = ()) -> Any:
    """member_features as of `as_of` from `days` (member_id, date and day_columns, one row per
    member and day with a member event, or two: see member_days): the same columns, types and
    values."""
    d = days.filter(days.date <= as_of)
    return _finished(d.group_by("member_id").aggregate(**_from_days(d, features, as_of, custom)), features, as_of,
                     custom)


def _from_days(d: Any, features: Iterable[Resolved], as_of: dt.date, custom: Sequence[CustomMetric]) -> dict[str, Any]:
    """The aggregates by member of member_features (member_custom_columns' included) over the
    days `d` up to `as_of`."""
    from .custom_days import every as where
    from .custom_days import member_custom_from_days

    columns: dict[str, Any] = {"_joined": d.date.min(where=d._day_join).fill_null(d.date.min())}
    for feature in needed(features):
        base = feature.metric.id
        if base in BASES:
            kind, what = BASES[base]
            since = _since(feature, as_of)
            inside = d.date > since if since is not None else None
            if what == "days":
                columns[feature.id] = d.date.nunique(where=where(d[f"_day_any_{kind}"], inside))
            else:
                columns[feature.id] = d[f"_day_{what}_{kind}"].sum(where=where(inside)).fill_null(0)
        elif base.startswith("days_since_last_") and (kind := base.removeprefix("days_since_last_")) in LAST_EVENTS:
            columns[f"_last_{kind}"] = d.date.max(where=where(d[f"_day_any_{kind}"]))
    if custom:
        columns |= member_custom_from_days(d, custom, as_of)
    return columns
