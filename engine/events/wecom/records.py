"""What the readers of WeCom records hand on: the joins and leaves they found, the records they
rejected, and the books that account for every record read."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

KINDS = ("archive", "details", "changes")
# WeCom's join_scene as a join's channel: 1, 2, 3 in group details (and callbacks), 0 in callbacks
# for an invitation of either kind.
CHANNELS = {0: "成员邀请", 1: "直接邀请", 2: "邀请链接", 3: "扫码入群"}
SHOWN_REJECTIONS = 20  # rejections kept with their place for the report; all are counted


@dataclass(frozen=True, slots=True)
class Rejection:
    """A record that could not be used: where it is (file, line), which field and why."""

    file: str
    line: int
    column: str  # the field, as the export names it ("" for the whole record)
    reason: str  # a key of reasons.REJECTED
    value: str | None = None


@dataclass(frozen=True, slots=True)
class Movement:
    """A member joining or leaving a group, as a group details answer or a change callback has it."""

    kind: str  # join | leave
    group_id: str
    member_id: str
    at: dt.datetime  # local time in the playbook's time zone, naive
    source: str  # details | changes
    file: int  # index into the run's list of files
    line: int
    inviter: str | None = None  # who invited a joiner: staff (staff_id) or a member (referrer_id)
    channel: str | None = None
    removed: bool | None = None  # a leave done by the owner or an admin


@dataclass
class Tally:
    """Per kind of source: records read = written + skipped (by reason) + rejected (by reason)."""

    read: Counter[str] = field(default_factory=Counter)
    written: Counter[str] = field(default_factory=Counter)
    skipped: Counter[tuple[str, str]] = field(default_factory=Counter)  # (kind, reason) → records
    rejected: Counter[tuple[str, str]] = field(default_factory=Counter)
    rejections: list[Rejection] = field(default_factory=list)  # the first SHOWN_REJECTIONS by place

    def skip(self, kind: str, reason: str, records: int = 1) -> None:
        self.skipped[(kind, reason)] += records

    def reject(self, kind: str, rejection: Rejection) -> None:
        self.rejected[(kind, rejection.reason)] += 1
        self.rejections.append(rejection)

    def total(self, counter: Counter[tuple[str, str]], kind: str | None = None) -> int:
        return sum(n for (k, _), n in counter.items() if kind is None or k == kind)

    def balanced(self) -> bool:
        """Whether every record read is accounted for, for every kind."""
        return all(self.read[kind] == self.written[kind] + self.total(self.skipped, kind)
                   + self.total(self.rejected, kind) for kind in KINDS)

    def shown(self) -> list[Rejection]:
        """The first rejections in file and line order."""
        return sorted(self.rejections, key=lambda r: (r.file, r.line, r.column))[:SHOWN_REJECTIONS]


def text_of(value: Any) -> str | None:
    """A non-empty id, name or code as text (numbers too); None for anything else."""
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def channel_of(scene: Any) -> str | None:
    """A join's channel from WeCom's join_scene (JoinScene); None when it is not one WeCom has."""
    text = text_of(scene)
    return CHANNELS.get(int(text)) if text is not None and text.isascii() and text.isdigit() and len(text) < 4 else None
