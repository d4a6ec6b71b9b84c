"""Why a WeCom record was skipped or rejected: stable keys with words in both languages. A
rejection's words say what to do about it."""

from __future__ import annotations

from ...bilingual import pick

KIND_WORDS: dict[str, tuple[str, str]] = {
    "archive": ("chat archive", "会话存档"),
    "details": ("group details", "客户群详情"),
    "changes": ("group changes", "客户群变更"),
}

SKIPPED: dict[str, tuple[str, str]] = {
    "duplicate": ("duplicate (the exports overlap)", "重复（导出有重叠）"),
    "not_group": ("one-to-one chat, not a group", "单聊，非群消息"),
    "switch": ("switch record, not a message", "切换企业日志，非消息"),
    "recall": ("recall", "撤回记录"),
    "recalled": ("recalled message", "被撤回的消息"),
    "staff_member": ("staff joining or leaving (they are in the roster)", "员工入群或退群（见花名册）"),
    "group_created": ("group created (the roster's created_at)", "建群（花名册的 created_at）"),
    "group_dismissed": ("group dismissed (the roster's ended_at)", "解散群（花名册的 ended_at）"),
    "group_settings": ("owner, name or notice changed", "群主、群名或群公告变更"),
    "other_event": ("not a group change event", "非客户群变更事件"),
}

REJECTED: dict[str, tuple[str, str]] = {
    "not_json": ("not JSON: export one JSON object per line", "不是 JSON：请每行导出一个 JSON 对象"),
    "not_object": ("not a JSON object: export one {…} object per line", "不是 JSON 对象：请每行导出一个 {…} 对象"),
    "not_utf8": ("not UTF-8 text: save the export as UTF-8", "不是 UTF-8 文本：请将导出文件另存为 UTF-8"),
    "not_list": ("is not a list", "不是列表"),
    "bad_xml": ("not well-formed XML: save each callback as WeCom posted it (<xml>…</xml>)",
                "XML 格式错误：请按企业微信推送的原样保存每条回调（<xml>…</xml>）"),
    "xml_dtd": ("XML with a DOCTYPE or ENTITY is not read: save the callback as WeCom posted it",
                "含 DOCTYPE 或 ENTITY 的 XML 不予读取：请按企业微信推送的原样保存回调"),
    "missing": ("is missing: the record cannot be placed without it; export it again in full",
                "缺失：没有它无法归入；请完整地重新导出"),
    "bad_action": ("is not send, recall or switch", "不是 send、recall 或 switch"),
    "bad_time": ("is not a time: give epoch seconds or milliseconds as WeCom does",
                 "不是时间：请按企业微信的格式给出秒或毫秒时间戳"),
    "time_range": ("is not a time between 2000 and 2100: check that it is epoch seconds or milliseconds",
                   "不在 2000 至 2100 年之间：请检查是否为秒或毫秒时间戳"),
    "errcode": ("WeCom answered with an error instead of the group: fetch this group's details again",
                "企业微信返回了错误而不是群详情：请重新获取该群详情"),
    "bad_member_type": ("is not 1 (staff) or 2 (external contact)", "不是 1（企业成员）或 2（外部联系人）"),
    "bad_change_type": ("is not create, update or dismiss", "不是 create、update 或 dismiss"),
    "no_members": ("lists no members: the callback says nothing about who joined or left; export it again",
                   "没有列出成员：无法得知谁入群或退群；请重新导出"),
    "before_created": ("is before its group was created: check the group's create_time and the event's time",
                       "早于所在群的建群时间：请核对群的 create_time 与事件时间"),
    "after_ended": ("is after its group was dismissed: check the dismiss callback and the event's time",
                    "晚于所在群的解散时间：请核对解散回调与事件时间"),
}

# The same reasons in a word or two, for counts.
REJECTED_LABELS: dict[str, tuple[str, str]] = {
    "not_utf8": ("not UTF-8", "非 UTF-8"),
    "not_json": ("not JSON", "不是 JSON"),
    "not_object": ("not a JSON object", "不是 JSON 对象"),
    "not_list": ("not a list", "不是列表"),
    "bad_xml": ("bad XML", "XML 格式错误"),
    "xml_dtd": ("XML with a DOCTYPE", "含 DOCTYPE 的 XML"),
    "missing": ("a field is missing", "缺少字段"),
    "bad_action": ("unknown action", "未知 action"),
    "bad_time": ("not a time", "不是时间"),
    "time_range": ("time out of range", "时间超出范围"),
    "errcode": ("WeCom error answer", "企业微信错误返回"),
    "bad_member_type": ("unknown member type", "未知成员类型"),
    "bad_change_type": ("unknown ChangeType", "未知 ChangeType"),
    "no_members": ("no members listed", "未列出成员"),
    "before_created": ("before the group was created", "早于建群"),
    "after_ended": ("after the group was dismissed", "晚于解散"),
}


def kind_words(kind: str, lang: str) -> str:
    return pick(KIND_WORDS, kind, lang)


def skipped_words(key: str, lang: str) -> str:
    return pick(SKIPPED, key, lang)


def rejected_words(key: str, lang: str) -> str:
    return pick(REJECTED, key, lang)


def rejected_label(key: str, lang: str) -> str:
    return pick(REJECTED_LABELS, key, lang)
