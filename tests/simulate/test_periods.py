"""Periods, retention, group_period and staff_period on a small hand-computed dataset.

Window: Sat 2027-03-27 … Tue 2027-04-13 (18 days). ISO weeks: W12 (Mon 03-22; in the window
03-27..28), W13 (03-29..04-04, crosses the month), W14 (04-05..11), W15 (04-12..13).
Months: March (03-27..31, 5 days), April (04-01..13, 13 days). retention_days = 3.

g1 (traffic): created 03-01, 10 initial members, +1 join (m1) on 03-20 before the window → 11
at the window's start. g2 (flash): created 04-01, ended 04-06, no initial members.

Daily members, start/end (average basis = (start + end) ÷ 2), from the events below:
  g1 03-27 11/11 (11)  03-28 11/13 (12)  03-29 13/13 (13)  03-30 13/12 (12.5)  03-31 12/12 (12)
     04-01 12/13 (12.5)  04-02 13/13 (13)  04-03..07 13/13 (13)  04-08 13/14 (13.5)
     04-09..10 14/14 (14)  04-11 14/16 (15)  04-12 16/15 (15.5)  04-13 15/15 (15)
  g2 04-01 0/3 (1.5)  04-02 3/3 (3)  04-03 3/2 (2.5)  04-04 2/3 (2.5)  04-05 3/3 (3)  04-06 3/3 (3)
Valid speakers per day: g1 03-27 {m1, m2}, 03-30 {m1}, 04-02 {m3}, 04-05 {m4} (m2's message
that day is flagged), 04-13 {m4}; g2 04-01 {n1}, 04-02 {n2}, 04-06 {n1}.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

ibis = pytest.importorskip("ibis")

from qunce.compute.duckdb import connect  # noqa: E402
from qunce.events.ingest import ingest  # noqa: E402
from qunce.events.roster import Assignment, Roster  # noqa: E402
from qunce.model.metrics import MetricsConfig  # noqa: E402
from qunce.simulate.group_daily import group_daily  # noqa: E402
from qunce.simulate.periods import (  # noqa: E402
    GROUP_COLUMNS,
    STAFF_COLUMNS,
    assignments_table,
    group_period,
    label_of,
    period_label,
    period_of,
    periods,
    staff_period,
    start_of,
    valid_member_message,
)
from qunce.simulate.retention import retention  # noqa: E402

TZ = "Asia/Shanghai"
START, END = dt.date(2027, 3, 27), dt.date(2027, 4, 13)
D = dt.date
EVENTS = """ts,type,group_id,member_id,staff_id,count,amount,score,flag,length,removed
2027-03-20 09:00:00,join,g1,m1,,,,,,,
2027-03-20 10:00:00,message,g1,m1,,,,,,,
2027-03-27 10:00:00,message,g1,m1,,,,,,,
2027-03-27 11:00:00,message,g1,m2,,2,,,,,
2027-03-27 12:00:00,exposure,g1,,,100,,,,,
2027-03-28 09:00:00,join,g1,m3,,,,,,,
2027-03-28 09:30:00,join,g1,m4,,,,,,,
2027-03-28 10:00:00,order,g1,m1,,,30.00,,,,
2027-03-30 10:00:00,leave,g1,m3,,,,,,,
2027-03-30 11:00:00,message,g1,m1,,,,,,,
2027-04-01 09:00:00,join,g1,m5,,,,,,,
2027-04-01 10:00:00,order,g1,m5,,,50.00,,,,
2027-04-01 10:10:00,order,g1,m1,,,20.00,,,,
2027-04-01 10:20:00,refund,g1,m1,,,20.00,,,,
2027-04-01 11:00:00,reach,g1,m2,s1,,,,,,
2027-04-01 11:05:00,reach,g1,m4,s1,,,,,,
2027-04-01 12:00:00,referral,g1,m2,,,,,,,
2027-04-01 13:00:00,survey,g1,m1,,,,4,,,
2027-04-01 14:00:00,cost,g1,,,,40.00,,,,
2027-04-02 09:00:00,leave,g1,m5,,,,,,,true
2027-04-02 10:00:00,join,g1,m3,,,,,,,
2027-04-02 11:00:00,message,g1,m3,,,,,,,
2027-04-05 10:00:00,message,g1,m2,,,,,ads,,
2027-04-05 11:00:00,message,g1,m4,,,,,,,
2027-04-08 09:00:00,join,g1,m6,,,,,,,
2027-04-08 10:00:00,exposure,g1,,,50,,,,,
2027-04-08 11:00:00,order,g1,m6,,,10.00,,,,
2027-04-11 09:00:00,join,g1,m7,,,,,,,
2027-04-11 09:10:00,join,g1,m8,,,,,,,
2027-04-12 09:00:00,leave,g1,m7,,,,,,,
2027-04-13 09:00:00,message,g1,m4,,,,,,,
2027-04-01 08:00:00,exposure,g2,,,30,,,,,
2027-04-01 09:00:00,join,g2,n1,,,,,,,
2027-04-01 09:05:00,join,g2,n2,,,,,,,
2027-04-01 09:10:00,join,g2,n3,,,,,,,
2027-04-01 10:00:00,message,g2,n1,,,,,,,
2027-04-01 10:30:00,message,g2,n1,,,,,,,
2027-04-02 10:00:00,order,g2,n1,,,99.00,,,,
2027-04-02 11:00:00,order,g2,n2,,,1.00,,,,
2027-04-02 12:00:00,message,g2,n2,,,,,,,
2027-04-03 10:00:00,leave,g2,n3,,,,,,,
2027-04-04 10:00:00,join,g2,n4,,,,,,,
2027-04-05 10:00:00,survey,g2,n1,,,,5,,,
2027-04-05 10:10:00,survey,g2,n2,,,,3,,,
2027-04-05 11:00:00,cost,g2,,,,10.00,,,,
2027-04-06 10:00:00,message,g2,n1,,,,,,,
"""

Data = tuple[Any, Any, Any]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Data:
    path = tmp_path_factory.mktemp("periods") / "events.csv"
    path.write_text(EVENTS, encoding="utf-8")
    con = connect(TZ)
    groups = ibis.memtable({"group_id": ["g1", "g2"], "name": ["一群", "快闪"], "group_type": ["traffic", "flash"],
                            "created_at": [D(2027, 3, 1), D(2027, 4, 1)], "ended_at": [None, D(2027, 4, 6)],
                            "initial_members": [10, 0]})
    result = ingest(con, Path(path), groups, TZ)
    assert result.rejected == 0
    return con, result.events, groups


def records(con: Any, table: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = con.to_pyarrow(table).to_pylist()
    return rows


def config(**extra: Any) -> MetricsConfig:
    return MetricsConfig(**{"retention_days": 3, **extra})


def periods_of(data: Data, period: str, **extra: Any) -> dict[tuple[str, str], dict[str, Any]]:
    con, events, groups = data
    cfg = config(**extra)
    daily = group_daily(events, groups, START, END, cfg)
    got = records(con, group_period(events, daily, groups, START, END, period, cfg))
    assert all(list(row) == list(GROUP_COLUMNS) for row in got)
    return {(row["group_id"], row["period"]): row for row in got}


def check(got: dict[str, Any], expected: dict[str, Any]) -> None:
    for key, value in expected.items():
        if isinstance(value, float):
            assert got[key] == pytest.approx(value, rel=1e-12, abs=1e-12), key
        else:
            assert got[key] == value, key


# Everything that is not listed in an expected row below is 0 (and days_to_end is NULL).
ZERO: dict[str, Any] = {c: 0 for c in GROUP_COLUMNS if c not in (
    "group_id", "group_type", "period", "period_start", "first_day", "last_day")}
ZERO["days_to_end"] = None
G1 = {"group_id": "g1", "group_type": "traffic"}
G2 = {"group_id": "g2", "group_type": "flash"}


def expect(**given: Any) -> dict[str, Any]:
    return {**ZERO, **given}


# --- periods ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("day", "week", "week_label", "month", "quarter"), [
    (D(2027, 1, 1), D(2026, 12, 28), "2026-W53", "2027-01", "2027Q1"),  # Friday in ISO 2026-W53
    (D(2027, 1, 4), D(2027, 1, 4), "2027-W01", "2027-01", "2027Q1"),  # a Monday starts its own week
    (D(2027, 4, 1), D(2027, 3, 29), "2027-W13", "2027-04", "2027Q2"),
    (D(2024, 12, 31), D(2024, 12, 30), "2025-W01", "2024-12", "2024Q4"),  # ISO year ahead of the calendar
])
def test_period_of_and_labels(day: dt.date, week: dt.date, week_label: str, month: str, quarter: str) -> None:
    t = ibis.memtable({"d": [day]}, schema={"d": "date"})
    columns: dict[str, Any] = {}
    for name in ("day", "week", "month", "quarter"):
        columns[f"{name}_start"] = period_of(t.d, name)
        columns[f"{name}_label"] = period_label(period_of(t.d, name), name)
    got = ibis.duckdb.connect().to_pyarrow(t.select(**columns)).to_pylist()[0]
    assert got["day_start"] == day and got["day_label"] == day.isoformat()
    assert (got["week_start"], got["week_label"]) == (week, week_label)
    assert (got["month_start"], got["month_label"]) == (day.replace(day=1), month)
    assert got["quarter_label"] == quarter and got["quarter_start"].day == 1
    for name in ("day", "week", "month", "quarter"):  # the Python twins agree
        assert start_of(day, name) == got[f"{name}_start"]
        assert label_of(start_of(day, name), name) == got[f"{name}_label"]


def test_week_labels_are_iso_weeks_over_twelve_years() -> None:
    # the ISO year is the year of the week's Thursday: years of 52 and 53 weeks, both edges
    mondays = [D(2020, 12, 28) + dt.timedelta(weeks=i) for i in range(630)]
    t = ibis.memtable({"d": mondays}, schema={"d": "date"})
    got = ibis.duckdb.connect().to_pyarrow(t.select(label=period_label(t.d, "week"))).column("label").to_pylist()
    assert got == [f"{day.isocalendar()[0]}-W{day.isocalendar()[1]:02d}" for day in mondays]
    assert "2026-W53" in got and "2032-W53" in got


def test_periods_clip_to_the_window() -> None:
    assert [(p.start, p.first, p.last, p.label) for p in periods(START, END, "month")] == [
        (D(2027, 3, 1), D(2027, 3, 27), D(2027, 3, 31), "2027-03"),
        (D(2027, 4, 1), D(2027, 4, 1), D(2027, 4, 13), "2027-04")]
    assert [p.label for p in periods(START, END, "week")] == ["2027-W12", "2027-W13", "2027-W14", "2027-W15"]
    assert [p.label for p in periods(D(2026, 12, 1), D(2027, 1, 1), "quarter")] == ["2026Q4", "2027Q1"]
    with pytest.raises(ValueError, match="unknown period"):
        periods(START, END, "year")


def test_a_staff_post_is_not_a_valid_member_message() -> None:
    t = ibis.memtable({"type": ["message"] * 4, "member_id": ["m1", "s1", "m2", "m3"],
                       "staff_id": [None, "s1", None, None], "flag": [None, None, "ads", None],
                       "length": [None, 9, 9, 1]},
                      schema={"type": "string", "member_id": "string", "staff_id": "string", "flag": "string",
                              "length": "int64"})
    got = ibis.duckdb.connect().to_pyarrow(t.select(v=valid_member_message(t, 2))).to_pylist()
    assert [r["v"] for r in got] == [True, False, False, False]


# --- retention ----------------------------------------------------------------------------------

def test_retention_cohorts_with_a_leaver_a_rejoiner_and_unmeasurable_cohorts(data: Data) -> None:
    con, events, groups = data
    got = records(con, retention(events, START, END, 3, groups=groups))
    assert [(r["group_id"], r["join_date"], r["check_date"], r["new_members"], r["measurable"], r["retained"])
            for r in got] == [
        # m3 and m4 join 03-28; m3 leaves 03-30 ≤ 03-28 + 3 = 03-31 → 1 of 2 retained (the leaver)
        ("g1", D(2027, 3, 28), D(2027, 3, 31), 2, True, 1),
        # m5 joins 04-01 and is removed 04-02 → 0 of 1
        ("g1", D(2027, 4, 1), D(2027, 4, 4), 1, True, 0),
        # m3 re-joins 04-02: a new stint; the 03-30 leave came before it → 1 of 1
        ("g1", D(2027, 4, 2), D(2027, 4, 5), 1, True, 1),
        ("g1", D(2027, 4, 8), D(2027, 4, 11), 1, True, 1),
        # m7, m8 join 04-11: 04-14 is after the data's last day (04-13) → not yet measurable,
        # even though m7's leave on 04-12 is already known
        ("g1", D(2027, 4, 11), D(2027, 4, 14), 2, False, None),
        # n1, n2, n3 join 04-01; n3 leaves 04-03 → 2 of 3
        ("g2", D(2027, 4, 1), D(2027, 4, 4), 3, True, 2),
        # n4 joins 04-04: 04-07 is after g2 ended (04-06) → not measurable
        ("g2", D(2027, 4, 4), D(2027, 4, 7), 1, False, None),
    ]


def test_retention_without_groups_and_with_a_last_day(data: Data) -> None:
    con, events, _ = data
    got = {(r["group_id"], r["join_date"].day): r for r in records(con, retention(events, START, END, 3))}
    # Without the roster the group's end is unknown: n4's cohort is measured (no leave → retained).
    assert (got[("g2", 4)]["measurable"], got[("g2", 4)]["retained"]) == (True, 1)
    got = {(r["group_id"], r["join_date"].day): r
           for r in records(con, retention(events, START, END, 3, last_day=D(2027, 4, 10)))}
    assert (got[("g1", 8)]["measurable"], got[("g1", 8)]["retained"]) == (False, None)  # 04-11 > 04-10


@pytest.mark.parametrize(("days", "retained"), [(1, 2), (2, 1)])
def test_the_check_day_is_inclusive(data: Data, days: int, retained: int) -> None:
    # m3 leaves 03-30: outside 03-28 + 1 = 03-29, on 03-28 + 2 = 03-30 (inclusive) → not retained
    con, events, groups = data
    got = records(con, retention(events, START, END, days, groups=groups))
    assert got[0]["join_date"] == D(2027, 3, 28) and got[0]["retained"] == retained


def test_a_same_day_join_leave_join_is_measured_from_the_last_join() -> None:
    ts = [dt.datetime(2027, 1, 1, 9), dt.datetime(2027, 1, 1, 10), dt.datetime(2027, 1, 1, 11),
          dt.datetime(2027, 1, 1, 9), dt.datetime(2027, 1, 5, 9)]
    t = ibis.memtable({"ts": ts, "date": [x.date() for x in ts], "type": ["join", "leave", "join", "join", "leave"],
                       "group_id": ["g"] * 5, "member_id": ["a", "a", "a", "b", "b"]},
                      schema={"ts": "timestamp", "date": "date", "type": "string", "group_id": "string",
                              "member_id": "string"})
    got = ibis.duckdb.connect().to_pyarrow(retention(t, D(2027, 1, 1), D(2027, 1, 1), 2)).to_pylist()
    # a: one member of the cohort, in the group after the 11:00 join; b joins once, leaves 01-05 > 01-03
    assert [(r["new_members"], r["retained"]) for r in got] == [(2, 2)]


# --- group_period -------------------------------------------------------------------------------

def test_group_period_by_week(data: Data) -> None:
    got = periods_of(data, "week")
    assert list(got) == [("g1", "2027-W12"), ("g1", "2027-W13"), ("g1", "2027-W14"), ("g1", "2027-W15"),
                         ("g2", "2027-W13"), ("g2", "2027-W14")]
    check(got[("g1", "2027-W12")], expect(
        **G1, period="2027-W12", period_start=D(2027, 3, 22), first_day=D(2027, 3, 27), last_day=D(2027, 3, 28),
        days=2, members_start=11, members_end=13,
        members=(11 + 12) / 2,  # daily averages 03-27, 03-28
        new_members=2, net_new_members=2, exposures=100, join_rate=2 / 100,
        speakers=2, interaction_rate=(2 / 11 + 0 / 12) / 2, messages=3,  # m1 1 + m2 count 2
        messages_per_member=3 / 11.5,
        retention_base=2, retained=1, retention_rate=1 / 2,  # the 03-28 cohort
        orders=1, buyers=1, order_amount=Decimal("30.00"), refund_amount=Decimal("0"), sales=Decimal("30.00"),
        conversion_rate=1 / 11.5, average_order_value=30.0, cost=Decimal("0"), per_customer_return=30.0,
        age_days=27,  # 03-28 − 03-01
        days_since_last_message=1))  # last valid message 03-27
    check(got[("g1", "2027-W13")], expect(
        **G1, period="2027-W13", period_start=D(2027, 3, 29), first_day=D(2027, 3, 29), last_day=D(2027, 4, 4),
        days=7, members_start=13, members_end=13,
        members=89 / 7,  # 13 + 12.5 + 12 + 12.5 + 13 + 13 + 13 = 89
        new_members=2, leaves=2, removed=1, net_new_members=0,  # m5, m3 in; m3, m5 (removed) out
        leave_rate=2 / (89 / 7),
        speakers=2, interaction_rate=(1 / 12.5 + 1 / 13) / 7,  # m1 on 03-30, m3 on 04-02
        messages=2, messages_per_member=2 / (89 / 7),
        retention_base=2, retained=1, retention_rate=1 / 2,  # 04-01 (m5: 0 of 1), 04-02 (m3: 1 of 1)
        orders=2, buyers=2, order_amount=Decimal("70.00"), refund_amount=Decimal("20.00"), sales=Decimal("50.00"),
        conversion_rate=2 / (89 / 7), average_order_value=70 / 2, cost=Decimal("40.00"), roi=50 / 40,
        reached=2, reach_rate=2 / (89 / 7), referrers=1, referral_rate=1 / (89 / 7),
        per_customer_return=50 / 2, surveys=1, score_sum=4, csat=4.0,
        age_days=34,  # 04-04 − 03-01
        days_since_last_message=2))  # 04-04 − 04-02
    check(got[("g1", "2027-W14")], expect(
        **G1, period="2027-W14", period_start=D(2027, 4, 5), first_day=D(2027, 4, 5), last_day=D(2027, 4, 11),
        days=7, members_start=13, members_end=16,
        members=95.5 / 7,  # 13 + 13 + 13 + 13.5 + 14 + 14 + 15 = 95.5
        new_members=3, net_new_members=3, exposures=50, join_rate=3 / 50,  # m6, m7, m8
        speakers=1, interaction_rate=(1 / 13) / 7,  # m4 on 04-05; m2's flagged message is not valid
        messages=2, messages_per_member=2 / (95.5 / 7),  # both 04-05 messages count
        # 04-08 cohort (m6) measured on 04-11: kept; 04-11 cohort (m7, m8) not measurable until 04-14
        retention_base=1, retained=1, retention_pending=2, retention_rate=1.0,
        orders=1, buyers=1, order_amount=Decimal("10.00"), refund_amount=Decimal("0"), sales=Decimal("10.00"),
        conversion_rate=1 / (95.5 / 7), average_order_value=10.0, cost=Decimal("0"), per_customer_return=10.0,
        age_days=41, days_since_last_message=6))  # 04-11 − 04-05
    check(got[("g1", "2027-W15")], expect(
        **G1, period="2027-W15", period_start=D(2027, 4, 12), first_day=D(2027, 4, 12), last_day=D(2027, 4, 13),
        days=2, members_start=16, members_end=15, members=(15.5 + 15) / 2,
        leaves=1, net_new_members=-1, leave_rate=1 / 15.25,
        speakers=1, interaction_rate=(0 / 15.5 + 1 / 15) / 2, messages=1, messages_per_member=1 / 15.25,
        order_amount=Decimal("0"), refund_amount=Decimal("0"), sales=Decimal("0"), cost=Decimal("0"),
        age_days=43, days_since_last_message=0))
    check(got[("g2", "2027-W13")], expect(
        **G2, period="2027-W13", period_start=D(2027, 3, 29), first_day=D(2027, 4, 1), last_day=D(2027, 4, 4),
        days=4, members_start=0, members_end=3,
        members=9.5 / 4,  # 1.5 + 3 + 2.5 + 2.5
        new_members=4, leaves=1, net_new_members=3, exposures=30, join_rate=4 / 30, leave_rate=1 / 2.375,
        speakers=2, interaction_rate=(1 / 1.5 + 1 / 3 + 0 + 0) / 4, messages=3, messages_per_member=3 / 2.375,
        # 04-01 cohort: 2 of 3 (n3 left 04-03); 04-04 cohort (n4): 04-07 is after g2's end → pending
        retention_base=3, retained=2, retention_pending=1, retention_rate=2 / 3,
        orders=2, buyers=2, order_amount=Decimal("100.00"), refund_amount=Decimal("0"), sales=Decimal("100.00"),
        conversion_rate=2 / 2.375, average_order_value=100 / 2, cost=Decimal("0"), per_customer_return=50.0,
        age_days=3, days_to_end=2,  # 04-06 − 04-04
        days_since_last_message=2))  # 04-04 − 04-02
    check(got[("g2", "2027-W14")], expect(
        **G2, period="2027-W14", period_start=D(2027, 4, 5), first_day=D(2027, 4, 5), last_day=D(2027, 4, 6),
        days=2, members_start=3, members_end=3, members=3.0,
        speakers=1, interaction_rate=(0 + 1 / 3) / 2, messages=1, messages_per_member=1 / 3,
        order_amount=Decimal("0"), refund_amount=Decimal("0"), sales=Decimal("0"),
        cost=Decimal("10.00"), roi=0.0,  # no sales: 0 ÷ 10
        surveys=2, score_sum=8, csat=8 / 2, age_days=5, days_to_end=0, days_since_last_message=0))


def test_group_period_by_month(data: Data) -> None:
    got = periods_of(data, "month")
    assert list(got) == [("g1", "2027-03"), ("g1", "2027-04"), ("g2", "2027-04")]
    check(got[("g1", "2027-03")], expect(
        **G1, period="2027-03", period_start=D(2027, 3, 1), first_day=D(2027, 3, 27), last_day=D(2027, 3, 31),
        days=5, members_start=11, members_end=12,
        members=60.5 / 5,  # 11 + 12 + 13 + 12.5 + 12
        new_members=2, leaves=1, net_new_members=1, exposures=100, join_rate=2 / 100, leave_rate=1 / 12.1,
        speakers=2, interaction_rate=(2 / 11 + 1 / 12.5) / 5, messages=4, messages_per_member=4 / 12.1,
        retention_base=2, retained=1, retention_rate=1 / 2,
        orders=1, buyers=1, order_amount=Decimal("30.00"), refund_amount=Decimal("0"), sales=Decimal("30.00"),
        conversion_rate=1 / 12.1, average_order_value=30.0, cost=Decimal("0"), per_customer_return=30.0,
        age_days=30, days_since_last_message=1))  # 03-31 − 03-30
    april_g1 = 177.5 / 13  # 12.5 + 13×6 (04-02..07) + 13.5 + 14 + 14 + 15 + 15.5 + 15
    check(got[("g1", "2027-04")], expect(
        **G1, period="2027-04", period_start=D(2027, 4, 1), first_day=D(2027, 4, 1), last_day=D(2027, 4, 13),
        days=13, members_start=12, members_end=15, members=april_g1,
        new_members=5, leaves=2, removed=1, net_new_members=3,  # in: m5 m3 m6 m7 m8; out: m5 (removed), m7
        exposures=50, join_rate=5 / 50, leave_rate=2 / april_g1,
        speakers=2, interaction_rate=(1 / 13 + 1 / 13 + 1 / 15) / 13,  # m3 04-02, m4 04-05 and 04-13
        messages=4, messages_per_member=4 / april_g1,
        # cohorts 04-01 (0/1), 04-02 (1/1), 04-08 (1/1); 04-11 (2) pending
        retention_base=3, retained=2, retention_pending=2, retention_rate=2 / 3,
        orders=3, buyers=3, order_amount=Decimal("80.00"), refund_amount=Decimal("20.00"), sales=Decimal("60.00"),
        conversion_rate=3 / april_g1, average_order_value=80 / 3, cost=Decimal("40.00"), roi=60 / 40,
        reached=2, reach_rate=2 / april_g1, referrers=1, referral_rate=1 / april_g1,
        per_customer_return=60 / 3, surveys=1, score_sum=4, csat=4.0,
        age_days=43, days_since_last_message=0))
    april_g2 = 15.5 / 6  # 1.5 + 3 + 2.5 + 2.5 + 3 + 3
    check(got[("g2", "2027-04")], expect(
        **G2, period="2027-04", period_start=D(2027, 4, 1), first_day=D(2027, 4, 1), last_day=D(2027, 4, 6),
        days=6, members_start=0, members_end=3, members=april_g2,
        new_members=4, leaves=1, net_new_members=3, exposures=30, join_rate=4 / 30, leave_rate=1 / april_g2,
        speakers=2, interaction_rate=(1 / 1.5 + 1 / 3 + 1 / 3) / 6, messages=4, messages_per_member=4 / april_g2,
        retention_base=3, retained=2, retention_pending=1, retention_rate=2 / 3,
        orders=2, buyers=2, order_amount=Decimal("100.00"), refund_amount=Decimal("0"), sales=Decimal("100.00"),
        conversion_rate=2 / april_g2, average_order_value=50.0, cost=Decimal("10.00"), roi=100 / 10,
        per_customer_return=50.0, surveys=2, score_sum=8, csat=4.0,
        age_days=5, days_to_end=0, days_since_last_message=0))


@pytest.mark.parametrize(("basis", "members", "interaction", "leave_rate"), [
    # g2 in W13: starts 04-01 with 0 members (start 0, end 3); n1 and n2 speak on 04-01 and 04-02.
    ("start", 0.0, (0 + 1 / 3) / 4, 0.0),  # 04-01: 1 speaker over 0 members → 0; leaves over 0 → 0
    ("end", 3.0, (1 / 3 + 1 / 3) / 4, 1 / 3),
    ("average", 2.375, (1 / 1.5 + 1 / 3) / 4, 1 / 2.375),
])
def test_the_member_basis_over_a_period(data: Data, basis: str, members: float, interaction: float,
                                        leave_rate: float) -> None:
    row = periods_of(data, "week", members_basis=basis)[("g2", "2027-W13")]
    check(row, {"members": members, "interaction_rate": interaction, "leave_rate": leave_rate})


# --- staff_period -------------------------------------------------------------------------------

ROSTER = Roster(assignments=[
    # s1 owns g1 until Wed 04-07, s2 from Thu 04-08: a change inside W14 and inside April
    Assignment.model_validate({"staff_id": "s1", "role": "owner", "group_id": "g1", "from": "2027-03-01",
                               "to": "2027-04-07"}),
    Assignment.model_validate({"staff_id": "s2", "role": "owner", "group_id": "g1", "from": "2027-04-08"}),
    # s1 also owns g2 for its whole life (no end date: clipped to g2's end, 04-06)
    Assignment.model_validate({"staff_id": "s1", "role": "owner", "group_id": "g2", "from": "2027-04-01"}),
    # s2 helps in g2 as admin for two days
    Assignment.model_validate({"staff_id": "s2", "role": "admin", "group_id": "g2", "from": "2027-04-03",
                               "to": "2027-04-04"}),
])


def staff_rows(data: Data, period: str) -> dict[tuple[str, str, str], dict[str, Any]]:
    con, events, groups = data
    cfg = config()
    daily = group_daily(events, groups, START, END, cfg)
    per_group = group_period(events, daily, groups, START, END, period, cfg)
    got = records(con, staff_period(per_group, assignments_table(ROSTER), groups, START, END, period))
    assert all(list(row) == list(STAFF_COLUMNS) for row in got)
    return {(r["staff_id"], r["role"], r["period"]): r for r in got}


def test_assignments_table() -> None:
    got = ibis.duckdb.connect().to_pyarrow(assignments_table(ROSTER)).to_pylist()
    assert got[1] == {"staff_id": "s2", "role": "owner", "group_id": "g1", "from_date": D(2027, 4, 8),
                      "to_date": None}


def test_staff_period_by_month_prorates_by_assigned_days(data: Data) -> None:
    got = staff_rows(data, "month")
    assert list(got) == [("s1", "owner", "2027-03"), ("s1", "owner", "2027-04"), ("s2", "admin", "2027-04"),
                         ("s2", "owner", "2027-04")]
    # March: s1 held g1 on all 5 of its days → share 1, g1's March numbers exactly.
    march = got[("s1", "owner", "2027-03")]
    check(march, {"groups": 1, "assigned_days": 5, "members": 12.1, "new_members": 2.0, "messages": 4.0,
                  "order_amount": 30.0, "interaction_rate": (2 / 11 + 1 / 12.5) / 5, "leave_rate": 1 / 12.1,
                  "retention_rate": 0.5, "age_days": 30.0, "days_to_end": None, "days_since_last_message": 1.0})

    # April, g1 (13 days) and g2 (6 days) as in test_group_period_by_month.
    g1m, g2m = 177.5 / 13, 15.5 / 6
    g1_rate, g2_rate = (1 / 13 + 1 / 13 + 1 / 15) / 13, (1 / 1.5 + 1 / 3 + 1 / 3) / 6
    # s1 owner: g1 04-01..07 = 7 of 13 days (a = 7/13); g2 04-01..06 = 6 of 6 (b = 1).
    a, b = 7 / 13, 1.0
    members = a * g1m + b * g2m
    orders, buyers, amount, refunds, cost = a * 3 + b * 2, a * 3 + b * 2, a * 80 + b * 100, a * 20, a * 40 + b * 10
    sales = amount - refunds
    check(got[("s1", "owner", "2027-04")], {
        "groups": 2, "assigned_days": 13,
        "members_start": a * 12 + b * 0, "members_end": a * 15 + b * 3, "members": members,
        "new_members": a * 5 + b * 4, "leaves": a * 2 + b * 1, "removed": a * 1, "net_new_members": a * 3 + b * 3,
        "exposures": a * 50 + b * 30, "speakers": a * 2 + b * 2, "messages": a * 4 + b * 4,
        "retention_base": a * 3 + b * 3, "retained": a * 2 + b * 2, "retention_pending": a * 2 + b * 1,
        "orders": orders, "buyers": buyers, "order_amount": amount, "refund_amount": refunds, "sales": sales,
        "cost": cost, "reached": a * 2, "referrers": a * 1, "surveys": a * 1 + b * 2, "score_sum": a * 4 + b * 8,
        # the daily mean over the 13 assigned group-days: 7 days at g1's rate, 6 at g2's
        "interaction_rate": (7 * g1_rate + 6 * g2_rate) / 13,
        # rates from the prorated numerators and denominators
        "join_rate": (a * 5 + b * 4) / (a * 50 + b * 30),
        "leave_rate": (a * 2 + b * 1) / members,
        "messages_per_member": (a * 4 + b * 4) / members,
        "retention_rate": (a * 2 + b * 2) / (a * 3 + b * 3),
        "conversion_rate": orders / members,
        "average_order_value": amount / buyers,
        "roi": sales / cost,
        "reach_rate": a * 2 / members,
        "referral_rate": a * 1 / members,
        "per_customer_return": sales / buyers,
        "csat": (a * 4 + b * 8) / (a * 1 + b * 2),
        "age_days": (7 * 43 + 6 * 5) / 13,  # weighted by assigned days
        "days_to_end": 0.0,  # only g2 has an end (0 days left at 04-06)
        "days_since_last_message": (7 * 0 + 6 * 0) / 13,
    })
    # s2 owner: g1 04-08..13 = 6 of 13 (c = 6/13): every count is c × g1's, the rates are g1's.
    c = 6 / 13
    check(got[("s2", "owner", "2027-04")], {
        "groups": 1, "assigned_days": 6, "members": c * g1m, "new_members": c * 5, "orders": c * 3,
        "order_amount": c * 80, "sales": c * 60, "cost": c * 40, "interaction_rate": g1_rate,
        "leave_rate": 2 / g1m, "conversion_rate": 3 / g1m, "average_order_value": 80 / 3, "roi": 60 / 40,
        "retention_rate": 2 / 3, "csat": 4.0, "age_days": 43.0, "days_to_end": None,
        "days_since_last_message": 0.0})
    # s2 admin: g2 04-03..04 = 2 of 6 (d = 1/3).
    d = 2 / 6
    check(got[("s2", "admin", "2027-04")], {
        "groups": 1, "assigned_days": 2, "members": d * g2m, "new_members": d * 4, "buyers": d * 2,
        "score_sum": d * 8, "interaction_rate": g2_rate, "per_customer_return": 50.0, "roi": 10.0,
        "csat": 4.0, "age_days": 5.0, "days_to_end": 0.0})


def test_staff_period_by_week_with_the_change_mid_week(data: Data) -> None:
    got = staff_rows(data, "week")
    assert [key for key in got if key[2] == "2027-W14"] == [("s1", "owner", "2027-W14"),
                                                           ("s2", "owner", "2027-W14")]
    w14_g1 = 95.5 / 7  # g1's W14 members; g2's W14 members: 3
    # s1: g1 04-05..07 = 3 of 7 days, g2 04-05..06 = 2 of 2; s2: g1 04-08..11 = 4 of 7.
    s1_members = 3 / 7 * w14_g1 + 1 * 3.0
    check(got[("s1", "owner", "2027-W14")], {
        "groups": 2, "assigned_days": 5, "members": s1_members, "new_members": 3 / 7 * 3,
        "messages": 3 / 7 * 2 + 1, "cost": 10.0, "surveys": 2.0,
        "interaction_rate": (3 * (1 / 13) / 7 + 2 * (1 / 3) / 2) / 5,
        "messages_per_member": (3 / 7 * 2 + 1) / s1_members, "csat": 4.0})
    check(got[("s2", "owner", "2027-W14")], {
        "groups": 1, "assigned_days": 4, "members": 4 / 7 * w14_g1, "new_members": 4 / 7 * 3,
        "exposures": 4 / 7 * 50, "join_rate": 3 / 50, "interaction_rate": (1 / 13) / 7})
    # W13: s2's admin days (04-03..04) are 2 of g2's 4 days in the week.
    check(got[("s2", "admin", "2027-W13")], {"groups": 1, "assigned_days": 2, "members": 2 / 4 * 2.375,
                                              "retention_pending": 2 / 4 * 1})
