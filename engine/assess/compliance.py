"""SOP compliance per staff member, role and period (sop_compliance): the tasks by status, the
on-time rate and the median lateness (docs/sop-assessment.md)."""

from __future__ import annotations

from typing import Any

from .status import LATE, MISSED, NOT_DUE, NOT_OBSERVABLE, ON_TIME

GRAINS = ("week", "month")


def compliance(tasks: Any, grains: tuple[str, ...] = GRAINS) -> Any:
    """grain, staff_id, role, period_start, due (on time + late + missed + not observable),
    on_time, late, missed, not_observable, not_due, on_time_rate (on time ÷ (on time + late +
    missed), NULL when none of those) and median_late_minutes, from status.with_status's tasks."""
    import ibis

    from ..simulate.periods import period_of

    parts = []
    for grain in grains:
        t = tasks.mutate(period_start=period_of(tasks.date, grain))
        counted = {status: (t.status == status).sum().cast("int64") for status in (ON_TIME, LATE, MISSED, NOT_OBSERVABLE, NOT_DUE)}
        per = t.group_by(["staff_id", "role", "period_start"]).aggregate(
            **counted, median_late_minutes=t.late_minutes.median())
        assessed = per[ON_TIME] + per[LATE] + per[MISSED]
        parts.append(per.select(
            grain=ibis.literal(grain), staff_id=per.staff_id, role=per.role, period_start=per.period_start,
            due=assessed + per[NOT_OBSERVABLE], on_time=per[ON_TIME], late=per[LATE], missed=per[MISSED],
            not_observable=per[NOT_OBSERVABLE], not_due=per[NOT_DUE],
            on_time_rate=ibis.ifelse(assessed > 0, per[ON_TIME] / assessed, ibis.null("float64")),
            median_late_minutes=per.median_late_minutes.cast("float64")))
    return ibis.union(*parts)
