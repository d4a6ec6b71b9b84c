"""Group change callbacks (change_external_chat), saved as JSON (one a line; the XML's tag names,
or snake_case, or xmltodict's {"xml": {…}}) or as the XML WeCom posts (one or more <xml>…</xml>
a file). Each member of an add_member or del_member update's MemChangeList is a record: a join
(channel from JoinScene) or a leave (removed when QuitScene is 1). Any other callback is one
record: a group's creation or dismissal (its day goes to the roster), or a change of owner, name
or notice (skipped)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from .json_lines import json_records, read_text
from .kinds import Source, unwrapped
from .records import Movement, Rejection, Tally, channel_of, text_of
from .times import epoch_ms, is_whole, local

KIND = "changes"
EVENT = "change_external_chat"
_ENTITIES = re.compile(r"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass
class Changes:
    movements: list[Movement] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)  # chat_id → epoch ms of its creation
    dismissed: dict[str, int] = field(default_factory=dict)  # chat_id → epoch ms of its dismissal


def read_changes(sources: Sequence[tuple[int, Source]], zone: ZoneInfo, tally: Tally) -> Changes:
    found = Changes()
    for index, source in sources:
        text = read_text(source.path, source.shown)
        if text is None:
            tally.read[KIND] += 1
            tally.reject(KIND, Rejection(source.shown, 1, "", "not_utf8"))
            continue
        records = _xml_records(text) if text.lstrip().startswith("<") else _json_records(text)
        for line, record, problem in records:
            if problem is not None or record is None:
                tally.read[KIND] += 1
                tally.reject(KIND, Rejection(source.shown, line, "", problem or "not_object"))
                continue
            _callback(record, source.shown, index, line, zone, tally, found)
    return found


Record = tuple[int, dict[str, Any] | None, str | None]  # line, fields by normalised name, problem


def _normalised(fields: dict[str, Any]) -> dict[str, Any]:
    return {key.replace("_", "").lower(): value for key, value in unwrapped(fields).items()}


def _json_records(text: str) -> Iterator[Record]:
    for record in json_records(text):
        values = record.value if isinstance(record.value, list) else [record.value]
        for value in values:
            if record.problem is not None or not isinstance(value, dict):
                yield record.line, None, record.problem or "not_object"
            else:
                yield record.line, _normalised(value), None


def _xml_records(text: str) -> Iterator[Record]:
    """Each <xml>…</xml> block; a block left open at the end is one bad record."""
    position = 0
    while (start := text.find("<xml", position)) >= 0:
        line = text.count("\n", 0, start) + 1
        end = text.find("</xml>", start)
        if end < 0:
            yield line, None, "bad_xml"
            return
        block, position = text[start:end + len("</xml>")], end + len("</xml>")
        if _ENTITIES.search(block):  # no entity expansion from a file: the callbacks never have any
            yield line, None, "xml_dtd"
            continue
        try:
            root = ElementTree.fromstring(block)
        except ElementTree.ParseError:
            yield line, None, "bad_xml"
            continue
        fields: dict[str, Any] = {}
        for child in root:
            items = [item.text.strip() for item in child if item.text and item.text.strip()]
            fields[child.tag] = items if len(child) else (child.text or "").strip()
        yield line, _normalised(fields), None


def _callback(record: dict[str, Any], shown: str, index: int, line: int, zone: ZoneInfo, tally: Tally,
              found: Changes) -> None:
    def reject(column: str, reason: str, bad: Any = None) -> None:
        tally.read[KIND] += 1
        tally.reject(KIND, Rejection(shown, line, column, reason, None if bad is None else str(bad)))

    event = text_of(record.get("event", record.get("infotype")))  # InfoType: a third-party app's callback
    if event is not None and event != EVENT:
        tally.read[KIND] += 1
        tally.skip(KIND, "other_event")
        return
    chat_id = text_of(record.get("chatid"))
    if chat_id is None:
        reject("ChatId", "missing")
        return
    raw_time = record.get("createtime", record.get("timestamp"))
    at = epoch_ms(raw_time)
    if at is None:
        reject("CreateTime", "missing" if raw_time in (None, "") else "time_range" if is_whole(raw_time) else "bad_time",
               raw_time)
        return
    change = text_of(record.get("changetype"))
    if change == "create":
        found.created[chat_id] = min(at, found.created.get(chat_id, at))
        tally.read[KIND] += 1
        tally.skip(KIND, "group_created")
        return
    if change == "dismiss":
        found.dismissed[chat_id] = max(at, found.dismissed.get(chat_id, at))
        tally.read[KIND] += 1
        tally.skip(KIND, "group_dismissed")
        return
    if change != "update":
        reject("ChangeType", "bad_change_type" if change else "missing", change)
        return
    detail = text_of(record.get("updatedetail"))
    if detail not in ("add_member", "del_member"):
        tally.read[KIND] += 1
        tally.skip(KIND, "group_settings")
        return
    members = _members(record.get("memchangelist"))
    if not members:
        reject("MemChangeList", "no_members")
        return
    when = local(at, zone)
    tally.read[KIND] += len(members)
    if detail == "add_member":
        channel = channel_of(record.get("joinscene"))
        found.movements.extend(Movement("join", chat_id, member, when, KIND, index, line, channel=channel)
                               for member in members)
    else:
        removed = str(record.get("quitscene", "")).strip() == "1"
        found.movements.extend(Movement("leave", chat_id, member, when, KIND, index, line, removed=removed)
                               for member in members)


def _members(value: Any) -> list[str]:
    """MemChangeList as a list of userids: a list, xmltodict's {"Item": …}, or text with commas."""
    if isinstance(value, dict):
        value = value.get("Item", value.get("item"))
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        return []
    return [text for text in (text_of(item) for item in value) if text]

