"""How each SOP item is assessed (考核方式), in the handbook's words: the evidence that shows it
done (model/sop.evidence_of, the assessment's own rule) and the window it is on time in
(docs/sop-assessment.md; tests/handbook/test_docs_assessment.py holds the window's cases to
assess/windows.py's)."""

from __future__ import annotations

from ...model import Playbook
from ...model.common import Duration
from ...model.sop import DEFAULT_TOLERANCE_MINUTES, REACH, SopItem
from ...model.sop import evidence_of as evidence
from ..triggers import kind, time_of
from .fmt import duration

DEFAULT_TOLERANCE = Duration(DEFAULT_TOLERANCE_MINUTES, f"{DEFAULT_TOLERANCE_MINUTES}m")
_DAY = 1440


def tolerance(item: SopItem, playbook: Playbook) -> Duration:
    """The item's tolerance, else calendar.tolerance, else 30 minutes."""
    return item.tolerance or playbook.calendar.tolerance or DEFAULT_TOLERANCE


def assessed(item: SopItem, playbook: Playbook, lang: str, w: dict[str, str]) -> str:
    """考核方式 of one item: its evidence, then its window (as assess/windows.py draws it: a reply
    from its event to its deadline; a time of day, unless the task is a reach, ± the tolerance;
    else the day)."""
    said = w[f"evidence_{evidence(item)}"]
    if item.on == "churn_warning":  # followed up by the warning's owner (sop_warnings)
        return w["assess_warning"].format(evidence=said)
    if kind(item) == "on":
        if item.on == "group_created":  # the roster has no time of day: by the end of the day, at the earliest
            if item.within is None or item.within.minutes <= _DAY:
                return w["assess_created"].format(evidence=said)
            return w["assess_created_within"].format(evidence=said, within=duration(item.within, lang))
        if item.within is None:  # due at its event: on time within the tolerance after it
            return w["assess_reply_tolerance"].format(evidence=said, tolerance=duration(tolerance(item, playbook), lang))
        return w["assess_reply"].format(evidence=said)
    if time_of(item) is not None and evidence(item) != REACH:
        return w["assess_at"].format(evidence=said, tolerance=duration(tolerance(item, playbook), lang))
    return w["assess_day"].format(evidence=said)
