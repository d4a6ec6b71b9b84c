"""SOP 考核 by hand-computed cases (docs/sop-assessment.md): the window's edges, one minute late,
a post by another role, a post before the window, one welcome for two joins, a reach, a logged
item, not due yet; and, for any tasks and posts, the counts add up."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

pytest.importorskip("ibis")

from hypothesis import given, settings
from hypothesis import strategies as st

from qunce.assess.compliance import compliance
from qunce.assess.evidence import LOGGED, POST, REACH
from qunce.assess.match import first_evidence
from qunce.assess.status import with_status
from qunce.assess.windows import with_windows
from qunce.compute import fetch_rows
from qunce.compute.duckdb import connect

DAY = dt.date(2027, 3, 1)
TASK_SCHEMA = {"task": "int64", "idx": "int32", "item": "string", "evidence": "string", "tolerance": "int64",
               "staff_id": "string", "role": "string", "group_id": "string", "member_id": "string", "date": "date",
               "time": "string", "due": "timestamp", "trigger_ts": "timestamp"}
EVENT_SCHEMA = {"row": "int64", "ts": "timestamp", "date": "date", "type": "string", "group_id": "string",
                "member_id": "string", "staff_id": "string"}
HOLDERS = [("g1", "owner", "s1"), ("g1", "helper", "h1")]  # each day of March


def at(text: str, day: dt.date = DAY) -> dt.datetime:
    hour, minute, *second = (int(p) for p in text.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute, *(second or [0])))


def task(n: int, evidence: str = POST, time: str | None = "19:30", due: dt.datetime | None = None,
         trigger: dt.datetime | None = None, member: str | None = None, staff: str = "s1", role: str = "owner",
         item: str = "topic", group: str | None = "g1", day: dt.date = DAY, tolerance: int = 30) -> dict[str, Any]:
    return {"task": n, "idx": 0, "item": item, "evidence": evidence, "tolerance": tolerance, "staff_id": staff,
            "role": role, "group_id": group, "member_id": member, "date": day, "time": time, "due": due,
            "trigger_ts": trigger}


def post(row: int, ts: dt.datetime, staff: str = "s1", group: str = "g1", kind: str = "message",
         member: str | None = None) -> dict[str, Any]:
    return {"row": row, "ts": ts, "date": ts.date(), "type": kind, "group_id": group, "member_id": member,
            "staff_id": staff}


def table(con: Any, rows: list[dict[str, Any]], schema: dict[str, str]) -> Any:
    import ibis
    import pyarrow as pa

    columns = {name: [r[name] for r in rows] for name in schema}
    arrow = pa.table({name: pa.array(columns[name], type=ibis.dtype(kind).to_pyarrow()) for name, kind in schema.items()})
    return con.create_table(f"t_{id(rows)}_{len(rows)}", arrow, temp=True, overwrite=True)


def assess(tasks: list[dict[str, Any]], events: list[dict[str, Any]], logged: list[dict[str, Any]] | None = None,
           data_end: dt.datetime | None = None, observable: list[str] | None = None,
           held: list[tuple[str, str, str]] = HOLDERS) -> dict[int, dict[str, Any]]:
    import ibis

    con = connect("Asia/Shanghai")
    holders = table(con, [{"group_id": g, "date": DAY + dt.timedelta(days=d), "role": r, "staff_id": s}
                          for g, r, s in held for d in range(-2, 5)],
                    {"group_id": "string", "date": "date", "role": "string", "staff_id": "string"})
    t = with_windows(table(con, tasks, TASK_SCHEMA))
    e = table(con, events or [post(0, at("00:00"), kind="join")], EVENT_SCHEMA)
    log = None
    if logged is not None:
        log = table(con, logged, {"row": "int64", "ts": "timestamp", "staff_id": "string", "group_id": "string",
                                  "member_id": "string", "sop": "string"})
    end = ibis.literal(data_end or at("23:59", DAY + dt.timedelta(days=3)))
    result = with_status(t, first_evidence(t, e, holders, log), end, observable or [])
    got = {r["task"]: r for r in fetch_rows(con, result)}
    # with how many hold each task's role (as expand.staffed gives them): a task of one holder is
    # matched as its own person's, without the holders' join; the same evidence either way
    counts = {(g, r): sum(1 for h in held if h[:2] == (g, r)) for g, r, _ in held}
    counted = with_windows(table(con, [{**x, "holders": counts.get((x["group_id"], x["role"])) if x["group_id"] else None}
                                       for x in tasks], {**TASK_SCHEMA, "holders": "int64"}))
    again = with_status(counted, first_evidence(counted, e, holders, log), end, observable or [])
    assert {r["task"]: {k: v for k, v in r.items() if k != "holders"} for r in fetch_rows(con, again)} == got
    return got


def test_a_scheduled_post_is_on_time_at_both_edges_and_late_one_second_after() -> None:
    got = assess([task(1), task(2), task(3, day=DAY + dt.timedelta(days=1))],
                 [post(10, at("19:00:00")), post(11, at("20:00:01", DAY + dt.timedelta(days=1)))])
    assert got[1]["status"] == "on_time" and got[1]["done_at"] == at("19:00:00") and got[1]["done_row"] == 10
    # the same post counts for both tasks of that day and group (qunce cannot tell them apart)
    assert got[2]["status"] == "on_time"
    assert got[3]["status"] == "late" and got[3]["late_minutes"] == 1


def test_the_window_end_is_included() -> None:
    got = assess([task(1)], [post(10, at("20:00:00"))])
    assert got[1]["status"] == "on_time" and got[1]["late_minutes"] is None


def test_a_post_before_the_window_does_not_count() -> None:
    got = assess([task(1)], [post(10, at("18:59:59"))])
    assert got[1]["status"] == "missed" and got[1]["done_at"] is None


def test_a_post_by_someone_of_another_role_does_not_count() -> None:
    got = assess([task(1)], [post(10, at("19:30"), staff="h1"), post(11, at("19:35"), staff="stranger")])
    assert got[1]["status"] == "missed"


def test_the_first_post_in_the_window_is_the_evidence() -> None:
    got = assess([task(1)], [post(12, at("19:40")), post(11, at("19:20")), post(13, at("21:00"))])
    assert (got[1]["done_at"], got[1]["done_row"]) == (at("19:20"), 11)


def test_of_two_holders_of_the_role_the_earlier_post_and_at_one_time_the_smaller_row() -> None:
    # each holder's first post is found apart (an as-of join per holder): the later holder's
    # first post must not hide the other's, and a tie in time goes to the smaller row
    got = assess([task(1), task(2, day=DAY + dt.timedelta(days=1))],
                 [post(20, at("19:10"), staff="s2"), post(21, at("19:25")), post(22, at("19:05"), staff="h1"),
                  post(31, at("19:40", DAY + dt.timedelta(days=1)), staff="s2"),
                  post(30, at("19:40", DAY + dt.timedelta(days=1)))],
                 held=[*HOLDERS, ("g1", "owner", "s2")])
    assert (got[1]["status"], got[1]["done_at"], got[1]["done_row"]) == ("on_time", at("19:10"), 20)
    assert (got[2]["done_at"], got[2]["done_row"]) == (at("19:40", DAY + dt.timedelta(days=1)), 30)


def test_one_welcome_answers_two_joins() -> None:
    joins = [post(1, at("09:58"), kind="join", member="m1", staff=None), post(2, at("10:02"), kind="join", member="m2", staff=None)]
    welcome = [task(1, time=None, trigger=at("09:58"), due=at("10:08"), member="m1", item="welcome"),
               task(2, time=None, trigger=at("10:02"), due=at("10:12"), member="m2", item="welcome")]
    got = assess(welcome, [*joins, post(3, at("10:05"))])
    assert [got[n]["status"] for n in (1, 2)] == ["on_time", "on_time"]


def test_a_reply_one_minute_late() -> None:
    got = assess([task(1, time=None, trigger=at("10:00"), due=at("10:10"), member="m1")], [post(3, at("10:10:30"))])
    assert got[1]["status"] == "late" and got[1]["late_minutes"] == 1


def test_a_post_a_day_late_is_missed() -> None:
    got = assess([task(1)], [post(10, at("20:00:01", DAY + dt.timedelta(days=1)))])
    assert got[1]["status"] == "missed"


def test_nothing_yet_when_the_data_ends_before_the_lateness_does_is_not_due() -> None:
    got = assess([task(1)], [post(10, at("08:00"))], data_end=at("21:00"))
    assert got[1]["status"] == "not_due"


def test_a_reach_of_the_member_by_a_holder_of_the_role() -> None:
    tasks = [task(1, evidence=REACH, time="10:00", member="m1"), task(2, evidence=REACH, time=None, member="m2")]
    events = [post(5, at("22:00"), kind="reach", member="m1"), post(6, at("09:00"), kind="reach", member="m2", staff="h1")]
    got = assess(tasks, events)
    assert got[1]["status"] == "on_time"  # any time that day
    assert got[2]["status"] == "missed"  # the helper is not the owner


def test_a_logged_item_counts_only_when_the_team_logs_it() -> None:
    live = task(1, evidence=LOGGED, item="live", group=None, time="20:00", staff="k1", role="kol")
    assert assess([live], [])[1]["status"] == "not_observable"
    mark = [{"row": 7, "ts": at("20:10"), "staff_id": "k1", "group_id": None, "member_id": None, "sop": "live"}]
    assert assess([live], [], logged=mark, observable=["live"])[1]["status"] == "on_time"
    other = [{**mark[0], "staff_id": "k2"}]
    assert assess([live], [], logged=other, observable=["live"])[1]["status"] == "missed"


def test_a_logged_post_counts_as_done() -> None:
    mark = [{"row": 7, "ts": at("19:45"), "staff_id": "s1", "group_id": "g1", "member_id": None, "sop": "topic"}]
    got = assess([task(1)], [], logged=mark, observable=["topic"])
    assert got[1]["status"] == "on_time" and got[1]["done_row"] == 7


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from(["09:00", "19:30", "23:50"]), st.sampled_from(["s1", "h1"])),
                min_size=1, max_size=12),
       st.lists(st.tuples(st.integers(0, 4), st.integers(0, 24 * 60 - 1), st.sampled_from(["s1", "h1", "x"])),
                max_size=15))
def test_the_counts_add_up(tasks: list[tuple[int, str, str]], posts: list[tuple[int, int, str]]) -> None:
    import ibis

    rows = [task(n, time=time, staff=staff, role="owner" if staff == "s1" else "helper", day=DAY + dt.timedelta(days=d))
            for n, (d, time, staff) in enumerate(tasks)]
    events = [post(100 + n, dt.datetime.combine(DAY + dt.timedelta(days=d), dt.time()) + dt.timedelta(minutes=m), staff=s)
              for n, (d, m, s) in enumerate(posts)]
    con = connect("Asia/Shanghai")
    got = assess(rows, events)
    assert set(got) == {r["task"] for r in rows}  # one row per task
    statuses = table(con, [{k: v for k, v in r.items() if k in ("staff_id", "role", "date", "status", "late_minutes")}
                           for r in got.values()],
                     {"staff_id": "string", "role": "string", "date": "date", "status": "string", "late_minutes": "int64"})
    for r in fetch_rows(con, compliance(statuses)):
        assert r["due"] == r["on_time"] + r["late"] + r["missed"] + r["not_observable"]
        counted = sum(1 for t in got.values() if t["staff_id"] == r["staff_id"] and t["status"] != "not_due"
                      and (t["date"] - r["period_start"]).days in range(0, 7 if r["grain"] == "week" else 31)
                      and (r["grain"] == "week" or t["date"].month == r["period_start"].month))
        assert r["due"] == counted
    assert ibis  # the module is needed by the helpers above


def test_the_commission_counts_the_assessments_statuses() -> None:
    from qunce.assess import status
    from qunce.commission import sop_metrics

    assert sop_metrics.STATUSES == (status.ON_TIME, status.LATE, status.MISSED)
    assert sop_metrics.WARNING_STATUSES == (status.WARNING_ACTED, status.WARNING_NOT_DUE)


def test_the_groups_creation_is_due_by_the_end_of_its_day() -> None:
    created = task(1, time=None, due=at("23:59"), item="setup")  # compile's deadline for group_created
    days = task(2, time=None, item="day0")  # a day of the group's life without a time of day
    got = assess([created, days], [post(10, at("15:00"))])
    assert (got[1]["status"], got[1]["window_start"], got[1]["window_end"]) == ("on_time", at("00:00"), at("23:59"))
    assert got[2]["status"] == "on_time"
    late = assess([created], [post(11, at("08:00", DAY + dt.timedelta(days=1)))])
    assert late[1]["status"] == "late" and late[1]["late_minutes"] == 481
