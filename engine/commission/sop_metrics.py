"""The SOP assessment's figures as metrics the commission pays on (catalog.COMMISSION_EXTRA):
sop_on_time_rate, sop_missed and warnings_acted_rate, per unit (a staff member, or a group) and
commission period. A unit with nothing to assess has a rate of 1 and nothing missed: no task is
no task done badly (docs/sop-assessment.md).

The assessment (assess/) is handed in by the commands: it expands the SOP with compile/, which
reads the commission's words, so the commission never imports it. Its tables' statuses are
assess/status.py's (a test holds STATUSES here to them)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..catalog import KPI_EXTRA as SOP_METRICS

_PLACES = Decimal("0.000001")  # as the weighted attainment
ON_TIME, LATE, MISSED = STATUSES = ("on_time", "late", "missed")  # assess/status.py's, the ones a rate counts
WARNING_ACTED, WARNING_NOT_DUE = WARNING_STATUSES = ("acted", "not_due")  # assess/status.py's too
ONE, ZERO = Decimal(1), Decimal(0)


def reads_sop(plan: Any) -> bool:
    """Whether a commission plan (commission.plan.Plan) reads an assessment metric."""
    return any(name in SOP_METRICS for name in (*(k.metric for k in plan.kpis), *plan.condition_names()))


def reads_warnings(plan: Any) -> bool:
    return "warnings_acted_rate" in (*(k.metric for k in plan.kpis), *plan.condition_names())


def defaults() -> dict[str, Decimal]:
    return {"sop_on_time_rate": ONE, "sop_missed": ZERO, "warnings_acted_rate": ONE}


def sop_values(con: Any, result: Any, grain: str, unit: str) -> dict[tuple[str, str], dict[str, Decimal]]:
    """(unit id, period label) → the metrics, from an assess.stage.SopResult; `unit`: "staff"
    (a person's own tasks and the warnings they own) or "group" (the group's tasks and warnings)."""
    from ..compute import fetch_rows
    from ..simulate.periods import period_label, period_of

    key = "staff_id" if unit == "staff" else "group_id"
    t = result.tasks
    t = t.filter(t[key].notnull())
    t = t.mutate(_p=period_label(period_of(t.date, grain), grain))
    counts = t.group_by([t[key].name("_u"), "_p"]).aggregate(
        on_time=(t.status == ON_TIME).sum(), assessed=t.status.isin([ON_TIME, LATE, MISSED]).sum(),
        missed=(t.status == MISSED).sum())
    out: dict[tuple[str, str], dict[str, Decimal]] = {}
    for r in fetch_rows(con, counts):
        values = defaults()
        if r["assessed"]:
            values["sop_on_time_rate"] = (Decimal(int(r["on_time"])) / Decimal(int(r["assessed"]))).quantize(
                _PLACES, ROUND_HALF_UP)
        values["sop_missed"] = Decimal(int(r["missed"]))
        out[r["_u"], r["_p"]] = values
    if result.warnings is not None:
        w = result.warnings
        owner = "owner" if unit == "staff" else "group_id"
        w = w.mutate(_p=period_label(period_of(w.as_of, grain), grain))
        w = w.filter(w.status != WARNING_NOT_DUE)  # its due day not over when the data ends: not counted yet
        acted = w.group_by([w[owner].name("_u"), "_p"]).aggregate(owned=w.count(), acted=(w.status == WARNING_ACTED).sum())
        for r in fetch_rows(con, acted):
            values = out.setdefault((r["_u"], r["_p"]), defaults())
            values["warnings_acted_rate"] = (Decimal(int(r["acted"])) / Decimal(int(r["owned"]))).quantize(
                _PLACES, ROUND_HALF_UP)
    return out
