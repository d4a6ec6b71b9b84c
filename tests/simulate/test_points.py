"""The points ledger on small hand-computed event sets (earning, caps, where, refunds, FIFO
expiry on its boundary, carrying balances into the window, member_points), and a property
test comparing the relational ledger with a plain sequential model of the same rules."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict, deque
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any

import pytest

ibis = pytest.importorskip("ibis")
pa = pytest.importorskip("pyarrow")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from qunce.compute.duckdb import connect  # noqa: E402
from qunce.events.ingest import ingest  # noqa: E402
from qunce.model.membership import Points  # noqa: E402
from qunce.simulate.points import member_points, points_ledger, rule_names  # noqa: E402

TZ = "Asia/Shanghai"
HEADER = "ts,type,group_id,member_id,staff_id,amount,order_id,channel,count\n"
EARLY, LATE = dt.date(2026, 1, 1), dt.date(2027, 12, 31)
D = dt.date


@pytest.fixture(scope="module")
def con() -> Any:
    return connect(TZ)


def events(con: Any, folder: Path, rows: str) -> Any:
    path = folder / "events.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    groups = ibis.memtable({"group_id": ["g1"], "created_at": [dt.date(2026, 1, 1)], "ended_at": [None]},
                           schema={"group_id": "string", "created_at": "date", "ended_at": "date"})
    result = ingest(con, path, groups, TZ)
    assert result.rejected == 0, result.by_reason
    return result.events


def ledger(con: Any, folder: Path, rows: str, points: dict[str, Any], start: dt.date = EARLY,
           end: dt.date = LATE) -> list[dict[str, Any]]:
    table = points_ledger(events(con, folder, rows), Points.model_validate(points), start, end)
    return records(con, table)


def records(con: Any, table: Any) -> list[dict[str, Any]]:
    """The rows, a ledger's in ledger order (member, then seq)."""
    rows: list[dict[str, Any]] = con.to_pyarrow(table).to_pylist()
    if "seq" in table.columns:
        rows.sort(key=lambda r: (r["member_id"], r["seq"]))
    return rows


