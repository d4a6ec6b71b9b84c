"""`qunce tasks`: the expansion of every trigger kind, checked value by value on the golden cases
(tests/golden/tasks/), the capacity report and its exit code, ICS files read back with
`icalendar`, --split, errors."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from qunce.cli import main
from qunce.output_folder import MANIFEST
from tests.core.markdown_checks import assert_safe, renamed

pytest.importorskip("ibis")

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "tasks"
WINDOWS = {"clock": ("2027-02-08", "2027-05-02"), "life": ("2027-03-01", "2027-03-09"),
           "events": ("2027-01-10", "2027-01-12"), "dst": ("2027-03-13", "2027-03-15"),
           "capacity": ("2027-01-01", "2027-01-02")}


def invoke(name: str, *extra: str, window: tuple[str, str] | None = None) -> Any:
    folder = GOLDEN / name
    start, end = window or WINDOWS[name]
    return CliRunner().invoke(main, ["tasks", str(folder / "playbook.yaml"), "--roster", str(folder / "roster.yaml"),
                                     "--from", start, "--to", end, *extra])


@cache
def rows(name: str, *extra: str) -> list[dict[str, str]]:
    """The CSV task list of a case (English), as dicts."""
    result = invoke(name, "--lang", "en", *extra)
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"))))


def dates(name: str, item: str, *extra: str) -> list[str]:
    return [r["date"] for r in rows(name, *extra) if r["item"] == item]


# --- clock schedules (Asia/Shanghai) -------------------------------------------------------

def test_daily_fires_every_day_at_its_time() -> None:
    topic = [r for r in rows("clock") if r["item"] == "topic"]
    assert len(topic) == 84  # 2027-02-08 … 2027-05-02
    assert {r["time"] for r in topic} == {"20:00"}
    assert topic[0]["start"] == "2027-02-08T20:00:00+08:00"
    assert topic[-1]["start"] == "2027-05-02T20:00:00+08:00"


def test_weekly_in_chinese_fires_on_its_weekdays_and_holidays_are_skipped_only_when_asked() -> None:
    seeding = dates("clock", "seeding")  # 每周一，四 12:30
    assert {dt.date.fromisoformat(d).weekday() for d in seeding} == {0, 3}
    assert len(seeding) == 24
    assert "2027-02-18" in seeding  # a holiday, but seeding does not skip holidays
    drop = dates("clock", "drop")  # weekly thu 19:30, skip_holidays
    assert drop[:2] == ["2027-02-11", "2027-02-25"]  # 2027-02-18 is in calendar.holidays
    assert len(drop) == 11


def test_monthly_day_31_skips_short_months_and_minus_one_is_the_last_day() -> None:
    assert dates("clock", "day31") == ["2027-03-31"]  # no 31st in February or April
    assert dates("clock", "month_end") == ["2027-02-28", "2027-03-31", "2027-04-30"]


def test_rrule_interval_counts_from_the_anchor_whatever_the_window() -> None:
    live = dates("clock", "live")  # FREQ=WEEKLY;INTERVAL=2;BYDAY=SA
    assert live == ["2027-02-13", "2027-02-27", "2027-03-13", "2027-03-27", "2027-04-10", "2027-04-24"]
    later = dates("clock", "live", "--from", "2027-02-20", "--to", "2027-03-20")  # the later options win
    assert later == ["2027-02-27", "2027-03-13"]  # the same Saturdays, not re-anchored at --from


def test_clock_rows_carry_the_names_and_the_trigger_in_words() -> None:
    first = rows("clock")[0]
    assert (first["staff_id"], first["staff_name"], first["role"], first["role_name"]) == ("s1", "王芳", "owner", "群主")
    assert (first["group_id"], first["group_name"], first["group_type"]) == ("g1", "花漾1群", "traffic")
    assert (first["item"], first["task"], first["minutes"], first["trigger"]) == (
        "seeding", "产品种草", "10", "every Mon, Thu at 12:30")


# --- daylight saving time (America/New_York) ------------------------------------------------

def test_local_time_stays_while_the_utc_offset_changes_across_the_dst_switch() -> None:
    topic = [r for r in rows("dst") if r["item"] == "topic"]
    assert [r["start"] for r in topic] == ["2027-03-13T20:00:00-05:00", "2027-03-14T20:00:00-04:00",
                                           "2027-03-15T20:00:00-04:00"]
    assert [r["message"] for r in topic] == ["Tonight's topic (Saturday, 20:00)", "Tonight's topic (Sunday, 20:00)",
                                             "Tonight's topic (Monday, 20:00)"]


def test_a_time_that_does_not_exist_moves_to_the_time_that_does() -> None:
    night = {r["date"]: r["start"] for r in rows("dst") if r["item"] == "night"}
    assert night == {"2027-03-13": "2027-03-13T02:30:00-05:00", "2027-03-14": "2027-03-14T03:30:00-04:00",
                     "2027-03-15": "2027-03-15T02:30:00-04:00"}


# --- days of a group's life -----------------------------------------------------------------

def test_days_count_from_creation_and_days_before_end_from_the_last_day() -> None:
    countdown = [(r["group_id"], r["date"], r["message"]) for r in rows("life") if r["item"] == "countdown"]
    assert countdown == [
        # f1: a 3-day flash group created 03-01 lives 03-01 … 03-03 (days 0 … 2)
        ("f1", "2027-03-01", "焕新节第 0 天，快闪1群 倒计时！"),
        ("f1", "2027-03-02", "焕新节第 1 天，快闪1群 倒计时！"),
        ("f1", "2027-03-03", "焕新节第 2 天，快闪1群 倒计时！"),
        # f2 ended (ended_at) on its second day: "2 days before the end" would be before it existed
        ("f2", "2027-03-04", "焕新节第 0 天，快闪2群 倒计时！"),
        ("f2", "2027-03-05", "焕新节第 1 天，快闪2群 倒计时！"),
    ]
    farewell = [(r["group_id"], r["date"], r["time"]) for r in rows("life") if r["item"] == "farewell"]
    assert farewell == [("f1", "2027-03-03", "21:00"), ("f2", "2027-03-05", "21:00")]  # each flash group's last day
    setup = [(r["group_id"], r["date"], r["instructions"]) for r in rows("life") if r["item"] == "setup"]
    assert setup == [("f1", "2027-03-01", "快闪1群 设置群名和欢迎语"), ("w2", "2027-03-02", "福利2群 设置群名和欢迎语"),
                     ("f2", "2027-03-04", "快闪2群 设置群名和欢迎语")]


def test_a_staff_member_gets_tasks_only_while_assigned() -> None:
    # week_one (day 7): w2's day 7 is 03-09, but its owner's assignment ended on 03-03; f1 and f2 are over.
    assert dates("life", "week_one") == []
    assert {r["staff_id"] for r in rows("life") if r["group_id"] == "w2" and r["role"] == "owner"} == {"s2"}


def test_two_holders_of_a_role_take_turns_by_day() -> None:
    checkin = [(r["date"], r["staff_id"]) for r in rows("life") if r["item"] == "checkin"]
    assert [day for day, _ in checkin] == [f"2027-03-0{d}" for d in range(2, 10)]  # once a day, from w2's creation
    assert [staff for _, staff in checkin] == ["h1", "h2"] * 4


def test_per_person_items_are_done_once_for_all_the_persons_groups() -> None:
    live = [r for r in rows("life") if r["item"] == "live"]
    assert [(r["date"], r["staff_id"], r["group_id"], r["groups"]) for r in live] == [("2027-03-06", "k1", "", "2")]


def test_group_creation_comes_from_the_roster_due_by_the_end_of_the_day() -> None:
    announce = [(r["group_id"], r["date"], r["time"], r["due"]) for r in rows("life") if r["item"] == "announce"]
    assert announce == [("f1", "2027-03-01", "", "2027-03-01T23:59:00+08:00"),
                        ("w2", "2027-03-02", "", "2027-03-02T23:59:00+08:00"),
                        ("f2", "2027-03-04", "", "2027-03-04T23:59:00+08:00")]


# --- events ---------------------------------------------------------------------------------

def test_without_events_event_items_are_standing_instructions_with_their_window() -> None:
    listed = rows("events")
    assert [r["kind"] for r in listed] == ["standing"] * 4
    assert [(r["item"], r["within"], r["trigger"], r["groups"]) for r in listed] == [
        ("welcome", "10m", "within 10 minutes of a member joining", "2"),
        ("care", "", "days 1, 3 after a member joins at 10:00", "2"),
        ("congrats", "30m", "within 30 minutes of a member's first order", "2"),
        ("silent", "1d", "within 1 day of a churn warning", "2"),
    ]
    # Their texts rendered for the person: the staff name known, the member and (two groups) the
    # group as placeholders, never the template's source.
    assert [(r["item"], r["message"]) for r in listed if r["message"]] == [
        ("welcome", "欢迎 [nickname] 加入[group name]！我是周敏。"), ("care", "[nickname]，入群第 [day] 天啦")]


def test_with_events_each_event_gives_a_task_with_its_deadline() -> None:
    listed = rows("events", "--events", str(GOLDEN / "events" / "events.csv"))
    welcome = [(r["member_id"], r["group_id"], r["start"], r["due"], r["message"]) for r in listed if r["item"] == "welcome"]
    assert welcome == [
        ("m1", "g1", "2027-01-10T09:12:00+08:00", "2027-01-10T09:22:00+08:00", "欢迎 [nickname] 加入花漾1群！我是周敏。"),
        ("m2", "g2", "2027-01-10T21:55:00+08:00", "2027-01-10T22:05:00+08:00", "欢迎 [nickname] 加入花漾2群！我是周敏。"),
    ]  # m0 joined the day before the window, m3 after it; a member id is never greeted as a name
    care = [(r["member_id"], r["date"], r["time"]) for r in listed if r["item"] == "care"]
    assert care == [("m0", "2027-01-10", "10:00"), ("m1", "2027-01-11", "10:00"), ("m2", "2027-01-11", "10:00"),
                    ("m0", "2027-01-12", "10:00")]  # day 1 and day 3 after joining
    congrats = [(r["member_id"], r["due"]) for r in listed if r["item"] == "congrats"]
    assert congrats == [("m1", "2027-01-11T08:30:00+08:00")]  # the first order only
    standing = [r["item"] for r in listed if r["kind"] == "standing"]
    assert standing == ["silent"]  # churn warnings come from a simulation, not from the events


def test_bad_event_rows_stop_the_run_with_their_row(tmp_path: Path) -> None:
    bad = tmp_path / "events.csv"
    bad.write_text("ts,type,group_id,member_id\n2027-01-10 09:00:00,join,g1,m1\nnot a time,join,g1,m2\n",
                   encoding="utf-8")
    result = invoke("events", "--events", str(bad), "--lang", "en")
    assert result.exit_code == 1
    assert f"{bad}:3: ts: ts is not a timestamp" in result.output  # file:row
    skipped = invoke("events", "--events", str(bad), "--skip-bad-rows", "--lang", "en")
    assert skipped.exit_code == 0, skipped.output
    assert "m1" in skipped.stdout and "m2" not in skipped.stdout


# --- capacity -------------------------------------------------------------------------------

def test_the_capacity_report_flags_minutes_and_group_limits(tmp_path: Path) -> None:
    report = tmp_path / "capacity.csv"
    result = invoke("capacity", "--capacity", str(report), "--lang", "en")
    assert result.exit_code == 0, result.output
    days = {(r["date"], r["staff_id"]): r for r in csv.DictReader(io.StringIO(report.read_text(encoding="utf-8-sig")))}
    s1 = days[("2027-01-02", "s1")]
    assert (s1["tasks"], s1["minutes"], s1["minutes_per_day"], s1["groups"]) == ("3", "30", "25", "3")
    assert (s1["overloaded"], s1["over_group_limit"], s1["group_limits"]) == ("true", "true", "owner 3>2")
    assert days[("2027-01-01", "s1")]["overloaded"] == "false"
    a1 = days[("2027-01-01", "a1")]  # no event data: 4 groups × 5 joins a day × 2 min expected
    assert (a1["tasks"], a1["estimated"], a1["total"], a1["overloaded"]) == ("0", "40", "40", "false")
    assert "capacity: 1 person-day over the minutes available; 1 person-day over a group limit" in result.output
    assert "⚠ 2027-01-02 s1 owner: 30 of 25 min; groups owner 3>2" in result.output


def test_fail_on_overload_exits_1() -> None:
    assert invoke("capacity", "--fail-on-overload").exit_code == 1
    assert invoke("capacity", "--fail-on-overload", window=("2027-01-01", "2027-01-01")).exit_code == 0
    assert invoke("clock", "--fail-on-overload").exit_code == 0


def test_capacity_as_markdown_and_json(tmp_path: Path) -> None:
    invoke("capacity", "--capacity", str(tmp_path / "c.json"))
    loaded = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))["capacity"]
    assert [r["overloaded"] for r in loaded if r["staff_id"] == "s1"] == [False, True]
    invoke("capacity", "--capacity", str(tmp_path / "c.md"), "--lang", "zh")
    assert "| 2027-01-02 | s1 | owner | 3 | 30 | 0 | 30 | 25 | 3 | owner 3>2 | ⚠ |" in (tmp_path / "c.md").read_text(
        encoding="utf-8")


# --- ICS ------------------------------------------------------------------------------------

def read_calendar(path: Path) -> Any:
    from icalendar import Calendar

    return Calendar.from_ical(path.read_bytes())


def occurrences(event: Any) -> list[dt.datetime]:
    """The local start times an event stands for: its RRULE expanded, without its EXDATEs."""
    from dateutil.rrule import rrulestr

    start = event.decoded("dtstart")
    if "RRULE" not in event:
        return [start]
    rule = rrulestr(event["RRULE"].to_ical().decode(), dtstart=start)
    skipped = {d.dt for exdate in ([event["EXDATE"]] if not isinstance(event.get("EXDATE", []), list)
                                   else event.get("EXDATE", [])) for d in exdate.dts}
    return [moment for moment in rule if moment not in skipped]


def test_ics_reads_back_to_the_same_tasks_with_rrules_in_the_playbooks_time_zone(tmp_path: Path) -> None:
    out = tmp_path / "clock.ics"
    assert invoke("clock", "--format", "ics", "--out", str(out)).exit_code == 0
    cal = read_calendar(out)
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    events = cal.walk("VEVENT")
    assert len(events) == 6  # one recurring event per item; day31 fires once in the window: a single event
    assert sorted(str(e["SUMMARY"]) for e in events if "RRULE" not in e) == ["31日活动 · 花漾1群"]
    assert {e["DTSTART"].params["TZID"] for e in events} == {"Asia/Shanghai"}
    by_summary = {str(e["SUMMARY"]): e for e in events}
    drop = by_summary["限时福利 · 花漾1群"]
    assert drop["RRULE"]["FREQ"] == ["WEEKLY"] and drop["RRULE"]["BYDAY"] == ["TH"]
    assert [d.dt.date().isoformat() for d in drop["EXDATE"].dts] == ["2027-02-18"]  # the holiday
    live = by_summary["隔周直播 · 花漾1群"]
    assert live["RRULE"]["INTERVAL"] == [2]
    expanded = sorted((str(e["SUMMARY"]).split(" · ")[0], m.date().isoformat(), m.strftime("%H:%M"))
                      for e in events for m in occurrences(e))
    listed = sorted((r["task"], r["date"], r["time"]) for r in rows("clock"))
    assert expanded == listed


def test_ics_across_dst_keeps_20_00_local(tmp_path: Path) -> None:
    out = tmp_path / "dst.ics"
    invoke("dst", "--format", "ics", "--out", str(out))
    cal = read_calendar(out)
    topic = next(e for e in cal.walk("VEVENT") if str(e["SUMMARY"]).startswith("Daily topic"))
    assert topic["DTSTART"].params["TZID"] == "America/New_York"
    moments = occurrences(topic)
    assert [m.strftime("%H:%M %z") for m in moments] == ["20:00 -0500", "20:00 -0400", "20:00 -0400"]


def test_ics_is_the_same_bytes_every_run_and_singles_have_fixed_stamps(tmp_path: Path) -> None:
    first, second = tmp_path / "a.ics", tmp_path / "b.ics"
    for out in (first, second):
        assert invoke("life", "--format", "ics", "--out", str(out)).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    events = read_calendar(first).walk("VEVENT")
    assert {e.decoded("dtstamp") for e in events} == {dt.datetime(2027, 3, 1, tzinfo=dt.UTC)}
    assert len({str(e["UID"]) for e in events}) == len(events)
    announce = [e for e in events if "发布群公告" in str(e["SUMMARY"])]
    assert [e.decoded("dtstart") for e in announce] == [dt.date(2027, 3, 1), dt.date(2027, 3, 2), dt.date(2027, 3, 4)]


def test_split_writes_one_calendar_per_person(tmp_path: Path) -> None:
    result = invoke("life", "--format", "ics", "--split", "--out", str(tmp_path / "cal"), "--lang", "en")
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in (tmp_path / "cal").iterdir())
    assert files == [MANIFEST, "h1.ics", "h2.ics", "k1.ics", "s1.ics", "s2.ics"]
    h1 = read_calendar(tmp_path / "cal" / "h1.ics")
    assert str(h1["X-WR-CALNAME"]) == "群生命周期 · 赵一"
    assert [str(e["SUMMARY"]) for e in h1.walk("VEVENT")] == ["早安签到 · 福利2群"]  # one series, no name prefix
    assert [m.date().isoformat() for m in occurrences(h1.walk("VEVENT")[0])] == [
        "2027-03-02", "2027-03-04", "2027-03-06", "2027-03-08"]
    assert "(5 files)" in result.output


def test_ics_categories_are_the_items_flow_and_content_each_once(tmp_path: Path) -> None:
    # The bundled example, as `qunce demo` runs it: most of its items are of one kind in both flow and
    # content (flow activation, content activation), which once wrote CATEGORIES:activation,activation.
    playbook = str(GOLDEN.parent.parent.parent / "playbooks" / "brand-complete.yaml")
    generated = CliRunner().invoke(main, ["events", "generate", playbook, "--out", str(tmp_path / "events.csv"),
                                          "--groups", "5", "--members", "100", "--days", "3", "--seed", "3"])
    assert generated.exit_code == 0, generated.output
    common = ["tasks", playbook, "--roster", str(tmp_path / "events.roster.yaml"), "--from", "2027-01-04", "--to",
              "2027-01-06", "--lang", "en"]
    listed = CliRunner().invoke(main, [*common, "--format", "csv"])
    assert listed.exit_code == 0, listed.output
    written = CliRunner().invoke(main, [*common, "--format", "ics", "--out", str(tmp_path / "team.ics")])
    assert written.exit_code == 0, written.output
    # What each event should say, from the same tasks as CSV: its summary (whose, what, where; several
    # people in one calendar) → the item's flow and content, in that order, each once.
    expected: dict[str, list[str]] = {}
    for row in csv.DictReader(io.StringIO(listed.stdout_bytes.decode("utf-8-sig"))):
        where = row["group_name"] or f"{row['groups']} groups"
        summary = f"{row['staff_name']}: {row['task']} · {where}"
        kinds = [row["flow"]] if row["flow"] == row["content"] else [c for c in (row["flow"], row["content"]) if c]
        assert expected.setdefault(summary, kinds or [row["role"]]) == (kinds or [row["role"]])
    events = read_calendar(tmp_path / "team.ics").walk("VEVENT")
    assert len(events) > 10
    seen: list[list[str]] = []
    for event in events:
        # One CATEGORIES property: icalendar gives a list when an event has it more than once.
        prop = event["CATEGORIES"]
        assert not isinstance(prop, list), event["SUMMARY"]
        categories = [str(c) for c in prop.cats]
        assert categories == expected[str(event["SUMMARY"])], event["SUMMARY"]
        seen.append(categories)
    # The example has both kinds: one word for both (the case that was doubled), and two words kept
    # in the item's order, flow first.
    assert ["activation"] in seen and ["conversion"] in seen
    assert ["activation", "brand"] in seen
    assert all(len(set(c)) == len(c) for c in seen)


# --- other formats, errors ----------------------------------------------------------------

def test_json_holds_the_tasks_and_the_standing_instructions() -> None:
    result = invoke("events", "--format", "json", "--events", str(GOLDEN / "events" / "events.csv"))
    document = json.loads(result.stdout)
    assert (document["timezone"], document["from"], document["to"], document["with_events"]) == (
        "Asia/Shanghai", "2027-01-10", "2027-01-12", True)
    assert len(document["tasks"]) == 7
    assert [s["item"] for s in document["standing"]] == ["silent"]


def test_markdown_is_a_checklist_per_person_per_day_in_chinese() -> None:
    result = invoke("life", "--format", "md", "--lang", "zh")
    text = result.stdout
    assert text.startswith("# 任务清单：群生命周期 · 2027-03-01 至 2027-03-09（北京时间）\n")
    assert "### 2027-03-06 周六 · 1 项 · 60 分钟 / 180\n\n- [ ] 20:00 KOL 直播 · 你负责的所有群（2） · 60 分钟" in text
    assert "群生命周期：2027-03-01 至 2027-03-09，5 名员工，22 项任务（其中 3 项响应事件），0 项触发式任务" in result.output
    assert "负荷：没有人哪天超出每日可用时间或群数上限" in result.output


# Each name of tests/golden/tasks/events and the hostile name put in its place.
HOSTILE_NAMES = {"事件触发": "# x", "新人欢迎": "[a](javascript:alert(1))", "新人关怀": "<script>alert(1)</script>",
                 "首单祝贺": "- item", "沉默关怀": "\x1b[31m", "周敏": "x\r\n## y", "花漾1群": "> quote", "花漾2群": "a|b",
                 "m0": "1. one", "m1": "![i](http://example.com/i.png)", "m2": "<img src=x onerror=alert(1)>", "m3": "`code"}


def _named_events_case(folder: Path, hostile: bool) -> Path:
    """tests/golden/tasks/events copied to `folder` with the playbook's, SOP items', staff's and
    groups' names and the members' ids replaced by hostile ones (HOSTILE_NAMES) or plain ones."""
    folder.mkdir()
    new = {old: name if hostile else f"n{i}" for i, (old, name) in enumerate(HOSTILE_NAMES.items())}
    for file in ("playbook.yaml", "roster.yaml"):
        (folder / file).write_text(renamed((GOLDEN / "events" / file).read_text(encoding="utf-8"), new), encoding="utf-8")
    with (GOLDEN / "events" / "events.csv").open(encoding="utf-8", newline="") as source:
        rows = [[new.get(cell, cell) for cell in row] for row in csv.reader(source)]
    with (folder / "events.csv").open("w", encoding="utf-8", newline="") as out:
        csv.writer(out, lineterminator="\n").writerows(rows)
    return folder


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_hostile_names_change_nothing_in_tasks_md_but_their_own_text(tmp_path: Path, lang: str) -> None:
    """Names from the playbook, the roster and the events are escaped in tasks.md: none starts a
    heading, list, quote, link or HTML, a message's lines stay inside its quote, and no control
    character reaches the file."""
    texts = {}
    for hostile in (True, False):
        folder = _named_events_case(tmp_path / str(hostile), hostile)
        out = folder / "tasks.md"
        result = CliRunner().invoke(main, ["tasks", str(folder / "playbook.yaml"), "--roster", str(folder / "roster.yaml"),
                                           "--from", "2027-01-10", "--to", "2027-01-12", "--events",
                                           str(folder / "events.csv"), "--format", "md", "--out", str(out), "--lang", lang])
        assert result.exit_code == 0, result.output
        texts[hostile] = out.read_text(encoding="utf-8")
    assert_safe(texts[True], texts[False])
    if lang == "en":
        assert texts[True].startswith("# Task list: \\# x · 2027-01-10 … 2027-01-12 (Asia/Shanghai)\n\n## x ## y (a1)\n")
        # The welcome of member `![i](…)` (named on the task's line; the message has a placeholder
        # for the nickname) in group `> quote`, signed by staff `x\r\n## y`: the staff name's line
        # break ends the line, and the next line stays in the quote, escaped.
        assert ("- [ ] 09:12 \\[a\\](javascript:alert(1)) · \\> quote · 1 min · member !\\[i\\](http://example.com/i.png) "
                "· due 09:22\n  > 欢迎 \\[nickname\\] 加入> quote！我是x\n  > \\## y。\n") in texts[True]


@pytest.mark.parametrize(("args", "message"), [
    (("--from", "2027-03-09", "--to", "2027-03-01"), "qunce: --from 2027-03-09 is after --to 2027-03-01; swap them"),
    (("--from", "2027-03-01", "--to", "2038-03-01"), "spans more than 3660 days"),
    (("--from", "2027-03-01", "--to", "2027-03-02", "--split"), "qunce: --split needs --out FOLDER"),
])
def test_usage_errors_exit_2_with_one_line(args: tuple[str, ...], message: str) -> None:
    folder = GOLDEN / "life"
    result = CliRunner().invoke(main, ["tasks", str(folder / "playbook.yaml"), "--roster", str(folder / "roster.yaml"),
                                       *args, "--lang", "en"])
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_errors_in_chinese_and_missing_files() -> None:
    folder = GOLDEN / "life"
    result = CliRunner().invoke(main, ["tasks", str(folder / "playbook.yaml"), "--roster", "nowhere.yaml", "--from",
                                       "2027-03-01", "--to", "2027-03-02", "--lang", "zh"])
    assert result.exit_code == 2
    assert result.output.startswith("qunce: 找不到花名册：nowhere.yaml（")
    swapped = invoke("life", "--lang", "zh", window=("2027-03-09", "2027-03-01"))
    assert swapped.output.strip() == "qunce: --from 2027-03-09 晚于 --to 2027-03-01；请交换两者"


def test_a_broken_roster_is_reported_with_its_place(tmp_path: Path) -> None:
    roster = tmp_path / "roster.yaml"
    roster.write_text("staff: [{id: s1, name: 王芳}]\ngroups:\n  - {id: g1, name: 1群, type: traffic, created_at: 2027-13-01}\n",
                      encoding="utf-8")
    result = CliRunner().invoke(main, ["tasks", str(GOLDEN / "clock" / "playbook.yaml"), "--roster", str(roster),
                                       "--from", "2027-03-01", "--to", "2027-03-02", "--lang", "en"])
    assert result.exit_code == 1
    assert f"{roster}:3:" in result.output or "roster.yaml:3:" in result.output


def test_unknown_roster_types_and_roles_are_noted(tmp_path: Path) -> None:
    roster = tmp_path / "roster.yaml"
    roster.write_text("staff: [{id: s1, name: 王芳}]\ngroups:\n  - {id: g1, name: 1群, type: mystery, created_at: 2027-03-01}\n"
                      "assignments:\n  - {staff_id: s1, role: owner, group_id: g1, from: 2027-03-01}\n"
                      "  - {staff_id: s1, role: chef, group_id: g1, from: 2027-03-01}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["tasks", str(GOLDEN / "clock" / "playbook.yaml"), "--roster", str(roster),
                                       "--from", "2027-03-01", "--to", "2027-03-01", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "note: the roster's group type 'mystery' is not in the playbook" in result.output
    assert "note: the roster's role 'chef' is not in the playbook: its staff get no tasks" in result.output
    assert [r["item"] for r in csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8-sig")))] == ["seeding", "topic"]  # items for all types


def test_the_readme_example_prints_what_the_readme_shows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (GOLDEN.parent.parent.parent / "README.md").read_text(encoding="utf-8")
    playbook = str(GOLDEN.parent.parent.parent / "playbooks" / "brand-complete.yaml")
    monkeypatch.chdir(tmp_path)
    generated = CliRunner().invoke(main, ["events", "generate", playbook, "--out", "data/events.csv", "--groups", "20",
                                          "--members", "2000", "--days", "14", "--seed", "3"])
    assert generated.exit_code == 0, generated.output
    result = CliRunner().invoke(main, ["tasks", playbook, "--roster", "data/events.roster.yaml", "--events",
                                       "data/events.csv", "--from", "2027-01-04", "--to", "2027-01-10", "--format", "md",
                                       "--out", "tasks.md", "--capacity", "capacity.csv", "--lang", "en"])
    assert result.exit_code == 0, result.output
    start = readme.index("花漾美妆私域 2027Q1: 2027-01-04 … 2027-01-10")
    assert result.output == readme[start:readme.index("```", start)]
    start = readme.index("## 郭磊静 (s0006)\n")
    assert readme[start:readme.index("…\n```", start)] in (tmp_path / "tasks.md").read_text(encoding="utf-8")
