"""Why an event row is rejected: stable keys with words in both languages."""

from __future__ import annotations

REASONS: dict[str, tuple[str, str]] = {
    "missing_ts": ("ts is empty", "ts 为空"),
    "bad_ts": ("ts is not a timestamp (write 2027-01-04 20:00:00, or with an offset +08:00)",
               "ts 不是时间（请写 2027-01-04 20:00:00，或带时区 +08:00）"),
    "unknown_type": ("type is not an event type", "type 不是已知的事件类型"),
    "missing_group": ("group_id is empty", "group_id 为空"),
    "unknown_group": ("group_id is not in the roster", "group_id 不在花名册中"),
    "missing_member": ("member_id is empty (this event type needs a member)", "member_id 为空（该事件类型需要成员）"),
    "missing_amount": ("amount is empty (this event type needs an amount)", "amount 为空（该事件类型需要金额）"),
    "bad_amount": ("amount is not a number", "amount 不是数字"),
    "negative_amount": ("amount is negative", "amount 为负数"),
    "amount_decimals": ("amount has more than two decimals (CNY is counted to the fen)", "amount 超过两位小数（人民币精确到分）"),
    "bad_score": ("score is not a whole number from 1 to 5", "score 不是 1 到 5 的整数"),
    "bad_count": ("count is not a whole number ≥ 0", "count 不是 ≥ 0 的整数"),
    "bad_length": ("length is not a whole number ≥ 0", "length 不是 ≥ 0 的整数"),
    "bad_boolean": ("removed is not true or false", "removed 不是 true 或 false"),
    "not_allowed": ("this column does not apply to this event type", "该列不适用于此事件类型"),
    "before_created": ("the event is before its group was created", "事件早于所在群的建群日期"),
    "after_ended": ("the event is after its group ended", "事件晚于所在群的解散日期"),
    "far_from_roster": ("the event is more than two years after the latest date in the roster (a group created or ended)",
                        "事件比花名册中最晚的日期（建群或解散）还晚两年以上"),
    "bad_json": ("the line is not a JSON object", "该行不是 JSON 对象"),
    "duplicate": ("the same row appears earlier in the file", "文件中前面已有完全相同的一行"),
    "missing_staff": ("staff_id is empty (a sop_done says who did the task)", "staff_id 为空（sop_done 需要写明执行人）"),
    "missing_sop": ("sop is empty (a sop_done names the SOP item's id)", "sop 为空（sop_done 需要写明 SOP 事项 id）"),
}


def reason_words(key: str, lang: str = "en") -> str:
    en, zh = REASONS[key]
    return zh if lang == "zh" else en
REASONS["unknown_key"] = ("the line has a key that is not an event column", "该行有不属于事件表的键")
