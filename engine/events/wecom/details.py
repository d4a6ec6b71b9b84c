"""Group details: the answers of externalcontact/groupchat/get, one a line or one a file, with or
without the errcode/errmsg envelope. Each group gives the roster its name, owner, admins and
creation time; each member entry is a record: an external contact's (type 2) is a join at its
join_time (channel from join_scene, invited by invitor.userid), a staff member's (type 1) names
staff and is skipped. An answer that cannot be read counts as one rejected record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from .json_lines import json_records, read_text
from .kinds import Source
from .records import Movement, Rejection, Tally, channel_of, text_of
from .times import epoch_ms, is_whole, local

KIND = "details"


@dataclass(slots=True)
class GroupDetail:
    chat_id: str
    name: str | None
    owner: str | None
    created: dt.datetime
    admins: list[str]


@dataclass
class Details:
    groups: dict[str, GroupDetail] = field(default_factory=dict)  # the last answer read of each group
    staff: dict[str, str | None] = field(default_factory=dict)  # userid → name, of type-1 members, owners, admins
    staff_joined: dict[tuple[str, str], dt.datetime] = field(default_factory=dict)  # (group, userid) → join
    movements: list[Movement] = field(default_factory=list)


def read_details(sources: Sequence[tuple[int, Source]], zone: ZoneInfo, tally: Tally) -> Details:
    """The groups, staff and joins of every group details file; rejected records into `tally`."""
    found = Details()
    for index, source in sources:
        text = read_text(source.path, source.shown)
        if text is None:
            tally.read[KIND] += 1
            tally.reject(KIND, Rejection(source.shown, 1, "", "not_utf8"))
            continue
        for record in json_records(text):
            values = record.value if isinstance(record.value, list) else [record.value]
            for value in values:
                _answer(value, record.problem, source.shown, index, record.line, zone, tally, found)
    return found


def _answer(value: Any, problem: str | None, shown: str, index: int, line: int, zone: ZoneInfo, tally: Tally,
            found: Details) -> None:
    def reject(column: str, reason: str, bad: Any = None) -> None:
        tally.read[KIND] += 1
        tally.reject(KIND, Rejection(shown, line, column, reason, None if bad is None else str(bad)))

    if problem is not None or not isinstance(value, dict):
        reject("", problem or "not_object")
        return
    if "errcode" in value and str(value["errcode"]).strip() not in ("0", ""):
        reject("errcode", "errcode", f"{value['errcode']} {value.get('errmsg', '')}".strip())
        return
    chat = value.get("group_chat", value)
    if not isinstance(chat, dict):
        reject("group_chat", "missing")
        return
    prefix = "group_chat." if "group_chat" in value else ""
    chat_id = text_of(chat.get("chat_id"))
    if chat_id is None:
        reject(prefix + "chat_id", "missing")
        return
    created = epoch_ms(chat.get("create_time"))
    if created is None:
        reason = "missing" if chat.get("create_time") in (None, "") else "bad_time" if not is_whole(
            chat.get("create_time")) else "time_range"
        reject(prefix + "create_time", reason, chat.get("create_time"))
        return
    members = chat.get("member_list", [])
    if not isinstance(members, list):
        reject(prefix + "member_list", "not_list")
        return
    owner = text_of(chat.get("owner"))
    admins = [a for a in (text_of(item.get("userid")) if isinstance(item, dict) else text_of(item)
                          for item in chat.get("admin_list") or []) if a]
    found.groups[chat_id] = GroupDetail(chat_id, text_of(chat.get("name")), owner, local(created, zone), admins)
    for userid in (owner, *admins):
        if userid:
            found.staff.setdefault(userid, None)
    for position, member in enumerate(members):
        _member(member, f"{prefix}member_list[{position}]", chat_id, shown, index, line, zone, tally, found)


def _member(member: Any, column: str, chat_id: str, shown: str, index: int, line: int, zone: ZoneInfo, tally: Tally,
            found: Details) -> None:
    tally.read[KIND] += 1

    def reject(field_name: str, reason: str, bad: Any = None) -> None:
        tally.reject(KIND, Rejection(shown, line, f"{column}{field_name}", reason, None if bad is None else str(bad)))

    if not isinstance(member, dict):
        reject("", "not_object")
        return
    userid = text_of(member.get("userid"))
    if userid is None:
        reject(".userid", "missing")
        return
    kind = str(member.get("type", "")).strip()
    if kind not in ("1", "2"):
        reject(".type", "bad_member_type" if kind else "missing", member.get("type"))
        return
    joined = epoch_ms(member.get("join_time"))
    if joined is None:
        raw = member.get("join_time")
        reject(".join_time", "missing" if raw in (None, "") else "time_range" if is_whole(raw) else "bad_time", raw)
        return
    at = local(joined, zone)
    if kind == "1":
        found.staff[userid] = text_of(member.get("name")) or text_of(member.get("group_nickname")) or found.staff.get(userid)
        found.staff_joined[(chat_id, userid)] = at
        tally.skip(KIND, "staff_member")
        return
    invitor = member.get("invitor")
    inviter = text_of(invitor.get("userid")) if isinstance(invitor, dict) else None
    found.movements.append(Movement("join", chat_id, userid, at, KIND, index, line, inviter=inviter,
                                    channel=channel_of(member.get("join_scene"))))

