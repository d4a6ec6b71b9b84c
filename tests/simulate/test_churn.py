"""Churn warnings: the groups a member is in (re-joins, leaves, members without a join), the
owners on a day (handovers), and warnings that all fire, with values, owner and due date."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ibis = pytest.importorskip("ibis")

from qunce.catalog import Names  # noqa: E402
from qunce.compute.duckdb import connect  # noqa: E402
from qunce.model.audience import ChurnWarning  # noqa: E402
from qunce.simulate.churn import (  # noqa: E402
    CHURN_COLUMNS,
    churn_warnings,
    member_groups,
    member_groups_on,
    owners_on,
)
from tests.events.event_data import load_events  # noqa: E402

TZ = "Asia/Shanghai"
EVENTS = """ts,type,group_id,member_id,staff_id
2027-01-01 10:00:00,join,g1,m1,
2027-01-01 10:00:00,join,g2,m1,
2027-01-03 10:00:00,leave,g1,m1,
2027-01-05 10:00:00,join,g1,m1,
2027-01-01 10:00:00,join,g1,m2,
2027-01-02 10:00:00,leave,g1,m2,
2027-01-01 12:00:00,message,g2,m3,
2027-01-01 12:00:00,message,g2,m4,
2027-01-02 12:00:00,leave,g2,m4,
2027-01-01 09:00:00,join,g1,m5,
2027-01-02 09:00:00,leave,g1,m5,
2027-01-03 09:00:00,message,g1,m5,
2027-01-01 09:00:00,message,g1,s1,s1
"""
D = dt.date(2027, 1, 10)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    return load_events(tmp_path_factory.mktemp("churn"), EVENTS)


def homes(data: tuple[Any, Any], day: int) -> set[tuple[str, str]]:
    con, events = data
    return {(r["member_id"], r["group_id"])
            for r in con.to_pyarrow(member_groups(events, dt.date(2027, 1, day))).to_pylist()}


def test_member_groups_follow_joins_and_leaves(data: tuple[Any, Any]) -> None:
    # m1 leaves g1 on 01-03 and joins again on 01-05; m2 leaves and never comes back; m3 never
    # joined (joined before the data) but posts in g2; m4 posts, then leaves; m5 posts after
    # leaving without joining again: with a join on record, only joins and leaves decide.
    assert homes(data, 2) == {("m1", "g1"), ("m1", "g2"), ("m3", "g2")}
    assert homes(data, 4) == {("m1", "g2"), ("m3", "g2")}
    assert homes(data, 5) == {("m1", "g1"), ("m1", "g2"), ("m3", "g2")}
    assert homes(data, 1) == {("m1", "g1"), ("m1", "g2"), ("m2", "g1"), ("m3", "g2"), ("m4", "g2"), ("m5", "g1")}


def test_member_groups_before_any_event_and_without_staff(data: tuple[Any, Any]) -> None:
    con, events = data
    assert con.to_pyarrow(member_groups(events, dt.date(2026, 12, 31))).to_pylist() == []
    assert "s1" not in {member for member, _ in homes(data, 31)}


ASSIGNMENTS = ibis.memtable(
    {"staff_id": ["s1", "s2", "a1", "a2", "s3"], "role": ["owner", "owner", "admin", "admin", "owner"],
     "group_id": ["g1", "g1", "g1", "g1", "g2"],
     "from_date": [dt.date(2027, 1, 1), D, dt.date(2027, 1, 1), dt.date(2027, 1, 1), dt.date(2027, 1, 5)],
     "to_date": [D, None, None, None, None]},
    schema={"staff_id": "string", "role": "string", "group_id": "string", "from_date": "date", "to_date": "date"})


def owners(day: dt.date) -> list[tuple[str, str, str]]:
    con = connect(TZ)
    return [(r["group_id"], r["role"], r["staff_id"]) for r in con.to_pyarrow(owners_on(ASSIGNMENTS, day)).to_pylist()]


def test_owners_on_a_handover_day_are_both_there() -> None:
    assert owners(D) == [("g1", "admin", "a1"), ("g1", "admin", "a2"), ("g1", "owner", "s1"), ("g1", "owner", "s2"),
                         ("g2", "owner", "s3")]
    assert owners(D + dt.timedelta(days=1))[2:] == [("g1", "owner", "s2"), ("g2", "owner", "s3")]
    assert owners(dt.date(2027, 1, 4)) == [("g1", "admin", "a1"), ("g1", "admin", "a2"), ("g1", "owner", "s1")]


WARNINGS = [
    ChurnWarning(id="silent", name="沉默预警", stage="成长期", when="距上次发言天数 >= 14", action="私聊关怀", within="1d"),
    ChurnWarning(id="no_talk", name="零互动", when="messages_30d == 0 and 累计订单数 < 1", action="邀请参加活动",
                 role="admin"),
    ChurnWarning(id="lapsed", name="久未下单", when="days_since_last_order >= 30", action="发优惠券", role="kol",
                 within="36h"),
]
FEATURES = ibis.memtable(
    {"member_id": ["m1", "m2", "m3"], "days_since_last_message": [15, 20, 3], "messages_30d": [0, 2, 0],
     "orders_total": [0, 1, 2], "days_since_last_order": [40, 40, 1]})
HOMES = ibis.memtable({"member_id": ["m1", "m1", "m3"], "group_id": ["g1", "g2", "g2"]})
OWNERS = ibis.memtable({"group_id": ["g1", "g1", "g1", "g2"], "role": ["owner", "admin", "admin", "admin"],
                        "staff_id": ["s1", "a2", "a1", "a3"]})


def warnings(items: list[ChurnWarning] = WARNINGS) -> list[dict[str, Any]]:
    con = connect(TZ)
    table = churn_warnings(FEATURES, items, Names("member"), HOMES, OWNERS, "2027-W02", D)
    return list(con.to_pyarrow(table).to_pylist())


def test_every_warning_that_holds_fires_once_per_group() -> None:
    got = [(r["warning"], r["group_id"], r["member_id"], r["role"], r["owner"], r["due"]) for r in warnings()]
    # m2 is in no group: already gone, no warning; m3 is recent and has ordered
    assert got == [
        ("lapsed", "g1", "m1", "kol", None, dt.date(2027, 1, 12)),
        ("lapsed", "g2", "m1", "kol", None, dt.date(2027, 1, 12)),
        ("no_talk", "g1", "m1", "admin", "a1,a2", None),
        ("no_talk", "g2", "m1", "admin", "a3", None),
        ("silent", "g1", "m1", "owner", "s1", dt.date(2027, 1, 11)),
        ("silent", "g2", "m1", "owner", None, dt.date(2027, 1, 11)),
    ]


def test_rows_carry_the_warning_and_the_values_it_read() -> None:
    rows = {(r["warning"], r["group_id"]): r for r in warnings()}
    silent = rows["silent", "g1"]
    assert tuple(silent) == CHURN_COLUMNS
    assert silent == {"period": "2027-W02", "as_of": D, "member_id": "m1", "group_id": "g1", "warning": "silent",
                      "warning_name": "沉默预警", "stage": "成长期", "values": "days_since_last_message=15",
                      "action": "私聊关怀", "role": "owner", "owner": "s1", "due": dt.date(2027, 1, 11)}
    assert rows["no_talk", "g1"]["values"] == "messages_30d=0, orders_total=0"
    assert rows["no_talk", "g1"]["stage"] is None


def test_no_warnings_gives_no_rows() -> None:
    assert warnings([]) == []


def test_member_groups_on_several_days_agrees_with_one_day_at_a_time(data: tuple[Any, Any]) -> None:
    con, events = data
    days = [dt.date(2026, 12, 31), *(dt.date(2027, 1, d) for d in range(1, 16))]
    together = con.to_pyarrow(member_groups_on(events, days)).to_pylist()
    for day in days:
        assert {(r["member_id"], r["group_id"]) for r in together if r["as_of"] == day} == homes(data, day.day) \
            if day.year == 2027 else not any(r["as_of"] == day for r in together)


_KINDS = ("join", "leave", "message", "checkin")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(_KINDS), st.sampled_from(["g1", "g2"]), st.sampled_from(["m1", "m2"]),
                          st.integers(0, 5), st.integers(0, 2)), min_size=1, max_size=14, unique=True))
def test_the_latest_keys_agree_with_the_latest_types(tmp_path_factory: pytest.TempPathFactory,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     events: list[tuple[str, str, str, int, int]]) -> None:
    """On DuckDB a member's groups come from three maxima of the (ts, row) key; elsewhere from the
    latest event's type (`event_order.latest`): both must give the same groups, ties of a time
    broken by the row included."""
    from qunce.simulate import churn

    lines = [f"2027-01-{1 + day:02d} {9 + hour:02d}:00:00,{kind},{group},{member},"
             for kind, group, member, day, hour in events]
    con, table = load_events(tmp_path_factory.mktemp("keys"), "ts,type,group_id,member_id,staff_id\n"
                             + "\n".join(lines) + "\n")
    days = [dt.date(2027, 1, d) for d in range(1, 8)]

    def found() -> list[tuple[Any, ...]]:
        return sorted((r["as_of"], r["member_id"], r["group_id"])
                      for r in con.to_pyarrow(member_groups_on(table, days)).to_pylist())

    by_keys = found()
    with monkeypatch.context() as patched:
        patched.setattr(churn, "order_key", lambda ts, row: None)
        assert found() == by_keys
