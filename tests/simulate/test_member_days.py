"""The member stage's features from the member's days (member_days, features_from_days) are
member_features over the events: the same columns, types and rows, for every kind of feature
and custom aggregate, on evaluation days inside and after the data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

ibis = pytest.importorskip("ibis")

from qunce.catalog import Names  # noqa: E402
from qunce.compute.duckdb import connect  # noqa: E402
from qunce.events.ingest import ingest  # noqa: E402
from qunce.model.membership import Points  # noqa: E402
from qunce.model.metrics import CustomMetric  # noqa: E402
from qunce.simulate.features import features_from_days, from_days, member_events, member_features  # noqa: E402
from qunce.simulate.member_days import member_day_parts  # noqa: E402
from qunce.simulate.points import order_events, points_ledger  # noqa: E402

TZ = "Asia/Shanghai"
EVENTS = """ts,type,group_id,member_id,staff_id,amount,count,score,channel,order_id
2027-01-01 10:00:00,join,g1,m1,,,,,,
2027-01-02 10:00:00,message,g1,m1,,,,,,
2027-01-02 11:00:00,message,g1,m1,,,3,,,
2027-01-05 23:59:59,message,g1,m1,,,,,,
2027-01-10 11:00:00,message,g1,m1,,,,,,
2027-01-10 12:00:00,order,g1,m1,,19.90,,,直播,o1
2027-01-10 12:30:00,order,g1,m1,,5.05,,,社群,o2
2027-01-11 12:00:00,refund,g1,m1,,5.00,,,,o1
2027-01-11 13:00:00,survey,g1,m1,,,,4,,
2027-01-11 14:00:00,survey,g1,m1,,,,5,,
2027-01-12 09:00:00,checkin,g1,m1,,,,,,
2027-01-12 09:10:00,checkin,g1,m1,,,,,,
2027-01-12 10:00:00,referral,g1,m1,,,,,,
2027-01-12 11:00:00,reach,g1,m1,s1,,4,,,
2027-01-03 10:00:00,join,g1,m2,,,,,,
2027-01-05 10:00:00,message,g1,s1,s1,,,,,
2027-01-13 10:00:00,message,g1,m2,,,,,,
2027-01-13 10:05:00,message,g2,m2,,,2,,,
2027-01-14 10:00:00,exposure,g1,m3,,,5,,,
2027-01-15 10:00:00,order,g2,m2,,100.00,,,直播,o3
2027-01-15 10:00:00,join,g2,m2,,,,,,
"""
NAMES = ["messages_5d", "messages_total", "active_days_30d", "active_days_total", "orders_30d", "orders_total",
         "order_amount_7d", "order_amount_total", "refunds_total", "refund_amount_30d", "referrals_total",
         "checkins_7d", "surveys_total", "reaches_30d", "days_since_last_message", "days_since_last_order",
         "days_since_last_checkin", "days_since_last_referral", "days_since_last_join", "days_since_last_reach",
         "tenure_days"]
CUSTOM = [
    CustomMetric(id="live_orders", name="a", event="order", agg="count", window="30d", where='channel == "直播"'),
    CustomMetric(id="live_amount", name="b", event="order", agg="sum", field="amount", where='channel == "直播"'),
    CustomMetric(id="chat_units", name="c", event="message", agg="sum", field="count", window="3d"),
    CustomMetric(id="mean_score", name="d", event="survey", agg="avg", field="score"),
    CustomMetric(id="mean_order", name="e", event="order", agg="avg", field="amount", window="7d"),
    CustomMetric(id="chat_days", name="f", event="message", agg="distinct_days", window="10d"),
    CustomMetric(id="since_live", name="g", event="message", agg="days_since_last", where="count >= 2"),
    CustomMetric(id="checkin_days", name="h", event="checkin", agg="distinct_days"),
]
POINTS = {"earn": [{"on": "message", "points": 1, "cap": {"per": "day", "max": 3}},
                   {"on": "order", "per_yuan": 1},
                   {"on": "order", "points": 5, "where": 'channel == "直播"', "cap": {"per": "week", "max": 5}},
                   {"on": "checkin", "points": 2, "cap": {"per": "month", "max": 3}},
                   {"on": "survey", "points": 10}],
          "refunds_deduct": True, "expire_after": "5d"}
DAYS = [dt.date(2027, 1, d) for d in (1, 5, 10, 11, 12, 15)] + [dt.date(2027, 3, 1)]


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    path = tmp_path_factory.mktemp("member_days") / "events.csv"
    path.write_text(EVENTS, encoding="utf-8")
    con = connect(TZ)
    groups = ibis.memtable({"group_id": ["g1", "g2"], "created_at": [dt.date(2027, 1, 1)] * 2, "ended_at": [None] * 2},
                           schema={"group_id": "string", "created_at": "date", "ended_at": "date"})
    result = ingest(con, Path(path), groups, TZ)
    assert result.rejected == 0, result.by_reason
    return con, result.events


def rows(con: Any, table: Any) -> list[dict[str, Any]]:
    return sorted(con.to_pyarrow(table).to_pylist(), key=lambda r: r["member_id"])


def test_features_from_days_are_the_features_from_events(setup: tuple[Any, Any]) -> None:
    con, events = setup
    wanted = [r for n in NAMES if (r := Names("member").resolve(n)) is not None]
    assert len(wanted) == len(NAMES) and from_days(wanted)
    t = member_events(events)
    days = ibis.union(*member_day_parts(t, wanted, CUSTOM, Points.model_validate(POINTS)))
    for day in DAYS:
        expected = member_features(events, wanted, day, CUSTOM)
        got = features_from_days(days, wanted, day, CUSTOM)
        assert got.schema() == expected.schema()
        assert rows(con, got) == rows(con, expected), day


def test_an_average_score_is_computed_from_the_events() -> None:
    wanted = Names("member").resolve("avg_score")
    assert wanted is not None and not from_days([wanted])


def test_the_ledger_from_the_member_days_is_the_ledger_from_the_events(setup: tuple[Any, Any]) -> None:
    con, events = setup
    points = Points.model_validate(POINTS)
    t = member_events(events)
    days = ibis.union(*member_day_parts(t, [], [], points))
    start, end = dt.date(2027, 1, 1), dt.date(2027, 3, 1)
    expected = points_ledger(events, points, start, end)
    got = points_ledger(events, points, start, end, daily=days, orders=order_events(t, points))
    key = ("member_id", "seq")
    assert sorted(con.to_pyarrow(got).to_pylist(), key=lambda r: [r[k] for k in key]) == \
        sorted(con.to_pyarrow(expected).to_pylist(), key=lambda r: [r[k] for k in key])
    assert any(r["kind"] == "expire" for r in con.to_pyarrow(got).to_pylist())

