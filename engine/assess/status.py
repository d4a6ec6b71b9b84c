"""Each task's status (docs/sop-assessment.md): on time, late (with how late), missed, not
observable, not due yet. Exactly one each, so per person and period the counts add up."""

from __future__ import annotations

from typing import Any

from .evidence import LOGGED

ON_TIME, LATE, MISSED, NOT_OBSERVABLE, NOT_DUE = "on_time", "late", "missed", "not_observable", "not_due"
STATUSES = {ON_TIME: ("按时", "on time"), LATE: ("迟做", "late"), MISSED: ("漏做", "missed"),
            NOT_OBSERVABLE: ("不可考核", "not observable"), NOT_DUE: ("未到期", "not due yet")}
# sop_warnings' status: followed up by an owner in time, not, or its due day not over when the data ends
WARNING_ACTED, WARNING_NOT_ACTED, WARNING_NOT_DUE = "acted", "not_acted", "not_due"


def with_status(tasks: Any, first: Any, data_end: Any, observable: list[str]) -> Any:
    """`tasks` (windows.with_windows's) with done_at, done_row (match.first_evidence's), status
    and late_minutes (whole minutes after the window's end, rounded up: one second late is one
    minute; NULL unless late). `data_end`: the last event's time (a task whose lateness runs past
    it and has no evidence is not due yet); `observable`: the logged items the data logs at all
    (a logged item without a single sop_done event is not observable)."""
    import ibis

    t = tasks.left_join(first, tasks.task == first.task).drop("task_right")
    unobservable = (t.evidence == LOGGED) & ~t.item.isin(observable) if observable else t.evidence == LOGGED
    status = ibis.cases(
        (unobservable, ibis.literal(NOT_OBSERVABLE)),
        (t.done_at.notnull() & (t.done_at <= t.window_end), ibis.literal(ON_TIME)),
        (t.done_at.notnull(), ibis.literal(LATE)),
        (t.late_end > data_end, ibis.literal(NOT_DUE)),
        else_=ibis.literal(MISSED))
    # the seconds between them as DuckDB counts them (second boundaries crossed), on every engine:
    # Spark counts whole seconds elapsed, one fewer after a window ending at .999999
    seconds = t.done_at.truncate("s").delta(t.window_end.truncate("s"), unit="second")
    late = ibis.ifelse(status == LATE, (seconds + 59) // 60, ibis.null("int64"))
    done = status.isin([ON_TIME, LATE])
    return t.mutate(status=status, late_minutes=late.cast("int64"),
                    done_at=ibis.ifelse(done, t.done_at, ibis.null("timestamp")),
                    done_row=ibis.ifelse(done, t.done_row, ibis.null("int64")))
