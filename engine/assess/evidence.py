"""What shows an SOP item done (考核方式), decided by its trigger (docs/sop-assessment.md): a post
in the group, a one-to-one reach of the task's member, or a logged `sop_done` event."""

from __future__ import annotations

from ..model.sop import SopItem

POST = "post"  # 群内发言: a staff message in the group
REACH = "reach"  # 一对一触达: a reach event with the task's member
LOGGED = "logged"  # 登记完成: a sop_done event only

KINDS = {POST: ("群内发言", "a post in the group"), REACH: ("一对一触达", "a one-to-one reach"),
         LOGGED: ("登记完成", "logged as done (sop_done)")}

# Events an item answers whose task is about one member, done one to one.
_MEMBER_EVENTS = ("churn_warning", "level_up", "level_down")

DEFAULT_TOLERANCE_MINUTES = 30  # a scheduled post counts within this of its time, either side
LATE_MINUTES = 24 * 60  # evidence this long after the window still makes a task late, not missed


def evidence(item: SopItem) -> str:
    """The kind of evidence `item` is assessed by."""
    if item.per == "person":
        return LOGGED
    if item.member_days or (item.on in _MEMBER_EVENTS):
        return REACH
    return POST
