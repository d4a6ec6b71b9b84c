"""`qunce tasks` in words people use (issue 18): event-driven tasks (触发式任务) rendered for the
person with placeholders for what is unknown, a promotion's message once per level, a member id
never greeted as a name, triggers, date ranges, the time zone, holidays once each, the capacity
in a sentence, and every piece (Markdown, CSV, ICS, the summary) in the run's language."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from qunce.cli import main
from qunce.compile.output import load_line
from qunce.compile.triggers import describe, duration_words
from qunce.compile.words import date_range, holidays_words, zone
from qunce.model import Playbook
from qunce.model.playbook import Holiday
from qunce.model.sop import SopItem

pytest.importorskip("ibis")

PLAYBOOK = """\
playbook: 晋升与话术
timezone: Asia/Shanghai
roles:
  admin: {name: 管理员, max_groups: 5, minutes_per_day: 480}
group_types:
  traffic: {name: 引流群, capacity: 300, entry: {mode: open}}
  welfare: {name: 福利群, capacity: 500, entry: {mode: open}}
calendar:
  holidays:
    - {date: 2027-01-01, name: 元旦}
    - {date: 2027-02-06, name: 春节}
    - {date: 2027-02-07, name: 春节}
    - {date: 2027-02-08, name: 春节}
membership:
  levels:
    - {id: member, name: 普通会员, rights: [积分兑换]}
    - {id: silver, name: 银卡, promote_when: points_90d >= 300, rights: [9 折券, 生日礼包]}
    - {id: gold, name: 金卡, promote_when: points_90d >= 1000, rights: [85 折券]}
templates:
  level_up: |-
    恭喜 {{ member.nickname }} 升级为{{ member.level_name }}！
    {% for lv in levels if lv.id == member.level %}你的新权益：{{ lv.rights | join("、") }}{% endfor %}
sop:
  - id: welcome
    name: 新人欢迎
    role: admin
    on: join
    within: 10m
    message: 欢迎 {{ member.nickname }} 加入{{ group.name }}（{{ group.type_name }}）！我是{{ staff.name }}，今天{{ weekday }}
    minutes: 1
  - {id: promoted, name: 晋升祝贺, role: admin, on: level_up, within: 1d, template: level_up, minutes: 2}
  - {id: drop, name: 限时福利, role: admin, every: daily 19:30, skip_holidays: true, minutes: 5}
"""
ROSTER = """\
staff: [{id: a1, name: 周敏}, {id: a2, name: 王芳}]
groups:
  - {id: g1, name: 花漾1群, type: traffic, created_at: 2026-12-01}
  - {id: g2, name: 花漾2群, type: traffic, created_at: 2026-12-01}
  - {id: g3, name: 福利1群, type: welfare, created_at: 2026-12-01}
assignments:
  - {staff_id: a1, role: admin, group_id: g1, from: 2026-12-01}
  - {staff_id: a1, role: admin, group_id: g2, from: 2026-12-01}
  - {staff_id: a2, role: admin, group_id: g3, from: 2026-12-01}
"""
EVENTS = "ts,type,group_id,member_id\n2027-02-05 09:12:00,join,g1,m004160\n"


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("words")
    (folder / "playbook.yaml").write_text(PLAYBOOK, encoding="utf-8")
    (folder / "roster.yaml").write_text(ROSTER, encoding="utf-8")
    (folder / "events.csv").write_text(EVENTS, encoding="utf-8")
    return folder


def tasks(case: Path, lang: str, *extra: str) -> Any:
    result = CliRunner().invoke(main, ["tasks", str(case / "playbook.yaml"), "--roster", str(case / "roster.yaml"),
                                       "--from", "2027-02-05", "--to", "2027-02-09", "--lang", lang, *extra])
    assert result.exit_code == 0, result.output
    return result


def section(text: str, person: str) -> str:
    """One person's part of tasks.md."""
    start = text.index(f"## {person}")
    end = text.find("\n## ", start + 1)
    return text[start:] if end < 0 else text[start:end]


