"""How each SOP item is assessed (考核方式), in the handbook's words: the evidence that shows it
done and the window it is on time in (docs/sop-assessment.md).

The rule is assess/evidence.py's (`evidence`, `KINDS`, the default tolerance); it is restated
here because compile/ may not import assess/ (assess/ runs compile/'s expansion: the import
graph would have a cycle). tests/handbook/test_docs_assessment.py holds the two equal, item by
item, and the window's cases to assess/windows.py's."""

from __future__ import annotations

from ...model import Playbook
from ...model.common import Duration
from ...model.sop import SopItem
from ..triggers import kind, time_of
from .fmt import duration

POST, REACH, LOGGED = "post", "reach", "logged"
_MEMBER_EVENTS = ("churn_warning", "level_up", "level_down")  # done one to one with the member
DEFAULT_TOLERANCE = Duration(30, "30m")  # as assess/evidence.DEFAULT_TOLERANCE_MINUTES
_DAY = 1440


def evidence(item: SopItem) -> str:
    """post, reach or logged: assess/evidence.evidence's rule."""
    if item.per == "person":
        return LOGGED
    if item.member_days or item.on in _MEMBER_EVENTS:
        return REACH
    return POST


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
        return w["assess_reply"].format(evidence=said)
    if time_of(item) is not None and evidence(item) != REACH:
        return w["assess_at"].format(evidence=said, tolerance=duration(tolerance(item, playbook), lang))
    return w["assess_day"].format(evidence=said)
