"""Per group per day: members at the start and end, joins, leaves, speakers, messages and the
rest of domain.md's daily counts, and the interaction rate by the playbook's member basis."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..model.metrics import MetricsConfig
from .frames import group_days

COUNTS = ("joins", "leaves", "removed", "messages", "speakers", "orders", "buyers", "exposures", "referrers",
          "referrals", "checkins", "reached", "surveys", "score_sum")
MONEY = ("order_amount", "refund_amount", "cost")


def daily_counts(events: Any, valid_min_chars: int) -> Any:
    """Event counts per (group_id, date) on every day with events, before the window too."""
    t = events
    kind = t.type
    # A valid message: a member's (not a staff post), not flagged as banned behaviour, and
    # long enough when its length is known. Total messages count staff posts too.
    valid = ((kind == "message") & t.staff_id.isnull() & t.flag.isnull()
             & (t.length.isnull() | (t.length >= valid_min_chars)))
    return t.group_by(["group_id", "date"]).aggregate(
        joins=(kind == "join").sum(),
        leaves=(kind == "leave").sum(),
        removed=((kind == "leave") & t.removed).sum(),
        messages=t["count"].sum(where=kind == "message"),
        speakers=t.member_id.nunique(where=valid),
        orders=(kind == "order").sum(),
        buyers=t.member_id.nunique(where=kind == "order"),
        order_amount=t.amount.sum(where=kind == "order"),
        refund_amount=t.amount.sum(where=kind == "refund"),
        exposures=t["count"].sum(where=kind == "exposure"),
        referrers=t.member_id.nunique(where=kind == "referral"),
        referrals=(kind == "referral").sum(),
        checkins=(kind == "checkin").sum(),
        reached=t.member_id.nunique(where=kind == "reach"),
        surveys=(kind == "survey").sum(),
        score_sum=t.score.sum(where=kind == "survey"),
        cost=t.amount.sum(where=kind == "cost"),
    )


def members_basis(start: Any, end: Any, basis: str) -> Any:
    """The member count rates divide by: at the start, at the end, or their average."""
    if basis == "start":
        return start.cast("float64")
    if basis == "end":
        return end.cast("float64")
    return (start + end).cast("float64") / 2


def ratio(numerator: Any, denominator: Any) -> Any:
    """numerator ÷ denominator, 0 when the denominator is 0 (a rate over no one is 0)."""
    import ibis

    return ibis.ifelse(denominator > 0, numerator.cast("float64") / denominator, 0.0)


def group_daily(events: Any, groups: Any, start: dt.date, end: dt.date, config: MetricsConfig) -> Any:
    """The group_daily table for the window [start, end]."""
    counts = daily_counts(events, config.valid_message_min_chars)
    # Members before the window: every join and leave from the first event on.
    earlier = counts.filter(counts.date < start)
    prior = earlier.group_by("group_id").aggregate(prior=(earlier.joins - earlier.leaves).sum())
    inside = counts.filter((counts.date >= start) & (counts.date <= end))
    frame = group_days(groups, start, end)
    t = frame.left_join(inside, [frame.group_id == inside.group_id, frame.date == inside.date])
    t = t.select(*frame.columns, *[c for c in inside.columns if c not in ("group_id", "date")])
    t = t.left_join(prior, t.group_id == prior.group_id).select(*t.columns, prior=prior.prior)
    t = t.mutate(**{name: t[name].fill_null(0) for name in (*COUNTS, "prior")},
                 **{name: t[name].fill_null(0).cast("decimal(18, 2)") for name in MONEY})
    t = t.mutate(net=t.joins - t.leaves)
    t = t.group_by("group_id").order_by("date").mutate(running=t.net.cumsum())
    t = t.mutate(members_start=t.initial_members + t.prior + t.running - t.net)
    t = t.mutate(members_end=t.members_start + t.net)
    members = members_basis(t.members_start, t.members_end, config.members_basis)
    t = t.mutate(members=members)
    return t.select(
        "group_id", "group_type", "date", "members_start", "members_end", "members", "joins", "leaves", "removed",
        "speakers", "messages", "orders", "buyers", "order_amount", "refund_amount", "exposures", "referrers",
        "referrals", "checkins", "reached", "surveys", "score_sum", "cost",
        interaction_rate=ratio(t.speakers, members),
        leave_rate=ratio(t.leaves, members),
        messages_per_member=ratio(t.messages, members),
        join_rate=ratio(t.joins, t.exposures),
        conversion_rate=ratio(t.orders, members),
        reach_rate=ratio(t.reached, members),
        referral_rate=ratio(t.referrers, members),
        csat=ratio(t.score_sum, t.surveys),
    ).order_by(["group_id", "date"])