def test_event_driven_tasks_are_paste_ready_in_chinese(case: Path) -> None:
    text = tasks(case, "zh", "--format", "md").stdout
    assert "{{" not in text and "{%" not in text
    assert text.startswith("# 任务清单：晋升与话术 · 2027-02-05 至 2027-02-09（北京时间）\n\n"
                           "节假日（限时福利暂停）：春节 2027-02-06 至 2027-02-08\n")
    two_groups = section(text, "周敏（a1）")
    assert ("### 触发式任务\n\n每当事件发生时，在你负责的每个群中执行；【】中的内容请按实际情况填写。\n\n"
            "- 新人欢迎：每次入群后 10 分钟内 · 2 个群 · 每次 1 分钟\n"
            # two groups of one type: the group's name unknown, its type known; the weekday unknown
            "  > 欢迎 【昵称】 加入【群名】（引流群）！我是周敏，今天【星期】\n") in two_groups
    # The promotion's message once per level it can be reached, each labelled outside the quote.
    assert ("- 晋升祝贺：每次晋升后 1 天内 · 2 个群 · 每次 2 分钟\n"
            "  升级为银卡时：\n  > 恭喜 【昵称】 升级为银卡！\n  > 你的新权益：9 折券、生日礼包\n"
            "  升级为金卡时：\n  > 恭喜 【昵称】 升级为金卡！\n  > 你的新权益：85 折券\n") in two_groups
    one_group = section(text, "王芳（a2）")
    assert "  > 欢迎 【昵称】 加入福利1群（福利群）！我是王芳，今天【星期】\n" in one_group  # one group: its name
    assert "（welcome）" not in text and "（promoted）" not in text  # items by their names


def test_event_driven_tasks_in_english_and_csv(case: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(tasks(case, "en").stdout_bytes.decode("utf-8-sig"))))
    standing = {(r["staff_id"], r["item"]): r for r in rows if r["kind"] == "standing"}
    welcome = standing[("a1", "welcome")]
    # Placeholders in the run's language; the weekday is the message's (the playbook's) word.
    assert (welcome["trigger"], welcome["message"]) == (
        "within 10 minutes of a member joining", "欢迎 [nickname] 加入[group name]（引流群）！我是周敏，今天[weekday]")
    assert standing[("a2", "promoted")]["message"] == (
        "If promoted to 银卡:\n恭喜 [nickname] 升级为银卡！\n你的新权益：9 折券、生日礼包\n\n"
        "If promoted to 金卡:\n恭喜 [nickname] 升级为金卡！\n你的新权益：85 折券")
    assert {r["date"] for r in rows if r["item"] == "drop"} == {"2027-02-05", "2027-02-09"}  # not on 春节


def test_a_member_id_is_never_greeted_as_a_name(case: Path) -> None:
    result = tasks(case, "zh", "--events", str(case / "events.csv"), "--format", "md")
    assert ("- [ ] 09:12 新人欢迎 · 花漾1群 · 1 分钟 · 成员 m004160 · 截止 09:22\n"
            "  > 欢迎 【昵称】 加入花漾1群（引流群）！我是周敏，今天周五\n") in result.stdout
    assert "欢迎 m004160" not in result.stdout


def test_calendars_speak_the_runs_language(case: Path, tmp_path: Path) -> None:
    from icalendar import Calendar

    out = tmp_path / "zh.ics"
    tasks(case, "zh", "--events", str(case / "events.csv"), "--format", "ics", "--out", str(out))
    events = {str(e["SUMMARY"]): e for e in Calendar.from_ical(out.read_bytes()).walk("VEVENT")}
    welcome = events["周敏：新人欢迎 · 花漾1群 · 成员 m004160"]
    assert str(welcome["DESCRIPTION"]).endswith("管理员 · 每次入群后 10 分钟内\n\n截止：2027-02-05 09:22")
    assert [str(c) for c in welcome["CATEGORIES"].cats] == ["管理员"]  # no flow or content: the role's name
    out = tmp_path / "en.ics"
    tasks(case, "en", "--events", str(case / "events.csv"), "--format", "ics", "--out", str(out))
    events = {str(e["SUMMARY"]): e for e in Calendar.from_ical(out.read_bytes()).walk("VEVENT")}
    welcome = events["周敏: 新人欢迎 · 花漾1群 · member m004160"]
    assert str(welcome["DESCRIPTION"]).endswith("管理员 · within 10 minutes of a member joining\n\ndue 2027-02-05 09:22")


