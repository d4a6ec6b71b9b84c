"""Each task's window (考核窗口): when its evidence makes it on time, and until when it makes it
late (docs/sop-assessment.md). Local clock time throughout, as the events and tasks are.

The tasks table (`tasks`): task (int64), idx, evidence, tolerance (minutes), staff_id, role,
group_id, member_id, date, time ('HH:MM' or NULL), due (the deadline of a task that answers an
event or the group's creation, else NULL), trigger_ts (the answered event's time, else NULL).
"""

from __future__ import annotations

from typing import Any

from .evidence import LATE_MINUTES, REACH


def with_windows(tasks: Any) -> Any:
    """`tasks` with scheduled (the time a scheduled task is set for, else NULL), window_start,
    window_end (both included) and late_end (evidence up to it is late, after it missed)."""
    import ibis

    t = tasks
    day_start = t.date.cast("timestamp")
    day_end = day_start + ibis.interval(days=1) - ibis.interval(microseconds=1)
    minutes = t.time.substr(0, 2).cast("int64") * 60 + t.time.substr(3, 2).cast("int64")
    scheduled = ibis.ifelse(t.time.notnull() & t.due.isnull() & (t.evidence != REACH),
                            day_start + minutes.as_interval("m"), ibis.null("timestamp"))
    tolerance = t.tolerance.as_interval("m")
    start = ibis.cases(
        (t.trigger_ts.notnull(), t.trigger_ts),  # a reply: from the event on
        (scheduled.notnull(), scheduled - tolerance),
        else_=day_start)  # the group's creation, a member's day, a day without a time
    end = ibis.cases(
        (t.due.notnull(), t.due),
        (scheduled.notnull(), scheduled + tolerance),
        else_=day_end)
    return t.mutate(scheduled=scheduled, window_start=start, window_end=end,
                    late_end=end + ibis.interval(minutes=LATE_MINUTES))
