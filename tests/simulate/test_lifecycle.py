"""Group metrics for every day at once (the same numbers as group_metrics_as_of day by day),
lifecycle states with the start of their run, and per period health with the dissolve day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

ibis = pytest.importorskip("ibis")

from qunce.catalog import Names  # noqa: E402
from qunce.compute.duckdb import connect  # noqa: E402
from qunce.events.ingest import ingest  # noqa: E402
from qunce.model.audience import LifecycleState  # noqa: E402
from qunce.model.metrics import MetricsConfig  # noqa: E402
from qunce.simulate.group_daily import group_daily  # noqa: E402
from qunce.simulate.group_windows import group_metrics_as_of  # noqa: E402
from qunce.simulate.lifecycle import (  # noqa: E402
    HEALTH_COLUMNS,
    group_health,
    group_metrics_daily,
    lifecycle_daily,
)
from qunce.simulate.periods import start_of  # noqa: E402

TZ = "Asia/Shanghai"
START = dt.date(2027, 1, 4)  # a Monday
SCHEMA = {"group_id": "string", "name": "string", "group_type": "string", "created_at": "date",
          "ended_at": "date", "initial_members": "int64"}


def _ingest(tmp: Path, text: str, groups: Any) -> tuple[Any, Any]:
    path = tmp / "events.csv"
    path.write_text(text, encoding="utf-8")
    con = connect(TZ)
    result = ingest(con, path, groups, TZ)
    assert result.rejected == 0
    return con, result.events


# --- group_metrics_daily against group_metrics_as_of ---------------------------------------------

def _mixed_events() -> str:
    rows = ["ts,type,group_id,member_id,amount,score,count,staff_id"]
    for day in range(14):
        date = START + dt.timedelta(days=day)
        for m in range(day % 4):
            rows.append(f"{date} 10:0{m}:00,message,g1,m{m},,,{m + 1},")
        if day % 3 == 0:
            rows.append(f"{date} 11:00:00,order,g1,m1,{day + 1}.50,,,")
            rows.append(f"{date} 11:30:00,survey,g1,m{day % 5},,{day % 5 + 1},,")
        if day % 5 == 1:
            rows.append(f"{date} 12:00:00,leave,g1,m{day},,,,")
            rows.append(f"{date} 12:30:00,referral,g1,m2,,,,")
        if day == 4:
            rows.append(f"{date} 13:00:00,refund,g1,m1,2.00,,,")
            rows.append(f"{date} 13:10:00,cost,g1,,10.00,,,")
        if 3 <= day <= 12:  # g2 lives from day 2 to day 12 and grows
            rows.append(f"{date} 09:00:00,join,g2,n{day},,,,")
            rows.append(f"{date} 09:10:00,exposure,g2,,,,{day * 10},")
            rows.append(f"{date} 09:20:00,message,g2,n{day},,,,")
        if day in (5, 6):
            rows.append(f"{date} 09:30:00,order,g2,n3,19.90,,,")
            rows.append(f"{date} 09:40:00,survey,g2,n3,,4,,")
    return "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any, Any, Any]:
    groups = ibis.memtable({"group_id": ["g1", "g2"], "name": ["一群", "二群"], "group_type": ["welfare", "flash"],
                            "created_at": [dt.date(2026, 12, 1), START + dt.timedelta(days=2)],
                            "ended_at": [None, START + dt.timedelta(days=12)], "initial_members": [10, 0]},
                           schema=SCHEMA)
    con, events = _ingest(tmp_path_factory.mktemp("mixed"), _mixed_events(), groups)
    daily = group_daily(events, groups, START, START + dt.timedelta(days=13), MetricsConfig())
    return con, events, groups, daily


FEATURES = ("interaction_rate_7d", "messages_7d", "orders_3d", "new_members_7d", "leaves_7d", "average_order_value_7d",
            "leave_rate_3d", "csat_7d", "sales_7d", "members_7d", "conversion_rate", "messages", "roi_14d",
            "per_customer_return_7d", "join_rate_7d", "referral_rate_3d", "net_new_members", "messages_per_member_2d")


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return bool(a == pytest.approx(b, rel=1e-12, abs=1e-12))
    return bool(a == b)


@pytest.mark.parametrize("period", ["week", "month"])
def test_every_day_matches_group_metrics_as_of(mixed: tuple[Any, Any, Any, Any], period: str) -> None:
    con, _, _, daily = mixed
    names = Names("group")
    features = [r for r in (names.resolve(n) for n in FEATURES) if r is not None]
    assert len(features) == len(FEATURES)
    every = con.to_pyarrow(group_metrics_daily(daily, features, period)).to_pylist()
    assert len(every) == 14 + 11  # g1 every day, g2 from day 2 to day 12
    by_key = {(r["group_id"], r["date"]): r for r in every}
    for day in range(14):
        as_of = START + dt.timedelta(days=day)
        one = con.to_pyarrow(group_metrics_as_of(daily, as_of, features, start_of(as_of, period))).to_pylist()
        for row in one:
            other = by_key[(row["group_id"], as_of)]
            for name in FEATURES:
                assert _same(other[name], row[name]), (row["group_id"], as_of, name, other[name], row[name])


def test_hand_computed_windows(mixed: tuple[Any, Any, Any, Any]) -> None:
    con, _, _, daily = mixed
    names = Names("group")
    features = [r for r in (names.resolve(n) for n in ("messages_7d", "sales_7d", "members_7d", "messages")) if r]
    got = {(r["group_id"], r["date"]): r for r in con.to_pyarrow(group_metrics_daily(daily, features, "week")).to_pylist()}
    # g2 on day 4 (created day 2): three rows, joins on days 3 and 4 → members 0, 0.5, 1.5 (average basis)
    g2 = got[("g2", START + dt.timedelta(days=4))]
    assert g2["members_7d"] == pytest.approx((0 + 0.5 + 1.5) / 3) and g2["messages_7d"] == 2
    # g1 on day 7 (Monday of week 2): messages of days 1..7 weighted by count: day d posts
    # 1 + … + (d % 4); the bare name is the week so far (day 7 only: 1 + 2 + 3)
    g1 = got[("g1", START + dt.timedelta(days=7))]
    assert g1["messages_7d"] == 1 + 3 + 6 + 0 + 1 + 3 + 6 and g1["messages"] == 6
    # orders on days 3 and 6 (4.50 + 7.50) less the refund of day 4 (2.00)
    assert g1["sales_7d"] == Decimal("10.00")


def test_group_states_on_each_day(mixed: tuple[Any, Any, Any, Any]) -> None:
    con, events, groups, daily = mixed
    names = Names("group")
    features = [r for r in (names.resolve(n) for n in ("age_days", "days_to_end", "days_since_last_message",
                                                         "group_type")) if r]
    table = group_metrics_daily(daily, features, "week", groups=groups, events=events)
    got = {(r["group_id"], (r["date"] - START).days): r for r in con.to_pyarrow(table).to_pylist()}
    day0 = got[("g1", 0)]  # created 2026-12-01; no message that day (0 % 4 = 0) nor before
    assert (day0["age_days"], day0["days_to_end"], day0["days_since_last_message"], day0["group_type"]) == (
        34, None, 34, "welfare")
    assert got[("g1", 1)]["days_since_last_message"] == 0
    assert [got[("g1", d)]["days_since_last_message"] for d in (3, 4, 5)] == [0, 1, 0]
    g2 = got[("g2", 2)]  # created that day, ends on day 12, first message on day 3
    assert (g2["age_days"], g2["days_to_end"], g2["days_since_last_message"]) == (0, 10, 0)
    assert got[("g2", 3)]["days_since_last_message"] == 0


def test_days_since_last_message_from_history_before_the_window(mixed: tuple[Any, Any, Any, Any]) -> None:
    con, events, groups, _ = mixed
    later = START + dt.timedelta(days=4)
    daily = group_daily(events, groups, later, later + dt.timedelta(days=1), MetricsConfig())
    feature = Names("group").resolve("days_since_last_message")
    assert feature is not None
    with_events = group_metrics_daily(daily, [feature], "week", groups=groups, events=events)
    window_only = group_metrics_daily(daily, [feature], "week", groups=groups)

    def g1(t: Any) -> list[Any]:
        rows = con.to_pyarrow(t.filter(t.group_id == "g1").order_by("date")).to_pylist()
        return [r["days_since_last_message"] for r in rows]

    # day 4 has no message; the last was on day 3 (events) — the window alone counts from creation
    assert g1(with_events) == [1, 0]
    assert g1(window_only) == [38, 0]


def test_states_need_the_groups_table(mixed: tuple[Any, Any, Any, Any]) -> None:
    _, _, _, daily = mixed
    feature = Names("group").resolve("age_days")
    assert feature is not None
    with pytest.raises(ValueError, match="age_days"):
        group_metrics_daily(daily, [feature], "week")


# --- lifecycle ------------------------------------------------------------------------------------

STATES = [
    LifecycleState(id="alive", name="社群", when="interaction_rate_7d >= 0.2"),
    LifecycleState(id="pseudo", name="伪社群", when="interaction_rate_7d >= 0.05", dissolve_after="30d"),
    LifecycleState(id="dead", name="死群", dissolve_after="7d", action="解散并引导到新群"),
]


@pytest.fixture(scope="module")
def fading(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    rows = ["ts,type,group_id,member_id"]
    for day in range(28):
        date = START + dt.timedelta(days=day)
        speakers = 5 if day < 7 else 1 if day < 14 else 0  # of 10 members: 0.5, 0.1, then 0 a day
        rows += [f"{date} 10:{m:02d}:00,message,g1,m{m}" for m in range(speakers)]
    groups = ibis.memtable({"group_id": ["g1"], "name": ["一群"], "group_type": ["welfare"],
                            "created_at": [dt.date(2026, 12, 1)], "ended_at": [None], "initial_members": [10]},
                           schema=SCHEMA)
    con, events = _ingest(tmp_path_factory.mktemp("fading"), "\n".join(rows) + "\n", groups)
    daily = group_daily(events, groups, START, START + dt.timedelta(days=27), MetricsConfig())
    names = Names("group")
    feature = names.resolve("interaction_rate_7d")
    assert feature is not None
    states = lifecycle_daily(group_metrics_daily(daily, [feature], "week"), STATES, names)
    return con, states


def test_a_group_goes_alive_pseudo_dead_day_by_day(fading: tuple[Any, Any]) -> None:
    con, states = fading
    got = con.to_pyarrow(states.order_by("date")).to_pylist()
    # day k's 7-day rate: (5.9 − 0.4k) ÷ 7 for k = 7 … 13 (alive while k ≤ 11), then
    # (20 − k) × 0.1 ÷ 7 (pseudo while k ≤ 16)
    assert [r["state"] for r in got] == ["alive"] * 12 + ["pseudo"] * 5 + ["dead"] * 11
    since = {r["state"]: r["state_since"] for r in got}
    assert since == {"alive": START, "pseudo": dt.date(2027, 1, 16), "dead": dt.date(2027, 1, 21)}
    assert all(r["state_since"] == since[r["state"]] for r in got)


def test_weekly_health_with_the_dissolve_day(fading: tuple[Any, Any]) -> None:
    con, states = fading
    health = group_health(states, STATES, "week")
    assert tuple(health.columns) == HEALTH_COLUMNS
    got = con.to_pyarrow(health.order_by("period_start")).to_pylist()
    pick = ("period", "last_day", "state", "state_name", "state_since", "days_in_state", "previous_state", "changed",
            "dissolve_on", "should_dissolve", "action")
    d = dt.date
    assert [tuple(r[k] for k in pick) for r in got] == [
        ("2027-W01", d(2027, 1, 10), "alive", "社群", START, 6, None, False, None, False, None),
        ("2027-W02", d(2027, 1, 17), "pseudo", "伪社群", d(2027, 1, 16), 1, "alive", True, d(2027, 2, 15), False, None),
        ("2027-W03", d(2027, 1, 24), "dead", "死群", d(2027, 1, 21), 3, "pseudo", True, d(2027, 1, 28), False,
         "解散并引导到新群"),
        ("2027-W04", d(2027, 1, 31), "dead", "死群", d(2027, 1, 21), 10, "dead", False, d(2027, 1, 28), True,
         "解散并引导到新群"),
    ]
    assert all(r["group_id"] == "g1" and r["period_start"].weekday() == 0 for r in got)


def test_a_state_that_returns_starts_a_new_run() -> None:
    days = [START + dt.timedelta(days=i) for i in range(6)]
    table = ibis.memtable({"group_id": ["g"] * 6 + ["h"] * 2, "date": days + days[:2],
                           "interaction_rate_7d": [0.3, 0.3, 0.1, 0.3, 0.0, 0.0, 0.0, 0.3]})
    no_catch_all = STATES[:2]
    con = ibis.duckdb.connect()
    got = con.to_pyarrow(lifecycle_daily(table, no_catch_all, Names("group")).order_by(["group_id", "date"])).to_pylist()
    assert [(r["group_id"], r["state"], (r["state_since"] - START).days) for r in got] == [
        ("g", "alive", 0), ("g", "alive", 0), ("g", "pseudo", 2), ("g", "alive", 3), ("g", None, 4), ("g", None, 4),
        ("h", None, 0), ("h", "alive", 1)]
    health = con.to_pyarrow(group_health(lifecycle_daily(table, no_catch_all, Names("group")), no_catch_all,
                                         "month")).to_pylist()
    assert {(r["group_id"], r["state"], r["state_name"], r["changed"], r["should_dissolve"]) for r in health} == {
        ("g", None, None, False, False), ("h", "alive", "社群", False, False)}
