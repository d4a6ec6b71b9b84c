"""Working hours (工作时间): when a task answering an event is due, computed by hand.

The rule (engine/compile/working_hours.py): a trigger inside its role's working hours is due
`within` after it (even past the span's end); outside them, `within` after the next span starts.
Checked on `with_due` directly (the function the SOP assessment reuses), end to end through
`qunce tasks` on tests/golden/tasks/hours/ and on a daylight-saving time zone, and in the calendars.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from qunce.cli import main
from qunce.model import Playbook
from qunce.model.calendar import Span, WorkingHoursError, spans

pytest.importorskip("ibis")

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "tasks" / "hours"


def playbook(calendar: str | None = None, **roles: str | None) -> Playbook:
    return Playbook.model_validate({
        "playbook": "t", "calendar": {"working_hours": calendar},
        "roles": {"admin": {"name": "管理员"}, **{k: {"name": k, "working_hours": v} for k, v in roles.items()}}})


def due(pb: Playbook, *triggers: tuple[str, str, int | None]) -> list[tuple[str, bool, str]]:
    """(due, deferred, opens) of each (ts, role, within minutes), through `with_due` on DuckDB."""
    import ibis
    import pyarrow as pa

    from qunce.compile.working_hours import gap_table, with_due
    from qunce.compute.duckdb import connect

    con = connect("Asia/Shanghai")
    table = pa.table({"ts": [dt.datetime.fromisoformat(t) for t, _, _ in triggers],
                      "role": [r for _, r, _ in triggers], "within": [w for _, _, w in triggers],
                      "n": list(range(len(triggers)))},
                     schema=pa.schema([("ts", pa.timestamp("us")), ("role", pa.string()), ("within", pa.int64()),
                                       ("n", pa.int64())]))
    gaps = gap_table(pb)
    out = with_due(con.create_table("triggers", table, temp=True, overwrite=True),
                   con.create_table("gaps", gaps, temp=True, overwrite=True) if gaps.num_rows else None,
                   opens="opens", deferred="deferred")
    assert isinstance(out, ibis.Table)
    rows = out.order_by("n").to_pyarrow().to_pylist()
    return [(r["due"].isoformat(sep=" ")[:16], r["deferred"], r["opens"].isoformat(sep=" ")[:16]) for r in rows]


# --- the spans --------------------------------------------------------------------------------

def test_spans_read_one_or_several_spans_with_24_00_as_the_end_of_the_day() -> None:
    assert spans("09:00-22:00") == (Span(540, 1320),)
    assert spans("09:00-12:00, 13:30-22:00") == (Span(540, 720), Span(810, 1320))
    assert spans("9:00~12:00，13:30～24:00") == (Span(540, 720), Span(810, 1440))
    assert spans("00:00-02:00, 22:00-24:00") == (Span(0, 120), Span(1320, 1440))
    assert spans("09:00-12:00, 12:00-18:00") == (Span(540, 720), Span(720, 1080))  # touching is not overlapping


@pytest.mark.parametrize(("text", "says", "at"), [
    ("9点到22点", "is not a span of the day", 0),
    ("09:00-22:00, ", "is not a span of the day", 13),
    ("09:00-25:00", "'25:00' is not a time of day", 6),
    ("09:60-22:00", "'09:60' is not a time of day", 0),
    ("24:00-24:00", "starts at 24:00", 0),
    ("22:00-02:00", "a span may not cross midnight; write it as two spans, 00:00-02:00 and 22:00-24:00", 0),
    ("12:00-09:00", "ends before it starts", 0),
    ("09:00-09:00", "is empty", 0),
    ("09:00-12:00, 11:30-22:00", "'11:30-22:00' overlaps '09:00-12:00'", 13),
    ("13:30-22:00, 09:00-12:00", "'09:00-12:00' comes before '13:30-22:00'", 13),
    ("  ", "working hours are empty", 0),
])
def test_spans_refuse_with_a_reason_at_the_place(text: str, says: str, at: int) -> None:
    with pytest.raises(WorkingHoursError) as raised:
        spans(text)
    assert says in raised.value.en and raised.value.zh
    assert raised.value.offset == at


def test_a_role_overrides_the_calendar_and_nothing_anywhere_is_no_restriction() -> None:
    pb = playbook("09:00-22:00", kol="09:00-12:00, 13:30-22:00", helper="00:00-24:00")
    assert pb.working_hours("admin") == (Span(540, 1320),)  # the calendar's
    assert pb.working_hours("kol") == (Span(540, 720), Span(810, 1320))
    assert pb.working_hours("helper") == (Span(0, 1440),)
    assert playbook(None, kol="10:00-11:00").working_hours("admin") == ()


# --- when a task is due (with_due, relational) -----------------------------------------------------------

def test_off_duty_triggers_are_due_after_the_next_span_starts() -> None:
    pb = playbook("09:00-22:00")
    assert due(pb, ("2027-01-10 01:40:00", "admin", 10), ("2027-01-10 21:55:00", "admin", 10),
               ("2027-01-10 22:30:00", "admin", 10), ("2027-01-10 09:00:00", "admin", 10),
               ("2027-01-10 22:00:00", "admin", 10), ("2027-01-10 08:59:59", "admin", None)) == [
        ("2027-01-10 09:10", True, "2027-01-10 09:00"),  # 01:40 → 09:00 + 10m, the same day
        ("2027-01-10 22:05", False, "2027-01-10 21:55"),  # on duty: past the span's end all the same
        ("2027-01-11 09:10", True, "2027-01-11 09:00"),  # after the last span: the next day's first
        ("2027-01-10 09:10", False, "2027-01-10 09:00"),  # a span holds its start …
        ("2027-01-11 09:10", True, "2027-01-11 09:00"),  # … not its end
        ("2027-01-10 09:00", True, "2027-01-10 09:00"),  # no within: due when duty starts
    ]


def test_a_lunch_break_and_a_role_of_its_own() -> None:
    pb = playbook("09:00-22:00", kol="09:00-12:00, 13:30-22:00", helper="00:00-24:00")
    assert due(pb, ("2027-01-10 12:30:00", "kol", 30), ("2027-01-10 12:30:00", "admin", 30),
               ("2027-01-10 11:50:00", "kol", 30), ("2027-01-10 23:10:00", "helper", 10),
               ("2027-01-10 23:10:00", "kol", 10)) == [
        ("2027-01-10 14:00", True, "2027-01-10 13:30"),  # in the KOL's lunch break: from 13:30
        ("2027-01-10 13:00", False, "2027-01-10 12:30"),  # the admin has no break
        ("2027-01-10 12:20", False, "2027-01-10 11:50"),
        ("2027-01-10 23:20", False, "2027-01-10 23:10"),  # 00:00-24:00: never deferred
        ("2027-01-11 09:10", True, "2027-01-11 09:00"),
    ]


def test_without_working_hours_nothing_moves() -> None:
    assert due(playbook(None), ("2027-01-10 01:40:00", "admin", 10), ("2027-01-10 23:59:00", "admin", None)) == [
        ("2027-01-10 01:50", False, "2027-01-10 01:40"), ("2027-01-10 23:59", False, "2027-01-10 23:59")]


def test_the_python_rule_agrees_with_the_relational_one() -> None:
    from qunce.compile.working_hours import resume

    hours = spans("09:00-12:00, 13:30-22:00")
    assert [resume(hours, m) for m in (0, 539, 540, 719, 720, 809, 810, 1319, 1320, 1439)] == [
        (0, 540), (0, 540), None, None, (0, 810), (0, 810), None, None, (1, 540), (1, 540)]
    assert resume((), 100) is None and resume(spans("00:00-24:00"), 100) is None


# --- qunce tasks ---------------------------------------------------------------------------------------

def tasks(folder: Path, start: str, end: str, *extra: str) -> Any:
    return CliRunner().invoke(main, ["tasks", str(folder / "playbook.yaml"), "--roster", str(folder / "roster.yaml"),
                                     "--events", str(folder / "events.csv"), "--from", start, "--to", end,
                                     "--no-cache", "--lang", "en", *extra])


def csv_rows(result: Any) -> list[dict[str, str]]:
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"))))


def test_the_task_list_shows_the_deferred_due_times() -> None:
    result = tasks(GOLDEN, "2027-01-10", "2027-01-11")
    listed = [(r["item"], r["member_id"], r["start"][11:16], r["due"]) for r in csv_rows(result) if r["due"]]
    assert listed == [
        ("welcome", "m1", "01:40", "2027-01-10T09:10:00+08:00"),
        ("welcome", "m2", "09:00", "2027-01-10T09:10:00+08:00"),
        ("thanks", "m1", "12:30", "2027-01-10T14:00:00+08:00"),  # the KOL's lunch break
        ("welcome", "m3", "21:55", "2027-01-10T22:05:00+08:00"),
        ("welcome", "m4", "22:00", "2027-01-11T09:10:00+08:00"),
        ("welcome", "m5", "22:30", "2027-01-11T09:10:00+08:00"),
        ("cheer", "m2", "23:10", "2027-01-10T23:20:00+08:00"),  # the helper: 00:00-24:00
        ("thanks", "m2", "11:50", "2027-01-11T12:20:00+08:00"),
        ("thanks", "m3", "21:59", "2027-01-11T22:29:00+08:00"),  # 21:59:59 is on duty
    ]
    assert "working hours: 4 tasks in reply to events came off duty" in result.stderr


def test_the_calendar_starts_a_deferred_task_with_the_next_span() -> None:
    from icalendar import Calendar

    result = tasks(GOLDEN, "2027-01-10", "2027-01-11", "--format", "ics")
    assert result.exit_code == 0, result.output
    events = {str(e["SUMMARY"]): e for e in Calendar.from_ical(result.stdout_bytes).walk("VEVENT")}
    late = events["周敏: 新人欢迎 · 花漾1群 · member m5"]
    assert late.decoded("dtstart") == dt.datetime(2027, 1, 11, 9, 0, tzinfo=late.decoded("dtstart").tzinfo)
    assert "came 2027-01-10 22:30, outside working hours" in str(late["DESCRIPTION"])
    assert "due 2027-01-11 09:10" in str(late["DESCRIPTION"])
    on_time = events["周敏: 新人欢迎 · 花漾1群 · member m3"]
    assert on_time.decoded("dtstart").strftime("%H:%M") == "21:55" and "came" not in str(on_time["DESCRIPTION"])


def test_the_wall_clock_counts_across_a_daylight_saving_change(tmp_path: Path) -> None:
    # New York moves from -05:00 to -04:00 at 02:00 on 2027-03-14: a join at 23:30 the night before
    # is due at 09:10 local, not 10:10 (9 h 40 min of elapsed time later would be).
    (tmp_path / "playbook.yaml").write_text(
        "playbook: NY\ntimezone: America/New_York\nlocale: en\ncalendar: {working_hours: \"09:00-22:00\"}\n"
        "roles:\n  admin: {name: Admin}\n  night: {name: Night, working_hours: \"02:30-22:00\"}\n"
        "group_types:\n  traffic: {name: Traffic, entry: {mode: open}}\n"
        "sop:\n  - {id: welcome, name: Welcome, role: admin, on: join, within: 10m}\n"
        "  - {id: thanks, name: Thanks, role: night, on: order, within: 10m}\n", encoding="utf-8")
    (tmp_path / "roster.yaml").write_text(
        "staff:\n  - {id: a1, name: Ann}\n  - {id: n1, name: Ned}\ngroups:\n"
        "  - {id: g1, name: G1, type: traffic, created_at: 2027-03-01}\nassignments:\n"
        "  - {staff_id: a1, role: admin, group_id: g1, from: 2027-03-01}\n"
        "  - {staff_id: n1, role: night, group_id: g1, from: 2027-03-01}\n", encoding="utf-8")
    (tmp_path / "events.csv").write_text(
        "ts,type,group_id,member_id,amount,order_id\n2027-03-13 23:30:00,join,g1,m1,,\n"
        "2027-03-14 01:30:00,join,g1,m2,,\n2027-03-14 01:00:00,order,g1,m1,10.00,o1\n"
        "2027-03-14 23:00:00,join,g1,m3,,\n", encoding="utf-8")
    listed = [(r["item"], r["start"], r["due"]) for r in csv_rows(tasks(tmp_path, "2027-03-13", "2027-03-14"))]
    assert listed == [
        ("welcome", "2027-03-13T23:30:00-05:00", "2027-03-14T09:10:00-04:00"),
        ("thanks", "2027-03-14T01:00:00-05:00", "2027-03-14T03:40:00-04:00"),  # 02:30 is skipped: 03:30, as clock items
        ("welcome", "2027-03-14T01:30:00-05:00", "2027-03-14T09:10:00-04:00"),
        ("welcome", "2027-03-14T23:00:00-04:00", "2027-03-15T09:10:00-04:00"),
    ]
