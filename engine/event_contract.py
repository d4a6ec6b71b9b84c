"""The event table: one row per event, the columns each event type uses, and their meaning.

This is the contract with users' data (schemas/events.schema.json is generated
from it, and the README shows an example). WeCom exports map onto it: a group
change event with join_scene becomes a `join` with `channel`, quit_scene a
`leave` with `removed`.

It imports nothing of qunce's and lives outside engine/events/: the playbook model
(custom metrics name event types) reads it, and the events stage imports the model.
"""

from __future__ import annotations

from dataclasses import dataclass

# id → (Chinese labels, '|'-separated; meaning)
EVENT_TYPES: dict[str, tuple[str, str]] = {
    "exposure": ("曝光", "exposures of an entry channel (count = how many)"),
    "join": ("入群", "a member joined a group"),
    "leave": ("退群", "a member left, or was removed (removed = true)"),
    "message": ("发言|消息", "a member posted a message (flag = a banned behaviour's id when staff flagged it)"),
    "order": ("下单|订单", "a member ordered (amount in CNY)"),
    "refund": ("退款", "an order was refunded (amount in CNY; order_id links it to its order)"),
    "referral": ("推荐", "a member referred someone (member_id is the one who referred)"),
    "checkin": ("签到", "a member checked in"),
    "survey": ("问卷", "a member answered a satisfaction survey (score 1–5)"),
    "reach": ("触达", "staff reached a member one to one"),
    "cost": ("投入", "money spent on a group (amount in CNY), for ROI"),
    "task": ("任务", "a member completed a task"),
    "sop_done": ("SOP完成|执行记录", "staff logged an SOP task as done (sop = the item's id), for the SOP assessment"),
}


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str  # timestamp | text | decimal | integer | boolean
    zh: str
    en: str
    required_for: tuple[str, ...] = ()  # event types that must have it
    allowed_for: tuple[str, ...] = ()  # event types that may have it (empty: all)


ALL = tuple(EVENT_TYPES)
MEMBER_EVENTS = tuple(t for t in ALL if t not in ("exposure", "cost", "sop_done"))

COLUMNS: tuple[Column, ...] = (
    Column("ts", "timestamp", "时间", "when it happened; without an offset it is in the playbook's time zone", ALL),
    Column("type", "text", "事件类型", "one of the event types", ALL),
    Column("group_id", "text", "群 id", "the group (as in the roster)", ALL),
    Column("member_id", "text", "成员 id", "the member", MEMBER_EVENTS),
    Column("staff_id", "text", "员工 id", "staff involved: who invited a joiner, who reached a member, who did an SOP task",
           ("sop_done",)),
    Column("amount", "decimal", "金额", "CNY with at most two decimals; a join's amount is the entry fee paid",
           ("order", "refund", "cost"), ("order", "refund", "cost", "join")),
    Column("order_id", "text", "订单号", "links a refund to its order", (), ("order", "refund")),
    Column("channel", "text", "渠道", "entry or traffic channel", (), ("join", "exposure", "order", "reach")),
    Column("referrer_id", "text", "推荐人", "the member who referred a joiner", (), ("join",)),
    Column("activity", "text", "活动", "the activity a joiner took part in", (), ("join",)),
    Column("removed", "boolean", "被移出", "a leave done by staff (true) or by the member (false)", (), ("leave",)),
    Column("flag", "text", "违规", "the id of the banned behaviour staff flagged a message with", (), ("message",)),
    Column("score", "integer", "评分", "survey score, 1–5", ("survey",), ("survey",)),
    Column("count", "integer", "数量", "how many, for pre-aggregated rows such as exposures (default 1)", (),
           ("exposure", "reach", "message")),
    Column("length", "integer", "字数", "characters in the message; below metrics.valid_message_min_chars it is "
           "not a valid message (no length: valid)", (), ("message",)),
    Column("sop", "text", "SOP 事项", "the id of the SOP item a sop_done logs (its member_id, if any: the member it was for)",
           ("sop_done",), ("sop_done",)),
)
BY_NAME = {column.name: column for column in COLUMNS}


def events_json_schema() -> dict[str, object]:
    """A JSON Schema for one event (one JSONL line, one CSV row, one Parquet row)."""
    kinds: dict[str, dict[str, object]] = {"timestamp": {"type": "string", "format": "date-time"}, "text": {"type": "string"},
             "decimal": {"type": ["number", "string"]}, "integer": {"type": "integer"},
             "boolean": {"type": "boolean"}}
    properties: dict[str, object] = {}
    for column in COLUMNS:
        spec: dict[str, object] = {**kinds[column.type], "title": f"{column.zh} {column.name}",
                                   "description": column.en}
        if column.name == "type":
            spec["enum"] = list(EVENT_TYPES)
        if column.name == "score":
            spec.update(minimum=1, maximum=5)
        if column.name in ("amount", "count", "length"):
            spec["minimum"] = 0
        properties[column.name] = spec
    conditional = [
        {"if": {"properties": {"type": {"const": kind}}},
         "then": {"required": [c.name for c in COLUMNS if kind in c.required_for]}}
        for kind in EVENT_TYPES
    ]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://qunce.dev/schemas/events.schema.json",
        "title": "群策 qunce event",
        "description": "One event. Files: CSV with a header, JSONL (one object per line) or Parquet. "
                       + "; ".join(f"{k} ({zh.split('|')[0]}): {en}" for k, (zh, en) in EVENT_TYPES.items()),
        "type": "object",
        "properties": properties,
        "required": ["ts", "type", "group_id"],
        "additionalProperties": False,
        "allOf": conditional,
    }