def test_the_summary_follows_the_runs_language(case: Path) -> None:
    zh = tasks(case, "zh", "--format", "md").stderr
    assert "晋升与话术：2027-02-05 至 2027-02-09，2 名员工，6 项任务（其中 0 项响应事件），4 项触发式任务" in zh
    assert "负荷：没有人哪天超出每日可用时间或群数上限" in zh
    en = tasks(case, "en", "--format", "md").stderr
    assert "晋升与话术: 2027-02-05 … 2027-02-09, 2 staff, 6 tasks (0 in reply to events), 4 event-driven tasks" in en
    assert "capacity: nobody is over their minutes or their group limit on any day" in en


def test_capacity_in_a_sentence() -> None:
    assert load_line(0, 0, "zh") == "负荷：没有人哪天超出每日可用时间或群数上限"
    assert load_line(3, 0, "zh") == "负荷：有 3 人天超出每日可用时间，没有人超出群数上限"
    assert load_line(1_200, 2, "zh") == "负荷：有 1,200 人天超出每日可用时间，有 2 人天超出群数上限"
    assert load_line(1, 0, "en") == "capacity: 1 person-day over the minutes available; nobody over a group limit"
    assert load_line(0, 2, "en") == "capacity: nobody over their minutes; 2 person-days over a group limit"


PB = Playbook.model_validate({
    "playbook": "t", "roles": {"admin": {"name": "管理员"}},
    "churn": [{"id": "quiet", "name": "沉默", "when": "days_since_last_message >= 14", "action": "私聊"}],
})


@pytest.mark.parametrize(("item", "zh", "en"), [
    ({"on": "join", "within": "10m"}, "每次入群后 10 分钟内", "within 10 minutes of a member joining"),
    ({"on": "churn_warning", "warning": "quiet", "within": "1d"}, "每次流失预警「沉默」后 1 天内",
     "within 1 day of a churn warning (沉默)"),
    ({"on": "group_created", "within": "2h"}, "每次建群后 2 小时内", "within 2 hours of the group's creation"),
    ({"days": [0], "at": "09:30"}, "建群当天 09:30", "the day the group is created at 09:30"),
    ({"days": [0, 1, 2], "at": "09:30"}, "建群当天及第 1、2 天 09:30",
     "the day the group is created and days 1, 2 after at 09:30"),
    ({"days": [7], "at": "10:00"}, "建群第 7 天 10:00", "day 7 of the group at 10:00"),
    ({"days_before_end": [2, 1, 0], "at": "10:00"}, "解散前 2、1 天及解散当天 10:00",
     "2, 1 days before the group's last day, and on the last day at 10:00"),
    ({"days_before_end": [1], "at": "20:00"}, "解散前 1 天 20:00", "1 day before the group's last day at 20:00"),
    ({"member_days": [1, 3, 7], "at": "10:00"}, "成员入群第 1、3、7 天 10:00", "days 1, 3, 7 after a member joins at 10:00"),
    ({"rrule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA", "at": "20:00"}, "隔周周六 20:00", "every other week on Sat at 20:00"),
])
def test_triggers_in_words(item: dict[str, object], zh: str, en: str) -> None:
    sop = SopItem.model_validate({"id": "x", "role": "admin", **item})
    assert (describe(sop, PB, "zh"), describe(sop, PB, "en")) == (zh, en)


def test_durations_dates_zones_and_holidays() -> None:
    assert [duration_words(m, "zh") for m in (10, 90, 120, 1440, 10080)] == ["10 分钟", "90 分钟", "2 小时", "1 天", "1 周"]
    assert [duration_words(m, "en") for m in (1, 10, 1440, 2880)] == ["1 minute", "10 minutes", "1 day", "2 days"]
    start, end = dt.date(2027, 1, 1), dt.date(2027, 1, 31)
    assert (date_range(start, end, "zh"), date_range(start, end, "en")) == (
        "2027-01-01 至 2027-01-31", "2027-01-01 … 2027-01-31")
    assert (zone("Asia/Shanghai", "zh"), zone("Asia/Shanghai", "en"), zone("America/New_York", "zh")) == (
        "北京时间", "Asia/Shanghai", "America/New_York")
    holidays = [Holiday(date=dt.date(2027, 1, 1), name="元旦"), Holiday(date=dt.date(2027, 4, 5))] + [
        Holiday(date=dt.date(2027, 2, d), name="春节") for d in range(6, 13)]
    assert holidays_words(holidays, "zh") == "元旦 2027-01-01、春节 2027-02-06 至 2027-02-12、2027-04-05"
    assert holidays_words(holidays, "en", dt.date(2027, 2, 10), dt.date(2027, 3, 1)) == "春节 2027-02-10 … 2027-02-12"
