"""The mapping file (events.mapping.yaml): what a good one loads to, exactly; what a broken one
says, where and in both languages; and the digest a cache keys on."""

from __future__ import annotations

import hashlib
import itertools
import json
from pathlib import Path

import pytest

from qunce.events.mapping import EventMapping, event_type, load_mapping

MODELINE = "# yaml-language-server: $schema=https://qunce.dev/schemas/mapping.schema.json\n"

EVERY_RULE = MODELINE + """\
encoding: GBK            # Python calls it gbk
sheet: 群明细
header_row: 3
columns:
  ts: 下单时间
  type: 动作
  group_id: 群聊ID
  member_id: " 客户ID "
  amount: 实付金额
  order_id: 2024          # a header that YAML would read as a number
ignore: [备注, 客户昵称, 1.0]
types:
  入群: join
  退群: leave
  被移出: {type: 退群, removed: true}
  主动退出: {type: leave, removed: false}
  发言: 消息
  下单: order
time:
  format: ["%Y/%m/%d %H:%M", "%Y年%-m月%-d日 %H:%M:%S"]
amount:
  unit: fen
"""


def write(tmp_path: Path, text: str, name: str = "events.mapping.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def canonical_digest(values: dict[str, object]) -> str:
    text = json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_a_mapping_with_every_rule_loads_to_these_values(tmp_path: Path) -> None:
    result = load_mapping(write(tmp_path, EVERY_RULE), "data/events.mapping.yaml")
    assert result.diagnostics == []
    values = {
        "encoding": "gbk", "sheet": "群明细", "header_row": 3,
        "columns": {"ts": "下单时间", "type": "动作", "group_id": "群聊ID", "member_id": "客户ID",
                    "amount": "实付金额", "order_id": "2024"},
        "ignore": ["备注", "客户昵称", "1.0"],
        "types": {"入群": ["join", None], "退群": ["leave", None], "被移出": ["leave", True],
                  "主动退出": ["leave", False], "发言": ["message", None], "下单": ["order", None]},
        "time_formats": ["%Y/%m/%d %H:%M", "%Y年%-m月%-d日 %H:%M:%S"], "time_unit": None, "amount_unit": "fen",
    }
    assert result.mapping == EventMapping(
        path="data/events.mapping.yaml", encoding="gbk", sheet="群明细", header_row=3,
        columns={"ts": "下单时间", "type": "动作", "group_id": "群聊ID", "member_id": "客户ID",
                 "amount": "实付金额", "order_id": "2024"},
        ignore=("备注", "客户昵称", "1.0"),
        types={"入群": ("join", None), "退群": ("leave", None), "被移出": ("leave", True),
               "主动退出": ("leave", False), "发言": ("message", None), "下单": ("order", None)},
        time_formats=("%Y/%m/%d %H:%M", "%Y年%-m月%-d日 %H:%M:%S"), time_unit=None, amount_unit="fen",
        digest=canonical_digest(values),
    )
    assert result.text == EVERY_RULE
    mapping = result.mapping
    assert mapping.source_header("ts") == "下单时间"
    assert mapping.source_header("channel") == "channel"  # not renamed: the file's own column of that name
    again = load_mapping(write(tmp_path, EVERY_RULE, "again.mapping.yaml"), "data/events.mapping.yaml").mapping
    assert again == mapping and hash(again) == hash(mapping)


def test_defaults_and_a_numeric_time(tmp_path: Path) -> None:
    result = load_mapping(write(tmp_path, "time: {unit: excel_serial}\n"))
    assert result.mapping is not None
    assert (result.mapping.encoding, result.mapping.sheet, result.mapping.header_row, result.mapping.columns,
            result.mapping.ignore, result.mapping.types, result.mapping.time_formats, result.mapping.time_unit,
            result.mapping.amount_unit) == (None, None, 1, {}, (), {}, (), "excel_serial", "yuan")
    assert result.mapping.path == str(tmp_path / "events.mapping.yaml")  # shown as display_name gives it


@pytest.mark.parametrize("text", ["", "# only a comment\n", MODELINE, "---\n", "~\n"])
def test_an_empty_file_is_no_mapping(tmp_path: Path, text: str) -> None:
    result = load_mapping(write(tmp_path, text))
    assert (result.mapping, result.diagnostics) == (None, [])


def test_an_empty_mapping_maps_nothing(tmp_path: Path) -> None:
    mapping = load_mapping(write(tmp_path, "{}\n")).mapping
    assert mapping is not None
    assert (mapping.columns, mapping.types, mapping.header_row, mapping.amount_unit) == ({}, {}, 1, "yuan")


BROKEN = MODELINE + """\
colums: {}
encoding: utf-16le-x
header_row: 1001
columns:
  ts: 下单时间
  member: 客户ID
  group_id: 群聊ID
  staff_id: 群聊ID
ignore: [备注, 下单时间]
types:
  入群: joins
  发言: {type: message, removed: true}
time:
  format: "%Y-%m-%d %k:%M"
  unit: epoch_seconds
"""

# (line, col, code, English, Chinese): everything the broken mapping says, in order.
BROKEN_SAYS = [
    (2, 1, "Q101", "unknown key 'colums' in the mapping file; did you mean 'columns'?",
     "映射文件顶层 中没有键 'colums'；是不是想写 'columns'？"),
    (3, 11, "Q104", "'utf-16le-x' is not an encoding Python knows; did you mean 'utf-16'?",
     "'utf-16le-x' 不是 Python 认识的编码；是不是想写 'utf-16'？"),
    (4, 13, "Q104", "header_row must be at most 1000, found '1001'", "header_row 必须不大于 1000，实际为 '1001'"),
    (7, 3, "Q101", "unknown key 'member' in columns; did you mean 'member_id'?",
     "columns 中没有键 'member'；是不是想写 'member_id'？"),
    (9, 13, "Q910", "header '群聊ID' is read as group_id already (line 8); staff_id cannot read it too",
     "表头 '群聊ID' 已作为 group_id 读取（第 8 行），staff_id 不能再读取它"),
    (10, 14, "Q911", "header '下单时间' is read as ts (line 6) and listed in ignore: too",
     "表头 '下单时间' 已作为 ts 读取（第 6 行），又写在 ignore: 中"),
    (12, 7, "Q104", "'joins' is not an event type; did you mean 'join'?", "'joins' 不是事件类型；是不是想写 'join'？"),
    (13, 23, "Q912", "removed: applies to leave only; '发言' is read as message",
     "removed: 只适用于 leave；'发言' 被读作 message"),
    (15, 21, "Q913", "unknown directive '%k' in the time format; DuckDB writes %-H",
     "时间格式中有未知的指令 '%k'；DuckDB 的写法是 %-H"),
    (16, 3, "Q915", "time: gives both format: and unit:; a time is text in a format or a number in a unit, not both",
     "time: 中同时写了 format: 和 unit:；时间要么是某种格式的文本，要么是某种单位的数字"),
]


def test_a_broken_mapping_says_exactly_this(tmp_path: Path) -> None:
    result = load_mapping(write(tmp_path, BROKEN), "shop/events.mapping.yaml")
    assert result.mapping is None
    said = [(d.span.line, d.span.col, d.code, d.message("en"), d.message("zh")) for d in result.diagnostics]
    assert said == BROKEN_SAYS
    assert {d.span.file for d in result.diagnostics} == {"shop/events.mapping.yaml"}
    for d in result.diagnostics:  # every finding says what to do, in both languages
        assert d.hint("en").strip() and d.hint("zh").strip(), d.code


def test_the_hints_name_what_is_allowed(tmp_path: Path) -> None:
    hints = {(d.span.line, d.code): (d.hint("en"), d.hint("zh"))
             for d in load_mapping(write(tmp_path, BROKEN)).diagnostics}
    assert hints[(7, "Q101")][0].startswith("Allowed here: ts, type, group_id, member_id, staff_id, amount,")
    assert "join (入群), leave (退群), message (发言/消息)" in hints[(12, "Q104")][0]
    assert "join（入群）、leave（退群）、message（发言/消息）" in hints[(12, "Q104")][1]
    assert hints[(3, "Q104")] == ("Chinese spreadsheets save gbk, gb18030, utf-8, utf-16; leave encoding: out to "
                                  "have it detected.", "中文表格常用的编码：gbk、gb18030、utf-8、utf-16；不写 encoding: 则自动识别。")
    assert hints[(4, "Q104")] == ("The row holding the headers, as the spreadsheet numbers rows: 1 to 1000.",
                                  "表头所在的行，按表格的行号：1 到 1000。")


@pytest.mark.parametrize(("text", "expected"), [
    ("- columns\n", [(1, 1, "Q011", "expected a mapping of playbook sections, found not a mapping")]),
    ("columns: {ts: 时间\n", [(1, 10, "Q001", None)]),
    ("columns:\n  ts: 时间\n  ts: 日期\n", [(3, 3, "Q002", "duplicate key 'ts' (first defined on line 2)")]),
    ("types:\n  入群: join\n  ' 入群': join\n", [(3, 3, "Q002", "duplicate key '入群' (first defined on line 2)")]),
    ("types:\n  '': join\n", [(2, 3, "Q104", "a type label must not be empty")]),
    ("types:\n  入群: 5\n", [(2, 7, "Q104", "a label takes an event type, or {type: …, removed: …}")]),
    ("types:\n  退群: {type: leave, removed: yes}\n", [(2, 30, "Q103", "expected true or false, found 'yes'")]),
    ("types:\n  退群: {removed: true}\n", [(2, 3, "Q102", "missing required key 'type' in types.退群")]),
    ("columns:\n  ts: '  '\n", [(2, 7, "Q104", "columns.ts must not be empty, found '  '")]),
    ("header_row: true\n", [(1, 13, "Q103", "expected a whole number, found true")]),
    ("encoding: base64\n", [(1, 11, "Q104", "'base64' is not an encoding Python knows")]),
    ("time: {format: []}\n", [(1, 16, "Q104", "time.format needs at least 1 item(s), found a list")]),
    ("time: {format: 20240105}\n", [(1, 16, "Q104", "time.format takes a format in quotes, or a list of them")]),
    ("time: {unit: seconds}\n", [(1, 14, "Q104", "'seconds' is not a unit of time; did you mean 'epoch_seconds'?")]),
    ("time: {zone: '+08:00'}\n", [(1, 8, "Q101", "unknown key 'zone' in time")]),
    ("amount: {unit: 分}\n", [(1, 16, "Q104", "'分' is not a unit of amount")]),
])
def test_each_problem_alone(tmp_path: Path, text: str, expected: list[tuple[int, int, str, str | None]]) -> None:
    result = load_mapping(write(tmp_path, text))
    assert result.mapping is None
    assert [(d.span.line, d.span.col, d.code) for d in result.diagnostics] == [e[:3] for e in expected]
    for found, (*_, message) in zip(result.diagnostics, expected, strict=True):
        assert message is None or found.message("en") == message  # None: the YAML parser's words


def test_an_unreadable_file_is_a_finding(tmp_path: Path) -> None:
    result = load_mapping(tmp_path / "missing.mapping.yaml", "missing.mapping.yaml")
    assert result.mapping is None
    assert [(d.code, d.span.file, d.span.line) for d in result.diagnostics] == [("Q007", "missing.mapping.yaml", 1)]


def test_headers_are_the_same_without_spaces_and_case(tmp_path: Path) -> None:
    text = "columns:\n  group_id: 群ID\n  member_id: 群　id\nignore: [' 群 Id']\n"
    said = [(d.span.line, d.code, d.message("en")) for d in load_mapping(write(tmp_path, text)).diagnostics]
    assert said == [(3, "Q910", "header '群　id' is read as group_id already (line 2); member_id cannot read it too"),
                    (4, "Q911", "header '群 Id' is read as group_id (line 2) and listed in ignore: too")]


@pytest.mark.parametrize(("name", "expected"), [
    ("join", "join"), ("入群", "join"), ("消息", "message"), ("发言", "message"), (" 退群 ", "leave"),
    ("被移出", None), ("Join", None),
])
def test_event_type_takes_ids_and_chinese_names(name: str, expected: str | None) -> None:
    assert event_type(name) == expected


@pytest.mark.parametrize(("written", "python"), [
    ("utf8", "utf-8"), ("UTF-8-SIG", "utf-8-sig"), ("cp936", "gbk"), ("GB18030", "gb18030"), ("utf_16", "utf-16"),
    ("big5", "big5"),
])
def test_encodings_are_kept_by_python_s_name(tmp_path: Path, written: str, python: str) -> None:
    mapping = load_mapping(write(tmp_path, f"encoding: {written}\n")).mapping
    assert mapping is not None and mapping.encoding == python


# --- the digest ----------------------------------------------------------------------

BASE = """\
encoding: gbk
sheet: 群明细
header_row: 2
columns: {ts: 下单时间, type: 动作}
ignore: [备注]
types: {入群: join, 被移出: {type: leave, removed: true}}
time: {format: "%Y/%m/%d %H:%M"}
amount: {unit: fen}
"""

# Each changes one field; none may keep the digest.
CHANGES = {
    "encoding": ("encoding: gbk", "encoding: gb18030"),
    "sheet": ("sheet: 群明细", "sheet: 订单"),
    "header_row": ("header_row: 2", "header_row: 3"),
    "columns": ("ts: 下单时间", "ts: 支付时间"),
    "ignore": ("[备注]", "[备注, 昵称]"),
    "types": ("入群: join", "入群: message"),
    "removed": ("removed: true", "removed: false"),
    "time_formats": ('"%Y/%m/%d %H:%M"', '"%Y-%m-%d %H:%M"'),
    "time_unit": ('time: {format: "%Y/%m/%d %H:%M"}', "time: {unit: epoch_seconds}"),
    "amount_unit": ("unit: fen", "unit: yuan"),
}


_NUMBER = itertools.count()


def _digest(tmp_path: Path, text: str) -> str:
    # A new file each time: the reader caches a file by size and modification time, which two
    # writes within one clock tick may share.
    result = load_mapping(write(tmp_path, text, f"{next(_NUMBER)}.mapping.yaml"))
    assert result.mapping is not None, [d.message() for d in result.diagnostics]
    return result.mapping.digest


@pytest.mark.parametrize("field", list(CHANGES))
def test_the_digest_changes_with_every_field(tmp_path: Path, field: str) -> None:
    old, new = CHANGES[field]
    assert old in BASE
    assert _digest(tmp_path, BASE.replace(old, new)) != _digest(tmp_path, BASE)


def test_the_digest_ignores_comments_layout_and_the_file_s_name(tmp_path: Path) -> None:
    same = MODELINE + """\
# 店铺导出，2027 年起
amount:
  unit: fen     # 分
time:
  format: '%Y/%m/%d %H:%M'
types:
  被移出: {removed: true, type: 退群}
  入群: 入群
ignore:
  - 备注
columns:
  type: "动作"
  ts:   下单时间
header_row: 2
sheet: 群明细
encoding: GBK
"""
    assert _digest(tmp_path, same) == _digest(tmp_path, BASE)
    other = load_mapping(write(tmp_path, BASE, "其他.mapping.yaml")).mapping
    assert other is not None and other.path.endswith("其他.mapping.yaml")
    assert other.digest == _digest(tmp_path, BASE)
