"""The playbook's member-scope custom aggregates (custom_metrics.member_custom_columns) from a
member's days instead of their events, for features.features_from_days: per member and day
once, then summed up to each period end. Same values and types: counts and sums add up (the
fields are integers or decimals), an average is its sum and count, distinct days and the last
day come from a flag per day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from ..model.metrics import CustomMetric
from .custom_metrics import day_partial, event_aggregates, window_days


def day_custom_columns(t: Any, metrics: Sequence[CustomMetric],
                       kinds: Callable[[str], bool] = lambda kind: True) -> dict[str, Any]:
    """Aggregates per member and day over member events `t`, one or two per member aggregate of
    `metrics` (by its place among them) whose event type `kinds` accepts."""
    columns: dict[str, Any] = {}
    for i, metric in enumerate(event_aggregates(metrics, "member")):
        if not kinds(str(metric.event)):
            continue
        values = day_partial(t, metric)
        if "count" in values:  # an average: its sum and its count
            columns[f"_day_custom_sum_{i}"], columns[f"_day_custom_n_{i}"] = values["value"], values["count"]
        else:
            columns[f"_day_custom_{i}"] = values["value"]
    return columns


def every(*conditions: Any) -> Any | None:
    """The conditions that are not None, all of them (None: none)."""
    import ibis

    kept = [c for c in conditions if c is not None]
    return ibis.and_(*kept) if len(kept) > 1 else (kept[0] if kept else None)


def member_custom_from_days(d: Any, metrics: Sequence[CustomMetric], as_of: dt.date) -> dict[str, Any]:
    """member_custom_columns' aggregates (but `_joined`) over `d`: member_id, date and
    day_custom_columns, the days up to `as_of`; to be grouped by member_id and finished by
    member_custom_values."""
    where = every
    columns: dict[str, Any] = {}
    for i, metric in enumerate(event_aggregates(metrics, "member")):
        days = window_days(metric)
        inside = d.date > as_of - dt.timedelta(days=days) if days is not None and metric.agg != "days_since_last" \
            else None
        key = metric.id
        if metric.agg in ("count", "sum"):
            columns[key] = d[f"_day_custom_{i}"].sum(where=where(inside)).fill_null(0)
        elif metric.agg == "avg":
            columns[f"_sum_{key}"] = d[f"_day_custom_sum_{i}"].sum(where=where(inside))
            columns[f"_n_{key}"] = d[f"_day_custom_n_{i}"].sum(where=where(inside)).fill_null(0)
        elif metric.agg == "distinct_days":
            columns[key] = d.date.nunique(where=where(d[f"_day_custom_{i}"], inside))
        elif metric.agg == "days_since_last":
            columns[f"_clast_{key}"] = d.date.max(where=where(d[f"_day_custom_{i}"]))
        else:
            raise ValueError(f"custom metric '{metric.id}': unknown agg {metric.agg!r}")
    return columns
