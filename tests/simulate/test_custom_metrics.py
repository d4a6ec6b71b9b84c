"""Custom metrics on a small hand-computed dataset: each aggregate per member and per group,
window boundaries, where filters on Chinese text, and expressions using earlier custom metrics."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

ibis = pytest.importorskip("ibis")

from qunce.catalog import Metric, Names  # noqa: E402
from qunce.compute.duckdb import connect  # noqa: E402
from qunce.events.ingest import ingest  # noqa: E402
from qunce.model.metrics import CustomMetric  # noqa: E402
from qunce.simulate.custom_metrics import (  # noqa: E402
    expr_columns,
    group_custom_daily,
    group_custom_period,
    member_custom,
)
from qunce.simulate.features import member_features  # noqa: E402
from qunce.simulate.frames import group_days  # noqa: E402

TZ = "Asia/Shanghai"
EVENTS = """ts,type,group_id,member_id,amount,channel,score,count,staff_id
2027-01-01 10:00:00,join,g1,m1,,,,,
2027-01-02 10:00:00,join,g1,m2,,,,,
2027-01-02 11:00:00,message,g1,m2,,,,,
2027-01-03 10:00:00,order,g1,m1,100.00,直播,,,
2027-01-03 11:00:00,checkin,g1,m1,,,,,
2027-01-04 10:00:00,order,g1,m1,50.50,直播,,,
2027-01-05 09:00:00,checkin,g1,m1,,,,,
2027-01-05 09:30:00,checkin,g1,m1,,,,,
2027-01-05 10:00:00,message,g1,m1,,,,3,
2027-01-05 11:00:00,order,g1,m3,10.01,直播,,,
2027-01-05 12:00:00,join,g2,m4,,,,,
2027-01-06 10:00:00,referral,g1,m1,,,,,
2027-01-06 10:01:00,referral,g1,m1,,,,,
2027-01-06 11:00:00,survey,g1,m1,,,5,,
2027-01-06 12:00:00,order,g1,m3,10.00,直播,,,
2027-01-06 13:00:00,message,g2,m4,,,,,
2027-01-07 10:00:00,survey,g1,m1,,,4,,
2027-01-07 11:00:00,message,g1,s1,,,,,s1
2027-01-07 12:00:00,order,g2,m4,30.00,直播,,,
2027-01-08 10:00:00,order,g1,m1,20.00,社群,,,
2027-01-09 09:00:00,checkin,g1,m1,,,,,
2027-01-09 10:00:00,message,g1,m2,,,,,
2027-01-09 11:00:00,message,g1,s1,,,,,s1
2027-01-10 10:00:00,order,g1,m3,5.00,社群,,,
2027-01-11 10:00:00,order,g1,m1,5.00,直播,,,
"""
AS_OF = dt.date(2027, 1, 10)
START = dt.date(2027, 1, 4)  # a Monday


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any, Any]:
    path = tmp_path_factory.mktemp("custom") / "events.csv"
    path.write_text(EVENTS, encoding="utf-8")
    con = connect(TZ)
    schema = {"group_id": "string", "name": "string", "group_type": "string", "created_at": "date",
              "ended_at": "date", "initial_members": "int64"}
    groups = ibis.memtable({"group_id": ["g1", "g2"], "name": ["一群", "快闪"], "group_type": ["welfare", "flash"],
                            "created_at": [dt.date(2027, 1, 1), dt.date(2027, 1, 5)],
                            "ended_at": [None, dt.date(2027, 1, 8)], "initial_members": [0, 0]}, schema=schema)
    result = ingest(con, Path(path), groups, TZ)
    assert result.rejected == 0
    return con, result.events, groups


def metric(id: str, **fields: Any) -> CustomMetric:
    return CustomMetric.model_validate({"id": id, "name": fields.pop("name", id), **fields})


MEMBER = [
    metric("live_orders_7d", event="order", agg="count", window="7d", where='channel == "直播"'),
    metric("live_amount", event="order", agg="sum", field="amount", where="渠道 == '直播'"),
    metric("avg_order", event="order", agg="avg", field="amount"),
    metric("survey_mean", event="survey", agg="avg", field="score"),
    metric("checkin_days_7d", event="checkin", agg="distinct_days", window="7d"),
    metric("since_order", event="order", agg="days_since_last", window="7d"),
    metric("message_count", event="message", agg="sum", field="count"),
    metric("today_orders", event="order", agg="count", window="1d"),
    metric("vip_score", name="VIP分", expr="live_orders_7d * 2 + referrals_total"),
    metric("vip_plus", expr="VIP分 + 1"),
]


def _by(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {r[key]: r for r in rows}


def test_member_aggregates(data: tuple[Any, Any, Any]) -> None:
    con, events, _ = data
    got = _by(con.to_pyarrow(member_custom(events, MEMBER, AS_OF)).to_pylist(), "member_id")
    assert set(got) == {"m1", "m2", "m3", "m4"}  # s1's messages are staff posts
    m1, m2, m3 = got["m1"], got["m2"], got["m3"]
    assert set(m1) == {"member_id", *(m.id for m in MEMBER if m.expr is None)}
    # 直播 orders on 01-03 (exactly 7 days back: out), 01-04 (in) and 01-11 (after the day)
    assert (m1["live_orders_7d"], m3["live_orders_7d"], m2["live_orders_7d"]) == (1, 2, 0)
    assert (m1["live_amount"], m3["live_amount"], m2["live_amount"]) == (Decimal("150.50"), Decimal("20.01"), 0)
    assert isinstance(m1["live_amount"], Decimal)
    # avg: the condition language's sum / count, 12 places, rounded
    assert (m1["avg_order"], m3["avg_order"], m2["avg_order"]) == (
        Decimal("56.833333333333"), Decimal("8.336666666667"), 0)
    assert m1["survey_mean"] == Decimal("4.5")
    # check-ins on 01-03 (out), twice on 01-05 and on 01-09
    assert (m1["checkin_days_7d"], m2["checkin_days_7d"]) == (2, 0)
    # the window does not limit days_since_last; m2 never ordered: from joining on 01-02
    assert (m1["since_order"], m2["since_order"], m3["since_order"]) == (2, 8, 0)
    assert (m1["message_count"], m2["message_count"], m3["message_count"]) == (3, 2, 0)
    assert (m1["today_orders"], m3["today_orders"]) == (0, 1)


def test_member_days_since_last_from_the_first_event_without_a_join(data: tuple[Any, Any, Any]) -> None:
    con, events, _ = data
    checkin = [metric("since_checkin", event="checkin", agg="days_since_last")]
    got = _by(con.to_pyarrow(member_custom(events, checkin, AS_OF)).to_pylist(), "member_id")
    assert (got["m1"]["since_checkin"], got["m3"]["since_checkin"], got["m4"]["since_checkin"]) == (1, 5, 5)


def _names() -> Names:
    custom = {m.id: Metric(m.id, m.name, m.id, windowed=False) for m in MEMBER}
    return Names("member", custom)


def test_expressions_use_earlier_custom_metrics(data: tuple[Any, Any, Any]) -> None:
    con, events, _ = data
    referrals = Names("member").resolve("referrals_total")
    assert referrals is not None
    features = member_features(events, [referrals], AS_OF)
    extra = member_custom(events, MEMBER, AS_OF).rename(_member="member_id")
    table = features.left_join(extra, features.member_id == extra._member).drop("_member")
    # all at once: the table has no vip_score column, so vip_plus reads its expression
    columns = expr_columns(table, MEMBER, _names())
    assert list(columns) == ["vip_score", "vip_plus"]
    got = _by(con.to_pyarrow(table.mutate(**columns)).to_pylist(), "member_id")
    assert [(got[m]["vip_score"], got[m]["vip_plus"]) for m in ("m1", "m2", "m3")] == [(4, 5), (0, 1), (4, 5)]
    assert isinstance(got["m1"]["vip_plus"], Decimal)
    # one at a time, as the member stage does: vip_plus reads the column
    for item in MEMBER:
        table = table.mutate(**expr_columns(table, [item], _names()))
    again = _by(con.to_pyarrow(table).to_pylist(), "member_id")
    assert [again[m]["vip_plus"] for m in ("m1", "m2", "m3")] == [5, 1, 5]


GROUP = [
    metric("g_msgs", scope="group", event="message", agg="count"),
    metric("g_live_7d", scope="group", event="order", agg="sum", field="amount", window="7d", where='channel == "直播"'),
    metric("g_active_days_3d", scope="group", event="message", agg="distinct_days", window="3d"),
    metric("g_since_order", scope="group", event="order", agg="days_since_last"),
    metric("g_avg_amount_2d", scope="group", event="order", agg="avg", field="amount", window="2d"),
    metric("g_orders_1d", scope="group", event="order", agg="count", window="1d"),
    metric("g_twice", scope="group", expr="g_msgs * 2"),
]


def test_group_aggregates_every_day(data: tuple[Any, Any, Any]) -> None:
    con, events, groups = data
    table = group_custom_daily(events, GROUP, group_days(groups, START, AS_OF))
    rows = con.to_pyarrow(table).to_pylist()
    got = {(r["group_id"], r["date"].day): r for r in rows}
    assert len(rows) == 7 + 4 and set(rows[0]) == {"group_id", "date", *(m.id for m in GROUP if m.expr is None)}
    g1 = [got[("g1", d)] for d in range(4, 11)]
    # every message counts, staff posts too; the day itself
    assert [r["g_msgs"] for r in g1] == [0, 1, 0, 1, 0, 2, 0]
    # 直播 amounts of the 7 days up to the day: 01-03's 100.00 leaves on 01-10
    assert [r["g_live_7d"] for r in g1] == [Decimal(x) for x in
                                            ("150.50", "160.51", "170.51", "170.51", "170.51", "170.51", "70.51")]
    # days with a message in the 3 days up to the day (01-02's message counts on 01-04)
    assert [r["g_active_days_3d"] for r in g1] == [1, 1, 1, 2, 1, 2, 1]
    assert [r["g_since_order"] for r in g1] == [0, 0, 0, 1, 0, 1, 0]
    assert [r["g_avg_amount_2d"] for r in g1] == [Decimal(x) for x in
                                                  ("75.25", "30.255", "10.005", "10", "20", "20", "5")]
    assert [r["g_orders_1d"] for r in g1] == [1, 1, 1, 0, 1, 0, 1]
    # g2 lives 01-05 … 01-08; before its first order, days since the last count from its creation
    assert [got[("g2", d)]["g_since_order"] for d in range(5, 9)] == [0, 1, 0, 1]
    assert [got[("g2", d)]["g_msgs"] for d in range(5, 9)] == [0, 1, 0, 0]


def test_group_aggregates_per_period(data: tuple[Any, Any, Any]) -> None:
    con, events, groups = data
    end = dt.date(2027, 1, 13)
    weekly = con.to_pyarrow(group_custom_period(events, GROUP, "week", START, end, groups)).to_pylist()
    got = {(r["group_id"], r["period_start"].day): r for r in weekly}
    assert set(got) == {("g1", 4), ("g1", 11), ("g2", 4)}
    pick = ("g_msgs", "g_live_7d", "g_since_order", "g_active_days_3d")
    # week 1 ends on 01-10 (g2: on its last day, 01-08); week 2 is cut at 01-13
    assert tuple(got[("g1", 4)][k] for k in pick) == (4, Decimal("70.51"), 0, 1)
    assert tuple(got[("g1", 11)][k] for k in pick) == (0, Decimal("5.00"), 2, 0)
    assert tuple(got[("g2", 4)][k] for k in pick) == (1, Decimal("30.00"), 1, 1)
    # a month counts only its days inside [start, end]: 01-02's message is out
    monthly = con.to_pyarrow(group_custom_period(events, GROUP, "month", START, end, groups)).to_pylist()
    assert {(r["group_id"], r["g_msgs"]) for r in monthly} == {("g1", 4), ("g2", 1)}


def test_group_periods_without_the_roster(data: tuple[Any, Any, Any]) -> None:
    con, events, _ = data
    table = group_custom_period(events, GROUP, "week", START, dt.date(2027, 1, 13))
    got = {(r["group_id"], r["period_start"].day): r for r in con.to_pyarrow(table).to_pylist()}
    # every group with events has every period, up to the window's end
    assert set(got) == {("g1", 4), ("g1", 11), ("g2", 4), ("g2", 11)}
    assert (got[("g2", 4)]["g_since_order"], got[("g2", 11)]["g_since_order"]) == (3, 6)


def test_group_expressions(data: tuple[Any, Any, Any]) -> None:
    con, events, groups = data
    table = group_custom_daily(events, GROUP, group_days(groups, START, AS_OF))
    custom = {m.id: Metric(m.id, m.name, m.id, windowed=False) for m in GROUP}
    table = table.mutate(**expr_columns(table, GROUP, Names("group", custom)))
    got = {(r["group_id"], r["date"].day): r["g_twice"] for r in con.to_pyarrow(table).to_pylist()}
    assert (got[("g1", 9)], got[("g1", 10)]) == (4, 0)
