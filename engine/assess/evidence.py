"""What shows an SOP item done (考核方式), decided by its trigger (docs/sop-assessment.md): a post
in the group, a one-to-one reach of the task's member, or a logged `sop_done` event. The rule
lives with the model (model/sop.evidence_of), which the handbook reads too."""

from __future__ import annotations

from ..model.sop import DEFAULT_TOLERANCE_MINUTES, LOGGED, POST, REACH
from ..model.sop import evidence_of as evidence

__all__ = ["DEFAULT_TOLERANCE_MINUTES", "KINDS", "LATE_MINUTES", "LOGGED", "POST", "REACH", "evidence"]

KINDS = {POST: ("群内发言", "a post in the group"), REACH: ("一对一触达", "a one-to-one reach"),
         LOGGED: ("登记完成", "logged as done (sop_done)")}

LATE_MINUTES = 24 * 60  # evidence this long after the window still makes a task late, not missed
