"""The tasks of the SOP items that answer what the simulation itself decides (`on: level_up`,
`level_down`, `churn_warning`): `qunce tasks` cannot date them (standing instructions), the
assessment can. Each promotion, demotion or warning at a period's end gives a task in each group
the member is in that day, for the holder of the item's role there; it is due `within:` after
the period closes (the next day at 00:00; the item's tolerance without `within:`) and shown done
by a reach of the member (docs/sop-assessment.md)."""

from __future__ import annotations

from typing import Any

from ..model import Playbook

CHANGES = {"level_up": "promote", "level_down": "demote"}


def simulated_rows(playbook: Playbook, events: Any, levels: Any | None, churn: Any | None,
                   default_tolerance: int, homes: Any | None = None) -> list[Any]:
    """Row sources in compile/expand.ROW_COLUMNS for those items (none when the member stage
    has no levels or warnings to answer). `homes`: the member stage's groups of its members at
    each period end (simulate/members.MemberResult.homes, covering every member moved a level),
    else worked out here."""
    import ibis

    from ..simulate.churn import member_groups_on

    sources: list[Any] = []
    changed: list[Any] = []
    for idx, item in enumerate(playbook.sop):
        minutes = item.within.minutes if item.within is not None else (
            item.tolerance.minutes if item.tolerance is not None else default_tolerance)
        if item.on in CHANGES and levels is not None:
            t = levels.filter(levels.change == CHANGES[item.on])
            changed.append(t.select(_idx=ibis.literal(idx, "int32"), _minutes=ibis.literal(minutes, "int64"),
                                    member_id=t.member_id, as_of=t.period_end))
        elif item.on == "churn_warning" and churn is not None:
            w = churn if item.warning is None else churn.filter(churn.warning == item.warning)
            w = w.select(_idx=ibis.literal(idx, "int32"), _minutes=ibis.literal(minutes, "int64"),
                         member_id=w.member_id, as_of=w.as_of, group_id=w.group_id)
            sources.append(_rows(w))
    if changed:
        moved = ibis.union(*changed)
        ends = _dates(moved)
        if ends:
            h = homes if homes is not None else member_groups_on(
                events.semi_join(moved, events.member_id == moved.member_id), ends)
            at = moved.join(h, [moved.member_id == h.member_id, moved.as_of == h.as_of])
            sources.append(_rows(at.select("_idx", "_minutes", member_id=moved.member_id, as_of=moved.as_of,
                                           group_id=h.group_id)))
    return sources


def _rows(t: Any) -> Any:
    """The tasks' rows: each due `_minutes` after its period closes."""
    import ibis

    from ..compile.expand import rows_of

    closes = (t.as_of + ibis.interval(days=1)).cast("timestamp")  # the period closes at the day's end
    shaped = t.mutate(idx=t._idx, date=t.as_of)
    return rows_of(shaped, ibis.null("string"), shaped.member_id, None, closes + shaped._minutes.as_interval("m"),
                   None, closes)


def _dates(t: Any) -> list[Any]:
    from ..compute import fetch_rows

    """The period ends with a promotion or demotion, in order."""
    return sorted(r["as_of"] for r in fetch_rows(None, t.select("as_of").distinct()))
