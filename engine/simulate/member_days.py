"""The member stage's one pass over the member events: per member and day, the aggregates the
features of every period end are summed from (features.day_columns, features_from_days) and
the day sums of the points rules not on orders (points.daily_points, points_ledger's `daily`).

Messages are most of the events: they are aggregated apart, with only the aggregates that read
messages; every other aggregate reads the other events only (at 10M events, about half the work
of every aggregate over every event). A member's day then has up to two rows, one of messages
and one of the rest, which the features' sums, minimums, maximums and distinct days read
alike; each points rule's day sum is on one of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..catalog import Resolved
from ..model.membership import Points
from ..model.metrics import CustomMetric
from .features import day_columns
from .points import daily_points

MESSAGE = "message"  # the type of most events


def member_day_parts(t: Any, wanted: Sequence[Resolved], custom: Sequence[CustomMetric],
                     points: Points | None) -> list[Any]:
    """member_id, date and the aggregates, over member events `t`: the messages' part and the
    rest's, in one schema (a part's columns are NULL in the other); store their union."""
    import ibis

    parts = []
    for messages in (True, False):
        part = t.filter((t.type == MESSAGE) if messages else (t.type != MESSAGE))

        def kinds(kind: str, messages: bool = messages) -> bool:
            return (kind == MESSAGE) == messages

        columns = day_columns(part, wanted, custom, kinds)
        if points is not None:
            columns |= daily_points(part, points, kinds)
        parts.append(part.group_by(["member_id", "date"]).aggregate(**columns))
    types = {name: dtype for part in parts for name, dtype in part.schema().items()}
    return [p.select(*[p[name] if name in p.columns else ibis.null(dtype).name(name) for name, dtype in types.items()])
            for p in parts]
