"""Group metrics over the last N days up to a day, from group_daily: what lifecycle
conditions such as `interaction_rate_7d >= 0.1` read.

Counts are summed over the window; `members` is the window's average daily member count;
rates whose daily definition is "per day" (interaction, reach, referral) are the mean of the
daily rates; other rates are recomputed from the window's sums (leave rate = leaves ÷
members). A bare name (no `_Nd`) means the window from `period_start` to the day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from ..catalog import Resolved

SUMS = {"new_members": "joins", "leaves": "leaves", "messages": "messages", "orders": "orders",
        "exposures": "exposures", "cost": "cost", "surveys": "surveys", "referrals": "referrals",
        "speakers": "speakers", "buyers": "buyers"}
DAILY_MEANS = ("interaction_rate", "reach_rate", "referral_rate")


def group_metrics_as_of(daily: Any, as_of: dt.date, features: Iterable[Resolved], period_start: dt.date) -> Any:
    """group_id and one column per feature (by canonical id), as of the end of `as_of`."""
    import ibis

    from .periods import exact_mean, exact_sum

    wanted = {f.id: f for f in features}
    windows: dict[int | None, list[Resolved]] = {}
    for feature in wanted.values():
        windows.setdefault(feature.days, []).append(feature)
    result = daily.filter(daily.date == as_of).select("group_id")
    for days, items in sorted(windows.items(), key=lambda pair: pair[0] or 0):
        first = period_start if days is None else as_of - dt.timedelta(days=days - 1)
        w = daily.filter((daily.date >= first) & (daily.date <= as_of))
        sums = {name: w[column].sum() for name, column in SUMS.items()}
        aggregated = w.group_by("group_id").aggregate(
            _members=w.members.mean(), _order_amount=w.order_amount.sum(), _refund_amount=w.refund_amount.sum(),
            _score=exact_sum(w.csat * w.surveys), _joins=w.joins.sum(), _last_message=w.date.max(where=w.messages > 0),
            **{f"_{name}": value for name, value in sums.items()},
            # Float sums and means added exactly: the same bytes whatever order the rows come in.
            **{f"_mean_{name}": exact_mean(w[name]) for name in DAILY_MEANS},
        )
        a = aggregated
        members = a._members

        def ratio(n: Any, d: Any) -> Any:
            return ibis.ifelse(d > 0, n.cast("float64") / d.cast("float64"), 0.0)

        sales = a._order_amount - a._refund_amount
        values = {
            "members": members,
            "net_new_members": a._new_members - a._leaves,
            "sales": sales,
            "leave_rate": ratio(a._leaves, members),
            "join_rate": ratio(a._joins, a._exposures),
            "conversion_rate": ratio(a._orders, members),
            "messages_per_member": ratio(a._messages, members),
            "average_order_value": ratio(a._order_amount, a._buyers),
            "per_customer_return": ratio(sales, a._buyers),
            "roi": ratio(sales, a._cost),
            "csat": ratio(a._score, a._surveys),
            **{name: a[f"_{name}"] for name in SUMS},
            **{name: a[f"_mean_{name}"].fill_null(0.0) for name in DAILY_MEANS},
        }
        columns = {f.id: values[f.metric.id] for f in items if f.metric.id in values}
        if columns:
            picked = a.select("group_id", **columns)
            result = result.left_join(picked, result.group_id == picked.group_id).drop("group_id_right")
    return result
