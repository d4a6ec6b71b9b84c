"""`qunce events import wecom`: each kind of WeCom record with its edge cases (recall, duplicate
export, staff sender, removed member, group dismissed), the books (read = written + skipped +
rejected), the naming patterns read backwards, and the bundled example end to end through
`qunce simulate`."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from qunce.cli import main
from qunce.errors import FindingsError, InputError, UsageError
from qunce.events.roster import load_roster
from qunce.events.wecom.records import KINDS, Tally
from qunce.events.wecom.run import Imported, import_wecom
from qunce.load import load_playbook

ROOT = Path(__file__).resolve().parents[2]
PLAYBOOK = ROOT / "playbooks" / "brand-complete.yaml"
EXAMPLE = ROOT / "docs" / "examples" / "wecom"
ZONE = ZoneInfo("Asia/Shanghai")
G1, G2 = "wrTestGroup0001", "wrTestGroup0002"


def seconds(local: str) -> int:
    return int(dt.datetime.fromisoformat(local).replace(tzinfo=ZONE).timestamp())


def ms(local: str, extra: int = 0) -> int:
    return seconds(local) * 1000 + extra


def message(msgid: str, sender: str, room: str, at: str, text: str | None = "你好", extra: int = 0,
            **more: Any) -> dict[str, Any]:
    record: dict[str, Any] = {"msgid": msgid, "action": "send", "from": sender, "tolist": ["x"], "roomid": room,
                              "msgtime": ms(at, extra), "msgtype": "text" if text is not None else "image"}
    record.update({"text": {"content": text}} if text is not None else {"image": {"md5sum": "ab", "filesize": 1}})
    record.update(more)
    return record


def jsonl(path: Path, records: list[Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records),
                    encoding="utf-8")
    return path


def member(userid: str, at: str, kind: int = 2, scene: int | None = None, by: str | None = None,
           name: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"userid": userid, "type": kind, "join_time": seconds(at)}
    if scene is not None:
        entry["join_scene"] = scene
    if by is not None:
        entry["invitor"] = {"userid": by}
    if name is not None:
        entry["name"] = name
    return entry


def details(chat_id: str, name: str, created: str, members: list[dict[str, Any]], owner: str = "Owner1",
            admins: tuple[str, ...] = (), envelope: bool = True) -> dict[str, Any]:
    chat = {"chat_id": chat_id, "name": name, "owner": owner, "create_time": seconds(created),
            "member_list": members, "admin_list": [{"userid": a} for a in admins]}
    return {"errcode": 0, "errmsg": "ok", "group_chat": chat} if envelope else chat


def callback_xml(chat_id: str, change: str, at: str, detail: str | None = None, members: tuple[str, ...] = (),
                 join: int = 0, quit_scene: int = 0) -> str:
    items = "".join(f"<Item><![CDATA[{m}]]></Item>" for m in members)
    update = (f"<UpdateDetail><![CDATA[{detail}]]></UpdateDetail><JoinScene>{join}</JoinScene>"
              f"<QuitScene>{quit_scene}</QuitScene><MemChangeCnt>{len(members)}</MemChangeCnt>"
              f"<MemChangeList>{items}</MemChangeList>") if detail else ""
    return (f"<xml><ToUserName><![CDATA[corp]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>"
            f"<CreateTime>{seconds(at)}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event><![CDATA[change_external_chat]]></Event><ChatId><![CDATA[{chat_id}]]></ChatId>"
            f"<ChangeType><![CDATA[{change}]]></ChangeType>{update}</xml>")


def run(tmp_path: Path, *sources: Path, playbook: Path | None = None, default: str | None = "traffic",
        staff: Path | None = None, out: str = "out/events.csv") -> tuple[Imported, list[dict[str, str]]]:
    loaded = load_playbook(playbook).playbook if playbook is not None else None
    events = tmp_path / out
    result = import_wecom(list(sources), events, tmp_path / "out" / "roster.yaml", loaded, default, staff)
    assert result.tally.balanced(), result.tally
    rows = list(csv.DictReader(events.open(encoding="utf-8"))) if events.suffix == ".csv" else []
    return result, rows


def books(tally: Tally) -> dict[str, tuple[int, int, int, int]]:
    """kind → (read, written, skipped, rejected), for the kinds that read anything."""
    return {kind: (tally.read[kind], tally.written[kind], tally.total(tally.skipped, kind),
                   tally.total(tally.rejected, kind)) for kind in KINDS if tally.read[kind]}


# --- the chat archive -----------------------------------------------------------------------------


def test_a_group_text_message_is_a_message_event_at_its_local_millisecond(tmp_path: Path) -> None:
    archive = jsonl(tmp_path / "in" / "a.jsonl", [message("m1", "wmA", G1, "2027-03-01 09:00:00", "早上好！", 120),
                                                  message("m2", "wmB", G1, "2027-03-01 09:00:05", None)])
    result, rows = run(tmp_path, archive)
    assert [(r["ts"], r["type"], r["group_id"], r["member_id"], r["staff_id"], r["length"]) for r in rows] == [
        ("2027-03-01T09:00:00.120", "message", G1, "wmA", "", "4"),
        ("2027-03-01T09:00:05", "message", G1, "wmB", "", "")]  # an image: no length, a valid message
    assert books(result.tally) == {"archive": (2, 2, 0, 0)}


def test_msgtime_in_seconds_is_read_as_well(tmp_path: Path) -> None:
    record = message("m1", "wmA", G1, "2027-03-01 09:00:00")
    record["msgtime"] = seconds("2027-03-01 21:30:00")
    _, rows = run(tmp_path, jsonl(tmp_path / "a.jsonl", [record]))
    assert rows[0]["ts"] == "2027-03-01T21:30:00"


def test_a_recall_removes_the_message_it_recalls(tmp_path: Path) -> None:
    recall = {"msgid": "m3", "action": "recall", "from": "wmA", "tolist": ["x"], "roomid": G1,
              "msgtime": ms("2027-03-01 09:01:00"), "msgtype": "revoke", "revoke": {"pre_msgid": "m1"}}
    archive = jsonl(tmp_path / "a.jsonl", [message("m1", "wmA", G1, "2027-03-01 09:00:00", "发错了"),
                                           message("m2", "wmB", G1, "2027-03-01 09:00:30", "在吗"), recall])
    result, rows = run(tmp_path, archive)
    assert [r["member_id"] for r in rows] == ["wmB"]
    assert result.tally.skipped == {("archive", "recall"): 1, ("archive", "recalled"): 1}
    assert books(result.tally) == {"archive": (3, 1, 2, 0)}


def test_overlapping_exports_write_each_message_once(tmp_path: Path) -> None:
    first = jsonl(tmp_path / "in" / "day1.jsonl", [message("m1", "wmA", G1, "2027-03-01 09:00:00"),
                                                   message("m2", "wmB", G1, "2027-03-01 09:05:00")])
    second = jsonl(tmp_path / "in" / "day2.jsonl", [message("m2", "wmB", G1, "2027-03-01 09:05:00"),
                                                    message("m3", "wmA", G1, "2027-03-02 10:00:00")])
    result, rows = run(tmp_path, tmp_path / "in")  # a folder: every file in it
    assert [r["ts"][:16] for r in rows] == ["2027-03-01T09:00", "2027-03-01T09:05", "2027-03-02T10:00"]
    assert result.tally.skipped == {("archive", "duplicate"): 1}
    assert books(result.tally) == {"archive": (4, 3, 1, 0)}
    assert [s.path for s in result.sources] == [first, second]


def test_staff_senders_are_staff_posts(tmp_path: Path) -> None:
    jsonl(tmp_path / "in" / "groups.jsonl", [details(G1, "测试群", "2027-02-01 10:00:00", [
        member("Owner1", "2027-02-01 10:00:00", kind=1, name="王芳"), member("wmA", "2027-02-02 10:00:00", scene=3)])])
    jsonl(tmp_path / "in" / "a.jsonl", [message("m1", "Owner1", G1, "2027-03-01 09:00:00", "早上好"),
                                        message("m2", "Helper9", G1, "2027-03-01 09:01:00", "大家好"),
                                        message("m3", "wmA", G1, "2027-03-01 09:02:00", "好")])
    staff = tmp_path / "staff.txt"
    staff.write_text("userid,name\n# the helpers\nHelper9,李雷\n", encoding="utf-8")
    result, rows = run(tmp_path, tmp_path / "in", staff=staff)
    posts = {r["member_id"]: r["staff_id"] for r in rows if r["type"] == "message"}
    assert posts == {"Owner1": "Owner1", "Helper9": "Helper9", "wmA": ""}
    roster = load_roster(tmp_path / "out" / "roster.yaml")
    assert roster.diagnostics == []
    assert {(s.id, s.name) for s in roster.staff} == {("Owner1", "王芳"), ("Helper9", "李雷")}
    assert result.members == 1  # staff posts are not members


def test_switch_records_and_one_to_one_chats_are_skipped_and_counted(tmp_path: Path) -> None:
    archive = jsonl(tmp_path / "a.jsonl", [
        {"msgid": "s1", "action": "switch", "time": ms("2027-03-01 08:00:00"), "user": "Owner1"},
        message("m1", "wmA", "", "2027-03-01 09:00:00", "私聊"),
        message("m2", "wmA", G1, "2027-03-01 09:01:00", "群聊")])
    result, rows = run(tmp_path, archive)
    assert len(rows) == 1
    assert result.tally.skipped == {("archive", "switch"): 1, ("archive", "not_group"): 1}


def test_bad_archive_lines_are_rejected_with_their_line_and_field(tmp_path: Path) -> None:
    archive = jsonl(tmp_path / "a.jsonl", [
        message("m1", "wmA", G1, "2027-03-01 09:00:00"),
        "not json",
        "",  # a blank line is no record, and later lines keep their numbers
        {**message("m2", "wmA", G1, "2027-03-01 09:00:00"), "msgtime": "soon"},
        {k: v for k, v in message("m3", "wmA", G1, "2027-03-01 09:00:00").items() if k != "from"},
        {**message("m4", "wmA", G1, "2027-03-01 09:00:00"), "action": "delete"},
        [1, 2],
        {**message("m5", "wmA", G1, "2027-03-01 09:00:00"), "msgtime": 5},
    ])
    result, rows = run(tmp_path, archive)
    assert len(rows) == 1
    shown = [(r.line, r.column, r.reason, r.value) for r in result.tally.shown()]
    assert shown == [(2, "", "not_json", None), (4, "msgtime", "bad_time", "soon"), (5, "from", "missing", None),
                     (6, "action", "bad_action", "delete"), (7, "", "not_object", None),
                     (8, "msgtime", "time_range", "5")]
    assert books(result.tally) == {"archive": (7, 1, 0, 6)}


def test_a_rejection_after_blank_lines_has_its_line_in_the_file(tmp_path: Path) -> None:
    # Every line is a JSON object: DuckDB's reader reads the file whole and leaves the blank lines out.
    archive = jsonl(tmp_path / "a.jsonl", [message("m1", "wmA", G1, "2027-03-01 09:00:00"), "", "  ",
                                           {**message("m2", "wmA", G1, "2027-03-01 09:00:00"), "from": ""},
                                           "", {**message("m3", "wmA", G1, "2027-03-01 09:00:00"), "msgtime": 0}])
    result, rows = run(tmp_path, archive)
    assert len(rows) == 1
    assert [(r.line, r.column, r.reason) for r in result.tally.shown()] == [(4, "from", "missing"),
                                                                            (6, "msgtime", "time_range")]


def test_a_line_that_is_not_utf8_is_one_rejected_record(tmp_path: Path) -> None:
    archive = tmp_path / "a.jsonl"
    good = json.dumps(message("m1", "wmA", G1, "2027-03-01 09:00:00")).encode()
    archive.write_bytes(good + b"\n" + b'{"msgid": "m2", "from": "\xff"}\n')
    result, rows = run(tmp_path, archive)
    assert len(rows) == 1
    assert [(r.line, r.reason) for r in result.tally.shown()] == [(2, "not_utf8")]


def test_messages_at_the_same_millisecond_are_one_row_with_a_count(tmp_path: Path) -> None:
    archive = jsonl(tmp_path / "a.jsonl", [message("m1", "wmA", G1, "2027-03-01 09:00:00", "1"),
                                           message("m2", "wmA", G1, "2027-03-01 09:00:00", "1"),
                                           message("m3", "wmA", G1, "2027-03-01 09:00:00", "12")])
    result, rows = run(tmp_path, archive)
    assert [(r["length"], r["count"]) for r in rows] == [("1", "2"), ("2", "")]
    assert result.tally.written["archive"] == 3 and result.rows == 2


# --- group details --------------------------------------------------------------------------------


def test_group_details_give_the_roster_and_a_join_for_each_member(tmp_path: Path) -> None:
    answer = details(G1, "花漾宠粉1群", "2027-02-27 10:00:00", [
        member("Owner1", "2027-02-27 10:00:00", kind=1, name="林浩"),
        member("Admin1", "2027-03-02 09:00:00", kind=1, scene=1, by="Owner1"),
        member("wmA", "2027-02-28 20:15:00", scene=3),
        member("wmB", "2027-03-01 09:05:00", scene=1, by="Owner1"),
        member("wmC", "2027-03-01 12:30:00", scene=2, by="wmA"),
    ], admins=("Admin1",))
    result, rows = run(tmp_path, jsonl(tmp_path / "in" / "groups.jsonl", [answer]), playbook=PLAYBOOK, default=None)
    assert [(r["ts"], r["type"], r["member_id"], r["channel"], r["staff_id"], r["referrer_id"]) for r in rows] == [
        ("2027-02-28T20:15:00", "join", "wmA", "扫码入群", "", ""),
        ("2027-03-01T09:05:00", "join", "wmB", "直接邀请", "Owner1", ""),
        ("2027-03-01T12:30:00", "join", "wmC", "邀请链接", "", "wmA")]
    assert books(result.tally) == {"details": (5, 3, 2, 0)}
    assert result.tally.skipped == {("details", "staff_member"): 2}
    roster = load_roster(tmp_path / "out" / "roster.yaml")
    assert roster.diagnostics == []
    (group,) = roster.groups
    assert (group.id, group.name, group.type, group.created_at, group.ended_at) == (
        G1, "花漾宠粉1群", "traffic", dt.date(2027, 2, 27), None)
    assert [(a.staff_id, a.role, a.from_, a.to) for a in roster.assignments] == [
        ("Owner1", "owner", dt.date(2027, 2, 27), None), ("Admin1", "admin", dt.date(2027, 3, 2), None)]
    assert {(s.id, s.name) for s in roster.staff} == {("Owner1", "林浩"), ("Admin1", "Admin1")}


def test_an_answer_with_an_error_or_without_its_fields_is_rejected(tmp_path: Path) -> None:
    good = details(G1, "测试群", "2027-02-01 10:00:00", [member("wmA", "2027-02-02 10:00:00"),
                                                      {"userid": "wmB", "type": 3, "join_time": 1},
                                                      {"type": 2, "join_time": seconds("2027-02-03 10:00:00")}],
                   envelope=False)
    groups = jsonl(tmp_path / "groups.jsonl", [{"errcode": 40001, "errmsg": "invalid credential"}, good,
                                              {"errcode": 0, "group_chat": {"name": "无 id"}}])
    result, rows = run(tmp_path, groups)
    assert len(rows) == 1
    assert [(r.line, r.column, r.reason, r.value) for r in result.tally.shown()] == [
        (1, "errcode", "errcode", "40001 invalid credential"),
        (2, "member_list[1].type", "bad_member_type", "3"),
        (2, "member_list[2].userid", "missing", None),
        (3, "group_chat.chat_id", "missing", None)]
    assert books(result.tally) == {"details": (5, 1, 0, 4)}


def test_a_pretty_printed_answer_in_a_file_of_its_own_is_read(tmp_path: Path) -> None:
    path = tmp_path / "group.json"
    path.write_text(json.dumps(details(G1, "测试群", "2027-02-01 10:00:00", [member("wmA", "2027-02-02 10:00:00")]),
                               ensure_ascii=False, indent=2), encoding="utf-8")
    result, rows = run(tmp_path, path)
    assert [s.kind for s in result.sources] == ["details"]
    assert [r["member_id"] for r in rows] == ["wmA"]


def test_the_same_member_in_overlapping_exports_joins_once(tmp_path: Path) -> None:
    early = details(G1, "旧群名", "2027-02-01 10:00:00", [member("wmA", "2027-02-02 10:00:00", scene=3)])
    late = details(G1, "新群名", "2027-02-01 10:00:00", [member("wmA", "2027-02-02 10:00:00", scene=3),
                                                      member("wmB", "2027-02-05 10:00:00", scene=3)])
    result, rows = run(tmp_path, jsonl(tmp_path / "in" / "1.jsonl", [early]), jsonl(tmp_path / "in" / "2.jsonl", [late]))
    assert [r["member_id"] for r in rows] == ["wmA", "wmB"]
    assert result.tally.skipped == {("details", "duplicate"): 1}
    assert load_roster(tmp_path / "out" / "roster.yaml").groups[0].name == "新群名"  # the last answer read


# --- group change callbacks -----------------------------------------------------------------------


def test_change_callbacks_give_joins_leaves_and_the_groups_days(tmp_path: Path) -> None:
    xml = tmp_path / "callbacks.xml"
    xml.write_text("\n".join([
        '<?xml version="1.0" encoding="utf-8"?>',
        callback_xml(G1, "create", "2027-03-01 08:00:00"),
        callback_xml(G1, "update", "2027-03-01 09:00:00", "add_member", ("wmA", "wmB"), join=3),
        callback_xml(G1, "update", "2027-03-02 09:00:00", "del_member", ("wmA",), quit_scene=1),
        callback_xml(G1, "update", "2027-03-02 10:00:00", "del_member", ("wmB",), quit_scene=0),
        callback_xml(G1, "update", "2027-03-02 11:00:00", "change_name"),
        callback_xml(G1, "dismiss", "2027-03-03 20:00:00"),
    ]), encoding="utf-8")
    result, rows = run(tmp_path, xml)
    assert [(r["ts"], r["type"], r["member_id"], r["channel"], r["removed"]) for r in rows] == [
        ("2027-03-01T09:00:00", "join", "wmA", "扫码入群", ""),
        ("2027-03-01T09:00:00", "join", "wmB", "扫码入群", ""),
        ("2027-03-02T09:00:00", "leave", "wmA", "", "true"),  # removed by the owner or an admin
        ("2027-03-02T10:00:00", "leave", "wmB", "", "false")]  # left on their own
    assert books(result.tally) == {"changes": (7, 4, 3, 0)}
    (group,) = load_roster(tmp_path / "out" / "roster.yaml").groups
    assert (group.name, group.created_at, group.ended_at) == (G1, dt.date(2027, 3, 1), dt.date(2027, 3, 3))


def test_change_callbacks_saved_as_json_in_any_of_the_usual_shapes(tmp_path: Path) -> None:
    at = seconds("2027-03-01 09:00:00")
    callbacks = jsonl(tmp_path / "callbacks.jsonl", [
        {"ChatId": G1, "ChangeType": "update", "UpdateDetail": "add_member", "JoinScene": 0,
         "MemChangeList": ["wmA"], "CreateTime": at, "Event": "change_external_chat"},
        {"xml": {"ChatId": G1, "ChangeType": "update", "UpdateDetail": "add_member", "JoinScene": "3",
                 "MemChangeList": {"Item": ["wmB", "wmC"]}, "CreateTime": str(at + 60)}},
        {"chat_id": G1, "change_type": "update", "update_detail": "del_member", "quit_scene": 1,
         "mem_change_list": "wmB,wmC", "create_time": at + 120},
        {"Event": "change_external_contact", "ChangeType": "add_external_contact", "CreateTime": at},
        {"ChatId": G1, "ChangeType": "update", "UpdateDetail": "add_member", "CreateTime": at},
        {"ChatId": G1, "ChangeType": "rename", "CreateTime": at},
    ])
    result, rows = run(tmp_path, callbacks)
    assert [(r["type"], r["member_id"], r["channel"], r["removed"]) for r in rows] == [
        ("join", "wmA", "成员邀请", ""), ("join", "wmB", "扫码入群", ""), ("join", "wmC", "扫码入群", ""),
        ("leave", "wmB", "", "true"), ("leave", "wmC", "", "true")]
    assert result.tally.skipped == {("changes", "other_event"): 1}
    assert [(r.line, r.column, r.reason) for r in result.tally.shown()] == [
        (5, "MemChangeList", "no_members"), (6, "ChangeType", "bad_change_type")]


def test_a_join_in_both_the_details_and_a_callback_is_written_once_with_the_inviter(tmp_path: Path) -> None:
    jsonl(tmp_path / "in" / "groups.jsonl", [details(G1, "测试群", "2027-02-01 10:00:00", [
        member("Owner1", "2027-02-01 10:00:00", kind=1), member("wmA", "2027-03-01 09:00:00", scene=1, by="Owner1")])])
    xml = tmp_path / "in" / "callbacks.xml"
    xml.write_text(callback_xml(G1, "update", "2027-03-01 09:00:01", "add_member", ("wmA",)) + "\n"
                   + callback_xml(G1, "update", "2027-03-01 09:00:01", "add_member", ("wmA",)) + "\n"
                   + callback_xml(G1, "update", "2027-03-01 09:30:00", "add_member", ("Owner1",)), encoding="utf-8")
    result, rows = run(tmp_path, tmp_path / "in")
    assert [(r["ts"], r["member_id"], r["staff_id"], r["channel"]) for r in rows] == [
        ("2027-03-01T09:00:00", "wmA", "Owner1", "直接邀请")]
    assert result.tally.skipped == {("details", "staff_member"): 1, ("changes", "duplicate"): 2,
                                    ("changes", "staff_member"): 1}


def test_a_member_who_rejoins_after_leaving_joins_twice(tmp_path: Path) -> None:
    xml = tmp_path / "callbacks.xml"
    xml.write_text("".join([callback_xml(G1, "update", "2027-03-01 09:00:00", "add_member", ("wmA",)),
                            callback_xml(G1, "update", "2027-03-02 09:00:00", "del_member", ("wmA",)),
                            callback_xml(G1, "update", "2027-03-03 09:00:00", "add_member", ("wmA",))]),
                   encoding="utf-8")
    _, rows = run(tmp_path, xml)
    assert [r["type"] for r in rows] == ["join", "leave", "join"]


def test_xml_with_entities_or_left_open_is_rejected(tmp_path: Path) -> None:
    xml = tmp_path / "callbacks.xml"
    xml.write_text(callback_xml(G1, "update", "2027-03-01 09:00:00", "add_member", ("wmA",)) + "\n"
                   + '<xml><!DOCTYPE x [<!ENTITY a "aaaa">]><ChatId>&a;</ChatId></xml>\n'
                   + "<xml><ChatId>broken</Chat></xml>\n<xml><ChatId>", encoding="utf-8")
    result, rows = run(tmp_path, xml)
    assert len(rows) == 1
    assert [(r.line, r.reason) for r in result.tally.shown()] == [(2, "xml_dtd"), (3, "bad_xml"), (4, "bad_xml")]


def test_events_after_a_group_was_dismissed_are_rejected(tmp_path: Path) -> None:
    xml = tmp_path / "in" / "callbacks.xml"
    xml.parent.mkdir()
    xml.write_text(callback_xml(G1, "dismiss", "2027-03-03 20:00:00"), encoding="utf-8")
    archive = jsonl(tmp_path / "in" / "a.jsonl", [message("m1", "wmA", G1, "2027-03-03 19:00:00"),
                                                  message("m2", "wmA", G1, "2027-03-05 09:00:00")])
    result, rows = run(tmp_path, tmp_path / "in")
    assert [r["ts"][:10] for r in rows] == ["2027-03-03"]
    assert [(r.file, r.line, r.column, r.reason) for r in result.tally.shown()] == [
        (str(archive), 2, "msgtime", "after_ended")]
    assert books(result.tally) == {"archive": (2, 1, 0, 1), "changes": (1, 0, 1, 0)}


# --- group types from the playbook's naming patterns ----------------------------------------------


@pytest.mark.parametrize(("name", "expected"), [
    ("花漾宠粉1群", "traffic"), ("花漾会员福利12群", "welfare"), ("38焕新节快闪3群 2027-03-05", "flash"),
    ("38焕新节快闪3群2027-03-05", "flash"), ("花漾黑金会员一群", "vip"), (" 花漾闺蜜2群 ", "friends")])
def test_a_group_gets_the_type_whose_naming_pattern_its_name_matches(name: str, expected: str) -> None:
    from qunce.events.wecom.naming import typer

    playbook = load_playbook(PLAYBOOK).playbook
    assert typer(playbook, None).type_of(name).type_id == expected


def test_the_most_specific_pattern_wins_and_a_tie_is_reported(tmp_path: Path) -> None:
    from qunce.events.wecom.naming import typer

    text = PLAYBOOK.read_text(encoding="utf-8").replace('naming: "{{ brand }}闺蜜{{ seq }}群"',
                                                        'naming: "{{ brand }}{{ tier }}福利{{ seq }}群"')
    text = text.replace('vars:\n', 'vars:\n  tier: 会员\n', 1)
    path = tmp_path / "playbook.yaml"
    path.write_text(text, encoding="utf-8")
    playbook = load_playbook(path).playbook
    assert playbook is not None
    # welfare's pattern renders to 花漾会员福利N群; friends' now to the same with `tier` filled in
    assert typer(playbook, None).type_of("花漾会员福利1群").how == "tie"
    playbook.vars.pop("tier")  # undefined now: friends' pattern falls back to a wildcard, welfare's is more specific
    assert typer(playbook, None).type_of("花漾会员福利1群").type_id == "welfare"
    assert typer(playbook, None).type_of("花漾新人福利1群").type_id == "friends"


def test_a_group_no_pattern_matches_is_reported_by_name_unless_there_is_a_default(tmp_path: Path) -> None:
    groups = jsonl(tmp_path / "in" / "groups.jsonl", [
        details(G1, "花漾宠粉1群", "2027-02-01 10:00:00", [member("wmA", "2027-02-02 10:00:00")]),
        details(G2, "客服答疑群", "2027-02-01 10:00:00", [member("wmB", "2027-02-02 10:00:00")])])
    with pytest.raises(FindingsError) as caught:
        run(tmp_path, groups, playbook=PLAYBOOK, default=None)
    assert "客服答疑群 (wrTestGroup0002)" in caught.value.en and "--default-type" in caught.value.en
    assert "客服答疑群" in caught.value.zh
    assert not (tmp_path / "out").exists()  # nothing written
    result, _ = run(tmp_path, groups, playbook=PLAYBOOK, default="福利群")  # a type's name works too
    assert (result.group_types, result.by_default) == ({"traffic": 1, "welfare": 1}, 1)


def test_a_group_type_is_needed_and_must_be_the_playbooks(tmp_path: Path) -> None:
    archive = jsonl(tmp_path / "a.jsonl", [message("m1", "wmA", G1, "2027-03-01 09:00:00")])
    with pytest.raises(UsageError, match="--playbook"):
        run(tmp_path, archive, default=None)
    with pytest.raises(UsageError, match="no such group type; its types are traffic"):
        run(tmp_path, archive, playbook=PLAYBOOK, default="nope")


# --- sources --------------------------------------------------------------------------------------


def test_a_file_that_is_no_wecom_export_or_is_still_encrypted_is_refused(tmp_path: Path) -> None:
    other = jsonl(tmp_path / "other.jsonl", [{"ts": "2027-03-01", "type": "join"}])
    with pytest.raises(UsageError, match=r"other\.jsonl: not a WeCom export"):
        run(tmp_path, other)
    sealed = jsonl(tmp_path / "sealed.jsonl", [{"seq": 1, "msgid": "m1", "encrypt_chat_msg": "xx"}])
    with pytest.raises(UsageError, match="still encrypted"):
        run(tmp_path, sealed)
    with pytest.raises(InputError, match="no such file or folder"):
        run(tmp_path, tmp_path / "missing")


def test_outputs_are_not_written_among_the_sources(tmp_path: Path) -> None:
    jsonl(tmp_path / "in" / "a.jsonl", [message("m1", "wmA", G1, "2027-03-01 09:00:00")])
    with pytest.raises(UsageError, match="among the sources"):
        run(tmp_path, tmp_path / "in", out="in/events.csv")


def test_parquet_and_jsonl_outputs_read_back_as_the_csv(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    archive = jsonl(tmp_path / "a.jsonl", [message("m1", "wmA", G1, "2027-03-01 09:00:00", "早", 250)])
    run(tmp_path, archive, out="out/events.parquet")
    table = pq.read_table(tmp_path / "out" / "events.parquet")
    assert table.column("ts").to_pylist() == [dt.datetime(2027, 3, 1, 9, 0, 0, 250_000)]
    run(tmp_path, archive, out="out/events.jsonl")
    line = json.loads((tmp_path / "out" / "events.jsonl").read_text(encoding="utf-8"))
    assert line == {"ts": "2027-03-01T09:00:00.250", "type": "message", "group_id": G1, "member_id": "wmA",
                    "length": 1}


# --- end to end: the bundled example --------------------------------------------------------------


def _import_example(out: Path, *extra: str) -> tuple[int, str]:
    args = ["events", "import", "wecom", str(EXAMPLE), "--out", str(out / "wecom.csv"), "--roster",
            str(out / "wecom.roster.yaml"), "--playbook", str(PLAYBOOK), "--default-type", "welfare", *extra]
    result = CliRunner().invoke(main, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_the_example_imports_and_simulates_cleanly(tmp_path: Path) -> None:
    pytest.importorskip("ibis")
    code, output = _import_example(tmp_path, "--lang", "en")
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0] == "read 6 files: chat archive 2, group details 2, group changes 2"
    assert f"wrote {tmp_path / 'wecom.csv'} (34 events, 2027-02-28 … 2027-03-07" in lines[1]
    assert lines[2] == f"wrote {tmp_path / 'wecom.roster.yaml'} (4 groups, 4 staff, 6 assignments, 12 members)"
    assert "all              53       34       19         0" in lines
    roster = load_roster(tmp_path / "wecom.roster.yaml")
    assert roster.diagnostics == []
    assert {g.name: g.type for g in roster.groups} == {"花漾宠粉1群": "traffic", "花漾会员福利2群": "welfare",
                                                      "38焕新节快闪1群 2027-03-05": "flash", "花漾客服答疑群": "welfare"}
    simulated = CliRunner().invoke(main, ["simulate", str(PLAYBOOK), "--events", str(tmp_path / "wecom.csv"),
                                          "--roster", str(tmp_path / "wecom.roster.yaml"), "--out",
                                          str(tmp_path / "sim"), "--lang", "en"])
    assert simulated.exit_code == 0, simulated.output
    assert "read 34 = accepted 34 + rejected 0" in simulated.output


def test_the_readme_shows_the_example_as_it_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("ibis")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("$ qunce events import wecom docs/examples/wecom/")
    block = readme[start:readme.index("```", start)].replace("\\\n", " ")
    imported, simulated = block.split("\n\n")
    monkeypatch.chdir(tmp_path)  # the tour's paths, relative, without writing into the repository
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "examples").symlink_to(ROOT / "docs" / "examples")
    (tmp_path / "playbooks").symlink_to(ROOT / "playbooks")
    for shown in (imported, simulated):
        command, *lines = shown.splitlines()
        result = CliRunner().invoke(main, command.removeprefix("$ qunce ").split())
        assert result.exit_code == 0, result.output
        output = result.output.splitlines()
        if lines[-1] == "…":  # the README shows the start
            lines, output = lines[:-1], output[:len(lines) - 1]
        assert output == lines


def test_the_same_exports_give_the_same_bytes_and_chinese_words(tmp_path: Path) -> None:
    code, output = _import_example(tmp_path / "a", "--lang", "zh")
    assert code == 0
    assert output.splitlines()[0] == "读取 6 个文件：会话存档 2、客户群详情 2、客户群变更 2"
    assert "跳过：" in output and "  会话存档：被撤回的消息" in output
    assert _import_example(tmp_path / "b", "--lang", "en")[0] == 0
    for name in ("wecom.csv", "wecom.roster.yaml"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_rejected_records_exit_1_with_the_files_written(tmp_path: Path) -> None:
    archive = jsonl(tmp_path / "in" / "a.jsonl", [message("m1", "wmA", G1, "2027-03-01 09:00:00"), "oops"])
    result = CliRunner().invoke(main, ["events", "import", "wecom", str(archive), "--out", str(tmp_path / "e.csv"),
                                       "--roster", str(tmp_path / "r.yaml"), "--default-type", "traffic",
                                       "--lang", "en"])
    assert result.exit_code == 1
    assert f"  {archive}:2: not JSON: export one JSON object per line" in result.output.splitlines()
    assert (tmp_path / "e.csv").is_file() and (tmp_path / "r.yaml").is_file()


def test_a_playbook_with_errors_stops_the_import(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["events", "import", "wecom", str(EXAMPLE), "--out", str(tmp_path / "e.csv"),
                                       "--roster", str(tmp_path / "r.yaml"), "--playbook",
                                       str(ROOT / "docs" / "examples" / "broken.yaml")])
    assert result.exit_code == 1
    assert "Q202" in result.output
    assert not (tmp_path / "e.csv").exists()