def brief(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """(member, date, kind, rule, points, order_id, batch, balance) per entry, in ledger order."""
    return [(r["member_id"], r["date"], r["kind"], r["rule"], r["points"], r["order_id"], r["batch"], r["balance"])
            for r in rows]


# --- earning ----------------------------------------------------------------------------------


def test_points_per_event_weighted_by_count_and_staff_posts_earn_nothing(con: Any, tmp_path: Path) -> None:
    rows = ("2027-01-02 10:00:00,message,g1,m1,,,,,\n"
            "2027-01-02 11:00:00,message,g1,m1,,,,,3\n"  # a pre-aggregated row: 3 messages
            "2027-01-03 09:00:00,message,g1,m1,,,,,\n"
            "2027-01-02 12:00:00,message,g1,s1,s1,,,,\n"  # a staff post
            "2027-01-02 12:00:00,join,g1,m2,s1,,,,\n")  # a join with its inviter: the member's
    got = ledger(con, tmp_path, rows, {"earn": [{"on": "message", "points": 2}, {"id": "hello", "on": "入群", "points": 5}]})
    assert brief(got) == [
        ("m1", D(2027, 1, 2), "earn", "message", 8, None, D(2027, 1, 2), 8),
        ("m1", D(2027, 1, 3), "earn", "message", 2, None, D(2027, 1, 3), 10),
        ("m2", D(2027, 1, 2), "earn", "hello", 5, None, D(2027, 1, 2), 5),
    ]
    assert [r["earned_total"] for r in got] == [8, 10, 5]


def test_per_yuan_is_floored_per_order(con: Any, tmp_path: Path) -> None:
    rows = ("2027-01-02 10:00:00,order,g1,m1,,19.99,o1,,\n"
            "2027-01-02 11:00:00,order,g1,m1,,9.90,o2,,\n"
            "2027-01-03 10:00:00,order,g1,m1,,0.99,o3,,\n")  # floor(0.99) = 0: no entry
    got = ledger(con, tmp_path, rows, {"earn": [{"id": "buy", "on": "下单", "per_yuan": 1}]})
    assert [(r["order_id"], r["points"]) for r in got] == [("o1", 19), ("o2", 9)]
    got = ledger(con, tmp_path, rows, {"earn": [{"id": "buy", "on": "order", "per_yuan": "0.5"}]})
    assert [(r["order_id"], r["points"]) for r in got] == [("o1", 9), ("o2", 4)]  # 9.995, 4.95


def test_daily_cap_reached_the_same_day(con: Any, tmp_path: Path) -> None:
    rows = ("2027-01-04 09:00:00,message,g1,m1,,,,,\n"
            "2027-01-04 10:00:00,message,g1,m1,,,,,\n"
            "2027-01-04 11:00:00,message,g1,m1,,,,,\n"
            "2027-01-05 11:00:00,message,g1,m1,,,,,\n")
    got = ledger(con, tmp_path, rows, {"earn": [{"on": "message", "points": 1, "cap": {"per": "day", "max": 2}}]})
    assert [(r["date"], r["points"]) for r in got] == [(D(2027, 1, 4), 2), (D(2027, 1, 5), 1)]


def test_the_event_that_reaches_the_cap_earns_partially_in_time_order(con: Any, tmp_path: Path) -> None:
    # Out of file order on purpose: the cap follows ts. points 3, max 10: 3, 3, 3, 1, 0.
    rows = ("2027-01-04 15:00:00,order,g1,m1,,1.00,o4,,\n"
            "2027-01-04 09:00:00,order,g1,m1,,1.00,o1,,\n"
            "2027-01-04 20:00:00,order,g1,m1,,1.00,o5,,\n"
            "2027-01-04 10:00:00,order,g1,m1,,1.00,o2,,\n"
            "2027-01-04 11:00:00,order,g1,m1,,1.00,o3,,\n"
            "2027-01-05 08:00:00,order,g1,m1,,1.00,o6,,\n")
    got = ledger(con, tmp_path, rows, {"earn": [{"on": "order", "points": 3, "cap": {"per": "day", "max": 10}}]})
    assert [(r["order_id"], r["points"]) for r in got] == [("o1", 3), ("o2", 3), ("o3", 3), ("o4", 1), ("o6", 3)]


def test_weekly_cap_starts_again_on_monday(con: Any, tmp_path: Path) -> None:
    # 2027-01-01 is a Friday: Fri, Sat, Sun share a week; Monday 01-04 starts the next.
    rows = "".join(f"2027-01-0{day} 10:00:00,checkin,g1,m1,,,,,\n" for day in (1, 2, 3, 4, 5, 6))
    got = ledger(con, tmp_path, rows, {"earn": [{"on": "签到", "points": 5, "cap": {"per": "周", "max": 10}}]})
    assert [(r["date"].day, r["points"]) for r in got] == [(1, 5), (2, 5), (4, 5), (5, 5)]


def test_monthly_cap(con: Any, tmp_path: Path) -> None:
    rows = ("2027-01-30 10:00:00,referral,g1,m1,,,,,\n2027-01-31 10:00:00,referral,g1,m1,,,,,\n"
            "2027-02-01 10:00:00,referral,g1,m1,,,,,\n")
    got = ledger(con, tmp_path, rows, {"earn": [{"on": "referral", "points": 50, "cap": {"per": "month", "max": 80}}]})
    assert [(r["date"].day, r["points"]) for r in got] == [(30, 50), (31, 30), (1, 50)]


def test_where_filters_the_events_of_a_rule(con: Any, tmp_path: Path) -> None:
    rows = ("2027-01-02 10:00:00,order,g1,m1,,10.00,o1,直播,\n"
            "2027-01-02 11:00:00,order,g1,m1,,10.00,o2,社群,\n"
            "2027-01-02 12:00:00,order,g1,m1,,150.00,o3,,\n")
    got = ledger(con, tmp_path, rows, {"earn": [
        {"id": "live", "on": "order", "points": 20, "where": 'channel == "直播"'},
        {"id": "big", "on": "order", "points": 7, "where": "amount >= 100"}]})
    # the same day's entries follow the rules' order in the playbook
    assert [(r["rule"], r["order_id"], r["points"]) for r in got] == [("live", "o1", 20), ("big", "o3", 7)]


def test_rules_without_an_id_are_named_by_their_event_type() -> None:
    points = Points.model_validate({"earn": [{"on": "message", "points": 1}, {"on": "message", "points": 2},
                                             {"id": "x", "on": "order", "per_yuan": 1}]})
    assert rule_names(points.earn) == ["message", "message#2", "x"]


# --- refunds ----------------------------------------------------------------------------------

ORDERS = {"earn": [{"id": "buy", "on": "order", "points": 10}]}


def test_partial_refunds_add_up_to_the_whole_order(con: Any, tmp_path: Path) -> None:
    rows = ("2027-01-02 10:00:00,order,g1,m1,,3.00,o1,,\n"
            "2027-01-03 10:00:00,refund,g1,m1,,1.00,o1,,\n"  # floor(10 × 1/3) = 3
            "2027-01-04 10:00:00,refund,g1,m1,,1.00,o1,,\n"  # floor(10 × 2/3) = 6: 3 more
            "2027-01-05 10:00:00,refund,g1,m1,,1.00,o1,,\n"  # 10: 4 more
            "2027-01-06 10:00:00,refund,g1,m1,,1.00,o1,,\n"  # beyond the order's amount: nothing
            "2027-01-06 11:00:00,refund,g1,m1,,5.00,o9,,\n"  # no such order: nothing
            "2027-01-06 12:00:00,refund,g1,m2,,5.00,o1,,\n")  # another member's order: nothing
    got = ledger(con, tmp_path, rows, ORDERS)
    assert brief(got) == [
        ("m1", D(2027, 1, 2), "earn", "buy", 10, "o1", D(2027, 1, 2), 10),
        ("m1", D(2027, 1, 3), "refund", "buy", -3, "o1", None, 7),
        ("m1", D(2027, 1, 4), "refund", "buy", -3, "o1", None, 4),
        ("m1", D(2027, 1, 5), "refund", "buy", -4, "o1", None, 0),
    ]


def test_a_refund_takes_back_every_rules_points_and_same_day_earn_comes_first(con: Any, tmp_path: Path) -> None:
    rows = ("2027-01-02 10:00:00,order,g1,m1,,40.00,o1,直播,\n"
            "2027-01-02 18:00:00,refund,g1,m1,,10.00,o1,,\n")
    got = ledger(con, tmp_path, rows, {"earn": [{"id": "buy", "on": "order", "per_yuan": 1},
                                                {"id": "live", "on": "order", "points": 6, "where": 'channel == "直播"'}]})
    assert [(r["kind"], r["rule"], r["points"], r["balance"]) for r in got] == [
        ("earn", "buy", 40, 40), ("earn", "live", 6, 46), ("refund", "buy", -10, 36), ("refund", "live", -1, 35)]


def test_refunds_deduct_false_and_a_refund_before_its_order(con: Any, tmp_path: Path) -> None:
    rows = ("2027-01-02 10:00:00,refund,g1,m1,,3.00,o1,,\n"  # before the order was placed: nothing
            "2027-01-02 11:00:00,order,g1,m1,,3.00,o1,,\n"
            "2027-01-03 10:00:00,refund,g1,m1,,3.00,o1,,\n")
    assert [r["points"] for r in ledger(con, tmp_path, rows, ORDERS)] == [10, -10]
    assert [r["points"] for r in ledger(con, tmp_path, rows, {**ORDERS, "refunds_deduct": False})] == [10]


# --- expiry -----------------------------------------------------------------------------------


def test_expiry_on_the_exact_boundary(con: Any, tmp_path: Path) -> None:
    rows = "2027-01-01 10:00:00,checkin,g1,m1,,,,,\n"
    config = {"earn": [{"on": "checkin", "points": 10}], "expire_after": "30d"}
    # valid through 01-30, gone on 01-31
    assert [r["kind"] for r in ledger(con, tmp_path, rows, config, end=D(2027, 1, 30))] == ["earn"]
    got = ledger(con, tmp_path, rows, config, end=D(2027, 1, 31))
    assert brief(got)[1] == ("m1", D(2027, 1, 31), "expire", None, -10, None, D(2027, 1, 1), 0)
    table = points_ledger(events(con, tmp_path, rows), Points.model_validate(config), EARLY, LATE)
    before = records(con, member_points(table, D(2027, 1, 30), [30]))
    after = records(con, member_points(table, D(2027, 1, 31), [30]))
    assert (before[0]["points_balance"], before[0]["points_30d"]) == (10, 10)
    assert (after[0]["points_balance"], after[0]["points_30d"], after[0]["points_total"]) == (0, 0, 10)


def test_durations_round_up_to_whole_days(con: Any, tmp_path: Path) -> None:
    rows = "2027-01-01 10:00:00,checkin,g1,m1,,,,,\n"
    got = ledger(con, tmp_path, rows, {"earn": [{"on": "checkin", "points": 1}], "expire_after": "25h"})
    assert [(r["kind"], r["date"]) for r in got] == [("earn", D(2027, 1, 1)), ("expire", D(2027, 1, 3))]
    got = ledger(con, tmp_path, rows, {"earn": [{"on": "checkin", "points": 1}], "expire_after": "1w"})
    assert got[-1]["date"] == D(2027, 1, 8)


def test_refunds_consume_the_oldest_batch_first(con: Any, tmp_path: Path) -> None:
    # Batch 01-01: 10 points (o1); batch 01-05: 20 (o2). Refunding a quarter of o2 takes 5
    # points, from the oldest batch: 01-01 expires 5, 01-05 all its 20.
    rows = ("2027-01-01 10:00:00,order,g1,m1,,10.00,o1,,\n"
            "2027-01-05 10:00:00,order,g1,m1,,20.00,o2,,\n"
            "2027-01-10 10:00:00,refund,g1,m1,,5.00,o2,,\n")
    got = ledger(con, tmp_path, rows, {"earn": [{"id": "buy", "on": "order", "per_yuan": 1}], "expire_after": "30d"})
    assert brief(got) == [
        ("m1", D(2027, 1, 1), "earn", "buy", 10, "o1", D(2027, 1, 1), 10),
        ("m1", D(2027, 1, 5), "earn", "buy", 20, "o2", D(2027, 1, 5), 30),
        ("m1", D(2027, 1, 10), "refund", "buy", -5, "o2", None, 25),
        ("m1", D(2027, 1, 31), "expire", None, -5, None, D(2027, 1, 1), 20),
        ("m1", D(2027, 2, 4), "expire", None, -20, None, D(2027, 1, 5), 0),
    ]


def test_a_refund_on_the_expiry_day_comes_before_the_expiry(con: Any, tmp_path: Path) -> None:
    rows = ("2027-01-01 10:00:00,order,g1,m1,,10.00,o1,,\n"
            "2027-01-31 10:00:00,refund,g1,m1,,4.00,o1,,\n")
    got = ledger(con, tmp_path, rows, {"earn": [{"id": "buy", "on": "order", "per_yuan": 1}], "expire_after": "30d"})
    assert [(r["kind"], r["points"], r["balance"]) for r in got] == [("earn", 10, 10), ("refund", -4, 6), ("expire", -6, 0)]


def test_a_refund_after_expiry_deducts_in_full_and_later_points_pay_the_debt(con: Any, tmp_path: Path) -> None:
    # o1's 10 points expire on 01-31; refunding o1 on 02-10 still takes 10: the balance is −10.
    # 15 points on 02-15 pay the debt first; only the 5 left expire on 03-17.
    rows = ("2027-01-01 10:00:00,order,g1,m1,,10.00,o1,,\n"
            "2027-02-10 10:00:00,refund,g1,m1,,10.00,o1,,\n"
            "2027-02-15 10:00:00,order,g1,m1,,15.00,o2,,\n")
    got = ledger(con, tmp_path, rows, {"earn": [{"id": "buy", "on": "order", "per_yuan": 1}], "expire_after": "30d"})
    assert [(r["date"], r["kind"], r["points"], r["balance"]) for r in got] == [
        (D(2027, 1, 1), "earn", 10, 10), (D(2027, 1, 31), "expire", -10, 0), (D(2027, 2, 10), "refund", -10, -10),
        (D(2027, 2, 15), "earn", 15, 5), (D(2027, 3, 17), "expire", -5, 0)]


# --- the window and member_points ---------------------------------------------------------------

WINDOW_ROWS = ("2027-01-01 10:00:00,checkin,g1,m1,,,,,\n"
               "2027-01-05 10:00:00,checkin,g1,m1,,,,,\n"
               "2027-01-10 10:00:00,checkin,g1,m1,,,,,\n"
               "2027-01-12 10:00:00,checkin,g1,m1,,,,,\n"
               "2027-01-02 10:00:00,checkin,g1,m2,,,,,\n"
               "2027-01-20 10:00:00,checkin,g1,m3,,,,,\n")
WINDOW_POINTS = {"earn": [{"on": "checkin", "points": 10}], "expire_after": "7d"}


def test_start_keeps_earlier_entries_out_but_carries_their_balance(con: Any, tmp_path: Path) -> None:
    got = ledger(con, tmp_path, WINDOW_ROWS, WINDOW_POINTS, start=D(2027, 1, 9), end=D(2027, 1, 15))
    # m1: +10 (01-01), +10 (01-05), −10 (01-08, batch 01-01) before the window: 10 carried in.
    # On 01-12 the earn comes before the expiry of batch 01-05.
    assert [(r["member_id"], r["date"].day, r["kind"], r["points"], r["balance"], r["earned_total"]) for r in got] == [
        ("m1", 10, "earn", 10, 20, 30), ("m1", 12, "earn", 10, 30, 40), ("m1", 12, "expire", -10, 20, 40),
        ("m2", 9, "expire", -10, 0, 10)]


def test_member_points_windows_balance_and_total(con: Any, tmp_path: Path) -> None:
    table = points_ledger(events(con, tmp_path, WINDOW_ROWS), Points.model_validate(WINDOW_POINTS), EARLY, LATE)
    got = {r["member_id"]: r for r in records(con, member_points(table, D(2027, 1, 12), [3, 8, 30]))}
    assert set(got) == {"m1", "m2"}  # m3 has no entry by 01-12
    m1 = got["m1"]
    # earned 01-01, 01-05, 01-10, 01-12; batches 01-01 and 01-05 expired on 01-08 and 01-12;
    # the last 8 days are 01-05 … 01-12
    assert (m1["points_3d"], m1["points_8d"], m1["points_30d"], m1["points_total"]) == (20, 30, 40, 40)
    assert m1["points_balance"] == 20
    assert (got["m2"]["points_balance"], got["m2"]["points_total"]) == (0, 10)


def test_no_rules_gives_an_empty_ledger(con: Any, tmp_path: Path) -> None:
    assert ledger(con, tmp_path, WINDOW_ROWS, {"expire_after": "7d"}) == []


# --- the relational ledger against a sequential model ---------------------------------------------

START = dt.datetime(2027, 1, 1)
SCHEMA = {"row": "int64", "ts": "timestamp", "date": "date", "type": "string", "group_id": "string",
          "member_id": "string", "staff_id": "string", "amount": "decimal(18, 2)", "order_id": "string",
          "channel": "string", "count": "int64"}


@st.composite
def scenarios(draw: Any) -> tuple[list[dict[str, Any]], dict[str, Any], dt.date, dt.date]:
    members = ["m1", "m2"]
    rows: list[dict[str, Any]] = []
    orders: list[tuple[str, str, int]] = []  # (order_id, member, minute)
    for i in range(draw(st.integers(0, 25))):
        kind = draw(st.sampled_from(["message", "message", "order", "order", "refund", "refund", "checkin"]))
        member = draw(st.sampled_from(members))
        minute = draw(st.integers(0, 60 * 24 * 50)) // 720 * 720  # noon or midnight: ties happen
        row: dict[str, Any] = {"row": i + 2, "ts": START + dt.timedelta(minutes=minute), "type": kind,
                               "group_id": "g1", "member_id": member, "staff_id": None, "amount": None,
                               "order_id": None, "channel": None, "count": 1}
        if kind == "message":
            row["count"] = draw(st.integers(0, 3))
            if draw(st.integers(0, 9)) == 0:
                row["staff_id"] = member  # a staff post
        elif kind == "order":
            row["amount"] = Decimal(draw(st.integers(0, 3000))) / 100
            row["order_id"] = draw(st.sampled_from([f"o{i}", f"o{i}", "o-shared"]))
            row["channel"] = draw(st.sampled_from([None, "直播"]))
            orders.append((row["order_id"], member, minute))
        elif kind == "refund":
            row["amount"] = Decimal(draw(st.integers(0, 3000))) / 100
            if orders and draw(st.integers(0, 3)):
                order_id, owner, placed = draw(st.sampled_from(orders))
                row["order_id"], row["member_id"] = order_id, owner
                row["ts"] = START + dt.timedelta(minutes=placed + draw(st.integers(-1, 30)) * 720)
            else:
                row["order_id"] = draw(st.sampled_from([None, "o-none"]))
        row["date"] = row["ts"].date()
        rows.append(row)
    earn: list[dict[str, Any]] = []
    if draw(st.booleans()):
        rule: dict[str, Any] = {"on": "message", "points": draw(st.integers(1, 3))}
        if draw(st.booleans()):
            rule["cap"] = {"per": draw(st.sampled_from(["day", "week", "month"])), "max": draw(st.integers(1, 6))}
        earn.append(rule)
    if draw(st.booleans()):
        earn.append({"id": "buy", "on": "order", "per_yuan": draw(st.sampled_from(["1", "0.5", "0.3", "2.25"]))})
    if draw(st.booleans()):
        live: dict[str, Any] = {"id": "live", "on": "order", "points": 5, "where": 'channel == "直播"'}
        if draw(st.booleans()):
            live["cap"] = {"per": draw(st.sampled_from(["day", "week", "month"])), "max": draw(st.integers(1, 12))}
        earn.append(live)
    if draw(st.booleans()):
        earn.append({"on": "checkin", "points": 2, "cap": {"per": "day", "max": 2}})
    config: dict[str, Any] = {"earn": earn, "refunds_deduct": draw(st.booleans())}
    if draw(st.booleans()):
        config["expire_after"] = f"{draw(st.integers(1, 20))}d"
    end = (START + dt.timedelta(days=draw(st.integers(10, 80)))).date()
    start = (START + dt.timedelta(days=draw(st.integers(-1, 40)))).date()
    return rows, config, start, end


def model(rows: list[dict[str, Any]], points: Points, end: dt.date) -> list[tuple[Any, ...]]:
    """The ledger entries (member, date, kind, rule, points, order_id, batch), one event at a time."""
    rows = sorted((r for r in rows if r["date"] <= end and not (r["type"] == "message" and r["staff_id"])),
                  key=lambda r: (r["ts"], r["row"]))
    sums: dict[tuple[Any, ...], int] = defaultdict(int)
    paid: dict[tuple[str, str, str], int] = defaultdict(int)  # (member, order, rule) → points
    for rule, name in zip(points.earn, rule_names(points.earn), strict=True):
        used: dict[tuple[Any, ...], int] = defaultdict(int)
        for r in rows:
            if r["type"] != rule.on or (rule.where and r["channel"] != "直播"):
                continue
            raw = (rule.points or 0) * r["count"]
            if rule.per_yuan is not None:
                raw += int((r["amount"] * rule.per_yuan).to_integral_value(rounding=ROUND_FLOOR))
            if rule.cap is not None:
                day = r["date"]
                period = {"day": day, "week": day - dt.timedelta(days=day.weekday()),
                          "month": day.replace(day=1)}[rule.cap.per]
                key = (r["member_id"], period)
                raw = max(0, min(raw, rule.cap.max - used[key]))
                used[key] += raw
            sums[(r["member_id"], r["date"], "earn", name, r["order_id"], r["date"])] += raw
            if r["type"] == "order" and r["order_id"] is not None:
                paid[(r["member_id"], r["order_id"], name)] += raw
    if points.refunds_deduct:
        refunded: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
        for r in rows:
            if r["type"] != "refund" or r["order_id"] is None:
                continue
            key = (r["member_id"], r["order_id"])
            placed = [o for o in rows if o["type"] == "order" and (o["member_id"], o["order_id"]) == key]
            if not placed or r["ts"] < min(o["ts"] for o in placed):
                continue
            amount = sum((o["amount"] for o in placed), Decimal(0))
            before = sum(refunded[key], Decimal(0))
            refunded[key].append(r["amount"])
            for (member, order_id, name), total in paid.items():
                if (member, order_id) != key or total <= 0:
                    continue
                if amount > 0:
                    def taken(x: Decimal, total: int = total, amount: Decimal = amount) -> int:
                        return int((total * min(x, amount) / amount).to_integral_value(rounding=ROUND_FLOOR))
                    back = taken(before + r["amount"]) - taken(before)
                else:
                    back = total if len(refunded[key]) == 1 else 0
                sums[(member, r["date"], "refund", name, order_id, None)] -= back
    entries = [(*key[:4], value, *key[4:]) for key, value in sums.items() if value != 0]
    days = points.expire_after and -(-points.expire_after.minutes // 1440)
    if days:
        for member in sorted({e[0] for e in entries}):
            mine = [e for e in entries if e[0] == member]
            dates = sorted({e[1] for e in mine} | {e[1] + dt.timedelta(days=days) for e in mine if e[2] == "earn"})
            batches: deque[list[Any]] = deque()  # [date, left]
            debt = 0
            for day in (d for d in dates if d <= end):
                earned = sum(e[4] for e in mine if e[1] == day and e[2] == "earn")
                if earned:
                    pay = min(debt, earned)
                    debt -= pay
                    batches.append([day, earned - pay])
                take = -sum(e[4] for e in mine if e[1] == day and e[2] == "refund")
                while take and batches:
                    bite = min(take, batches[0][1])
                    batches[0][1] -= bite
                    take -= bite
                    if batches[0][1] == 0 and take:
                        batches.popleft()
                debt += take
                while batches and batches[0][0] + dt.timedelta(days=days) <= day:
                    batch, left = batches.popleft()
                    if left:
                        entries.append((member, day, "expire", None, -left, None, batch))
    return sorted(entries, key=repr)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_the_ledger_matches_a_sequential_model(scenario: tuple[list[dict[str, Any]], dict[str, Any], dt.date, dt.date]) -> None:
    rows, config, start, end = scenario
    points = Points.model_validate(config)
    columns = {name: [r[name] for r in rows] for name in SCHEMA}
    con = ibis.duckdb.connect()
    arrow = pa.table(columns, schema=ibis.schema(SCHEMA).to_pyarrow())
    events = con.create_table("events", arrow)
    full = records(con, points_ledger(events, points, EARLY, end))
    entries = [(r["member_id"], r["date"], r["kind"], r["rule"], r["points"], r["order_id"], r["batch"]) for r in full]
    assert sorted(entries, key=repr) == model(rows, points, end)

    for member, entries_of in itertools.groupby(full, key=lambda r: r["member_id"]):
        balance = earned = 0
        for seq, r in enumerate(entries_of, start=1):
            assert r["seq"] == seq
            was = balance
            balance += r["points"]
            earned += r["points"] if r["kind"] in ("earn", "refund") else 0
            assert (r["balance"], r["earned_total"]) == (balance, earned), member
            if r["kind"] == "expire":
                assert 0 <= balance < was  # expiry takes what is there, never more
            elif balance < 0:
                assert r["kind"] == "refund" or balance > was  # only a refund makes a debt
        kinds: dict[str, int] = defaultdict(int)
        for r in full:
            if r["member_id"] == member:
                kinds[r["kind"]] += r["points"]
        assert balance == kinds["earn"] + kinds["refund"] + kinds["expire"]
        if not any(r["kind"] == "refund" for r in full if r["member_id"] == member):
            assert balance >= 0

    part = records(con, points_ledger(events, points, start, end))
    assert part == [r for r in full if r["date"] >= start]
    as_of = end - dt.timedelta(days=3)
    summary = records(con, member_points(points_ledger(events, points, EARLY, end), as_of, [7]))
    for s in summary:
        upto = [r for r in full if r["member_id"] == s["member_id"] and r["date"] <= as_of]
        assert s["points_balance"] == upto[-1]["balance"]
        assert s["points_total"] == sum(r["points"] for r in upto if r["kind"] in ("earn", "refund"))
        assert s["points_7d"] == sum(r["points"] for r in upto if r["kind"] in ("earn", "refund")
                                     and r["date"] > as_of - dt.timedelta(days=7))
    assert {s["member_id"] for s in summary} == {r["member_id"] for r in full if r["date"] <= as_of}
